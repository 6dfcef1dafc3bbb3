import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SFNClient } from '@aws-sdk/client-sfn';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type ExecutionInput, executionName, StepFunctionsDispatcher } from '#core/intake/dispatch.ts';
import { loadPlaybooks } from '#core/playbooks/registry.ts';
import { type IncidentItem, keys } from '#core/store/table.ts';
import { deployedPlaybook } from '../aws/stack.ts';
import { type Command, type CommandIo, UsageError, write } from '../command.ts';
import { type LocalEngineEvent, runPlaybookLocally } from '../local/engine.ts';
import {
  approvalDecider,
  loadWorldFor,
  localRunnerDeps,
  persistedWorldFile,
  saveWorld,
} from '../local/response.ts';
import {
  awsClientConfig,
  displayPath,
  LOCAL_DIR,
  loadProjectConfig,
  openStoreFor,
  STORE_OPTIONS,
  type StoreHandle,
  waitForActiveTable,
} from '../local/runtime.ts';
import { openLocalStore } from '../local/store.ts';
import { describe, EXAMPLE_WORLD, executionJson, summarize } from './run.ts';
import { getAlerts, IncidentNotFoundError, resolveIncident } from './show.ts';

/** The release playbook of each resource type an incident can be about. */
export const RELEASE_PLAYBOOKS: Readonly<Record<string, string>> = {
  'AWS::EC2::Instance': 'ec2-instance-release',
  'AWS::IAM::User': 'iam-credential-release',
  'AWS::IAM::Role': 'iam-credential-release',
  'AWS::S3::Bucket': 's3-public-bucket-release',
};

const HELP = `Usage: riposte release <incident> [--world FILE] [--approve | --deny] [--json]
                        [--data-dir DIR]
       riposte release <incident> --stack NAME [--region REGION] [--json]

Undoes an incident's containment with the release playbook of the incident's resource type
(AWS::EC2::Instance: ec2-instance-release; AWS::IAM::User and AWS::IAM::Role:
iam-credential-release; AWS::S3::Bucket: s3-public-bucket-release). Other resource types have
no release playbook and are refused.
<incident> is an incident id or a unique prefix of one.

Locally (the default) it runs the playbook on the local state-machine engine, from the state
the containment saved in the store, dry-run. The world: locally the AWS resources live in
memory, per process. The runs on a data folder save the world they leave in DIR/world.json
(run --data-dir, serve, release, the demo), and release loads it, so it undoes what the
containment did. Without that file it starts from --world (default examples/world.json), which
shows the resources as the file describes them, not as the containment left them: releasing
then finds little to restore.

With --stack it starts the deployed release playbook: StartExecution on the live alias the
stack's DeployedPlaybooks output names (found with CloudFormation DescribeStacks), with the
input the ingest function gives every playbook ({"incidentId","alertId","playbook":{"id",
"version"},"mode"}; mode dry-run for a sample incident) and a name made of the incident, the
playbook and its version, so running the command again starts no second release: it says the
release was already started. The execution is recorded on the incident (show lists it); follow
it in the Step Functions console. Your credentials need cloudformation:DescribeStacks,
dynamodb:GetItem, Query, BatchGetItem and PutItem on the table (and its key), and
states:StartExecution on the alias. --table alone is refused: the alias is read from the stack.

Options:
  --world FILE     locally: the world to start from when DIR has no world.json
  --approve        locally: answer approval requests with yes
  --deny           locally: answer approval requests with no (default without a terminal)
  --json           one JSON object. Locally: {"incident","resourceType","playbook","version",
                   "status","path","actions":[{"action","target","dryRun","calls":[{"api",
                   "params"}]}],"world","worldSaved"} ("error","cause","stepErrors" when it
                   failed). With --stack: {"incident","resourceType","playbook","version","mode",
                   "name","status":"started"|"already-started","executionArn"?}
  --data-dir DIR   the local store (default .riposte/db)
  --stack NAME     the deployed Riposte stack (must be in a COMPLETE state)
  --region REGION  the stack's region (default: AWS_REGION or your profile's)

Exit status: 0 when the release succeeded (locally) or was started or already started
(--stack), 1 when it failed, the incident does not exist, its resource type has no release
playbook or the stack does not deploy it.`;

/** Where a release starts from: the incident, its release playbook and the alert it opened with. */
interface Releasable {
  readonly incident: IncidentItem;
  readonly playbookId: string;
  readonly alertId: string;
  /** `dry-run` for a sample incident, as the ingest function starts playbooks for samples. */
  readonly mode: 'live' | 'dry-run';
}

/**
 * The incident `idOrPrefix` names and its release playbook, or undefined after telling `io` why
 * there is none (no such incident, no release playbook for its resource type).
 */
async function releasable(
  db: DynamoDBDocumentClient,
  tableName: string,
  idOrPrefix: string,
  where: string,
  io: CommandIo,
  isAvailable: (playbookId: string) => boolean,
): Promise<Releasable | undefined> {
  let incident: IncidentItem;
  try {
    incident = await resolveIncident(db, tableName, idOrPrefix, where);
  } catch (error) {
    if (!(error instanceof IncidentNotFoundError)) throw error;
    write(io.stderr, `riposte release: ${error.message}`);
    return undefined;
  }
  const playbookId = RELEASE_PLAYBOOKS[incident.resourceType];
  if (playbookId === undefined || !isAvailable(playbookId)) {
    write(
      io.stderr,
      `riposte release: incident ${incident.id} is about ${incident.resourceType} ${incident.resourceUid}: ` +
        `there is no release playbook for that resource type (releases exist for ${Object.keys(RELEASE_PLAYBOOKS).join(', ')})`,
    );
    return undefined;
  }
  const [first] = await getAlerts(db, tableName, incident.alertIds);
  if (first === undefined) throw new Error(`incident ${incident.id} has no stored alert`);
  return { incident, playbookId, alertId: first.id, mode: incident.sample ? 'dry-run' : 'live' };
}

/** The execution item a release leaves on the incident (what `show` lists). */
function executionRecord(
  release: Releasable,
  version: string,
  fields: { name: string; status: 'started' | 'failed'; target: string; createdAt: number },
): Record<string, unknown> {
  const { incident, playbookId, alertId, mode } = release;
  return {
    ...keys.execution(incident.id, playbookId, version, mode),
    incidentId: incident.id,
    alertId,
    playbookId,
    version,
    mode,
    ...fields,
  };
}

/** What a release playbook receives: the input every playbook execution gets. */
function releaseInput(release: Releasable, version: string): ExecutionInput {
  return {
    incidentId: release.incident.id,
    alertId: release.alertId,
    playbook: { id: release.playbookId, version },
    mode: release.mode,
  };
}

interface DeployedReleaseOptions {
  readonly stack: string | undefined;
  readonly table: string | undefined;
  readonly region: string | undefined;
  readonly json: boolean;
}

/** `release --stack`: starts the deployed release playbook's live alias, once per incident. */
async function releaseDeployed(idOrPrefix: string, options: DeployedReleaseOptions, io: CommandIo) {
  if (options.stack === undefined) {
    throw new UsageError(
      "a deployed release needs --stack NAME: the release playbook's live alias is read from the stack's outputs",
    );
  }
  const store = await openStoreFor({ cwd: io.cwd, ...options });
  const sfn = new SFNClient(awsClientConfig(store.region));
  try {
    const deployment = store.deployment;
    if (deployment === undefined) throw new Error(`stack ${options.stack} was not read`);
    const release = await releasable(
      store.db,
      store.tableName,
      idOrPrefix,
      store.description,
      io,
      () => true,
    );
    if (release === undefined) return 1;
    const { incident, playbookId, mode } = release;
    const playbook = deployedPlaybook(deployment, playbookId);
    // Named as the ingest function names its executions, so a repeated command starts nothing.
    const name = executionName(
      incident.id,
      playbookId,
      `${playbook.version}${mode === 'dry-run' ? '-dry-run' : ''}`,
    );
    const started = await new StepFunctionsDispatcher(sfn).start({
      name,
      route: {
        id: playbookId,
        version: playbook.version,
        target: playbook.aliasArn,
        trigger: { manual: true },
      },
      input: releaseInput(release, playbook.version),
    });
    const executionArn =
      started.executionArn === undefined || started.executionArn === '' ? undefined : started.executionArn;
    await recordDeployedExecution(store, {
      ...executionRecord(release, playbook.version, {
        name,
        status: 'started',
        target: playbook.aliasArn,
        createdAt: Date.now(),
      }),
      ...(executionArn === undefined ? {} : { executionArn }),
    });
    if (options.json) {
      write(
        io.stdout,
        JSON.stringify({
          incident: incident.id,
          resourceType: incident.resourceType,
          playbook: playbookId,
          version: playbook.version,
          mode,
          name,
          status: started.status,
          ...(executionArn === undefined ? {} : { executionArn }),
        }),
      );
    } else {
      const what = `release of ${incident.id} (${incident.resourceType} ${incident.resourceName ?? incident.resourceUid}) with ${playbookId} ${playbook.version}${mode === 'dry-run' ? ' (dry-run: sample incident)' : ''}`;
      write(
        io.stdout,
        started.status === 'started'
          ? `${what}: started ${executionArn ?? name} on stack ${deployment.stackName}`
          : `${what}: already started as ${name} on stack ${deployment.stackName}; a release starts once per incident and playbook version`,
      );
    }
    return 0;
  } finally {
    sfn.destroy();
    await store.close();
  }
}

/** Records the started execution unless a record exists (a repeated command keeps the first). */
async function recordDeployedExecution(store: StoreHandle, item: Record<string, unknown>): Promise<void> {
  try {
    await store.db.send(
      new PutCommand({
        TableName: store.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
  }
}

export const releaseCommand: Command = {
  name: 'release',
  summary: "undo an incident's containment with its release playbook (locally dry-run, or --stack)",
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        world: { type: 'string' },
        approve: { type: 'boolean', default: false },
        deny: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        ...STORE_OPTIONS,
      },
    });
    if (positionals.length !== 1) throw new UsageError('expected exactly one incident id');
    if (values.approve && values.deny) throw new UsageError('--approve and --deny exclude each other');
    if (values.stack !== undefined || values.table !== undefined) {
      if (values.world !== undefined || values.approve || values.deny) {
        throw new UsageError(
          '--world, --approve and --deny are for local releases: a deployed release runs on AWS and asks through its approval step',
        );
      }
      return releaseDeployed(
        positionals[0] ?? '',
        { stack: values.stack, table: values.table, region: values.region, json: values.json },
        io,
      );
    }
    if (values.region !== undefined) throw new UsageError('--region goes with --stack (a deployment)');
    const dataDir = path.resolve(io.cwd, values['data-dir'] ?? path.join(LOCAL_DIR, 'db'));
    const config = loadProjectConfig(io.cwd);
    const playbooks = await loadPlaybooks();
    const store = await openLocalStore({ dataDir });
    try {
      await waitForActiveTable(store);
      const release = await releasable(store.db, store.tableName, positionals[0] ?? '', dataDir, io, (id) =>
        playbooks.some((p) => p.id === id),
      );
      if (release === undefined) return 1;
      const { incident } = release;
      const playbook = playbooks.find((p) => p.id === release.playbookId);
      if (playbook === undefined) throw new Error(`no playbook ${release.playbookId}`);
      const persisted = persistedWorldFile(dataDir);
      const fromPersisted = existsSync(persisted);
      const worldFile = fromPersisted ? persisted : path.resolve(io.cwd, values.world ?? EXAMPLE_WORLD);
      if (fromPersisted && values.world !== undefined)
        write(io.stderr, `riposte release: using the world saved in ${persisted}, not ${values.world}`);
      const world = loadWorldFor(dataDir, worldFile);
      const input = releaseInput(release, playbook.version);
      const startedAt = Date.now();
      const record = (status: 'started' | 'failed', error?: string) =>
        store.db.send(
          new PutCommand({
            TableName: store.tableName,
            Item: {
              ...executionRecord(release, playbook.version, {
                name: executionName(incident.id, playbook.id, playbook.version),
                status,
                target: 'local',
                createdAt: startedAt,
              }),
              ...(error === undefined ? {} : { error }),
            },
          }),
        );
      await record('started');
      if (!values.json) {
        write(
          io.stdout,
          `release of ${incident.id} (${incident.resourceType} ${incident.resourceName ?? incident.resourceUid}) ` +
            `with ${playbook.id} ${playbook.version}, world ${displayPath(io.cwd, worldFile)} (dry-run)`,
        );
      }
      const approve = approvalDecider(values.approve ? 'approve' : values.deny ? 'deny' : undefined, io);
      const result = await runPlaybookLocally(playbook, input, {
        runner: localRunnerDeps({ store, config, world, approve }),
        approve,
        ...(values.json ? {} : { onEvent: (event: LocalEngineEvent) => write(io.stdout, describe(event)) }),
      });
      if (result.status !== 'SUCCEEDED')
        await record('failed', `${result.error ?? ''}: ${result.cause ?? ''}`);
      await saveWorld(dataDir, world);
      if (values.json) {
        write(
          io.stdout,
          JSON.stringify({
            incident: incident.id,
            resourceType: incident.resourceType,
            ...executionJson(result),
            world: worldFile,
            worldSaved: persisted,
          }),
        );
      } else {
        write(io.stdout, summarize(result));
        write(io.stdout, `world saved to ${displayPath(io.cwd, persisted)}`);
      }
      return result.status === 'SUCCEEDED' ? 0 : 1;
    } finally {
      await store.close();
    }
  },
};

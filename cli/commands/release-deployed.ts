import { SFNClient } from '@aws-sdk/client-sfn';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type ExecutionInput, executionName, StepFunctionsDispatcher } from '#core/intake/dispatch.ts';
import { RELEASE_PLAYBOOK_IDS, RELEASE_PLAYBOOKS, releasePlaybookFor } from '#core/playbooks/releases.ts';
import { actionsUndoneByShipped } from '#core/playbooks/undo.ts';
import { type ExecutionItem, type IncidentItem, keys } from '#core/store/table.ts';
import { deployedPlaybook } from '../aws/stack.ts';
import { type CommandIo, UsageError, write } from '../command.ts';
import { awsClientConfig, openStoreFor, type StoreHandle } from '../local/runtime.ts';
import { confirmRelease, type ReleasePrompt } from './release-confirm.ts';
import { getAlerts, IncidentNotFoundError, resolveIncident } from './show.ts';

/**
 * What `riposte release` shares between its local and deployed runs (the incident's release
 * playbook, the execution record and input), and the deployed run itself (`--stack`).
 */

/** The ids of the release playbooks (their own steps are not what a release undoes). */
export { RELEASE_PLAYBOOK_IDS, RELEASE_PLAYBOOKS };

/** Where a release starts from: the incident, its release playbook and the alert it opened with. */
export interface Releasable {
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
export async function releasable(
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
  const playbookId = releasePlaybookFor(incident);
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
export function executionRecord(
  release: Releasable,
  version: string,
  fields: { name: string; status: ExecutionItem['status']; target: string; createdAt: number },
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
export function releaseInput(release: Releasable, version: string): ExecutionInput {
  return {
    incidentId: release.incident.id,
    alertId: release.alertId,
    playbook: { id: release.playbookId, version },
    mode: release.mode,
  };
}

export interface DeployedReleaseOptions {
  readonly stack: string | undefined;
  readonly table: string | undefined;
  readonly region: string | undefined;
  readonly json: boolean;
  readonly yes: boolean;
  readonly prompt: ReleasePrompt;
}

/** `release --stack`: starts the deployed release playbook's live alias, once per incident. */
export async function releaseDeployed(idOrPrefix: string, options: DeployedReleaseOptions, io: CommandIo) {
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
    const confirmed = await confirmRelease({
      db: store.db,
      tableName: store.tableName,
      incident,
      playbook: playbookId,
      releasePlaybooks: RELEASE_PLAYBOOK_IDS,
      undone: await actionsUndoneByShipped(playbookId),
      yes: options.yes,
      prompt: options.prompt,
      io,
    });
    if (!confirmed) return 1;
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

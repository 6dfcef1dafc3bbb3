import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { executionName } from '#core/intake/dispatch.ts';
import { loadPlaybooks } from '#core/playbooks/registry.ts';
import { actionsUndoneBy } from '#core/playbooks/undo.ts';
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
  displayPath,
  LOCAL_DIR,
  loadProjectConfig,
  STORE_OPTIONS,
  waitForActiveTable,
} from '../local/runtime.ts';
import { openLocalStore } from '../local/store.ts';
import { releaseOutcome } from '../release-plan.ts';
import { assertCanConfirm, confirmRelease, type ReleasePrompt, terminalPrompt } from './release-confirm.ts';
import {
  executionRecord,
  RELEASE_PLAYBOOK_IDS,
  RELEASE_PLAYBOOKS,
  releasable,
  releaseDeployed,
  releaseInput,
} from './release-deployed.ts';
import { describe, EXAMPLE_WORLD, executionJson, summarize } from './run.ts';

export { RELEASE_PLAYBOOKS };

const HELP = `Usage: riposte release <incident> [--yes] [--world FILE] [--approve | --deny] [--json]
                        [--data-dir DIR]
       riposte release <incident> --stack NAME [--yes] [--region REGION] [--json]

Undoes an incident's containment with the release playbook of the incident's resource type
(AWS::EC2::Instance: ec2-instance-release; AWS::IAM::User and AWS::IAM::Role:
iam-credential-release; AWS::S3::Bucket: s3-public-bucket-release). Other resource types have
no release playbook and are refused.
<incident> is an incident id or a unique prefix of one.

On a terminal it first lists what the release will undo (the containment steps the incident's
timeline records) and asks for a yes. Without a terminal it refuses unless --yes is given.
An incident that was never contained (no containment completed: refused, denied, never run) is
not released: the playbook ends on "nothing to release" and the command says so.

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
  --yes            release without asking (required when stdin is not a terminal)
  --world FILE     locally: the world to start from when DIR has no world.json
  --approve        locally: answer approval requests with yes
  --deny           locally: answer approval requests with no (default without a terminal)
  --json           one JSON object. Locally: {"incident","resourceType","playbook","version",
                   "status","outcome":"released"|"nothing-to-release"|"failed","path",
                   "actions":[{"action","target","dryRun","error"?,"calls":[{"api","params"}]}],
                   "world","worldSaved"} ("error","cause","stepErrors" when it failed). With --stack: {"incident","resourceType","playbook","version","mode",
                   "name","status":"started"|"already-started","executionArn"?}
  --data-dir DIR   the local store (default .riposte/db)
  --stack NAME     the deployed Riposte stack (must be in a COMPLETE state)
  --region REGION  the stack's region (default: AWS_REGION or your profile's)

Exit status: 0 when the release succeeded (locally) or was started or already started
(--stack), 1 when it failed, found nothing to release, was not confirmed, the incident does not
exist, its resource type has no release playbook or the stack does not deploy it; 2 without a
terminal and without --yes.`;

/**
 * The `release` command, asking its confirmations through `promptFor(io)` (the terminal by
 * default; tests inject one).
 *
 * @example
 * const command = createReleaseCommand(() => ({ interactive: () => true, ask: async () => 'y' }));
 * await command.run(['inc-0123', '--data-dir', dir], io);
 */
export function createReleaseCommand(promptFor: (io: CommandIo) => ReleasePrompt = terminalPrompt): Command {
  return {
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
          yes: { type: 'boolean', default: false },
          ...STORE_OPTIONS,
        },
      });
      if (positionals.length !== 1) throw new UsageError('expected exactly one incident id');
      const prompt = promptFor(io);
      assertCanConfirm(positionals[0] ?? '', values.yes, prompt);
      if (values.approve && values.deny) throw new UsageError('--approve and --deny exclude each other');
      if (values.stack !== undefined || values.table !== undefined) {
        if (values.world !== undefined || values.approve || values.deny) {
          throw new UsageError(
            '--world, --approve and --deny are for local releases: a deployed release runs on AWS and asks through its approval step',
          );
        }
        return releaseDeployed(
          positionals[0] ?? '',
          {
            stack: values.stack,
            table: values.table,
            region: values.region,
            json: values.json,
            yes: values.yes,
            prompt,
          },
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
        const confirmed = await confirmRelease({
          db: store.db,
          tableName: store.tableName,
          incident,
          playbook: release.playbookId,
          releasePlaybooks: RELEASE_PLAYBOOK_IDS,
          undone: actionsUndoneBy(playbook),
          yes: values.yes,
          prompt,
          io,
        });
        if (!confirmed) return 1;
        const persisted = persistedWorldFile(dataDir);
        const fromPersisted = existsSync(persisted);
        const worldFile = fromPersisted ? persisted : path.resolve(io.cwd, values.world ?? EXAMPLE_WORLD);
        if (fromPersisted && values.world !== undefined)
          write(io.stderr, `riposte release: using the world saved in ${persisted}, not ${values.world}`);
        const world = loadWorldFor(dataDir, worldFile);
        const input = releaseInput(release, playbook.version);
        const startedAt = Date.now();
        const record = (status: 'started' | 'failed' | 'nothing-to-release', error?: string) =>
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
        const ended = releaseOutcome(result);
        if (ended.outcome === 'nothing-to-release') await record('nothing-to-release', ended.reason);
        else if (ended.outcome === 'failed')
          await record('failed', `${result.error ?? ''}: ${result.cause ?? ''}`);
        await saveWorld(dataDir, world);
        if (values.json) {
          write(
            io.stdout,
            JSON.stringify({
              incident: incident.id,
              resourceType: incident.resourceType,
              ...executionJson(result),
              outcome: ended.outcome,
              world: worldFile,
              worldSaved: persisted,
            }),
          );
        } else {
          write(io.stdout, summarize(result));
          if (ended.outcome === 'nothing-to-release') {
            write(io.stdout, `${ended.reason}: nothing was released`);
          }
          write(io.stdout, `world saved to ${displayPath(io.cwd, persisted)}`);
        }
        return ended.outcome === 'released' ? 0 : 1;
      } finally {
        await store.close();
      }
    },
  };
}

/** `riposte release`, confirming on the terminal. */
export const releaseCommand: Command = createReleaseCommand();

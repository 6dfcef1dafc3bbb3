import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { type ExecutionInput, executionName } from '#core/intake/dispatch.ts';
import { loadPlaybooks } from '#core/playbooks/registry.ts';
import { type IncidentItem, keys } from '#core/store/table.ts';
import { type Command, UsageError, write } from '../command.ts';
import { type LocalEngineEvent, runPlaybookLocally } from '../local/engine.ts';
import {
  approvalDecider,
  loadWorldFor,
  localRunnerDeps,
  persistedWorldFile,
  saveWorld,
} from '../local/response.ts';
import { displayPath, LOCAL_DIR, loadProjectConfig, waitForActiveTable } from '../local/runtime.ts';
import { openLocalStore } from '../local/store.ts';
import { describe, EXAMPLE_WORLD, executionJson, summarize } from './run.ts';
import { getAlerts, IncidentNotFoundError, resolveIncident } from './show.ts';

/** The release playbook of each resource type an incident can be about. */
export const RELEASE_PLAYBOOKS: Readonly<Record<string, string>> = {
  'AWS::EC2::Instance': 'ec2-instance-release',
  'AWS::IAM::User': 'iam-credential-release',
  'AWS::IAM::Role': 'iam-credential-release',
};

const HELP = `Usage: riposte release <incident> [--world FILE] [--approve | --deny] [--json]
                        [--data-dir DIR]

Undoes an incident's containment, locally: runs the release playbook of the incident's
resource type (AWS::EC2::Instance: ec2-instance-release; AWS::IAM::User and AWS::IAM::Role:
iam-credential-release) on the local state-machine engine, from the state the containment
saved in the store. Other resource types have no release playbook and are refused.
<incident> is an incident id or a unique prefix of one.

The world: locally the AWS resources live in memory, per process. The runs on a data folder
save the world they leave in DIR/world.json (run --data-dir, serve, release, the demo), and
release loads it, so it undoes what the containment did. Without that file it starts from
--world (default examples/world.json), which shows the resources as the file describes them,
not as the containment left them: releasing then finds little to restore.

Options:
  --world FILE     the world to start from when DIR has no world.json
  --approve        answer approval requests with yes
  --deny           answer approval requests with no (default without a terminal)
  --json           one JSON object: {"incident","resourceType","playbook","version","status",
                   "path","actions":[{"action","target","dryRun","calls":[{"api","params"}]}],
                   "world","worldSaved"} ("error","cause","stepErrors" when it failed)
  --data-dir DIR   the local store (default .riposte/db)

Exit status: 0 when the release succeeded, 1 when it failed, the incident does not exist or
its resource type has no release playbook.`;

export const releaseCommand: Command = {
  name: 'release',
  summary: "undo an incident's containment with its release playbook, locally (dry-run)",
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
        'data-dir': { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('expected exactly one incident id');
    if (values.approve && values.deny) throw new UsageError('--approve and --deny exclude each other');
    const dataDir = path.resolve(io.cwd, values['data-dir'] ?? path.join(LOCAL_DIR, 'db'));
    const config = loadProjectConfig(io.cwd);
    const playbooks = await loadPlaybooks();
    const store = await openLocalStore({ dataDir });
    try {
      await waitForActiveTable(store);
      let incident: IncidentItem;
      try {
        incident = await resolveIncident(store.db, store.tableName, positionals[0] ?? '', dataDir);
      } catch (error) {
        if (!(error instanceof IncidentNotFoundError)) throw error;
        write(io.stderr, `riposte release: ${error.message}`);
        return 1;
      }
      const playbookId = RELEASE_PLAYBOOKS[incident.resourceType];
      const playbook = playbooks.find((p) => p.id === playbookId);
      if (playbookId === undefined || playbook === undefined) {
        write(
          io.stderr,
          `riposte release: incident ${incident.id} is about ${incident.resourceType} ${incident.resourceUid}: ` +
            `there is no release playbook for that resource type (releases exist for ${Object.keys(RELEASE_PLAYBOOKS).join(', ')})`,
        );
        return 1;
      }
      const [first] = await getAlerts(store.db, store.tableName, incident.alertIds);
      if (first === undefined) throw new Error(`incident ${incident.id} has no stored alert`);
      const alertId = first.id;
      const persisted = persistedWorldFile(dataDir);
      const fromPersisted = existsSync(persisted);
      const worldFile = fromPersisted ? persisted : path.resolve(io.cwd, values.world ?? EXAMPLE_WORLD);
      if (fromPersisted && values.world !== undefined)
        write(io.stderr, `riposte release: using the world saved in ${persisted}, not ${values.world}`);
      const world = loadWorldFor(dataDir, worldFile);
      const mode = incident.sample ? 'dry-run' : 'live';
      const input: ExecutionInput = {
        incidentId: incident.id,
        alertId,
        playbook: { id: playbook.id, version: playbook.version },
        mode,
      };
      const startedAt = Date.now();
      const record = (status: 'started' | 'failed', error?: string) =>
        store.db.send(
          new PutCommand({
            TableName: store.tableName,
            Item: {
              ...keys.execution(incident.id, playbook.id, playbook.version, mode),
              incidentId: incident.id,
              alertId,
              playbookId: playbook.id,
              version: playbook.version,
              name: executionName(incident.id, playbook.id, playbook.version),
              mode,
              status,
              target: 'local',
              createdAt: startedAt,
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

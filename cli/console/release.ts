import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { executionName } from '#core/intake/dispatch.ts';
import { releasePlaybookFor } from '#core/playbooks/releases.ts';
import type { Playbook } from '#core/playbooks/sdk.ts';
import { keys } from '#core/store/table.ts';
import { getAlerts, resolveIncident } from '../commands/show.ts';
import type { LocalResponseOptions } from '../local/response.ts';
import type { ReleaseStarted } from './api/context.ts';
import type { ExecutionTracker } from './executions.ts';

/**
 * A release started from the console under `riposte serve`: the incident's release playbook on
 * the local engine, tracked like every other execution (its graph fills in live), recorded on
 * the incident as `riposte release` records it. The answer comes once it runs; it ends on its own.
 */
export interface LocalReleaseDeps {
  readonly playbooks: readonly Playbook[];
  readonly tracker: ExecutionTracker;
  readonly response: LocalResponseOptions;
  /** Runs when the release has ended (save the world, log). */
  readonly onEnd: (summary: string) => Promise<void>;
}

/**
 * @example
 * const started = await startLocalRelease(deps, 'inc-3f2a');
 */
export async function startLocalRelease(deps: LocalReleaseDeps, incidentId: string): Promise<ReleaseStarted> {
  const { db, tableName } = deps.response.store;
  const incident = await resolveIncident(db, tableName, incidentId, 'the local store');
  const playbookId = releasePlaybookFor(incident);
  const playbook = deps.playbooks.find((p) => p.id === playbookId);
  if (playbook === undefined) throw new Error(`no release playbook for ${incident.resourceType}`);
  const [first] = await getAlerts(db, tableName, incident.alertIds);
  if (first === undefined) throw new Error(`incident ${incident.id} has no stored alert`);
  const mode = incident.sample ? 'dry-run' : 'live';
  const name = executionName(incident.id, playbook.id, playbook.version);
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...keys.execution(incident.id, playbook.id, playbook.version, mode),
        incidentId: incident.id,
        alertId: first.id,
        playbookId: playbook.id,
        version: playbook.version,
        mode,
        name,
        status: 'started',
        target: 'local',
        createdAt: Date.now(),
      },
    }),
  );
  const run = deps.tracker.start(
    [
      {
        name,
        route: { id: playbook.id, version: playbook.version, target: 'local', trigger: { manual: true } },
        input: {
          incidentId: incident.id,
          alertId: first.id,
          playbook: { id: playbook.id, version: playbook.version },
          mode,
        },
      },
    ],
    deps.playbooks,
    deps.response,
  );
  void run.done.then(
    (results) =>
      deps.onEnd(results.map((r) => `${r.playbook} ${r.version} ${r.status}`).join('; ') || 'nothing ran'),
    (error: unknown) => deps.onEnd(`failed: ${error instanceof Error ? error.message : String(error)}`),
  );
  return { playbook: playbook.id, version: playbook.version, status: 'running' };
}

import { appendCaseLog } from '../lifecycle/log.ts';
import { type LifecycleStore, publishLifecycle, recordFacts } from '../lifecycle/record.ts';
import type { IncidentItem } from '../store/table.ts';
import { type AssignInput, AssignInputSchema, parseCaseInput } from './schemas.ts';

/**
 * Sets (or, with `owner: null`, clears) who works the incident; on the case log and published as
 * `Riposte Incident Assigned`.
 *
 * @example
 * await assign(store, { incidentId: 'inc-123', owner: 'alice', actor: 'arn:aws:sts::111122223333:assumed-role/Analyst/bob' });
 */
export async function assign(store: LifecycleStore, input: AssignInput): Promise<IncidentItem> {
  const { incidentId, owner, actor } = parseCaseInput(AssignInputSchema, input);
  const at = store.now();
  const { incident } = await recordFacts(store, incidentId, {
    update: owner === null ? { remove: ['owner'] } : { set: { owner } },
    actor,
  });
  await appendCaseLog(store.db, store.tableName, incidentId, {
    at,
    kind: 'assigned',
    actor,
    text: owner === null ? 'unassigned' : `assigned to ${owner}`,
    data: owner === null ? {} : { owner },
  });
  await publishLifecycle(store, {
    kind: 'assigned',
    detail: { incidentId, at, actor, ...(owner === null ? {} : { owner }) },
  });
  return incident;
}

import { appendCaseLog } from '../lifecycle/log.ts';
import { type LifecycleStore, publishLifecycle, recordFacts } from '../lifecycle/record.ts';
import type { IncidentItem } from '../store/table.ts';
import { parseCaseInput, type ReopenInput, ReopenInputSchema } from './schemas.ts';

/**
 * Reopens a closed incident: its resolution and close time are cleared (the case log keeps them)
 * and its status is derived again from the response facts (contained, not contained...). A later
 * close records a new time to close. Suppressions the close created stay until removed. Refuses
 * an incident that is not closed (`LifecycleConflictError`).
 *
 * @example
 * await reopenIncident(store, { incidentId: 'inc-123', actor: 'alice', reason: 'Seen again on another host' });
 */
export async function reopenIncident(store: LifecycleStore, input: ReopenInput): Promise<IncidentItem> {
  const { incidentId, actor, reason } = parseCaseInput(ReopenInputSchema, input);
  const at = store.now();
  const { incident } = await recordFacts(store, incidentId, {
    update: {
      set: { reopenedAt: at },
      remove: ['closedAt', 'closedBy', 'resolution', 'timeToCloseMs'],
    },
    when: { template: 'attribute_exists({closedAt})', values: {} },
    conflict: `incident ${incidentId} is not closed`,
    actor,
  });
  await appendCaseLog(store.db, store.tableName, incidentId, {
    at,
    kind: 'reopened',
    actor,
    text: reason === undefined ? 'reopened' : `reopened: ${reason}`,
  });
  await publishLifecycle(store, { kind: 'reopened', detail: { incidentId, at, actor } });
  return incident;
}

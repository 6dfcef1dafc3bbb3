/**
 * Case management: the operations an analyst performs on an incident, shared by the CLI (local
 * store or a deployment's table) and the console. Each takes a {@link LifecycleStore} and an input
 * checked with its zod schema (`./schemas.ts`), writes the incident item and its case log in the
 * incident's partition, and publishes a lifecycle event when the store has a publisher.
 *
 * @example
 * import { assign, addNote, closeIncident } from '#core/cases/index.ts';
 * const store = { db, tableName, now: Date.now };
 * await assign(store, { incidentId, owner: 'alice', actor: 'alice' });
 * await addNote(store, { incidentId, text: 'Scanner owned by the red team', author: 'alice' });
 * await closeIncident(store, { incidentId, resolution: 'false_positive', actor: 'alice', suppress: { durationMs: 2_592_000_000 } });
 */
export type { CaseLogEntry, CaseLogKind } from '../lifecycle/log.ts';
export { listCaseLog } from '../lifecycle/log.ts';
export {
  IncidentNotFoundError,
  LifecycleConflictError,
  type LifecycleStore,
} from '../lifecycle/record.ts';
export { assign } from './assign.ts';
export { CASE_CALLS } from './calls.ts';
export { type CloseResult, closeIncident } from './close.ts';
export { type IncidentFilter, matchesFilter } from './filter.ts';
export { addNote } from './note.ts';
export { reopenIncident } from './reopen.ts';
export * from './schemas.ts';
export {
  createSuppression,
  listSuppressions,
  removeSuppression,
  type Suppression,
  type SuppressionAudit,
  SuppressionNotFoundError,
  suppressionAudit,
} from './suppressions.ts';
export { setTags } from './tags.ts';

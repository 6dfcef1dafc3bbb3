import { appendCaseLog } from '../lifecycle/log.ts';
import { type LifecycleStore, publishLifecycle, recordFacts } from '../lifecycle/record.ts';
import type { IncidentItem } from '../store/table.ts';
import { parseCaseInput, type SetTagsInput, SetTagsInputSchema } from './schemas.ts';

/**
 * Adds and removes tags on the incident. Tags are a DynamoDB string set, so concurrent changes
 * never lose each other's tags; they are trimmed and lower-cased. On the case log and published
 * as `Riposte Incident Tagged`.
 *
 * @example
 * await setTags(store, { incidentId: 'inc-123', add: ['crypto-mining'], remove: ['triage'], actor: 'alice' });
 */
export async function setTags(store: LifecycleStore, input: SetTagsInput): Promise<IncidentItem> {
  const { incidentId, add, remove, actor } = parseCaseInput(SetTagsInputSchema, input);
  const removed = remove.filter((tag) => !add.includes(tag));
  const at = store.now();
  const { incident } = await recordFacts(store, incidentId, {
    update: {
      ...(add.length > 0 ? { add: { tags: new Set(add) } } : {}),
      ...(removed.length > 0 ? { delete: { tags: new Set(removed) } } : {}),
    },
    actor,
  });
  const tags = incident.tags ?? [];
  await appendCaseLog(store.db, store.tableName, incidentId, {
    at,
    kind: 'tags',
    actor,
    text: [
      ...(add.length > 0 ? [`tagged ${add.join(', ')}`] : []),
      ...(removed.length > 0 ? [`untagged ${removed.join(', ')}`] : []),
    ].join('; '),
    data: { add, remove: removed, tags },
  });
  await publishLifecycle(store, { kind: 'tagged', detail: { incidentId, at, actor, tags } });
  return incident;
}

import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { findingTypesOf } from '../intake/suppression.ts';
import { appendCaseLog } from '../lifecycle/log.ts';
import {
  IncidentNotFoundError,
  type LifecycleStore,
  publishLifecycle,
  recordFacts,
} from '../lifecycle/record.ts';
import { alertOcsf } from '../store/queries.ts';
import { AlertItemSchema, type IncidentItem, IncidentItemSchema, keys } from '../store/table.ts';
import { addNote } from './note.ts';
import { type CloseInput, CloseInputSchema, parseCaseInput } from './schemas.ts';
import { createSuppression, type Suppression } from './suppressions.ts';

/** At most this many alerts of an incident are read for the finding types to suppress. */
const MAX_ALERTS_READ = 25;
/** At most this many suppressions are created by one close. */
const MAX_SUPPRESSIONS = 10;

export interface CloseResult {
  readonly incident: IncidentItem;
  /** Received by Riposte → closed. */
  readonly timeToCloseMs: number;
  readonly suppressions: readonly Suppression[];
}

/**
 * Closes an incident with a resolution: `resolved` for a true positive, `closed` otherwise. Records
 * who closed it, when, and the time to close (received → closed, the KPI `riposte stats` reports);
 * ends the incident's grouping window, so a later alert on the resource opens a new incident;
 * optionally appends a note; and, for a false positive, may suppress the incident's resource and
 * finding types for `suppress.durationMs`. Refuses an incident already closed
 * (`LifecycleConflictError`).
 *
 * @example
 * const { timeToCloseMs } = await closeIncident(store, {
 *   incidentId: 'inc-123', resolution: 'false_positive', actor: 'alice',
 *   note: 'Authorised scanner', suppress: { durationMs: 30 * 86_400_000 },
 * });
 */
export async function closeIncident(store: LifecycleStore, input: CloseInput): Promise<CloseResult> {
  const parsed = parseCaseInput(CloseInputSchema, input);
  const { incidentId, resolution, actor } = parsed;
  const before = await readIncident(store, incidentId);
  const at = store.now();
  const timeToCloseMs = Math.max(0, at - before.openedAt);
  const { incident } = await recordFacts(store, incidentId, {
    update: { set: { closedAt: at, closedBy: actor, resolution, timeToCloseMs } },
    when: { template: 'attribute_not_exists({closedAt})', values: {} },
    conflict: `incident ${incidentId} is already closed (reopen it first)`,
    actor,
  });
  await endGroupingWindow(store, incident, at);
  await appendCaseLog(store.db, store.tableName, incidentId, {
    at,
    kind: 'closed',
    actor,
    text: `closed as ${resolution.replace('_', ' ')}`,
    data: { resolution, timeToCloseMs },
  });
  await publishLifecycle(store, {
    kind: 'closed',
    detail: {
      incidentId,
      at,
      actor,
      resolution,
      timeToCloseMs,
      severityId: incident.severityId,
      title: incident.title,
      ...(incident.source === undefined ? {} : { source: incident.source }),
    },
  });
  if (parsed.note !== undefined) await addNote(store, { incidentId, text: parsed.note, author: actor });
  const suppressions: Suppression[] = [];
  if (parsed.suppress !== undefined) {
    for (const findingType of await findingTypes(store, incident)) {
      suppressions.push(
        await createSuppression(store, {
          resourceKey: incident.resourceKey,
          findingType,
          durationMs: parsed.suppress.durationMs,
          actor,
          incidentId,
          reason: `closed as false positive: ${incident.title}`.slice(0, 1024),
        }),
      );
    }
  }
  return { incident, timeToCloseMs, suppressions };
}

async function readIncident(store: LifecycleStore, incidentId: string): Promise<IncidentItem> {
  const out = await store.db.send(
    new GetCommand({ TableName: store.tableName, Key: keys.incident(incidentId), ConsistentRead: true }),
  );
  if (out.Item === undefined) throw new IncidentNotFoundError(incidentId);
  return IncidentItemSchema.parse(out.Item);
}

/** Ends the open-incident lock of the resource if it still points at this incident. */
async function endGroupingWindow(store: LifecycleStore, incident: IncidentItem, at: number): Promise<void> {
  try {
    await store.db.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: keys.openIncident(incident.resourceKey),
        UpdateExpression: 'SET #until = :at',
        ConditionExpression: '#id = :id AND #until > :at',
        ExpressionAttributeNames: { '#until': 'openUntil', '#id': 'incidentId' },
        ExpressionAttributeValues: { ':at': at, ':id': incident.id },
      }),
    );
  } catch (error) {
    // Another incident holds the resource now, or the window had ended: nothing to end.
    if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
  }
}

/** The distinct finding types of the incident's alerts (the first ones read). */
async function findingTypes(store: LifecycleStore, incident: IncidentItem): Promise<string[]> {
  const types = new Set<string>();
  for (const alertId of incident.alertIds.slice(0, MAX_ALERTS_READ)) {
    const out = await store.db.send(new GetCommand({ TableName: store.tableName, Key: keys.alert(alertId) }));
    if (out.Item === undefined) continue;
    const alert = AlertItemSchema.parse(out.Item);
    for (const type of findingTypesOf({ ocsf: alertOcsf(alert) })) types.add(type);
    if (types.size >= MAX_SUPPRESSIONS) break;
  }
  return [...types].slice(0, MAX_SUPPRESSIONS);
}

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RiposteError } from '../errors.ts';
import { declares } from '../permissions.ts';
import { buildUpdate, condition, Placeholders, type UpdateSpec } from '../store/expression.ts';
import { type IncidentItem, IncidentItemSchema, keys } from '../store/table.ts';
import { LIFECYCLE_PUBLISH_CALLS, type LifecycleEvent, type LifecyclePublisher } from './events.ts';
import { appendCaseLog } from './log.ts';
import { type DerivedStatus, deriveStatus, type IncidentStatus, statusLabel } from './status.ts';

/**
 * {@link recordFacts}: `UpdateItem` on the incident (the facts, then the derived status) and
 * `PutItem` for the case-log entry of a status change. The status change itself is published
 * with {@link LIFECYCLE_PUBLISH_CALLS} when a publisher is given. Every function whose code
 * records facts (context, contain, release, approve) declares both.
 */
export const LIFECYCLE_RECORD_CALLS = declares({
  service: 'dynamodb',
  actions: ['dynamodb:UpdateItem', 'dynamodb:PutItem'],
  resource: 'table',
  why: 'lifecycle facts and the derived status on the incident, and the case-log entry of a status change',
});

/** The store and clock every lifecycle writer uses; `lifecycle` publishes to the bus when given. */
export interface LifecycleStore {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now: () => number;
  /** Where lifecycle events go (Riposte's EventBridge bus). @default none: the case log only */
  readonly lifecycle?: LifecyclePublisher | undefined;
}

/** Raised when the incident a change is for is not in the store. */
export class IncidentNotFoundError extends RiposteError {
  public constructor(incidentId: string) {
    super(`no incident ${incidentId} in the store`);
    this.name = 'IncidentNotFoundError';
  }
}

/** Raised when a change's precondition does not hold (closing a closed incident...). */
export class LifecycleConflictError extends RiposteError {
  public constructor(message: string) {
    super(message);
    this.name = 'LifecycleConflictError';
  }
}

/** A status change this write made. */
export interface StatusChange {
  readonly from: IncidentStatus;
  readonly to: DerivedStatus;
  readonly at: number;
}

export interface FactChange {
  /** The facts to write on the incident item. */
  readonly update: UpdateSpec & {
    /** `DELETE a :v`: elements removed from a set (an emptied set attribute disappears). */
    readonly delete?: Readonly<Record<string, ReadonlySet<string>>>;
  };
  /**
   * An extra condition, `{attr}`/`:{value}` placeholders as in `condition()`; when it fails,
   * {@link LifecycleConflictError} with `conflict` as its message.
   */
  readonly when?: { readonly template: string; readonly values: Readonly<Record<string, unknown>> };
  readonly conflict?: string;
  /** Who made the change, for the case log. @default 'riposte' */
  readonly actor?: string;
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

/**
 * Records facts on an incident, then re-derives its status with {@link deriveStatus} and, when it
 * changed, writes it, appends a `status` entry to the case log and publishes `Riposte Incident
 * Status Changed`. Every fact change bumps `lifecycleVersion`; the status is written only if no
 * other change came in between, so concurrent writers never leave an older derivation behind:
 * the latest writer's derivation includes every earlier fact.
 *
 * @example
 * const { incident, change } = await recordFacts(store, 'inc-123', { update: { setIfMissing: { containedAt: now } } });
 * change?.to.status // 'contained'
 */
export async function recordFacts(
  store: LifecycleStore,
  incidentId: string,
  fact: FactChange,
): Promise<{ incident: IncidentItem; change: StatusChange | undefined }> {
  const p = new Placeholders();
  const { delete: deletes = {}, ...spec } = fact.update;
  const update = buildUpdate({ ...spec, add: { ...spec.add, lifecycleVersion: 1 } }, p);
  const deleted = Object.entries(deletes).map(([attr, values]) => `${p.name(attr)} ${p.value(values)}`);
  if (deleted.length > 0) update.UpdateExpression += ` DELETE ${deleted.join(', ')}`;
  const when = fact.when === undefined ? '' : ` AND (${condition(fact.when.template, fact.when.values, p)})`;
  let attributes: Record<string, unknown> | undefined;
  try {
    const out = await store.db.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: keys.incident(incidentId),
        ...update,
        ConditionExpression: `${condition('attribute_exists({pk})', {}, p)}${when}`,
        ExpressionAttributeValues: p.values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    attributes = out.Attributes;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    if (fact.when === undefined) throw new IncidentNotFoundError(incidentId);
    throw new LifecycleConflictError(
      fact.conflict ?? `incident ${incidentId}: the change does not apply now`,
    );
  }
  const incident = IncidentItemSchema.parse(attributes);
  const version = typeof attributes?.lifecycleVersion === 'number' ? attributes.lifecycleVersion : 0;
  const change = await writeDerivedStatus(store, incident, version, fact.actor ?? 'riposte');
  return {
    incident: change === undefined ? incident : { ...incident, status: change.to.status },
    change,
  };
}

/** Writes the derived status when it differs from the stored one; undefined when unchanged or superseded. */
async function writeDerivedStatus(
  store: LifecycleStore,
  incident: IncidentItem,
  version: number,
  actor: string,
): Promise<StatusChange | undefined> {
  const derived = deriveStatus(incident);
  const same =
    derived.status === incident.status &&
    derived.reason === incident.statusReason &&
    derived.dryRun === (incident.statusDryRun ?? false);
  if (same) return undefined;
  const at = store.now();
  const p = new Placeholders();
  const update = buildUpdate(
    {
      set: {
        status: derived.status,
        statusReason: derived.reason,
        statusDryRun: derived.dryRun,
        statusChangedAt: at,
      },
      remove: derived.reason === undefined ? ['statusReason'] : [],
    },
    p,
  );
  try {
    await store.db.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: keys.incident(incident.id),
        ...update,
        ConditionExpression: condition('{lifecycleVersion} = :{v}', { v: version }, p),
        ExpressionAttributeNames: p.names,
        ExpressionAttributeValues: p.values,
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return undefined; // a later change derives and writes it
    throw error;
  }
  const change: StatusChange = { from: incident.status, to: derived, at };
  const text = `status ${statusLabel({ status: incident.status, dryRun: incident.statusDryRun, reason: incident.statusReason })} → ${statusLabel(derived)}`;
  await appendCaseLog(store.db, store.tableName, incident.id, {
    at,
    kind: 'status',
    actor,
    text,
    data: {
      from: incident.status,
      to: derived.status,
      dryRun: derived.dryRun,
      ...(derived.reason === undefined ? {} : { reason: derived.reason }),
    },
  });
  await publishLifecycle(store, {
    kind: 'statusChanged',
    detail: {
      incidentId: incident.id,
      at,
      from: incident.status,
      to: derived.status,
      dryRun: derived.dryRun,
      ...(derived.reason === undefined ? {} : { reason: derived.reason }),
      severityId: incident.severityId,
      title: incident.title,
      ...(incident.source === undefined ? {} : { source: incident.source }),
      actor,
    },
  });
  return change;
}

/**
 * Publishes lifecycle events, best effort: the store already holds the fact, and a subscriber
 * outage must never fail a response step or an operator's change.
 *
 * @example
 * await publishLifecycle(store, { kind: 'assigned', detail: { incidentId, at, owner: 'alice' } });
 */
export async function publishLifecycle(store: LifecycleStore, ...events: LifecycleEvent[]): Promise<void> {
  if (store.lifecycle === undefined || events.length === 0) return;
  try {
    await store.lifecycle.publish(events);
  } catch {
    // The case log and the incident item keep the fact; only the bus subscribers miss it.
  }
}

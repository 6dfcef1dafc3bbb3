import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Alert, Rejection } from '../alert.ts';
import type { LifecyclePublisher } from '../lifecycle/events.ts';
import { normalize } from '../normalize/index.ts';
import { declares } from '../permissions.ts';
import { selectPlaybooks } from '../playbooks/precedence.ts';
import { buildUpdate, condition, Placeholders } from '../store/expression.ts';
import { keys, sortableTime } from '../store/table.ts';
import { admissionRefusal } from './admission.ts';
import { type Dispatcher, executionName, type PlaybookRoute } from './dispatch.ts';
import { clipText, fitOcsf, truncateUtf8 } from './fit.ts';
import { type PrimaryResource, primaryResource } from './resource.ts';
import { suppressedAtIntake } from './suppression.ts';

/** {@link ingestBatch}: alerts, incidents, rejections and dedup items on the table. */
export const INGEST_TABLE_CALLS = declares({
  service: 'dynamodb',
  actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  resource: 'table',
  why: 'ingest stores alerts, incidents and rejections (conditional puts and updates)',
});

/** One delivered event: the SQS message id (or a local id) and its body. */
export interface Delivery {
  readonly id: string;
  readonly body: string | Uint8Array | Readonly<Record<string, unknown>>;
}

export interface IngestDeps {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly dispatcher: Dispatcher;
  readonly routes: readonly PlaybookRoute[];
  /** How long an incident accepts new alerts on its resource after the last one. */
  readonly incidentWindowMs: number;
  readonly rejectedRetentionDays: number;
  /** Where incident opened/escalated events go (Riposte's EventBridge bus). @default none */
  readonly lifecycle?: LifecyclePublisher;
  /**
   * Accounts allowed to send `riposte.custom` events; custom alerts from any other account are
   * stored as rejected (`untrusted_sender`). @default [] - the custom source is refused
   */
  readonly customSourceAccounts?: readonly string[];
  /** Alert groups written concurrently. @default 8 */
  readonly concurrency?: number;
  readonly now?: () => number;
}

/** What one batch did; the Lambda turns it into metrics, `riposte replay` into its summary. */
export interface IngestReport {
  deliveries: number;
  alertsCreated: number;
  alertsUpdated: number;
  /** Deliveries that added nothing new: re-deliveries, in-batch duplicates, stale updates. */
  duplicates: number;
  staleUpdates: number;
  incidentsOpened: number;
  incidentsJoined: number;
  incidentsEscalated: number;
  executionsStarted: number;
  /** Alerts a suppression kept from opening an incident (each counted once). */
  suppressed: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  /** DynamoDB write requests made (PutItem and UpdateItem). */
  writes: number;
  /** Ids of deliveries that must be retried (partial batch failure). */
  failures: string[];
  /** Why those deliveries failed, for the logs. */
  errors: { deliveryIds: string[]; message: string }[];
  /** Ids of the incidents this batch opened, escalated or joined. */
  incidentIds: string[];
  /** Time to detect of each incident opened: first observed by its source → received by Riposte. */
  detections: { source: string; severityId: number; ms: number }[];
}

export function emptyReport(): IngestReport {
  return {
    deliveries: 0,
    alertsCreated: 0,
    alertsUpdated: 0,
    duplicates: 0,
    staleUpdates: 0,
    incidentsOpened: 0,
    incidentsJoined: 0,
    incidentsEscalated: 0,
    executionsStarted: 0,
    suppressed: 0,
    rejected: 0,
    rejectedByReason: {},
    writes: 0,
    failures: [],
    errors: [],
    incidentIds: [],
    detections: [],
  };
}

/** Adds `b` into `a` (for summaries over several batches). */
export function mergeReports(a: IngestReport, b: IngestReport): IngestReport {
  const out = { ...a, rejectedByReason: { ...a.rejectedByReason } };
  for (const key of [
    'deliveries',
    'alertsCreated',
    'alertsUpdated',
    'duplicates',
    'staleUpdates',
    'incidentsOpened',
    'incidentsJoined',
    'incidentsEscalated',
    'executionsStarted',
    'suppressed',
    'rejected',
    'writes',
  ] as const) {
    out[key] += b[key];
  }
  for (const [reason, n] of Object.entries(b.rejectedByReason)) {
    out.rejectedByReason[reason] = (out.rejectedByReason[reason] ?? 0) + n;
  }
  out.failures = [...a.failures, ...b.failures];
  out.errors = [...a.errors, ...b.errors];
  out.incidentIds = [...new Set([...a.incidentIds, ...b.incidentIds])];
  out.detections = [...a.detections, ...b.detections];
  return out;
}

interface AlertGroup {
  alert: Alert;
  findingTime: number;
  deliveryIds: string[];
  /** The delivery the alert came from, kept in case the alert cannot be stored. */
  body: Delivery['body'];
}

interface RejectionGroup {
  rejection: Rejection;
  raw: string;
  deliveryIds: string[];
}

// UTF-8 bytes of a rejected event's raw text kept (DynamoDB's 400 KB item limit counts UTF-8 bytes).
const MAX_RAW_BYTES = 300_000;

/**
 * Ingests one batch of deliveries: normalize, coalesce duplicates inside the batch, store
 * alerts with conditional writes, group them into incidents, and start matching playbooks
 * exactly once. Safe to retry: every step is idempotent, and a delivery is only reported as
 * failed (for SQS to redeliver) when a store or dispatch call failed.
 *
 * @example
 * const report = await ingestBatch(records.map((r) => ({ id: r.messageId, body: r.body })), deps);
 * return { batchItemFailures: report.failures.map((itemIdentifier) => ({ itemIdentifier })) };
 */
export async function ingestBatch(deliveries: readonly Delivery[], deps: IngestDeps): Promise<IngestReport> {
  const report = emptyReport();
  report.deliveries = deliveries.length;
  const alerts = new Map<string, AlertGroup>();
  const rejections = new Map<string, RejectionGroup>();

  for (const delivery of deliveries) {
    for (const normalized of normalize(delivery.body)) {
      const refusal =
        'alert' in normalized
          ? admissionRefusal(normalized.alert, deps.customSourceAccounts ?? [])
          : undefined;
      const output = refusal === undefined ? normalized : { rejected: refusal };
      if ('rejected' in output) {
        const raw = rawText(delivery.body);
        const hash = rejectionHash(output.rejected, raw);
        const group = rejections.get(hash) ?? { rejection: output.rejected, raw, deliveryIds: [] };
        group.deliveryIds.push(delivery.id);
        rejections.set(hash, group);
        countRejection(report, output.rejected);
        continue;
      }
      const { alert } = output;
      const findingTime = alert.ocsf.finding_info?.modified_time ?? alert.ocsf.time;
      const group = alerts.get(alert.id);
      if (group === undefined) {
        alerts.set(alert.id, { alert, findingTime, deliveryIds: [delivery.id], body: delivery.body });
      } else {
        group.deliveryIds.push(delivery.id);
        if (findingTime >= group.findingTime) {
          group.alert = alert;
          group.findingTime = findingTime;
          group.body = delivery.body;
        }
      }
    }
  }

  const failed = new Set<string>();
  const tasks: (() => Promise<void>)[] = [];
  for (const [hash, group] of rejections) {
    tasks.push(async () => {
      try {
        await storeRejection(hash, group, deps, report);
      } catch (error) {
        markFailed(failed, group.deliveryIds, error, report);
      }
    });
  }
  for (const group of alerts.values()) {
    tasks.push(async () => {
      try {
        await storeAlert(group, deps, report);
      } catch (error) {
        markFailed(failed, group.deliveryIds, error, report);
      }
    });
  }
  await runLimited(tasks, deps.concurrency ?? 8);
  report.failures = [...failed];
  return report;
}

/** One failed group's deliveries go back to the queue; the others are unaffected. */
function markFailed(failed: Set<string>, ids: readonly string[], error: unknown, report: IngestReport): void {
  for (const id of ids) failed.add(id);
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  report.errors.push({ deliveryIds: [...ids], message });
}

async function runLimited(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length) {
      const task = tasks[next];
      next += 1;
      if (task !== undefined) await task();
    }
  });
  await Promise.all(workers);
}

function rawText(body: Delivery['body']): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  try {
    // An already-parsed body can be anything: a cycle, a BigInt, thousands of levels deep.
    return JSON.stringify(body) ?? String(body);
  } catch (error) {
    return `(the event could not be serialized: ${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Rejections are stored once per reason, message and raw text. */
function rejectionHash(rejection: Rejection, raw: string): string {
  return createHash('sha256')
    .update(rejection.reason)
    .update('\n')
    .update(rejection.message)
    .update('\n')
    .update(raw)
    .digest('hex')
    .slice(0, 32);
}

function countRejection(report: IngestReport, rejection: Rejection): void {
  report.rejected += 1;
  report.rejectedByReason[rejection.reason] = (report.rejectedByReason[rejection.reason] ?? 0) + 1;
}

async function storeRejection(
  hash: string,
  group: RejectionGroup,
  deps: IngestDeps,
  report: IngestReport,
): Promise<void> {
  const now = deps.now?.() ?? Date.now();
  const raw = truncateUtf8(group.raw, MAX_RAW_BYTES);
  await deps.db.send(
    new UpdateCommand({
      TableName: deps.tableName,
      Key: keys.rejected(hash),
      ...buildUpdate({
        set: {
          hash,
          reason: group.rejection.reason,
          message: clipText(group.rejection.message),
          raw: raw.text,
          rawTruncated: raw.truncated,
          lastSeen: now,
          gsi1pk: 'REJECTED',
          gsi1sk: `${sortableTime(now)}#${hash}`,
          expiresAt: Math.floor(now / 1000) + deps.rejectedRetentionDays * 86_400,
        },
        setIfMissing: { firstSeen: now },
        add: { deliveries: group.deliveryIds.length },
      }),
    }),
  );
  report.writes += 1;
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

async function storeAlert(group: AlertGroup, deps: IngestDeps, report: IngestReport): Promise<void> {
  const { alert, findingTime } = group;
  const now = deps.now?.() ?? Date.now();
  const resource = primaryResource(alert);
  const closed = !isActionable(alert);
  const n = group.deliveryIds.length;
  const stored = fitOcsf(alert);
  if ('rejected' in stored) {
    // Even degraded, the alert cannot be stored: keep the event as rejected with the reason.
    const raw = rawText(group.body);
    await storeRejection(
      rejectionHash(stored.rejected, raw),
      { rejection: stored.rejected, raw, deliveryIds: group.deliveryIds },
      deps,
      report,
    );
    for (const _ of group.deliveryIds) countRejection(report, stored.rejected);
    return;
  }
  const { field: ocsfField, other: otherField, value: ocsfValue } = stored;

  let old: Record<string, unknown> | undefined;
  let stale = false;
  try {
    const p = new Placeholders();
    const update = buildUpdate(
      {
        set: {
          id: alert.id,
          source: alert.source,
          sample: alert.sample,
          severityId: alert.ocsf.severity_id,
          classUid: alert.ocsf.class_uid,
          title: clipText(
            alert.ocsf.finding_info?.title ?? alert.ocsf.message ?? alert.ocsf.type_name ?? alert.id,
          ),
          resourceKey: resource.key,
          findingTime,
          status: closed ? 'closed' : 'active',
          lastSeen: now,
          gsi1pk: 'ALERTS',
          gsi1sk: `${sortableTime(now)}#${alert.id}`,
          [ocsfField]: ocsfValue,
        },
        setIfMissing: { firstSeen: now },
        add: { occurrences: n },
        remove: [otherField],
      },
      p,
    );
    const out = await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: keys.alert(alert.id),
        ...update,
        ConditionExpression: condition(
          'attribute_not_exists({pk}) OR {findingTime} <= :{t}',
          { t: findingTime },
          p,
        ),
        ExpressionAttributeValues: p.values,
        ReturnValues: 'ALL_OLD',
      }),
    );
    old = out.Attributes;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // An older update of the finding arrived after a newer one: count it, keep the newer data.
    const p = new Placeholders();
    const update = buildUpdate({ set: { lastSeen: now }, add: { occurrences: n } }, p);
    const out = await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: keys.alert(alert.id),
        ...update,
        ConditionExpression: condition('attribute_exists({pk})', {}, p),
        ExpressionAttributeValues: p.values,
        ReturnValues: 'ALL_OLD',
      }),
    );
    old = out.Attributes;
    stale = true;
  }
  report.writes += stale ? 2 : 1;

  if (old === undefined) {
    report.alertsCreated += 1;
    report.duplicates += n - 1;
  } else if (stale) {
    report.staleUpdates += 1;
    report.duplicates += n;
  } else if (typeof old.findingTime === 'number' && findingTime > old.findingTime) {
    report.alertsUpdated += 1;
    report.duplicates += n - 1;
  } else {
    report.duplicates += n;
  }
  if (stale || closed) return;

  const oldIncident = typeof old?.incidentId === 'string' ? old.incidentId : undefined;
  const oldUntil = typeof old?.incidentOpenUntil === 'number' ? old.incidentOpenUntil : 0;
  const oldSeverity = typeof old?.severityId === 'number' ? old.severityId : -1;
  const oldSample = old?.sample === true;
  if (
    oldIncident !== undefined &&
    oldUntil > now &&
    alert.ocsf.severity_id <= oldSeverity &&
    !(oldSample && !alert.sample)
  ) {
    return; // already part of an open incident, nothing new to act on
  }
  if (await suppressedAtIntake(deps, alert, resource.key, now, report)) return;
  await groupIntoIncident(alert, resource, oldIncident, deps, report, now);
}

// Finding status ids that mean "nothing to act on": Suppressed, Resolved, Archived, Deleted.
const INACTIVE_STATUS = new Set([3, 4, 5, 6]);

/**
 * Whether an alert calls for an incident: a finding that is closed, resolved, suppressed or
 * archived, or a compliance check that passes, is stored and kept up to date but opens nothing.
 */
export function isActionable(alert: Alert): boolean {
  const { ocsf } = alert;
  if (ocsf.category_uid !== 2) return true;
  if (ocsf.activity_id === 3) return false;
  if (ocsf.status_id !== undefined && INACTIVE_STATUS.has(ocsf.status_id)) return false;
  if (ocsf.compliance?.status_id === 1) return false;
  return true;
}

/** Deterministic incident id: the same resource, opening alert and predecessor give the same id. */
export function incidentIdFor(resourceKey: string, alertId: string, previous: string): string {
  const digest = createHash('sha256').update(`${resourceKey}\n${alertId}\n${previous}`).digest('hex');
  return `inc-${digest.slice(0, 24)}`;
}

async function groupIntoIncident(
  alert: Alert,
  resource: PrimaryResource,
  previousIncident: string | undefined,
  deps: IngestDeps,
  report: IngestReport,
  now: number,
): Promise<void> {
  const until = now + deps.incidentWindowMs;
  const lockTtl = Math.floor((until + 86_400_000) / 1000);
  const lockKey = keys.openIncident(lockKeyOf(resource.key));
  let incidentId = incidentIdFor(resource.key, alert.id, previousIncident ?? '');
  try {
    const p = new Placeholders();
    await deps.db.send(
      new PutCommand({
        TableName: deps.tableName,
        Item: { ...lockKey, incidentId, openUntil: until, expiresAt: lockTtl },
        ConditionExpression: condition(
          'attribute_not_exists({pk}) OR {openUntil} < :{now} OR {incidentId} = :{id}',
          { now, id: incidentId },
          p,
        ),
        ExpressionAttributeNames: p.names,
        ExpressionAttributeValues: p.values,
      }),
    );
    report.writes += 1;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const lock = await deps.db.send(
      new GetCommand({
        TableName: deps.tableName,
        Key: lockKey,
        ConsistentRead: true,
      }),
    );
    const existing = lock.Item?.incidentId;
    if (typeof existing !== 'string') throw new Error(`open-incident lock for ${resource.key} vanished`);
    incidentId = existing;
    const p = new Placeholders();
    const extend = buildUpdate({ set: { openUntil: until, expiresAt: lockTtl } }, p);
    await deps.db
      .send(
        new UpdateCommand({
          TableName: deps.tableName,
          Key: lockKey,
          ...extend,
          ConditionExpression: condition(
            '{incidentId} = :{id} AND {openUntil} < :{until}',
            { id: incidentId, until },
            p,
          ),
          ExpressionAttributeValues: p.values,
        }),
      )
      .catch((e: unknown) => {
        if (!isConditionFailure(e)) throw e;
      });
    report.writes += 1;
  }

  // Membership first: one item per alert, so the incident item never grows with its alerts.
  const newMember = await addMember(incidentId, alert.id, now, deps, report);

  // Upsert the incident: creates it on open (or after a crash between lock and incident), counts the alert on join.
  const severity = alert.ocsf.severity_id === 99 ? 0 : alert.ocsf.severity_id;
  const firstObserved = alert.ocsf.finding_info?.first_seen_time ?? alert.ocsf.finding_info?.created_time;
  const upsert = await deps.db.send(
    new UpdateCommand({
      TableName: deps.tableName,
      Key: keys.incident(incidentId),
      ...buildUpdate({
        set: {
          id: incidentId,
          resourceKey: resource.key,
          resourceType: resource.type,
          resourceUid: resource.uid,
          resourceName: resource.name,
          lastAlertAt: now,
          gsi1pk: 'INCIDENTS',
          account: resource.account,
          region: resource.region,
        },
        setIfMissing: {
          status: 'new',
          source: alert.source,
          title: clipText(alert.ocsf.finding_info?.title ?? alert.ocsf.message ?? resource.uid),
          severityId: severity,
          sample: alert.sample,
          openedAt: now,
          escalations: 0,
          gsi1sk: `${sortableTime(now)}#${incidentId}`,
          firstObservedAt: firstObserved,
          openedBy: alert.id,
        },
        ...(newMember ? { add: { alertCount: 1 } } : {}),
      }),
      ReturnValues: 'ALL_OLD',
    }),
  );
  report.writes += 1;
  const before = upsert.Attributes;
  // Listed even when the membership item exists already: a delivery that crashed after writing
  // it left the alert unlisted, and adding to a set is idempotent.
  await listFirstMembers(incidentId, alert.id, before, deps, report);
  const createdNow = before === undefined || before.openedAt === undefined;
  let escalated = false;
  if (!createdNow && before !== undefined) {
    const wasSeverity = typeof before.severityId === 'number' ? before.severityId : 0;
    const wasSample = before.sample === true;
    const raise = severity > wasSeverity;
    const becameReal = wasSample && !alert.sample;
    if (raise || becameReal) {
      const p = new Placeholders();
      const update = buildUpdate(
        {
          set: {
            // The title follows the escalation: the incident is now about the more severe finding.
            ...(raise
              ? { severityId: severity, title: alert.ocsf.finding_info?.title ?? alert.ocsf.message }
              : {}),
            ...(becameReal ? { sample: false } : {}),
          },
          add: { escalations: 1 },
        },
        p,
      );
      const when = [raise ? '{severityId} < :{sev}' : '', becameReal ? '{sample} = :{yes}' : '']
        .filter((c) => c !== '')
        .join(' OR ');
      try {
        await deps.db.send(
          new UpdateCommand({
            TableName: deps.tableName,
            Key: keys.incident(incidentId),
            ...update,
            ConditionExpression: condition(when, { sev: severity, yes: true }, p),
            ExpressionAttributeValues: p.values,
          }),
        );
        report.writes += 1;
        escalated = true;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
  }
  if (createdNow) {
    report.incidentsOpened += 1;
    if (firstObserved !== undefined && firstObserved <= now) {
      report.detections.push({ source: alert.source, severityId: severity, ms: now - firstObserved });
    }
  } else report.incidentsJoined += 1;
  if (escalated) report.incidentsEscalated += 1;
  report.incidentIds.push(incidentId);

  if (deps.lifecycle !== undefined && (createdNow || escalated)) {
    try {
      await deps.lifecycle.publish([
        {
          kind: createdNow ? 'opened' : 'escalated',
          detail: {
            incidentId,
            at: now,
            alertId: alert.id,
            severityId: severity,
            title: clipText(alert.ocsf.finding_info?.title ?? alert.ocsf.message ?? resource.uid),
            source: alert.source,
            resource: {
              type: resource.type,
              uid: resource.uid,
              ...(resource.account === undefined ? {} : { account: resource.account }),
              ...(resource.region === undefined ? {} : { region: resource.region }),
            },
          },
        },
      ]);
    } catch (error) {
      // Subscribers miss this event; the response itself must not wait on them.
      report.errors.push({ deliveryIds: [], message: `lifecycle event not published: ${String(error)}` });
    }
  }

  // Every alert that opens, escalates or joins the incident starts the playbooks its own trigger
  // matches: once per incident, playbook and version (the execution name is deterministic, and a
  // playbook already recorded on the incident is not started again). A retried delivery (it
  // crashed before the link below) dispatches again, idempotently.
  await dispatch(alert, incidentId, deps, report);

  // Link the alert last: it marks the whole sequence as done, so a crash before it is retried in full.
  await deps.db.send(
    new UpdateCommand({
      TableName: deps.tableName,
      Key: keys.alert(alert.id),
      ...buildUpdate({ set: { incidentId, incidentOpenUntil: until } }),
    }),
  );
  report.writes += 1;
}

async function dispatch(
  alert: Alert,
  incidentId: string,
  deps: IngestDeps,
  report: IngestReport,
): Promise<void> {
  const mode = alert.sample ? 'dry-run' : 'live';
  // Matching playbooks start, except those a matching playbook supersedes.
  for (const route of selectPlaybooks(deps.routes, alert)) {
    const recorded = await deps.db.send(
      new GetCommand({
        TableName: deps.tableName,
        Key: keys.execution(incidentId, route.id, route.version, mode),
        ConsistentRead: true,
        ProjectionExpression: 'pk',
      }),
    );
    if (recorded.Item !== undefined) continue; // started for this incident already
    const name = executionName(
      incidentId,
      route.id,
      `${route.version}${mode === 'dry-run' ? '-dry-run' : ''}`,
    );
    // The execution name makes the start exactly-once; the record below is the audit trail.
    const result = await deps.dispatcher.start({
      name,
      route,
      input: { incidentId, alertId: alert.id, playbook: { id: route.id, version: route.version }, mode },
    });
    if (result.status === 'started') report.executionsStarted += 1;
    try {
      await deps.db.send(
        new PutCommand({
          TableName: deps.tableName,
          Item: {
            ...keys.execution(incidentId, route.id, route.version, mode),
            incidentId,
            alertId: alert.id,
            playbookId: route.id,
            version: route.version,
            name,
            mode,
            status: 'started',
            target: route.target,
            createdAt: deps.now?.() ?? Date.now(),
            ...(result.executionArn === undefined ? {} : { executionArn: result.executionArn }),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      report.writes += 1;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

/** `alertIds` on the incident lists its first alerts only; the rest are membership items. */
export const LISTED_ALERT_IDS = 100;

/**
 * Records `alertId` as a member of the incident: a membership item of its own (partition
 * `MEMBERS#<incident>`), so that 100,000 alerts on one resource never grow the incident item.
 * Returns whether the alert is new to the incident; the incident's `alertCount` counts these.
 */
async function addMember(
  incidentId: string,
  alertId: string,
  now: number,
  deps: IngestDeps,
  report: IngestReport,
): Promise<boolean> {
  report.writes += 1;
  try {
    await deps.db.send(
      new PutCommand({
        TableName: deps.tableName,
        Item: { ...keys.incidentMember(incidentId, alertId), incidentId, alertId, joinedAt: now },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return false;
  }
}

/** Adds a new member to the incident's `alertIds` while that list holds fewer than {@link LISTED_ALERT_IDS}. */
async function listFirstMembers(
  incidentId: string,
  alertId: string,
  before: Record<string, unknown> | undefined,
  deps: IngestDeps,
  report: IngestReport,
): Promise<void> {
  const listed = before?.alertIds instanceof Set ? before.alertIds.size : 0;
  if (listed >= LISTED_ALERT_IDS) return;
  const p = new Placeholders();
  const update = buildUpdate({ add: { alertIds: new Set([alertId]) } }, p);
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: keys.incident(incidentId),
        ...update,
        ConditionExpression: condition(
          'attribute_not_exists({alertIds}) OR size({alertIds}) < :{max}',
          { max: LISTED_ALERT_IDS },
          p,
        ),
        ExpressionAttributeValues: p.values,
      }),
    );
    report.writes += 1;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * The open-incident lock's key for a resource key: the key itself, or its SHA-256 when longer than
 * DynamoDB allows in a partition key (2,048 bytes; identifiers are at most 2,048 characters).
 */
function lockKeyOf(resourceKey: string): string {
  if (resourceKey.length <= 512) return resourceKey;
  return `sha256:${createHash('sha256').update(resourceKey).digest('hex')}`;
}

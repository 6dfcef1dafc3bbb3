import {
  deriveStatus,
  INCIDENT_STATUSES,
  type IncidentStatus,
  RESOLUTIONS,
  STATUS_REASONS,
} from '../lifecycle/status.ts';
import * as z from '../zod.ts';

/**
 * The single-table layout of Riposte's DynamoDB store. The CDK construct (`lib/alert-store.ts`)
 * and the local runtime create the table with exactly these keys.
 *
 * | item       | pk                   | sk                          | gsi1pk      | gsi1sk           |
 * |------------|----------------------|-----------------------------|-------------|------------------|
 * | alert      | `ALERT#<alertId>`    | `ALERT`                     | `ALERTS`    | `<lastSeen>#<id>`|
 * | incident   | `INCIDENT#<id>`      | `INCIDENT`                  | `INCIDENTS` | `<openedAt>#<id>`|
 * | execution  | `INCIDENT#<id>`      | `EXEC#<pb>#<version>#<mode>`| —           | —                |
 * | open lock  | `RESOURCE#<key>`     | `OPEN_INCIDENT`             | —           | —                |
 * | member     | `MEMBERS#<incident>` | `ALERT#<alertId>`           | —           | —                |
 * | rejected   | `REJECTED#<hash>`    | `REJECTED`                  | `REJECTED`  | `<lastSeen>#<h>` |
 * | case log   | `INCIDENT#<id>`      | `LOG#<ISO time>#<seq><rand>`| —           | —                |
 * | suppression| `SUPPRESSION#<id>`   | `SUPPRESSION`               | `SUPPRESSIONS` | `<createdAt>#<id>` |
 * | its audit  | `SUPPRESSION#<id>`   | `AUDIT#<ISO time>#<rand>`   | —           | —                |
 * | outbox     | `INCIDENT#<id>`      | `OUTBOX#<ISO time>#<seq><rand>` | —       | —                |
 *
 * Only the open-incident lock, rejected events, suppressions and the lifecycle outbox
 * (`lifecycle/outbox.ts`, one day) carry `expiresAt` (TTL): alerts,
 * incidents, executions, the case log (status changes, owner, notes, tags, close and reopen) and
 * the suppressions' audit are the audit trail and never expire. The case state itself (owner,
 * tags, resolution) is kept on the incident item, beside the response milestones.
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsi1: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  ttlAttribute: 'expiresAt',
} as const;

export const keys = {
  alert: (id: string) => ({ pk: `ALERT#${id}`, sk: 'ALERT' }),
  incident: (id: string) => ({ pk: `INCIDENT#${id}`, sk: 'INCIDENT' }),
  execution: (incidentId: string, playbookId: string, version: string, mode: 'live' | 'dry-run') => ({
    pk: `INCIDENT#${incidentId}`,
    sk: `EXEC#${playbookId}#${version}#${mode}`,
  }),
  openIncident: (resourceKey: string) => ({ pk: `RESOURCE#${resourceKey}`, sk: 'OPEN_INCIDENT' }),
  /** One item per alert of an incident, in a partition of its own (the incident item stays small). */
  incidentMember: (incidentId: string, alertId: string) => ({
    pk: `MEMBERS#${incidentId}`,
    sk: `ALERT#${alertId}`,
  }),
  rejected: (hash: string) => ({ pk: `REJECTED#${hash}`, sk: 'REJECTED' }),
  suppression: (id: string) => ({ pk: `SUPPRESSION#${id}`, sk: 'SUPPRESSION' as const }),
} as const;

/** Keys of the case items (kept apart from {@link keys} so the ingest bundle leaves them out). */
export const caseKeys = {
  log: (incidentId: string, time: string, suffix: string) => ({
    pk: `INCIDENT#${incidentId}`,
    sk: `LOG#${time}#${suffix}`,
  }),
  logPrefix: 'LOG#',
  suppressionAudit: (id: string, time: string, suffix: string) => ({
    pk: `SUPPRESSION#${id}`,
    sk: `AUDIT#${time}#${suffix}`,
  }),
} as const;

/** ISO-8601 for sort keys: lexical order is time order. */
export function sortableTime(ms: number): string {
  return new Date(ms).toISOString();
}

/*
 * The item schemas are built in closures marked `@__PURE__`: esbuild cannot tell that building a
 * zod schema has no side effects, and without the mark every bundle that imports this module for
 * `keys` (the ingest Lambda) would carry them, and the zod code they use.
 */

export const AlertStatusSchema = /* @__PURE__ */ (() => z.enum(['active', 'closed']))();

/** An alert as stored: summary attributes for queries, plus the latest OCSF event as JSON. */
export const AlertItemSchema = /* @__PURE__ */ (() =>
  z.object({
    pk: z.string(),
    sk: z.literal('ALERT'),
    id: z.string(),
    source: z.string(),
    sample: z.boolean(),
    severityId: z.number().check(z.int()),
    classUid: z.number().check(z.int()),
    title: z.string(),
    resourceKey: z.string(),
    findingTime: z.number(),
    firstSeen: z.number(),
    lastSeen: z.number(),
    occurrences: z.number().check(z.int()),
    status: AlertStatusSchema,
    incidentId: z.optional(z.string()),
    incidentOpenUntil: z.optional(z.number()),
    /** The suppression that kept the alert from opening an incident, and when it first did. */
    suppressedBy: z.optional(z.string()),
    suppressedAt: z.optional(z.number()),
    /** The latest OCSF event as JSON; gzip-compressed in `ocsfGz` instead when large. */
    ocsfJson: z.optional(z.string()),
    ocsfGz: z.optional(z.instanceof(Uint8Array)),
  }))();
export type AlertItem = z.infer<typeof AlertItemSchema>;

/** Statuses written before the lifecycle was derived: re-derived from the facts when read. */
function currentStatus<T extends { status: string } & Parameters<typeof deriveStatus>[0]>(
  item: T,
): Omit<T, 'status'> & { status: IncidentStatus } {
  const known = (INCIDENT_STATUSES as readonly string[]).includes(item.status);
  return { ...item, status: known ? (item.status as IncidentStatus) : deriveStatus(item).status };
}

export const IncidentItemSchema = /* @__PURE__ */ (() =>
  z.pipe(
    z.object({
      pk: z.string(),
      sk: z.literal('INCIDENT'),
      id: z.string(),
      /** Derived by `deriveStatus` (functions/core/lifecycle/status.ts) whenever a fact changes. */
      status: z.string(),
      /** What qualifies the status (`dry-run`, `refused`...), and whether it stems from a dry-run. */
      statusReason: z.optional(z.enum(STATUS_REASONS)),
      statusDryRun: z.optional(z.boolean()),
      statusChangedAt: z.optional(z.number()),
      /** Bumped by every fact change: the derived status is written only by the latest one. */
      lifecycleVersion: z.optional(z.number()),
      resourceKey: z.string(),
      /** The EventBridge source of the alert that opened the incident. */
      source: z.optional(z.string()),
      resourceType: z.string(),
      resourceUid: z.string(),
      resourceName: z.optional(z.string()),
      account: z.optional(z.string()),
      region: z.optional(z.string()),
      /** The title of the most severe alert: it follows escalations. */
      title: z.string(),
      severityId: z.number().check(z.int()),
      sample: z.boolean(),
      openedAt: z.number(),
      lastAlertAt: z.number(),
      firstObservedAt: z.optional(z.number()),
      alertIds: z.pipe(
        z.union([z.set(z.string()), z.array(z.string())]),
        z.transform((ids: Set<string> | string[]) => [...ids].sort()),
      ),
      /** The alerts the incident holds; `alertIds` lists the first 100, membership items all. */
      alertCount: z.optional(z.number().check(z.int())),
      escalations: z.number().check(z.int()),
      /** Response milestones (epoch ms): the shared KPIs are computed from these. */
      playbookStartedAt: z.optional(z.number()),
      /** The latest playbook execution that loaded the incident, and when. */
      respondingAt: z.optional(z.number()),
      playbookId: z.optional(z.string()),
      playbookVersion: z.optional(z.string()),
      awaitingApprovalSince: z.optional(z.number()),
      approvalDeniedAt: z.optional(z.number()),
      /** A safety rail refused an action, and the refusal. */
      refusedAt: z.optional(z.number()),
      refusal: z.optional(z.string()),
      containedAt: z.optional(z.number()),
      releasedAt: z.optional(z.number()),
      /** Milestones of dry-run executions (samples, kill switch, local runs): never counted as real. */
      dryRunContainedAt: z.optional(z.number()),
      dryRunReleasedAt: z.optional(z.number()),
      playbookStatus: z.optional(z.enum(['completed', 'failed'])),
      playbookUpdatedAt: z.optional(z.number()),
      failedAt: z.optional(z.number()),
      failure: z.optional(z.string()),
      /** Case management: who works it, its tags, and how it was closed. */
      owner: z.optional(z.string()),
      /** A string set in DynamoDB (added and deleted atomically), read as a sorted list. */
      tags: z.optional(
        z.pipe(
          z.union([z.set(z.string()), z.array(z.string())]),
          z.transform((tags: Set<string> | string[]) => [...tags].sort()),
        ),
      ),
      closedAt: z.optional(z.number()),
      closedBy: z.optional(z.string()),
      resolution: z.optional(z.enum(RESOLUTIONS)),
      /** Received by Riposte → closed, recorded when closed. */
      timeToCloseMs: z.optional(z.number()),
      reopenedAt: z.optional(z.number()),
    }),
    z.transform(currentStatus),
  ))();
export type IncidentItem = z.infer<typeof IncidentItemSchema>;

export const ExecutionItemSchema = /* @__PURE__ */ (() =>
  z.object({
    pk: z.string(),
    sk: z.string(),
    incidentId: z.string(),
    alertId: z.string(),
    playbookId: z.string(),
    version: z.string(),
    name: z.string(),
    mode: z.enum(['live', 'dry-run']),
    /** `nothing-to-release`: a release that found no containment to undo (nothing changed). */
    status: z.enum(['started', 'failed', 'nothing-to-release']),
    target: z.string(),
    createdAt: z.number(),
    executionArn: z.optional(z.string()),
    error: z.optional(z.string()),
  }))();
export type ExecutionItem = z.infer<typeof ExecutionItemSchema>;

export const RejectedItemSchema = /* @__PURE__ */ (() =>
  z.object({
    pk: z.string(),
    sk: z.literal('REJECTED'),
    hash: z.string(),
    reason: z.string(),
    message: z.string(),
    raw: z.string(),
    rawTruncated: z.boolean(),
    deliveries: z.number().check(z.int()),
    firstSeen: z.number(),
    lastSeen: z.number(),
  }))();
export type RejectedItem = z.infer<typeof RejectedItemSchema>;

export const SuppressionItemSchema = /* @__PURE__ */ (() =>
  z.object({
    pk: z.string(),
    sk: z.literal('SUPPRESSION'),
    id: z.string(),
    /** The primary resource's grouping key (functions/core/intake/resource.ts). */
    resourceKey: z.string(),
    /** A finding type (`finding_info.types`), e.g. `Backdoor:EC2/C&CActivity.B!DNS`. */
    findingType: z.string(),
    createdAt: z.number(),
    createdBy: z.string(),
    /** Epoch milliseconds; checked at read time (DynamoDB's TTL deletes the item later, `expiresAt`). */
    expiresAtMs: z.number(),
    incidentId: z.optional(z.string()),
    reason: z.optional(z.string()),
  }))();
export type SuppressionItem = z.infer<typeof SuppressionItemSchema>;

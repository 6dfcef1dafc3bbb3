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
 * | rejected   | `REJECTED#<hash>`    | `REJECTED`                  | `REJECTED`  | `<lastSeen>#<h>` |
 *
 * Only the open-incident lock and rejected events carry `expiresAt` (TTL): alerts, incidents
 * and executions are the audit trail and never expire.
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
  rejected: (hash: string) => ({ pk: `REJECTED#${hash}`, sk: 'REJECTED' }),
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
    /** The latest OCSF event as JSON; gzip-compressed in `ocsfGz` instead when large. */
    ocsfJson: z.optional(z.string()),
    ocsfGz: z.optional(z.instanceof(Uint8Array)),
  }))();
export type AlertItem = z.infer<typeof AlertItemSchema>;

export const IncidentItemSchema = /* @__PURE__ */ (() =>
  z.object({
    pk: z.string(),
    sk: z.literal('INCIDENT'),
    id: z.string(),
    /** open → contained → released; closed by an operator. */
    status: z.enum(['open', 'contained', 'released', 'closed']),
    resourceKey: z.string(),
    /** The EventBridge source of the alert that opened the incident. */
    source: z.optional(z.string()),
    resourceType: z.string(),
    resourceUid: z.string(),
    resourceName: z.optional(z.string()),
    account: z.optional(z.string()),
    region: z.optional(z.string()),
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
    escalations: z.number().check(z.int()),
    /** Response milestones (epoch ms): the shared KPIs are computed from these. */
    playbookStartedAt: z.optional(z.number()),
    containedAt: z.optional(z.number()),
    releasedAt: z.optional(z.number()),
    closedAt: z.optional(z.number()),
    /** Milestones of dry-run executions (samples, kill switch, local runs): never counted as real. */
    dryRunContainedAt: z.optional(z.number()),
    dryRunReleasedAt: z.optional(z.number()),
    playbookStatus: z.optional(z.enum(['completed', 'failed'])),
  }))();
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
    status: z.enum(['started', 'failed']),
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

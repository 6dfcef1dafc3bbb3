import { z } from 'zod';

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

export const AlertStatusSchema = z.enum(['active', 'closed']);

/** An alert as stored: summary attributes for queries, plus the latest OCSF event as JSON. */
export const AlertItemSchema = z.object({
  pk: z.string(),
  sk: z.literal('ALERT'),
  id: z.string(),
  source: z.string(),
  sample: z.boolean(),
  severityId: z.number().int(),
  classUid: z.number().int(),
  title: z.string(),
  resourceKey: z.string(),
  findingTime: z.number(),
  firstSeen: z.number(),
  lastSeen: z.number(),
  occurrences: z.number().int(),
  status: AlertStatusSchema,
  incidentId: z.string().optional(),
  incidentOpenUntil: z.number().optional(),
  /** The latest OCSF event as JSON; gzip-compressed in `ocsfGz` instead when large. */
  ocsfJson: z.string().optional(),
  ocsfGz: z.instanceof(Uint8Array).optional(),
});
export type AlertItem = z.infer<typeof AlertItemSchema>;

export const IncidentItemSchema = z.object({
  pk: z.string(),
  sk: z.literal('INCIDENT'),
  id: z.string(),
  /** open → contained → released; closed by an operator. */
  status: z.enum(['open', 'contained', 'released', 'closed']),
  resourceKey: z.string(),
  /** The EventBridge source of the alert that opened the incident. */
  source: z.string().optional(),
  resourceType: z.string(),
  resourceUid: z.string(),
  resourceName: z.string().optional(),
  account: z.string().optional(),
  region: z.string().optional(),
  title: z.string(),
  severityId: z.number().int(),
  sample: z.boolean(),
  openedAt: z.number(),
  lastAlertAt: z.number(),
  firstObservedAt: z.number().optional(),
  alertIds: z.union([z.set(z.string()), z.array(z.string())]).transform((ids) => [...ids].sort()),
  escalations: z.number().int(),
  /** Response milestones (epoch ms): the shared KPIs are computed from these. */
  playbookStartedAt: z.number().optional(),
  containedAt: z.number().optional(),
  releasedAt: z.number().optional(),
  closedAt: z.number().optional(),
  /** Milestones of dry-run executions (samples, kill switch, local runs): never counted as real. */
  dryRunContainedAt: z.number().optional(),
  dryRunReleasedAt: z.number().optional(),
  playbookStatus: z.enum(['completed', 'failed']).optional(),
});
export type IncidentItem = z.infer<typeof IncidentItemSchema>;

export const ExecutionItemSchema = z.object({
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
  executionArn: z.string().optional(),
  error: z.string().optional(),
});
export type ExecutionItem = z.infer<typeof ExecutionItemSchema>;

export const RejectedItemSchema = z.object({
  pk: z.string(),
  sk: z.literal('REJECTED'),
  hash: z.string(),
  reason: z.string(),
  message: z.string(),
  raw: z.string(),
  rawTruncated: z.boolean(),
  deliveries: z.number().int(),
  firstSeen: z.number(),
  lastSeen: z.number(),
});
export type RejectedItem = z.infer<typeof RejectedItemSchema>;

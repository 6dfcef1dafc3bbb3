import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { AlertView, IncidentView } from '../playbooks/sdk.ts';
import { buildUpdate } from '../store/expression.ts';
import { alertOcsf } from '../store/queries.ts';
import { AlertItemSchema, IncidentItemSchema, keys } from '../store/table.ts';
import { ResourceNotFoundError } from './errors.ts';
import type { ExecutionFacts } from './types.ts';

/**
 * The `context` family: what every compiled playbook does first (load the alert and the
 * incident it works on) and last (record its outcome on the incident).
 */

export interface StoreAccess {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now: () => number;
}

/** Reads the execution's alert and incident and returns them as the playbook context sees them. */
export async function loadContext(
  store: StoreAccess,
  facts: ExecutionFacts,
): Promise<{ alert: AlertView; incident: IncidentView }> {
  const [alertOut, incidentOut] = await Promise.all([
    store.db.send(
      new GetCommand({ TableName: store.tableName, Key: keys.alert(facts.alertId), ConsistentRead: true }),
    ),
    store.db.send(
      new GetCommand({
        TableName: store.tableName,
        Key: keys.incident(facts.incidentId),
        ConsistentRead: true,
      }),
    ),
  ]);
  if (alertOut.Item === undefined)
    throw new ResourceNotFoundError(`alert ${facts.alertId} is not in the store`);
  if (incidentOut.Item === undefined)
    throw new ResourceNotFoundError(`incident ${facts.incidentId} is not in the store`);
  const alertItem = AlertItemSchema.parse(alertOut.Item);
  const incident = IncidentItemSchema.parse(incidentOut.Item);
  // Time to respond starts here: the first playbook execution that loads the incident.
  await store.db.send(
    new UpdateCommand({
      TableName: store.tableName,
      Key: keys.incident(facts.incidentId),
      ...buildUpdate({ setIfMissing: { playbookStartedAt: store.now() } }),
    }),
  );
  const ocsf = alertOcsf(alertItem);
  return {
    alert: {
      id: alertItem.id,
      source: alertItem.source,
      sample: alertItem.sample,
      severityId: alertItem.severityId,
      classUid: alertItem.classUid,
      title: alertItem.title,
      types: ocsf.finding_info?.types ?? [],
      account: ocsf.cloud.account?.uid ?? '',
      region: ocsf.cloud.region ?? '',
      url: ocsf.finding_info?.src_url ?? '',
    },
    incident: {
      id: incident.id,
      resourceType: incident.resourceType,
      resourceUid: incident.resourceUid,
      resourceName: incident.resourceName ?? incident.resourceUid,
      account: incident.account ?? '',
      region: incident.region ?? '',
      severityId: incident.severityId,
      // A sample incident stays a sample until a real alert joins it.
      sample: incident.sample,
    },
  };
}

/**
 * Stamps the incident's response milestones: `containedAt` when a containment action first
 * succeeds, `releasedAt` when a release does (dry-run executions stamp `dryRunContainedAt` /
 * `dryRunReleasedAt`, so rehearsals never count as real responses).
 */
export async function recordMilestone(
  store: StoreAccess,
  facts: ExecutionFacts,
  milestone: 'contained' | 'released',
  dryRun: boolean,
): Promise<Milestone | undefined> {
  const attribute = dryRun
    ? milestone === 'contained'
      ? 'dryRunContainedAt'
      : 'dryRunReleasedAt'
    : `${milestone}At`;
  const at = store.now();
  const out = await store.db.send(
    new UpdateCommand({
      TableName: store.tableName,
      Key: keys.incident(facts.incidentId),
      ...buildUpdate({
        setIfMissing: { [attribute]: at },
        ...(dryRun ? {} : { set: { status: milestone } }),
      }),
      ConditionExpression: 'attribute_exists(pk)',
      ReturnValues: 'ALL_NEW',
    }),
  );
  const item = out.Attributes;
  // Only the first time: a retried or repeated action does not measure twice.
  if (item === undefined || item[attribute] !== at || typeof item.openedAt !== 'number') return undefined;
  return {
    milestone,
    dryRun,
    ms: at - item.openedAt,
    source: typeof item.source === 'string' ? item.source : 'unknown',
    severityId: typeof item.severityId === 'number' ? item.severityId : 0,
    playbookId: facts.playbookId,
  };
}

/** A response milestone reached for the first time, with the time it took since the incident opened. */
export interface Milestone {
  readonly milestone: 'contained' | 'released';
  readonly dryRun: boolean;
  readonly ms: number;
  readonly source: string;
  readonly severityId: number;
  readonly playbookId: string;
}

export const RecordOutcomeInputSchema = z.object({
  outcome: z.enum(['completed', 'failed']),
  failure: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

/** Records how a playbook execution ended on its incident (the incident's playbook status). */
export async function recordOutcome(
  store: StoreAccess,
  facts: ExecutionFacts,
  input: unknown,
): Promise<{ recorded: true }> {
  const { outcome, failure } = RecordOutcomeInputSchema.parse(input);
  const at = store.now();
  await store.db.send(
    new UpdateCommand({
      TableName: store.tableName,
      Key: keys.incident(facts.incidentId),
      ...buildUpdate({
        set: {
          playbookStatus: outcome,
          playbookUpdatedAt: at,
          ...(outcome === 'failed' ? { failedAt: at, failure: failure?.Error ?? 'unknown' } : {}),
        },
      }),
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );
  return { recorded: true };
}

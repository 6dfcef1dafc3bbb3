import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { LifecyclePublisher } from '../lifecycle/events.ts';
import { recordFacts } from '../lifecycle/record.ts';
import type { OcsfEvent } from '../ocsf/schema.ts';
import { declares } from '../permissions.ts';
import type { AlertView, IncidentView } from '../playbooks/sdk.ts';
import { alertOcsf } from '../store/queries.ts';
import { AlertItemSchema, IncidentItemSchema, keys } from '../store/table.ts';
import { actorOf as actorView, apiCallView, resourcesView } from './actor.ts';
import { ResourceNotFoundError } from './errors.ts';
import { AccessKeyIdSchema } from './iam/shared/attacker-keys.ts';
import { safetyKeys } from './safety.ts';
import type { ExecutionFacts } from './types.ts';

/** {@link loadContext}: reads the alert and the incident, stamps when the playbook started. */
export const LOAD_CONTEXT_CALLS = declares({
  service: 'dynamodb',
  actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  resource: 'table',
  why: 'load-context reads the alert and incident and stamps playbookStartedAt',
});

/** {@link recordMilestone}: stamps containedAt/releasedAt on the incident. */
export const MILESTONE_CALLS = declares({
  service: 'dynamodb',
  actions: ['dynamodb:UpdateItem'],
  resource: 'table',
  why: 'a containment or release stamps its milestone on the incident',
});

/** {@link recordOutcome}: the playbook status on the incident. */
export const RECORD_OUTCOME_CALLS = declares({
  service: 'dynamodb',
  actions: ['dynamodb:UpdateItem'],
  resource: 'table',
  why: 'record-outcome updates the incident',
});

/**
 * The `context` family: what every compiled playbook does first (load the alert and the
 * incident it works on) and last (record its outcome on the incident).
 */

export interface StoreAccess {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now: () => number;
  /** Where status changes are published. @default none: the case log only */
  readonly lifecycle?: LifecyclePublisher | undefined;
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
  // Time to respond starts here: the first playbook execution that loads the incident. Each
  // execution starts afresh: what an earlier one was refused or denied no longer qualifies.
  const startedAt = store.now();
  await recordFacts(store, facts.incidentId, {
    update: {
      setIfMissing: { playbookStartedAt: startedAt },
      set: { respondingAt: startedAt, playbookId: facts.playbookId, playbookVersion: facts.playbookVersion },
      remove: ['awaitingApprovalSince', 'approvalDeniedAt', 'refusedAt', 'refusal'],
    },
  });
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
      accessKeyIds: accessKeyIdsOf(ocsf.resources),
      ...actorOf(ocsf),
      apiCall: apiCallView(ocsf),
      actor: actorView(ocsf),
      resources: resourcesView(ocsf),
      instanceId: instanceIdOf(ocsf.resources),
    },
    incident: {
      id: incident.id,
      resourceType: incident.resourceType,
      resourceUid: incident.resourceUid,
      resourceName: incident.resourceName ?? incident.resourceUid,
      account: incident.account ?? ocsf.cloud.account?.uid ?? '',
      // Global resources (IAM, S3) have no region of their own; the region the finding was
      // reported in stands for it, so the region allow/deny lists apply to them too.
      region: incident.region ?? ocsf.cloud.region ?? '',
      severityId: incident.severityId,
      // A sample incident stays a sample until a real alert joins it.
      sample: incident.sample,
    },
  };
}

/**
 * Who acted, from the OCSF event: the event's own caller (`src_endpoint`, `http_request`,
 * `is_mfa`: a sign-in) or else the first evidence naming one (a finding's API call).
 *
 * @example
 * actorOf(rootSignIn.ocsf); // { sourceIp: '198.51.100.201', userAgent: 'Mozilla/5.0 …', mfaUsed: 'yes', time: '2025-02-11T06:02:15.000Z' }
 */
export function actorOf(ocsf: OcsfEvent): Pick<AlertView, 'sourceIp' | 'userAgent' | 'mfaUsed' | 'time'> {
  const evidences = ocsf.evidences ?? [];
  const sourceIp =
    ocsf.src_endpoint?.ip ?? evidences.find((e) => e.src_endpoint?.ip !== undefined)?.src_endpoint?.ip ?? '';
  const fromEvidence = evidences.find((e) => e.http_request?.user_agent !== undefined)?.http_request
    ?.user_agent;
  const userAgent = ocsf.http_request?.user_agent ?? fromEvidence ?? '';
  const mfa = ocsf.is_mfa ?? ocsf.session?.is_mfa;
  const at = ocsf.finding_info?.last_seen_time ?? ocsf.time;
  return {
    sourceIp,
    userAgent,
    mfaUsed: mfa === undefined ? 'unknown' : mfa ? 'yes' : 'no',
    time: Number.isFinite(at) ? new Date(at).toISOString() : '',
  };
}

const INSTANCE_ID = /^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;

/**
 * The instance an alert names: the uid of its first `AWS::EC2::Instance` resource, or else the
 * session name of an `AssumedRole` access key when it is an instance id (EC2 names the sessions
 * of an instance profile's role after the instance: principal `AROA…:i-0a1b…`); '' when none.
 */
function instanceIdOf(
  resources:
    | readonly { readonly type?: string; readonly uid?: string; readonly data?: unknown }[]
    | undefined,
): string {
  for (const r of resources ?? []) {
    if (r.type === 'AWS::EC2::Instance' && r.uid !== undefined && INSTANCE_ID.test(r.uid)) return r.uid;
  }
  for (const r of resources ?? []) {
    if (r.type !== 'AWS::IAM::AccessKey' || typeof r.data !== 'object' || r.data === null) continue;
    const data = r.data as { principal_id?: unknown; user_type?: unknown };
    if (data.user_type !== 'AssumedRole' || typeof data.principal_id !== 'string') continue;
    const session = data.principal_id.split(':')[1] ?? '';
    if (INSTANCE_ID.test(session)) return session;
  }
  return '';
}

/** The uids of the alert's `AWS::IAM::AccessKey` resources that are access key ids, deduplicated. */
function accessKeyIdsOf(
  resources: readonly { readonly type?: string; readonly uid?: string }[] | undefined,
): string[] {
  const ids = (resources ?? []).flatMap((r) =>
    r.type === 'AWS::IAM::AccessKey' && r.uid !== undefined && AccessKeyIdSchema.safeParse(r.uid).success
      ? [r.uid]
      : [],
  );
  return [...new Set(ids)];
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
  const { incident: item } = await recordFacts(store, facts.incidentId, {
    update: { setIfMissing: { [attribute]: at }, remove: ['awaitingApprovalSince'] },
  });
  // Only the first time: a retried or repeated action does not measure twice.
  if (item[attribute as keyof typeof item] !== at) return undefined;
  return {
    milestone,
    dryRun,
    ms: at - item.openedAt,
    source: item.source ?? 'unknown',
    severityId: item.severityId,
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
  // An approval that was denied or expired is why a completed playbook did not contain.
  const approval = await store.db.send(
    new GetCommand({
      TableName: store.tableName,
      Key: safetyKeys.approval(facts.incidentId),
      ConsistentRead: true,
    }),
  );
  const status = approval.Item?.status;
  const approvalExecution = approval.Item?.executionId;
  const denied =
    (status === 'denied' || status === 'expired') &&
    (typeof approvalExecution !== 'string' ||
      facts.executionId === undefined ||
      approvalExecution === facts.executionId);
  await recordFacts(store, facts.incidentId, {
    update: {
      set: {
        playbookStatus: outcome,
        playbookUpdatedAt: at,
        ...(outcome === 'failed' ? { failedAt: at, failure: failure?.Error ?? 'unknown' } : {}),
        ...(denied ? { approvalDeniedAt: at } : {}),
      },
      remove: ['awaitingApprovalSince'],
    },
  });
  return { recorded: true };
}

/**
 * Records a step of the playbook on the incident's lifecycle: an approval requested (the status
 * becomes `awaiting approval`), or an action a safety rail refused (the reason the incident is not
 * contained).
 *
 * @example
 * await recordStep(store, facts, { kind: 'refused', error: 'ProtectedResourceError: i-0abc is protected' });
 */
export async function recordStep(
  store: StoreAccess,
  facts: Pick<ExecutionFacts, 'incidentId'>,
  step: { readonly kind: 'approval-requested' } | { readonly kind: 'refused'; readonly error: string },
): Promise<void> {
  const at = store.now();
  await recordFacts(store, facts.incidentId, {
    update:
      step.kind === 'approval-requested'
        ? { set: { awaitingApprovalSince: at } }
        : { set: { refusedAt: at, refusal: step.error.slice(0, 1000) }, remove: ['awaitingApprovalSince'] },
  });
}

// Long: every safety rail in one file (sample, kill switch, accounts, regions, protected tag, blast radius, approvals), so a review of what containment may touch reads one place.
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { RiposteError } from '../errors.ts';
import { declares } from '../permissions.ts';
import { condition, Placeholders } from '../store/expression.ts';
import {
  ApprovalRequiredError,
  BlastRadiusExceededError,
  NotAllowedError,
  ProtectedResourceError,
  SampleAlertError,
} from './errors.ts';
import { carriesTag, type ResourceStanding, standing, tagValueOf } from './tags.ts';
import type { ContainmentTarget, ExecutionFacts, SafetyPolicy, SafetyRails } from './types.ts';

/** {@link DynamoSafetyRails}: the blast-radius ledger (conditional put) and the incident's approval. */
export const SAFETY_RAILS_CALLS = declares({
  service: 'dynamodb',
  actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
  resource: 'table',
  why: 'the safety rails read and rewrite the blast-radius ledger and read the approval',
});

/** {@link killSwitchEngaged}: reads the kill-switch parameter. */
export const KILL_SWITCH_CALLS = declares({
  service: 'ssm',
  actions: ['ssm:GetParameter'],
  resource: 'kill-switch',
  why: 'the runner reads the kill switch before an action that changes resources',
});

/**
 * The safety rails in front of every containment: "protected resources, sample findings and
 * over-limit storms must never be contained, whatever a playbook says".
 *
 * ## Blast radius: exact semantics
 *
 * The deployment keeps one **ledger item** (`SAFETY#BLAST_RADIUS` / `LEDGER`) holding one lease
 * per counted containment: `{ until, incidentId, resource, approved, countedAt }`, keyed by a
 * hash of `incidentId + resource`. A containment counted at time `t` holds its lease until
 * `t + 3 600 000 ms`; a lease is *active* at `now` when `until > now`. So at any instant the
 * active leases are exactly the distinct (incident, resource) containments of the last 60
 * minutes: a true rolling hour, no fixed windows and no approximation.
 *
 * `assertContainable`, after the other checks pass:
 * 1. if this (incident, resource) already holds an active lease, it passes and counts nothing
 *    (Step Functions retries, re-runs of the same step);
 * 2. else if fewer than `blastRadiusPerHour` leases are active, it adds a lease and passes;
 * 3. else, if a **blast-radius override** is recorded for this execution (the approval item
 *    `APPROVAL#<incidentId>` / `APPROVAL` with `status = approved`, `purpose = blast-radius`,
 *    the same `executionId`, decided less than {@link BLAST_RADIUS_OVERRIDE_MS} ago), it adds a
 *    lease marked `approved` and passes: approved containments count too, so they push back the
 *    next unapproved one. Any other approval (a production approval, an approval of another
 *    execution of the incident, an old one) does not lift the limit;
 * 4. else it throws {@link BlastRadiusExceededError} and writes nothing.
 *
 * The ledger is rewritten whole (expired leases pruned) with optimistic concurrency: each write
 * is conditional on the `version` read (or on the item not existing). Two executions that read
 * the same version cannot both write, the loser re-reads and decides again, so concurrent
 * executions never exceed the limit. A conditional failure always means another containment
 * was counted, so an invocation loses at most as many races as leases are added meanwhile.
 * After a containment's hour passes, re-containing the same resource in the same incident
 * counts again. The item carries the TTL attribute `expiresAt` (an hour after its last lease
 * ends) so an idle ledger disappears; one lease takes at most ~400 bytes (the resource is cut at
 * 256 characters), which bounds the useful limit to about 1 000 containments an hour (DynamoDB's
 * 400 KB item size). Lowering the limit takes
 * effect at once (existing leases keep counting); the limit is read from the policy of the
 * invocation, not stored.
 *
 * In dry-run (`dryRun` option, by default `execution.mode === 'dry-run'`) the same decision is
 * made read-only: a dry-run reports whether a live run would be refused, and counts nothing.
 */

/** Keys of the items the safety rails read and write (see `store/table.ts` for the others). */
export const safetyKeys = {
  /** The deployment-wide blast-radius ledger. */
  blastRadius: () => ({ pk: 'SAFETY#BLAST_RADIUS', sk: 'LEDGER' }),
  /** The approval of an incident, written by `request-approval` (pending) and the approval endpoint. */
  approval: (incidentId: string) => ({ pk: `APPROVAL#${incidentId}`, sk: 'APPROVAL' }),
} as const;

/** How long one containment counts against the limit. */
export const BLAST_RADIUS_WINDOW_MS = 3_600_000;

/** How long after its decision a blast-radius override lets containments past the limit. */
export const BLAST_RADIUS_OVERRIDE_MS = 900_000;

/**
 * What a human approval is for, recorded on the approval item by `request-approval`:
 * `production` lets the environment rail pass, `blast-radius` lets one execution past the
 * hourly limit for {@link BLAST_RADIUS_OVERRIDE_MS}, `containment` is any other question a
 * playbook asks (it lifts no rail).
 */
export const APPROVAL_PURPOSES = ['containment', 'production', 'blast-radius'] as const;
export type ApprovalPurpose = (typeof APPROVAL_PURPOSES)[number];

const RecordedApprovalSchema = z.object({
  status: z.string(),
  purpose: z.enum(APPROVAL_PURPOSES).optional(),
  executionId: z.string().optional(),
  decidedAt: z.string().optional(),
});

const MAX_ATTEMPTS = 100;

/** Raised when the blast-radius ledger could not be updated after many concurrent attempts (fails closed). */
export class SafetyContentionError extends RiposteError {
  public constructor(message: string) {
    super(message);
    this.name = 'SafetyContentionError';
  }
}

/** Raised when a stored safety item does not have the expected shape (fails closed). */
export class SafetyStoreError extends RiposteError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SafetyStoreError';
  }
}

const LeaseSchema = z.object({
  until: z.number(),
  countedAt: z.number(),
  incidentId: z.string(),
  resource: z.string(),
  approved: z.boolean(),
});
export type BlastRadiusLease = z.infer<typeof LeaseSchema>;

const LedgerSchema = z.object({
  version: z.number().int(),
  leases: z.record(z.string(), LeaseSchema),
});

export interface DynamoSafetyRailsOptions {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly policy: SafetyPolicy;
  readonly execution: ExecutionFacts;
  readonly now: () => number;
  /** Decide without counting. @default execution.mode === 'dry-run' */
  readonly dryRun?: boolean;
}

/**
 * {@link SafetyRails} backed by the Riposte table. Checks, in order: sample alert, account and
 * region allow/deny lists, the protected tag, then the blast radius (see the module comment).
 * Every refusal throws the named error with a message meant for the notification, and writes
 * nothing.
 *
 * @example
 * const safety = new DynamoSafetyRails({ db, tableName, policy, execution, now: Date.now });
 * await safety.assertContainable({ resource: 'i-0abc', tags: { Name: 'web' } });
 */
export class DynamoSafetyRails implements SafetyRails {
  private readonly options: DynamoSafetyRailsOptions;
  private readonly dryRun: boolean;

  public constructor(options: DynamoSafetyRailsOptions) {
    this.options = options;
    this.dryRun = options.dryRun ?? options.execution.mode === 'dry-run';
  }

  public async assertContainable(target: ContainmentTarget): Promise<void> {
    const { execution, policy } = this.options;
    assertStaticRails(execution, policy, target);
    // A dry-run execution simulates its approval step (no human is asked, nothing recorded):
    // it reports the containment a live run would make after the approval.
    if (target.environmentApproval === true && execution.mode !== 'dry-run')
      await this.assertEnvironmentApproval(target);
    await this.countContainment(target.resource);
  }

  public standing(tags: Readonly<Record<string, string>>): ResourceStanding {
    return standing(tags, this.options.policy);
  }

  /**
   * A resource the configuration does not name non-production is contained only after a human
   * approved this very execution (purpose `production`, or `blast-radius`, which also asked a
   * human whether to contain).
   */
  private async assertEnvironmentApproval(target: ContainmentTarget): Promise<void> {
    const { execution, policy } = this.options;
    const { environment, approvalRequired } = standing(target.tags, policy);
    if (!approvalRequired) return;
    const approval = await this.recordedApproval();
    if (approval !== undefined && (approval.purpose === 'production' || approval.purpose === 'blast-radius'))
      return;
    const why =
      environment === null
        ? `it has no environment tag (${policy.environments.tagKeys.join(', ')})`
        : `its environment "${environment}" is not one the configuration names non-production`;
    throw new ApprovalRequiredError(
      `containment of ${target.resource} refused: ${why}, and no approval of execution ` +
        `${execution.executionId ?? '(unknown)'} is recorded for incident ${execution.incidentId}`,
    );
  }

  /** The leases active now, for operators and tests. */
  public async activeLeases(): Promise<BlastRadiusLease[]> {
    const now = this.options.now();
    const ledger = await this.readLedger();
    return Object.values(ledger?.leases ?? {}).filter((lease) => lease.until > now);
  }

  private async countContainment(resource: string): Promise<void> {
    const { execution, policy } = this.options;
    const limit = policy.blastRadiusPerHour;
    const id = leaseId(execution.incidentId, resource);
    let approved: boolean | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const now = this.options.now();
      const ledger = await this.readLedger();
      const active = Object.entries(ledger?.leases ?? {}).filter(([, lease]) => lease.until > now);
      if (active.some(([key]) => key === id)) return; // already counted in this rolling hour
      let viaApproval = false;
      if (active.length >= limit) {
        approved ??= await this.overrideRecorded(now);
        if (!approved) {
          throw new BlastRadiusExceededError(
            `containment of ${resource} paused: ${active.length} containment(s) in the last hour reach the ` +
              `limit of ${limit} per rolling hour; a blast-radius approval of this execution of incident ` +
              `${execution.incidentId} is required`,
          );
        }
        viaApproval = true;
      }
      if (this.dryRun) return;
      const leases: Record<string, BlastRadiusLease> = Object.fromEntries(active);
      leases[id] = {
        until: now + BLAST_RADIUS_WINDOW_MS,
        countedAt: now,
        incidentId: execution.incidentId,
        resource: resource.slice(0, 256),
        approved: viaApproval,
      };
      if (await this.writeLedger(ledger?.version, leases, now)) return;
      await backoff(attempt);
    }
    throw new SafetyContentionError(
      `containment of ${resource} refused: the blast-radius ledger stayed contended after ${MAX_ATTEMPTS} attempts`,
    );
  }

  private async readLedger(): Promise<z.infer<typeof LedgerSchema> | undefined> {
    const { db, tableName } = this.options;
    const out = await db.send(
      new GetCommand({ TableName: tableName, Key: safetyKeys.blastRadius(), ConsistentRead: true }),
    );
    if (out.Item === undefined) return undefined;
    const parsed = LedgerSchema.safeParse(out.Item);
    if (!parsed.success) {
      throw new SafetyStoreError('the blast-radius ledger item is malformed', { cause: parsed.error });
    }
    return parsed.data;
  }

  /** Writes the ledger if nobody else did since `version` was read; false when someone did. */
  private async writeLedger(
    version: number | undefined,
    leases: Readonly<Record<string, BlastRadiusLease>>,
    now: number,
  ): Promise<boolean> {
    const { db, tableName } = this.options;
    const lastUntil = Math.max(now, ...Object.values(leases).map((lease) => lease.until));
    const p = new Placeholders();
    const conditionExpression =
      version === undefined
        ? condition('attribute_not_exists({pk})', {}, p)
        : condition('{version} = :{version}', { version }, p);
    try {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...safetyKeys.blastRadius(),
            version: (version ?? 0) + 1,
            leases,
            updatedAt: now,
            expiresAt: Math.ceil(lastUntil / 1000) + 3_600,
          },
          ConditionExpression: conditionExpression,
          ExpressionAttributeNames: p.names,
          ...(Object.keys(p.values).length > 0 ? { ExpressionAttributeValues: p.values } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** A blast-radius override: approved for this execution, for that purpose, and recent enough. */
  private async overrideRecorded(now: number): Promise<boolean> {
    const approval = await this.recordedApproval();
    if (approval?.purpose !== 'blast-radius' || approval.decidedAt === undefined) return false;
    const decidedAt = Date.parse(approval.decidedAt);
    return (
      Number.isFinite(decidedAt) && now - decidedAt <= BLAST_RADIUS_OVERRIDE_MS && decidedAt <= now + 60_000
    );
  }

  /**
   * The incident's approval item when it is an approval of this very execution; undefined
   * otherwise (none, pending, denied, expired, another execution's, or no execution id to
   * compare: fails closed).
   */
  private async recordedApproval(): Promise<z.infer<typeof RecordedApprovalSchema> | undefined> {
    const { db, tableName, execution } = this.options;
    if (execution.executionId === undefined || execution.executionId === '') return undefined;
    const out = await db.send(
      new GetCommand({
        TableName: tableName,
        Key: safetyKeys.approval(execution.incidentId),
        ConsistentRead: true,
      }),
    );
    const parsed = RecordedApprovalSchema.safeParse(out.Item);
    if (!parsed.success) return undefined;
    const approval = parsed.data;
    if (approval.status !== 'approved' || approval.executionId !== execution.executionId) return undefined;
    return approval;
  }
}

/**
 * The checks that need no store: sample alert, account, region, protected tag, in this order.
 * Throws the matching named error.
 *
 * @example
 * assertStaticRails(execution, policy, { resource: 'i-0abc', tags: {} });
 */
export function assertStaticRails(
  execution: ExecutionFacts,
  policy: SafetyPolicy,
  target: Pick<ContainmentTarget, 'resource' | 'tags'>,
): void {
  if (execution.sample) {
    throw new SampleAlertError(
      `containment of ${target.resource} refused: alert ${execution.alertId} is a provider sample finding, ` +
        'and sample findings are never contained',
    );
  }
  assertListed('account', execution.account, policy.accounts, target.resource);
  assertListed('region', execution.region, policy.regions, target.resource);
  // Keys and values trimmed and case-insensitive: `Riposte:Protected = " TRUE"` is protected.
  if (carriesTag(target.tags, policy.protectedTag)) {
    const { key } = policy.protectedTag;
    throw new ProtectedResourceError(
      `containment of ${target.resource} refused: it carries the protected tag ${key}=${tagValueOf(target.tags, [key]) ?? ''}`,
    );
  }
}

function assertListed(
  kind: 'account' | 'region',
  value: string | undefined,
  list: { readonly allow?: readonly string[] | undefined; readonly deny: readonly string[] },
  resource: string,
): void {
  if (value === undefined || value === '') {
    if (list.allow !== undefined) {
      throw new NotAllowedError(
        `containment of ${resource} refused: the incident's ${kind} is unknown and containment is limited to ` +
          `the ${kind}s ${describeList(list.allow)}`,
      );
    }
    return;
  }
  if (list.deny.includes(value)) {
    throw new NotAllowedError(`containment of ${resource} refused: ${kind} ${value} is on the deny list`);
  }
  if (list.allow !== undefined && !list.allow.includes(value)) {
    throw new NotAllowedError(
      `containment of ${resource} refused: ${kind} ${value} is not on the allow list (${describeList(list.allow)})`,
    );
  }
}

function describeList(values: readonly string[]): string {
  return values.length === 0 ? '(none)' : values.join(', ');
}

/** The ledger key of one (incident, resource) containment. */
function leaseId(incidentId: string, resource: string): string {
  return createHash('sha256').update(`${incidentId}\n${resource}`).digest('hex').slice(0, 32);
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(250, 5 * 2 ** Math.min(attempt, 6));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

// ---------------------------------------------------------------------------------------------
// Kill switch
// ---------------------------------------------------------------------------------------------

/** How long a kill-switch reading is reused. */
export const KILL_SWITCH_CACHE_MS = 30_000;

const killSwitchCache = new Map<string, { readonly engaged: boolean; readonly at: number }>();

export interface KillSwitchOptions {
  /** @default Date.now */
  readonly now?: () => number;
  /** @default {@link KILL_SWITCH_CACHE_MS} */
  readonly cacheMs?: number;
}

/**
 * Whether the kill switch is engaged: the SSM parameter's value is `on` or `true` (any case,
 * trimmed). `off`, `false` and a missing parameter mean not engaged. Fails safe: any other
 * value, and any SSM error (throttling, access denied, outage), mean ENGAGED. Successful
 * readings are cached for 30 s per parameter (so engaging the switch takes effect within 30 s);
 * errors are not cached.
 *
 * @example
 * const dryRun = execution.mode === 'dry-run' || (await killSwitchEngaged(ssm, '/riposte/kill-switch'));
 */
export async function killSwitchEngaged(
  ssm: SSMClient,
  parameterName: string,
  options: KillSwitchOptions = {},
): Promise<boolean> {
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? KILL_SWITCH_CACHE_MS;
  const cached = killSwitchCache.get(parameterName);
  if (cached !== undefined && now() - cached.at < cacheMs) return cached.engaged;
  let engaged: boolean;
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: parameterName }));
    engaged = interpretKillSwitch(out.Parameter?.Value);
  } catch (error) {
    if (error instanceof Error && error.name === 'ParameterNotFound') {
      engaged = false;
    } else {
      return true;
    }
  }
  killSwitchCache.set(parameterName, { engaged, at: now() });
  return engaged;
}

/** Forgets cached kill-switch readings (tests, and after an operator flips the switch locally). */
export function resetKillSwitchCache(): void {
  killSwitchCache.clear();
}

function interpretKillSwitch(value: string | undefined): boolean {
  const normalized = (value ?? '').trim().toLowerCase();
  if (normalized === 'off' || normalized === 'false') return false;
  return true; // `on`, `true`, and anything unexpected: fail safe
}

/**
 * The incident lifecycle: one pure derivation of an incident's status from the facts recorded on
 * it, shared by the ingest path, the action functions (deployed and local) and the case
 * operations, so the status means the same everywhere:
 *
 * ```
 * new → responding → awaiting approval → contained | failed | not contained → released → resolved | closed
 * ```
 *
 * - `new`: no playbook has loaded the incident yet (none matched, or it has not started).
 * - `responding`: a playbook execution is running.
 * - `awaiting_approval`: a playbook asked a person and waits for the answer.
 * - `contained`: a containment action completed for real (not in dry-run).
 * - `failed`: the last playbook execution failed before anything was contained.
 * - `not_contained`: the playbook ended without a real containment: refused by a safety rail, an
 *   approval denied or expired, a dry-run (sample finding, kill switch, local run), a sample, or a
 *   playbook that does not contain.
 * - `released`: a release undid the containment (`dryRun` when it was a dry-run release).
 * - `resolved`: closed by an operator as a true positive (the threat was dealt with).
 * - `closed`: closed by an operator as a false positive, benign or duplicate.
 */
export const INCIDENT_STATUSES = [
  'new',
  'responding',
  'awaiting_approval',
  'contained',
  'failed',
  'not_contained',
  'released',
  'resolved',
  'closed',
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Statuses in which an incident is finished: an operator closed it. */
export const FINAL_STATUSES: ReadonlySet<IncidentStatus> = new Set(['resolved', 'closed']);

/** What an operator found when closing an incident. */
export const RESOLUTIONS = ['true_positive', 'false_positive', 'benign', 'duplicate'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** Why an incident is `not_contained` (or `released`/`failed`, for the record). */
export const STATUS_REASONS = [
  'dry-run',
  'refused',
  'approval-denied',
  'sample',
  'no-containment',
  'playbook-failed',
] as const;
export type StatusReason = (typeof STATUS_REASONS)[number];

/**
 * The recorded facts the status is derived from: epoch-millisecond milestones written by ingest,
 * the playbook's steps and the case operations (all optional but `openedAt`).
 */
export interface LifecycleFacts {
  readonly openedAt: number;
  readonly sample?: boolean | undefined;
  /** First and latest time a playbook execution loaded the incident. */
  readonly playbookStartedAt?: number | undefined;
  readonly respondingAt?: number | undefined;
  /** Set when a playbook asks for an approval; cleared by the next step of the playbook. */
  readonly awaitingApprovalSince?: number | undefined;
  /** The approval was denied, or expired unanswered. */
  readonly approvalDeniedAt?: number | undefined;
  readonly refusedAt?: number | undefined;
  readonly containedAt?: number | undefined;
  readonly dryRunContainedAt?: number | undefined;
  readonly releasedAt?: number | undefined;
  readonly dryRunReleasedAt?: number | undefined;
  /** How the last playbook execution ended, and when. */
  readonly playbookStatus?: 'completed' | 'failed' | undefined;
  readonly playbookUpdatedAt?: number | undefined;
  readonly closedAt?: number | undefined;
  readonly resolution?: Resolution | undefined;
}

/** A derived status with what qualifies it. */
export interface DerivedStatus {
  readonly status: IncidentStatus;
  /** True when the status stems from a dry-run: nothing changed in AWS. */
  readonly dryRun: boolean;
  readonly reason?: StatusReason;
}

/** Whether a playbook execution started after the last one ended (an escalation re-ran one). */
function running(f: LifecycleFacts): boolean {
  if (f.playbookStartedAt === undefined) return false;
  if (f.playbookStatus === undefined || f.playbookUpdatedAt === undefined) return true;
  return (f.respondingAt ?? f.playbookStartedAt) > f.playbookUpdatedAt;
}

/** Why a finished playbook did not contain, most specific first. */
function notContainedReason(f: LifecycleFacts): StatusReason {
  if (f.dryRunContainedAt !== undefined) return 'dry-run';
  if (f.refusedAt !== undefined) return 'refused';
  if (f.approvalDeniedAt !== undefined) return 'approval-denied';
  if (f.sample === true) return 'sample';
  return 'no-containment';
}

/**
 * The status the facts say. Precedence, highest first: closed by an operator, released,
 * contained for real, awaiting an approval, a playbook running, the last playbook failed, the
 * last playbook ended without containing, new.
 *
 * @example
 * deriveStatus({ openedAt: 1, playbookStartedAt: 2, dryRunContainedAt: 3, playbookStatus: 'completed', playbookUpdatedAt: 4 })
 * // { status: 'not_contained', dryRun: true, reason: 'dry-run' }
 */
export function deriveStatus(f: LifecycleFacts): DerivedStatus {
  if (f.closedAt !== undefined) {
    return { status: f.resolution === 'true_positive' ? 'resolved' : 'closed', dryRun: false };
  }
  if (f.releasedAt !== undefined) return { status: 'released', dryRun: false };
  if (f.dryRunReleasedAt !== undefined && f.containedAt === undefined) {
    return { status: 'released', dryRun: true, reason: 'dry-run' };
  }
  if (f.containedAt !== undefined) return { status: 'contained', dryRun: false };
  if (f.awaitingApprovalSince !== undefined) return { status: 'awaiting_approval', dryRun: false };
  if (running(f)) return { status: 'responding', dryRun: false };
  if (f.playbookStatus === 'failed') return { status: 'failed', dryRun: false, reason: 'playbook-failed' };
  if (f.playbookStatus === 'completed') {
    const reason = notContainedReason(f);
    return { status: 'not_contained', dryRun: reason === 'dry-run', reason };
  }
  return { status: 'new', dryRun: false };
}

const LABELS: Record<IncidentStatus, string> = {
  new: 'new',
  responding: 'responding',
  awaiting_approval: 'awaiting approval',
  contained: 'contained',
  failed: 'failed',
  not_contained: 'not contained',
  released: 'released',
  resolved: 'resolved',
  closed: 'closed',
};

const REASON_LABELS: Record<StatusReason, string> = {
  'dry-run': 'dry-run',
  refused: 'refused by a rail',
  'approval-denied': 'approval denied',
  sample: 'sample finding',
  'no-containment': 'nothing to contain',
  'playbook-failed': 'playbook failed',
};

/**
 * The status in words, with its qualifier: `not contained (dry-run)`, `released (dry-run)`,
 * `not contained (refused)`.
 *
 * @example
 * statusLabel({ status: 'not_contained', dryRun: true, reason: 'dry-run' }) // 'not contained (dry-run)'
 */
export function statusLabel(derived: {
  readonly status: IncidentStatus;
  readonly dryRun?: boolean | undefined;
  readonly reason?: string | undefined;
}): string {
  const label = LABELS[derived.status];
  if (derived.status === 'not_contained' && derived.reason !== undefined) {
    return `${label} (${REASON_LABELS[derived.reason as StatusReason] ?? derived.reason})`;
  }
  return derived.dryRun === true ? `${label} (dry-run)` : label;
}

/**
 * A status as typed on a command line (`not-contained`, `not contained`, `awaiting_approval`),
 * or undefined when it names none.
 *
 * @example
 * parseStatus('Not-Contained') // 'not_contained'
 */
export function parseStatus(text: string): IncidentStatus | undefined {
  const normalized = text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return (INCIDENT_STATUSES as readonly string[]).includes(normalized)
    ? (normalized as IncidentStatus)
    : undefined;
}

/**
 * A resolution as typed on a command line (`false-positive`, `FALSE_POSITIVE`, `fp`), or undefined.
 *
 * @example
 * parseResolution('fp') // 'false_positive'
 */
export function parseResolution(text: string): Resolution | undefined {
  const normalized = text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  const short: Record<string, Resolution> = { tp: 'true_positive', fp: 'false_positive' };
  const value = short[normalized] ?? normalized;
  return (RESOLUTIONS as readonly string[]).includes(value) ? (value as Resolution) : undefined;
}

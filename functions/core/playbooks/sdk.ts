import { z } from 'zod';
import type { ActorView, ResourceView } from '../actions/actor.ts';
import { type ActionErrorName, NON_RETRYABLE_ERRORS } from '../actions/errors.ts';
import type { ActionDefinition } from '../actions/types.ts';
import type { Trigger } from './trigger.ts';

/**
 * The playbook authoring API. A playbook is one file in `playbooks/` whose default export is
 * `definePlaybook({...})`: metadata, a trigger, and steps built with a typed {@link Flow}.
 *
 * Every path a step reads (`$('incident.resourceUid')`) or a condition tests
 * (`c.isTrue('steps.instance.output.protected')`) is checked by the compiler against the
 * playbook's context: a path that does not exist, or a value of the wrong type, does not
 * compile.
 *
 * @example
 * export default definePlaybook({
 *   id: 'quarantine-instance', version: '1.0.0', title: 'Quarantine an instance',
 *   description: 'Isolates the instance of a high-severity GuardDuty finding.',
 *   owner: 'secops@example.com', changelog: { '1.0.0': 'First version.' },
 *   trigger: { sources: ['aws.guardduty'], minSeverity: 4, resourceTypes: ['AWS::EC2::Instance'] },
 *   steps: (flow) =>
 *     flow
 *       .run('instance', enrichInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') }))
 *       .choice('protected', (c) => [
 *         c.when(c.isTrue('steps.instance.output.protected'), (f) => f.notify('why', { subject: 'Protected: not contained' }).succeed('done')),
 *       ])
 *       .run('isolate', isolateInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') })),
 * });
 */

/** The alert that started the execution, as a playbook reads it. */
export interface AlertView {
  readonly id: string;
  readonly source: string;
  readonly sample: boolean;
  readonly severityId: number;
  readonly classUid: number;
  readonly title: string;
  readonly types: readonly string[];
  readonly account: string;
  readonly region: string;
  /** The console link of the finding, or an empty string. */
  readonly url: string;
  /** The access key ids the finding's resources name (the key an attacker used); empty when none. */
  readonly accessKeyIds: string[];
  /**
   * Who acted and how, as the alert records it (a console sign-in, or the API call a finding is
   * about): the caller's IP address and user agent (empty when the alert does not say), whether
   * MFA was used (`unknown` when the alert does not say), and when (ISO 8601: the sign-in, or the
   * finding's last sighting; a CloudTrail record's `eventTime`).
   */
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly mfaUsed: 'yes' | 'no' | 'unknown';
  readonly time: string;
  /** The CloudTrail call the alert reports, as `service:Operation` (`kms:DisableKey`); empty when none. */
  readonly apiCall: string;
  /** Who made the call (the IAM principal a playbook may contain); empty fields when unknown. */
  readonly actor: ActorView;
  /** The alert's resources (type, id, Region), the primary one first. */
  readonly resources: ResourceView[];
  /**
   * The EC2 instance the finding names: its instance resource, or the instance whose role
   * credentials an access key is (an instance-profile session is named after the instance:
   * principal `<role id>:i-…`); empty when none.
   */
  readonly instanceId: string;
}

/** The incident the execution works on. */
export interface IncidentView {
  readonly id: string;
  readonly resourceType: string;
  readonly resourceUid: string;
  /** The short name actions take: a bucket's or a user's name (the uid when there is none). */
  readonly resourceName: string;
  /** Empty when the alert did not say. */
  readonly account: string;
  readonly region: string;
  readonly severityId: number;
  readonly sample: boolean;
}

/** What a completed step leaves in the context, under `steps.<id>`. */
export interface StepResult<O> {
  readonly action: string;
  readonly target: string;
  readonly dryRun: boolean;
  readonly output: O;
}

/** What a caught error leaves in the context, under `errors.<id>`. */
export interface CaughtError {
  readonly Error: string;
  readonly Cause: string;
}

/** The context every playbook starts with. */
export interface BaseContext {
  readonly incidentId: string;
  readonly alertId: string;
  readonly mode: 'live' | 'dry-run';
  readonly alert: AlertView;
  readonly incident: IncidentView;
  // biome-ignore lint/complexity/noBannedTypes: the empty step map grows with each step
  readonly steps: {};
  // biome-ignore lint/complexity/noBannedTypes: the empty error map grows with each catch
  readonly errors: {};
}

type Primitive = string | number | boolean | null | undefined;
type Prev = [never, 0, 1, 2, 3, 4, 5, 6];

/** Every dotted path into `T` (objects and leaves; arrays are leaves), up to 6 levels deep. */
export type Path<T, D extends number = 6> = [D] extends [never]
  ? never
  : T extends Primitive | readonly unknown[]
    ? never
    : {
        [K in keyof T & string]: NonNullable<T[K]> extends Primitive | readonly unknown[]
          ? K
          : K | `${K}.${Path<NonNullable<T[K]>, Prev[D]>}`;
      }[keyof T & string];

/** The type at a dotted path of `T`. */
export type PathValue<T, P extends string> = P extends `${infer K}.${infer Rest}`
  ? K extends keyof T
    ? PathValue<NonNullable<T[K]>, Rest>
    : never
  : P extends keyof T
    ? T[P]
    : never;

/** Paths whose value is of type `V`. */
export type PathOfType<T, V> = {
  [P in Path<T>]: PathValue<T, P> extends V ? P : never;
}[Path<T>];

/** A reference to a value in the execution's context, resolved when the step runs. */
export interface Ref<T> {
  readonly kind: 'ref';
  readonly path: string;
  /** Phantom: the referenced value's type. */
  readonly __type?: T;
}

/** An action input where each field is a literal or a reference to a context value of its type. */
export type InputOf<I> = { [K in keyof I]: I[K] | Ref<I[K]> };

/** The reference maker a step's input callback receives. */
export type RefMaker<C> = <P extends Path<C>>(path: P) => Ref<PathValue<C, P>>;

/** A condition of a `choice`, compiled to a Step Functions Choice rule. */
export type Condition =
  | { readonly op: 'eq'; readonly path: string; readonly value: string | number | boolean }
  | { readonly op: 'gt' | 'gte' | 'lt' | 'lte'; readonly path: string; readonly value: number }
  | { readonly op: 'matches'; readonly path: string; readonly value: string }
  | { readonly op: 'present'; readonly path: string; readonly value: boolean }
  | { readonly op: 'and' | 'or'; readonly conditions: readonly Condition[] }
  | { readonly op: 'not'; readonly condition: Condition };

/** The values a condition compares: a leaf of the context, possibly null when absent. */
type Scalar = string | number | boolean | null;

/** Builds typed conditions on the context `C`. */
export interface Conditions<C> {
  /** Equality with a value of the path's type (a nullable path is false when null). */
  eq<P extends PathOfType<C, Scalar>>(path: P, value: NonNullable<PathValue<C, P>>): Condition;
  gt<P extends PathOfType<C, number | null>>(path: P, value: number): Condition;
  gte<P extends PathOfType<C, number | null>>(path: P, value: number): Condition;
  lt<P extends PathOfType<C, number | null>>(path: P, value: number): Condition;
  lte<P extends PathOfType<C, number | null>>(path: P, value: number): Condition;
  /** `*` wildcards, as Step Functions `StringMatches`. */
  matches<P extends PathOfType<C, string | null>>(path: P, pattern: string): Condition;
  isTrue<P extends PathOfType<C, boolean | null>>(path: P): Condition;
  isFalse<P extends PathOfType<C, boolean | null>>(path: P): Condition;
  isPresent<P extends Path<C>>(path: P): Condition;
  and(...conditions: Condition[]): Condition;
  or(...conditions: Condition[]): Condition;
  not(condition: Condition): Condition;
  /** A branch: when the condition holds, run `then`. */
  when(condition: Condition, then: (flow: Flow<C>) => FlowLike): Branch;
}

export interface Branch {
  readonly condition: Condition;
  readonly flow: FlowNodes;
}

/** Most attempts a playbook's own retry may add to a step: every retry is bounded. */
export const MAX_RETRY_ATTEMPTS = 10;

const NEVER_RETRIED = new Set<string>(NON_RETRYABLE_ERRORS);

/**
 * A playbook's own retry of a step, on top of the retry every step has: transient AWS failures
 * (`TransientAwsError`, throttling and 5xx codes) and Lambda service errors, three more times
 * with backoff. Add one for another error worth waiting out (`States.Timeout` of a slow
 * action...). The errors retrying cannot fix (`AwsAccessDeniedError`, the safety rails'
 * refusals, `PartialFailureError`...) may not be named, and stay unretried even by a
 * `States.ALL` retry: catch them instead.
 *
 * @example
 * flow.run('isolate', isolateInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') }), {
 *   timeoutSeconds: 300,
 *   retry: [{ errors: ['States.Timeout'], maxAttempts: 2, intervalSeconds: 30 }],
 * });
 */
export const RetryPolicySchema = z.strictObject({
  /** Error names, as `ErrorEquals` matches them: an action's named error, an AWS code, `States.*`. */
  errors: z
    .array(z.string().min(1))
    .min(1)
    .readonly()
    .refine((errors) => !errors.includes('States.ALL') || errors.length === 1, {
      message: 'States.ALL must be the only error of its retry',
    })
    .superRefine((errors, ctx) => {
      const unfixable = errors.filter((e) => NEVER_RETRIED.has(e));
      if (unfixable.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `retrying cannot fix ${unfixable.join(', ')}: catch it instead`,
        });
      }
    }),
  /** @default 3 */
  maxAttempts: z.number().int().min(1).max(MAX_RETRY_ATTEMPTS).optional(),
  /** Wait before the first retry, in seconds. @default 2 */
  intervalSeconds: z.number().int().min(1).max(3600).optional(),
  /** Each wait is the previous one times this. @default 2 */
  backoffRate: z.number().min(1).max(10).optional(),
  /** No wait is longer than this, in seconds. @default 60 */
  maxDelaySeconds: z.number().int().min(1).max(3600).optional(),
});
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

export interface StepOptions<C, Id extends string> {
  /** The state's name in the console and the graph. @default the step id */
  readonly name?: string;
  /** Seconds before the step fails with `States.Timeout`. @default 120 */
  readonly timeoutSeconds?: number;
  readonly retry?: readonly RetryPolicy[];
  /** Fallbacks on named errors: the error lands in `errors.<step id>` and `recover` runs. */
  readonly catch?: readonly {
    readonly errors: readonly (ActionErrorName | string)[];
    /** The fallback: runs with the error in `errors.<step id>`, then the flow goes on after the step. */
    readonly recover: (flow: Flow<C & { readonly errors: { readonly [K in Id]: CaughtError } }>) => FlowLike;
  }[];
}

export interface NotifyInput {
  readonly subject: string;
  readonly summary?: string;
  readonly channel?: 'all' | 'email' | 'slack' | 'webhook';
  /**
   * The notification's severity, in its subject (`[Riposte][HIGH]`) and fields: how urgently it
   * pages. @default the alert's severity
   */
  readonly severity?: 'unknown' | 'informational' | 'low' | 'medium' | 'high' | 'critical' | 'fatal';
}

export interface ApproveOptions<C> {
  readonly name?: string;
  /** What the approver reads. */
  readonly message: string;
  /** Seconds to wait for a decision. @default 3600 */
  readonly timeoutSeconds?: number;
  /** What a timeout means. @default 'deny' */
  readonly onTimeout?: 'deny' | 'approve';
  /**
   * Which safety rail the approval lifts for this execution: `production` (isolating an
   * instance not named non-production), `blast-radius` (past the hourly containment limit, for
   * 15 minutes), `containment` (none: the playbook's own question). @default 'containment'
   */
  readonly purpose?: 'containment' | 'production' | 'blast-radius';
  /** What to do when denied (or timed out with `onTimeout: 'deny'`). @default notify and stop */
  readonly onDeny?: (flow: Flow<C>) => FlowLike;
}

/** What a branch callback returns: any flow, whatever context it has built. */
export interface FlowLike {
  readonly nodes: FlowNodes;
}

/** A compiled-to-be node of a flow. */
export type FlowNode =
  | {
      readonly kind: 'task';
      readonly id: string;
      readonly name: string;
      readonly action: ActionDefinition;
      readonly input: Readonly<Record<string, unknown>>;
      readonly timeoutSeconds: number;
      readonly retry: readonly RetryPolicy[];
      readonly catch: readonly { readonly errors: readonly string[]; readonly flow: FlowNodes }[];
    }
  | { readonly kind: 'notify'; readonly id: string; readonly name: string; readonly message: NotifyInput }
  | {
      readonly kind: 'approve';
      readonly id: string;
      readonly name: string;
      readonly message: string;
      readonly timeoutSeconds: number;
      readonly onTimeout: 'deny' | 'approve';
      readonly purpose: 'containment' | 'production' | 'blast-radius';
      readonly onDeny: FlowNodes | undefined;
    }
  | {
      readonly kind: 'choice';
      readonly id: string;
      readonly name: string;
      readonly branches: readonly Branch[];
      readonly otherwise: FlowNodes | undefined;
    }
  | {
      readonly kind: 'parallel';
      readonly id: string;
      readonly name: string;
      readonly branches: readonly FlowNodes[];
    }
  | { readonly kind: 'wait'; readonly id: string; readonly name: string; readonly seconds: number }
  | { readonly kind: 'succeed'; readonly id: string; readonly name: string }
  | {
      readonly kind: 'fail';
      readonly id: string;
      readonly name: string;
      readonly error: string;
      readonly cause: string;
    };

export type FlowNodes = readonly FlowNode[];

type WithStep<C, Id extends string, O> = C extends { readonly steps: infer S }
  ? Omit<C, 'steps'> & { readonly steps: S & { readonly [K in Id]: StepResult<O> } }
  : never;

/**
 * A sequence of steps with the context type `C` it has built so far. Each method returns a new
 * flow; flows are immutable, so a branch can start from any point.
 */
export class Flow<C> {
  /** @internal */
  public readonly nodes: FlowNodes;

  public constructor(nodes: FlowNodes = []) {
    this.nodes = nodes;
  }

  private add<N>(node: FlowNode): Flow<N> {
    return new Flow<N>([...this.nodes, node]);
  }

  /**
   * Runs an action; its response lands in `steps.<id>` (`output` holds the action's output).
   *
   * @param input the action's input: literals, or references made with `$`
   */
  public run<Id extends string, I extends z.ZodType, O extends z.ZodType>(
    id: Id,
    action: ActionDefinition<I, O>,
    input: ($: RefMaker<C>) => InputOf<z.input<I>>,
    options: StepOptions<C, Id> = {},
  ): Flow<WithStep<C, Id, z.infer<O>>> {
    const refMaker: RefMaker<C> = (path) => ({ kind: 'ref', path });
    return this.add({
      kind: 'task',
      id,
      name: options.name ?? id,
      action,
      input: input(refMaker) as Readonly<Record<string, unknown>>,
      timeoutSeconds: options.timeoutSeconds ?? 120,
      retry: options.retry ?? [],
      catch: (options.catch ?? []).map((c) => ({
        errors: c.errors,
        flow: c.recover(new Flow()).nodes,
      })),
    });
  }

  /** Sends a notification with the incident, the alert and what the playbook did so far. */
  public notify(id: string, message: NotifyInput, options: { readonly name?: string } = {}): Flow<C> {
    return this.add({ kind: 'notify', id, name: options.name ?? id, message });
  }

  /**
   * Waits for a human decision (signed, expiring approve/deny links sent through notify). On
   * approval the flow continues with `steps.<id>.output` = `{ approved, approver, decidedAt }`.
   */
  public approve<Id extends string>(
    id: Id,
    options: ApproveOptions<C>,
  ): Flow<
    WithStep<C, Id, { readonly approved: boolean; readonly approver: string; readonly decidedAt: string }>
  > {
    return this.add({
      kind: 'approve',
      id,
      name: options.name ?? id,
      message: options.message,
      timeoutSeconds: options.timeoutSeconds ?? 3600,
      onTimeout: options.onTimeout ?? 'deny',
      purpose: options.purpose ?? 'containment',
      onDeny: options.onDeny?.(new Flow<C>()).nodes,
    });
  }

  /**
   * Branches on conditions of the context. A branch that does not end (succeed/fail) continues
   * with the steps after the choice; so does `otherwise`, or the choice itself when none holds.
   */
  public choice(
    id: string,
    branches: (c: Conditions<C>) => readonly Branch[],
    otherwise?: (flow: Flow<C>) => FlowLike,
    options: { readonly name?: string } = {},
  ): Flow<C> {
    return this.add({
      kind: 'choice',
      id,
      name: options.name ?? id,
      branches: branches(conditions<C>()),
      otherwise: otherwise?.(new Flow<C>()).nodes,
    });
  }

  /** Runs branches at the same time; the flow continues when all have finished. */
  public parallel(
    id: string,
    branches: readonly ((flow: Flow<C>) => FlowLike)[],
    options: { readonly name?: string } = {},
  ): Flow<C> {
    return this.add({
      kind: 'parallel',
      id,
      name: options.name ?? id,
      branches: branches.map((branch) => branch(new Flow<C>()).nodes),
    });
  }

  /**
   * Appends a fragment: a sequence of steps several playbooks share, written once as a function
   * of the flow (`functions/core/playbooks/fragments/`). Its step ids and state names become the
   * playbook's, checked for duplicates like any other.
   *
   * @example
   * flow.run('restore', restoreKmsKeyAction, ($) => ({ ... })).use(containCaller({ ... }))
   */
  public use<N>(fragment: (flow: Flow<C>) => Flow<N>): Flow<N> {
    return fragment(this);
  }

  public wait(id: string, seconds: number, options: { readonly name?: string } = {}): Flow<C> {
    return this.add({ kind: 'wait', id, name: options.name ?? id, seconds });
  }

  /** Ends the execution successfully. */
  public succeed(id: string, options: { readonly name?: string } = {}): Flow<C> {
    return this.add({ kind: 'succeed', id, name: options.name ?? id });
  }

  /** Ends the execution as failed (the failure is notified). */
  public fail(id: string, error: string, cause: string, options: { readonly name?: string } = {}): Flow<C> {
    return this.add({ kind: 'fail', id, name: options.name ?? id, error, cause });
  }
}

function conditions<C>(): Conditions<C> {
  return {
    eq: (path, value) => ({ op: 'eq', path, value: value as string | number | boolean }),
    gt: (path, value) => ({ op: 'gt', path, value }),
    gte: (path, value) => ({ op: 'gte', path, value }),
    lt: (path, value) => ({ op: 'lt', path, value }),
    lte: (path, value) => ({ op: 'lte', path, value }),
    matches: (path, value) => ({ op: 'matches', path, value }),
    isTrue: (path) => ({ op: 'eq', path, value: true }),
    isFalse: (path) => ({ op: 'eq', path, value: false }),
    isPresent: (path) => ({ op: 'present', path, value: true }),
    and: (...list) => ({ op: 'and', conditions: list }),
    or: (...list) => ({ op: 'or', conditions: list }),
    not: (condition) => ({ op: 'not', condition }),
    when: (condition, then) => ({ condition, flow: then(new Flow<C>()).nodes }),
  };
}

/** Gradual rollout of a new version through the `live` alias. */
export interface Rollout {
  readonly type: 'CANARY' | 'LINEAR';
  /** Percentage of executions on the new version per step. */
  readonly percentage: number;
  /** Minutes between steps. */
  readonly intervalMinutes: number;
  /** CloudWatch alarm names that roll the alias back when they fire. */
  readonly alarms?: readonly string[];
}

export interface PlaybookDefinition {
  /** Stable id: lower-case words separated by hyphens; names the state machine. */
  readonly id: string;
  /** Semantic version; bump it whenever the steps change (`riposte playbooks check`). */
  readonly version: string;
  readonly title: string;
  readonly description: string;
  /** Team or person answerable for the playbook. */
  readonly owner: string;
  /** What changed in each version, newest first by convention. */
  readonly changelog: Readonly<Record<string, string>>;
  readonly trigger: Trigger;
  /**
   * Playbooks this one takes precedence over: when an alert matches both triggers, only this one
   * starts for the incident. `riposte playbooks check` refuses two playbooks that could both
   * change the resource of one finding unless one supersedes the other.
   *
   * @example supersedes: ['ec2-instance-compromise']
   * @default none
   */
  readonly supersedes?: readonly string[];
  /** Longest an execution may run before Step Functions stops it. @default 86400 (24 h) */
  readonly timeoutSeconds?: number;
  /** Shift executions to a new version gradually. @default all at once */
  readonly rollout?: Rollout;
  readonly steps: (flow: Flow<BaseContext>) => FlowLike;
}

/** A playbook, ready to compile. */
export interface Playbook extends Omit<PlaybookDefinition, 'steps'> {
  readonly nodes: FlowNodes;
}

/** Thrown when a playbook definition is invalid (bad id, version, duplicate step ids...). */
export class InvalidPlaybookError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'InvalidPlaybookError';
  }
}

const ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const SEMVER = /^\d+\.\d+\.\d+$/;
const STEP_ID = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * Declares a playbook. Validates the metadata and the step ids (unique, usable in paths) at
 * definition time so a broken playbook fails on import, not on deploy.
 */
export function definePlaybook(definition: PlaybookDefinition): Playbook {
  const { steps, ...meta } = definition;
  if (!ID.test(meta.id) || meta.id.length > 60) {
    throw new InvalidPlaybookError(
      `playbook id "${meta.id}" must be lower-case words joined by hyphens (≤ 60 characters)`,
    );
  }
  if (!SEMVER.test(meta.version)) {
    throw new InvalidPlaybookError(
      `playbook ${meta.id}: version "${meta.version}" must be semantic (MAJOR.MINOR.PATCH)`,
    );
  }
  if (meta.changelog[meta.version] === undefined) {
    throw new InvalidPlaybookError(
      `playbook ${meta.id}: the changelog has no entry for version ${meta.version}`,
    );
  }
  for (const other of meta.supersedes ?? []) {
    if (other === meta.id || !ID.test(other)) {
      throw new InvalidPlaybookError(
        `playbook ${meta.id}: supersedes "${other}" must name another playbook's id`,
      );
    }
  }
  const nodes = steps(new Flow<BaseContext>()).nodes;
  const seen = new Set<string>();
  const names = new Set<string>();
  const visit = (list: FlowNodes): void => {
    for (const node of list) {
      if (!STEP_ID.test(node.id)) {
        throw new InvalidPlaybookError(
          `playbook ${meta.id}: step id "${node.id}" must be letters and digits, starting with a letter`,
        );
      }
      if (node.kind === 'task') checkRetries(meta.id, node.id, node.retry);
      if (seen.has(node.id))
        throw new InvalidPlaybookError(`playbook ${meta.id}: step id "${node.id}" is used twice`);
      if (names.has(node.name))
        throw new InvalidPlaybookError(`playbook ${meta.id}: state name "${node.name}" is used twice`);
      seen.add(node.id);
      names.add(node.name);
      if (node.kind === 'task') for (const c of node.catch) visit(c.flow);
      if (node.kind === 'approve' && node.onDeny !== undefined) visit(node.onDeny);
      if (node.kind === 'choice') {
        for (const b of node.branches) visit(b.flow);
        if (node.otherwise !== undefined) visit(node.otherwise);
      }
      if (node.kind === 'parallel') for (const b of node.branches) visit(b);
    }
  };
  visit(nodes);
  if (nodes.length === 0) throw new InvalidPlaybookError(`playbook ${meta.id}: it has no steps`);
  return { ...meta, nodes };
}

function checkRetries(playbookId: string, stepId: string, retries: readonly RetryPolicy[]): void {
  for (const retry of retries) {
    const parsed = RetryPolicySchema.safeParse(retry);
    if (!parsed.success) {
      throw new InvalidPlaybookError(
        `playbook ${playbookId}: step "${stepId}": invalid retry: ${parsed.error.issues
          .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
          .join('; ')}`,
      );
    }
  }
  if (retries.filter((r) => r.errors.includes('States.ALL')).length > 1) {
    throw new InvalidPlaybookError(
      `playbook ${playbookId}: step "${stepId}": only one retry may name States.ALL`,
    );
  }
}

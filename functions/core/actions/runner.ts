// Long: runAction is the one sequence every action passes through (parse, mode, clients, rails, timeline, events), kept whole so its order is audited in one place.
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { InvalidInputError } from '../errors.ts';
import type { LifecycleEvent, LifecyclePublisher } from '../lifecycle/events.ts';
import { LIFECYCLE_PUBLISH_CALLS } from '../lifecycle/events.ts';
import { LIFECYCLE_RECORD_CALLS } from '../lifecycle/record.ts';
import type { CallDeclaration } from '../permissions.ts';
import { type ClientMode, createClients, type ServiceFactories } from './clients.ts';
import {
  LOAD_CONTEXT_CALLS,
  loadContext,
  MILESTONE_CALLS,
  type Milestone,
  RECORD_OUTCOME_CALLS,
  recordMilestone,
  recordOutcome,
  recordStep,
  type StoreAccess,
} from './context.ts';
import {
  ApprovalRequiredError,
  BlastRadiusExceededError,
  isTransientAwsError,
  MemberRoleMissingError,
  NotAllowedError,
  NothingToReleaseError,
  ProtectedResourceError,
  RETRYABLE_ERRORS,
  SampleAlertError,
  TransientAwsError,
} from './errors.ts';
import { MEMBER_ROLE_CALLS } from './member-role.ts';
import { CallRecorder } from './recorder.ts';
import { assertSomethingToRelease, RELEASE_GUARD_CALLS } from './release-guard.ts';
import { KILL_SWITCH_CALLS, SAFETY_RAILS_CALLS } from './safety.ts';
import { CONTAINMENT_STATE_CALLS, TIMELINE_CALLS } from './state.ts';
import { timelineFactsOf } from './timeline-facts.ts';
import {
  type ActionDefinition,
  type ActionFamily,
  type ActionRequest,
  ActionRequestSchema,
  type ActionResponse,
  type ContainmentState,
  type ExecutionFacts,
  type SafetyRails,
  type Timeline,
} from './types.ts';
import { verificationOf } from './verify/check.ts';

/**
 * Runs one action request: the code every action Lambda and the local engine share. It parses
 * the request, decides the mode (dry-run for `dry-run` executions and when the kill switch is
 * engaged), builds the clients, runs the action through the safety rails, appends the outcome
 * to the incident's timeline, and returns the response, or rethrows the action's named error
 * so the state machine's `Retry`/`Catch` see it by name ({@link retryableByName}: a transient
 * AWS failure always reaches the state machine under a name its default retry matches).
 */
export interface RunnerDeps {
  /** The actions this function may run (its family's). */
  readonly actions: ReadonlyMap<string, ActionDefinition>;
  readonly family: ActionFamily | 'all';
  readonly store: StoreAccess;
  /** `world` locally; otherwise `live`, downgraded to `dry-run` by the execution mode or kill switch. */
  readonly baseMode: ClientMode;
  readonly killSwitch: () => Promise<boolean>;
  /** Credentials for the account the action acts in (the member role), or the function's own. */
  readonly credentialsFor?: (
    facts: ExecutionFacts,
  ) => Promise<AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined>;
  /** The rails for an execution; `dryRun` rails decide without counting containments. */
  readonly rails: (facts: ExecutionFacts, dryRun: boolean) => SafetyRails;
  readonly state: (facts: ExecutionFacts) => ContainmentState;
  readonly timeline: (facts: ExecutionFacts) => Timeline;
  /** Region of clients when the incident has none. */
  readonly defaultRegion: string;
  /** Where contained, released and failed events go (Riposte's EventBridge bus). @default none */
  readonly lifecycle?: LifecyclePublisher;
  /** Called when an incident reaches a response milestone for the first time (for MTTR metrics). */
  readonly onMilestone?: (milestone: Milestone) => void;
  /** Called with every response (the local engine collects them for its report). */
  readonly onResponse?: (request: ActionRequest, response: ActionResponse) => void;
}

/** Thrown for a request naming an action this function does not host. */
export class UnknownActionError extends InvalidInputError {
  public constructor(action: string, family: string) {
    super(`action "${action}" is not one the ${family} function runs`);
    this.name = 'UnknownActionError';
  }
}

const NON_RESOURCE_FAMILIES = new Set<ActionFamily>(['notify', 'approve']);

/**
 * The calls {@link runAction} (and what it hands an action of `family`) sends to Riposte's own
 * resources, beside the action's own declarations:
 *
 * - `context`: `load-context` and `record-outcome` on the incident, and the failed event;
 * - every other family: the timeline entry after each action;
 * - `enrich`, `contain`, `release` (they act on the incident's resources): the kill switch and
 *   the member role;
 * - `contain`: the safety rails (blast-radius ledger, approval) and the saved state; `release`:
 *   the incident's containment milestone (was anything contained?) and the saved state; both:
 *   the milestone on the incident and the contained/released event.
 *
 * @example
 * runnerCallsOf('contain').flatMap((call) => call.actions); // ['dynamodb:PutItem', 'ssm:GetParameter', …]
 */
export function runnerCallsOf(family: ActionFamily): readonly CallDeclaration[] {
  if (family === 'context') {
    return [LOAD_CONTEXT_CALLS, RECORD_OUTCOME_CALLS, LIFECYCLE_RECORD_CALLS, LIFECYCLE_PUBLISH_CALLS];
  }
  const calls: CallDeclaration[] = [TIMELINE_CALLS];
  // Every status change a step makes (responding, awaiting approval, contained...) is recorded.
  if (family !== 'enrich' && family !== 'notify') calls.push(LIFECYCLE_RECORD_CALLS, LIFECYCLE_PUBLISH_CALLS);
  if (!NON_RESOURCE_FAMILIES.has(family)) calls.push(KILL_SWITCH_CALLS, MEMBER_ROLE_CALLS);
  if (family === 'contain') calls.push(SAFETY_RAILS_CALLS);
  if (family === 'contain' || family === 'release') {
    calls.push(CONTAINMENT_STATE_CALLS, MILESTONE_CALLS);
  }
  if (family === 'release') calls.push(RELEASE_GUARD_CALLS);
  return calls;
}

const REFUSALS = [
  ProtectedResourceError,
  ApprovalRequiredError,
  SampleAlertError,
  NotAllowedError,
  BlastRadiusExceededError,
];

/**
 * @example
 * const response = await runAction(event, deps); // inside a Lambda handler
 */
export async function runAction(raw: unknown, runnerDeps: RunnerDeps): Promise<ActionResponse> {
  // Status changes are published where the other lifecycle events go.
  const deps: RunnerDeps = {
    ...runnerDeps,
    store: { ...runnerDeps.store, lifecycle: runnerDeps.store.lifecycle ?? runnerDeps.lifecycle },
  };
  const parsed = ActionRequestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidInputError(
      `invalid action request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const request = parsed.data;
  const facts = normalizeFacts(request.execution);
  if (request.action === 'load-context' || request.action === 'record-outcome') {
    if (deps.family !== 'context' && deps.family !== 'all')
      throw new UnknownActionError(request.action, deps.family);
    const output =
      request.action === 'load-context'
        ? await loadContext(deps.store, facts)
        : await recordOutcome(deps.store, facts, request.input);
    if (
      request.action === 'record-outcome' &&
      (request.input as { outcome?: unknown }).outcome === 'failed'
    ) {
      const failure = (request.input as { failure?: { Error?: unknown; Cause?: unknown } }).failure;
      await publish(deps, {
        kind: 'failed',
        detail: {
          incidentId: facts.incidentId,
          at: deps.store.now(),
          playbook: { id: facts.playbookId, version: facts.playbookVersion },
          ...(facts.executionId === undefined ? {} : { executionId: facts.executionId }),
          error: `${String(failure?.Error ?? 'unknown')}: ${String(failure?.Cause ?? '').slice(0, 500)}`,
        },
      });
    }
    const response = { action: request.action, target: facts.incidentId, dryRun: false, calls: [], output };
    deps.onResponse?.(request, response);
    return response;
  }
  const action = deps.actions.get(request.action);
  if (action === undefined) throw new UnknownActionError(request.action, deps.family);
  const input = action.input.safeParse(request.input);
  if (!input.success) {
    throw new InvalidInputError(
      `invalid input for ${action.id}: ${input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const target = action.target(input.data);
  // Dry-run executions and the kill switch hold back what changes AWS resources. Notifications
  // and approval requests change nothing in AWS: they still go out (a sample finding is still
  // reported, and an operator must hear that the kill switch kept Riposte from acting).
  const changesResources = !NON_RESOURCE_FAMILIES.has(action.family);
  const killed = changesResources && deps.baseMode.kind === 'live' && (await deps.killSwitch());
  const dryRun = deps.baseMode.kind === 'world' || (changesResources && (facts.mode === 'dry-run' || killed));
  const mode: ClientMode =
    deps.baseMode.kind === 'world' ? deps.baseMode : dryRun ? { kind: 'dry-run' } : deps.baseMode;
  const recorder = new CallRecorder();
  // Only the families that act on the incident's resources act in its account.
  const credentials = changesResources
    ? await deps.credentialsFor?.(facts).catch((error: unknown) => {
        throw retryableByName(error);
      })
    : undefined;
  const clients = createClients({
    mode,
    recorder,
    // `global` (AWS Health's account-wide events) names no endpoint: act from Riposte's Region.
    region: facts.region === undefined || facts.region === 'global' ? deps.defaultRegion : facts.region,
    services: servicesOf(deps.actions),
    ...(credentials === undefined ? {} : { credentials }),
  });
  const timeline = deps.timeline(facts);
  try {
    // A release of an incident that was never contained says so before touching anything.
    if (action.family === 'release') await assertSomethingToRelease(deps.store, facts, dryRun);
    const output = await action.run(input.data, {
      execution: facts,
      clients,
      recorder,
      dryRun,
      changesApplied: mode.kind !== 'dry-run',
      safety: deps.rails(facts, dryRun),
      state: deps.state(facts),
      now: deps.store.now,
    });
    const checked = action.output.parse(output);
    const response: ActionResponse = {
      action: action.id,
      target,
      dryRun,
      calls: recorder.calls,
      output: checked,
    };
    const verification = verificationOf(checked);
    await timeline.append({
      action: action.id,
      target,
      dryRun,
      outcome: 'succeeded',
      calls: recorder.calls,
      ...timelineFactsOf(checked),
      ...(verification === undefined ? {} : { verification }),
    });
    if (action.family === 'approve') await recordStep(deps.store, facts, { kind: 'approval-requested' });
    if (action.family === 'contain' || action.family === 'release') {
      const milestone = await recordMilestone(
        deps.store,
        facts,
        action.family === 'contain' ? 'contained' : 'released',
        dryRun,
      );
      if (milestone !== undefined) {
        deps.onMilestone?.(milestone);
        await publish(deps, {
          kind: milestone.milestone,
          detail: {
            incidentId: facts.incidentId,
            at: deps.store.now(),
            severityId: milestone.severityId,
            source: milestone.source,
            playbook: { id: facts.playbookId, version: facts.playbookVersion },
            ...(facts.executionId === undefined ? {} : { executionId: facts.executionId }),
            dryRun,
          },
        });
      }
    }
    deps.onResponse?.(request, response);
    return response;
  } catch (error) {
    const refused = REFUSALS.some((cls) => error instanceof cls);
    const nothingToRelease = error instanceof NothingToReleaseError;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await timeline
      .append({
        action: action.id,
        target,
        dryRun,
        outcome: refused ? 'refused' : nothingToRelease ? 'nothing-to-release' : 'failed',
        calls: recorder.calls,
        error: message,
      })
      .catch(() => undefined);
    if (refused)
      await recordStep(deps.store, facts, { kind: 'refused', error: message }).catch(() => undefined);
    deps.onResponse?.(request, {
      action: action.id,
      target,
      dryRun,
      calls: recorder.calls,
      output: { error: message, refused, ...(nothingToRelease ? { nothingToRelease } : {}) },
    });
    throw retryableByName(error);
  }
}

const declaredServices = new WeakMap<ReadonlyMap<string, ActionDefinition>, ServiceFactories>();

/**
 * The services the hosted actions declare, together: what this function's clients may build.
 * Computed once per set of actions.
 *
 * @example
 * servicesOf(new Map([[containUserAction.id, containUserAction]])); // { iam }
 */
export function servicesOf(actions: ReadonlyMap<string, ActionDefinition>): ServiceFactories {
  let services = declaredServices.get(actions);
  if (services === undefined) {
    services = Object.assign({}, ...[...actions.values()].map((action) => action.services ?? {}));
    declaredServices.set(actions, services as ServiceFactories);
  }
  return services as ServiceFactories;
}

const RETRIED_NAMES = new Set<string>(RETRYABLE_ERRORS);

/**
 * The error as the state machine should see it. A transient AWS failure keeps its own name when
 * the default retry knows it (`Throttling`, `RequestLimitExceeded`...: a playbook may retry or
 * catch those by name); otherwise (a 503 under an unusual code, a reset connection, a member
 * role that could not be assumed because STS throttled) it becomes a {@link TransientAwsError},
 * the cause kept. Any other error passes unchanged.
 *
 * @example
 * retryableByName(Object.assign(new Error('reset'), { code: 'ECONNRESET' })); // TransientAwsError
 * retryableByName(new AwsAccessDeniedError('ec2:CreateSnapshot was denied')); // unchanged
 */
export function retryableByName(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if (error instanceof MemberRoleMissingError && isTransientAwsError(error.cause)) {
    return new TransientAwsError(error.message, [], { cause: error });
  }
  if (RETRIED_NAMES.has(error.name) || !isTransientAwsError(error)) return error;
  return new TransientAwsError(`${error.name}: ${error.message}`, [], { cause: error });
}

/** Lifecycle events are best effort: a subscriber outage never fails a response step. */
async function publish(deps: RunnerDeps, event: LifecycleEvent): Promise<void> {
  try {
    await deps.lifecycle?.publish([event]);
  } catch {
    // The timeline and the metrics still hold the fact; only the bus subscribers miss it.
  }
}

/** Empty account/region strings (unknown in the alert) become absent. */
function normalizeFacts(facts: ExecutionFacts): ExecutionFacts {
  const { account, region, ...rest } = facts;
  return {
    ...rest,
    ...(account === undefined || account === '' ? {} : { account }),
    ...(region === undefined || region === '' ? {} : { region }),
  };
}

import { createHash } from 'node:crypto';
import { NON_RETRYABLE_ERRORS, RETRYABLE_ERRORS } from '../actions/errors.ts';
import type { ActionFamily } from '../actions/types.ts';
import type {
  AslCatcher,
  AslChoiceRule,
  AslRetrier,
  AslState,
  AslStateMachine,
  AslTaskState,
} from './asl.ts';
import { type Condition, type FlowNode, type FlowNodes, InvalidPlaybookError, type Playbook } from './sdk.ts';

/**
 * Compiles a playbook to a Standard state machine definition in JSONPath ASL.
 *
 * Every action step is a `lambda:invoke` task on its action family's function, named by a
 * placeholder (`${ActionFunction_contain}`) that CDK fills with `definitionSubstitutions` and
 * the local engine maps to the in-process handler: both run this exact definition.
 *
 * The body runs inside a one-branch Parallel state so that any failure, wherever it happens, is
 * caught once: the failure is notified, recorded on the incident, and the execution ends
 * failed. Every task has a timeout and the execution as a whole has one: no run can hang.
 *
 * Every Lambda task retries transient failures ({@link TRANSIENT_RETRY}) a bounded number of
 * times; what retrying cannot fix (access denied, the safety rails' refusals, a partial failure
 * with a lasting cause) goes straight to the catch.
 */

export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
export const LAMBDA_INVOKE_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** The placeholder of an action family's function ARN in a rendered definition. */
export function functionPlaceholder(family: ActionFamily): string {
  return `ActionFunction_${family}`;
}

/** States the compiler adds around the playbook's own steps; step names may not reuse them. */
export const FRAME_STATES = {
  load: 'Load context',
  prepare: 'Prepare context',
  body: 'Playbook',
  record: 'Record outcome',
  notifyFailure: 'Notify failure',
  recordFailure: 'Record failure',
  failed: 'Failed',
} as const;

/**
 * The retry of every Lambda task: transient AWS failures that outlasted the SDK's own attempts
 * (`TransientAwsError`, throttling and 5xx codes) and the Lambda service's failures. Three more
 * attempts, waiting up to 2 s, 4 s and 8 s (full jitter, so concurrent executions throttled
 * together do not come back together), never more than 30 s: a step that keeps failing reaches
 * its catch within four attempts. Actions are idempotent and resume from their recorded state.
 *
 * @example
 * compilePlaybook(playbook).States['Load context'].Retry; // [TRANSIENT_RETRY]
 */
export const TRANSIENT_RETRY: AslRetrier = {
  ErrorEquals: [...RETRYABLE_ERRORS],
  IntervalSeconds: 2,
  MaxAttempts: 3,
  BackoffRate: 2,
  MaxDelaySeconds: 30,
  JitterStrategy: 'FULL',
};

/**
 * Zero attempts for the errors retrying cannot fix. Only added in front of a playbook's
 * catch-all retry (`States.ALL`, `States.TaskFailed`): the first retrier whose `ErrorEquals`
 * matches decides, so a refusal or an access denied still goes straight to the catch.
 *
 * @example
 * // a step with `retry: [{ errors: ['States.ALL'] }]` compiles to
 * // Retry: [TRANSIENT_RETRY, NEVER_RETRY, { ErrorEquals: ['States.ALL'], MaxAttempts: 3, … }]
 */
export const NEVER_RETRY: AslRetrier = { ErrorEquals: [...NON_RETRYABLE_ERRORS], MaxAttempts: 0 };

/** Whether a retrier matches every error (it must then come after the others). */
function catchAll(retrier: AslRetrier): boolean {
  return retrier.ErrorEquals.some((e) => e === 'States.ALL' || e === 'States.TaskFailed');
}

const RESULT_SELECTOR = {
  'action.$': '$.Payload.action',
  'target.$': '$.Payload.target',
  'dryRun.$': '$.Payload.dryRun',
  'output.$': '$.Payload.output',
};

/**
 * The Step Functions state machine for a playbook.
 *
 * @example
 * const asl = compilePlaybook(playbook);
 * new StateMachine(asl) // aws-local-stepfunctions, or DefinitionBody.fromString(JSON.stringify(asl))
 */
export function compilePlaybook(playbook: Playbook): AslStateMachine {
  const frameNames = new Set<string>(Object.values(FRAME_STATES));
  const compiler = new Compiler(playbook);
  const body = compiler.sequence(playbook.nodes, undefined);
  for (const name of compiler.names) {
    if (frameNames.has(name)) {
      throw new InvalidPlaybookError(`playbook ${playbook.id}: state name "${name}" is reserved`);
    }
  }
  const facts = executionFacts(playbook, { beforeContext: true });
  const states: Record<string, AslState> = {
    [FRAME_STATES.load]: {
      Type: 'Task',
      Comment: 'Reads the alert and the incident this execution works on.',
      Resource: LAMBDA_INVOKE,
      Parameters: {
        FunctionName: `\${${functionPlaceholder('context')}}`,
        Payload: { action: 'load-context', input: {}, execution: facts },
      },
      ResultSelector: { 'alert.$': '$.Payload.output.alert', 'incident.$': '$.Payload.output.incident' },
      ResultPath: '$.loaded',
      TimeoutSeconds: 60,
      Retry: [TRANSIENT_RETRY],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: FRAME_STATES.failed }],
      Next: FRAME_STATES.prepare,
    },
    [FRAME_STATES.prepare]: {
      Type: 'Pass',
      Parameters: {
        'incidentId.$': '$.incidentId',
        'alertId.$': '$.alertId',
        'mode.$': '$.mode',
        'alert.$': '$.loaded.alert',
        'incident.$': '$.loaded.incident',
        steps: {},
        errors: {},
      },
      Next: FRAME_STATES.body,
    },
    [FRAME_STATES.body]: {
      Type: 'Parallel',
      Comment: `${playbook.title} ${playbook.version}`,
      Branches: [body],
      ResultPath: null,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: FRAME_STATES.notifyFailure }],
      Next: FRAME_STATES.record,
    },
    [FRAME_STATES.record]: contextTask(playbook, 'record-outcome', { outcome: 'completed' }, { End: true }),
    [FRAME_STATES.notifyFailure]: {
      ...actionTask(playbook, 'notify', 'notify', {
        subject: `Playbook failed: ${playbook.title}`,
        summary: 'A step failed after its retries; nothing further was done. See the incident timeline.',
        'failure.$': '$.failure',
        'alert.$': '$.alert',
        'incident.$': '$.incident',
        'steps.$': '$.steps',
        'errors.$': '$.errors',
      }),
      ResultPath: null,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: FRAME_STATES.recordFailure }],
      Next: FRAME_STATES.recordFailure,
    },
    [FRAME_STATES.recordFailure]: {
      ...contextTask(playbook, 'record-outcome', { outcome: 'failed', 'failure.$': '$.failure' }, {}),
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: FRAME_STATES.failed }],
      Next: FRAME_STATES.failed,
    },
    [FRAME_STATES.failed]: {
      Type: 'Fail',
      Error: 'PlaybookFailed',
      Cause: 'A playbook step failed; the failure was notified and recorded on the incident.',
    },
  };
  return {
    Comment: `Riposte playbook ${playbook.id} ${playbook.version}: ${playbook.title}`,
    QueryLanguage: 'JSONPath',
    StartAt: FRAME_STATES.load,
    States: states,
    TimeoutSeconds: playbook.timeoutSeconds ?? 86_400,
  };
}

/** The definition as the deployed state machine holds it (placeholders unresolved). */
export function renderDefinition(playbook: Playbook): string {
  return JSON.stringify(compilePlaybook(playbook), null, 2);
}

/** SHA-256 of the rendered definition: what the version lock records. */
export function definitionHash(playbook: Playbook): string {
  return createHash('sha256').update(renderDefinition(playbook)).digest('hex');
}

/** The action families a playbook calls, for its IAM (always includes context and notify). */
export function familiesOf(playbook: Playbook): ActionFamily[] {
  const families = new Set<ActionFamily>(['context', 'notify']);
  const visit = (nodes: FlowNodes): void => {
    for (const node of nodes) {
      if (node.kind === 'task') {
        families.add(node.action.family);
        for (const c of node.catch) visit(c.flow);
      } else if (node.kind === 'approve') {
        families.add('approve');
        if (node.onDeny !== undefined) visit(node.onDeny);
      } else if (node.kind === 'choice') {
        for (const b of node.branches) visit(b.flow);
        if (node.otherwise !== undefined) visit(node.otherwise);
      } else if (node.kind === 'parallel') {
        for (const b of node.branches) visit(b);
      }
    }
  };
  visit(playbook.nodes);
  return [...families].sort();
}

function executionFacts(playbook: Playbook, options: { beforeContext: boolean }): Record<string, unknown> {
  return {
    'incidentId.$': '$.incidentId',
    'alertId.$': '$.alertId',
    'mode.$': '$.mode',
    ...(options.beforeContext
      ? { sample: false }
      : { 'sample.$': '$.alert.sample', 'account.$': '$.incident.account', 'region.$': '$.incident.region' }),
    playbookId: playbook.id,
    playbookVersion: playbook.version,
    'executionId.$': '$$.Execution.Id',
  };
}

function actionTask(
  playbook: Playbook,
  family: ActionFamily,
  action: string,
  input: Readonly<Record<string, unknown>>,
): AslTaskState {
  return {
    Type: 'Task',
    Resource: LAMBDA_INVOKE,
    Parameters: {
      FunctionName: `\${${functionPlaceholder(family)}}`,
      Payload: { action, input, execution: executionFacts(playbook, { beforeContext: false }) },
    },
    TimeoutSeconds: 60,
    Retry: [TRANSIENT_RETRY],
  };
}

function contextTask(
  playbook: Playbook,
  action: string,
  input: Readonly<Record<string, unknown>>,
  end: { End?: true },
): AslTaskState {
  return { ...actionTask(playbook, 'context', action, input), ResultPath: null, ...end };
}

/** Literal values as they are; `{ kind: 'ref', path }` as `"key.$": "$.path"`. */
function parameters(input: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (isRef(value)) out[`${key}.$`] = `$.${value.path}`;
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      out[key] = parameters(value as Record<string, unknown>);
    } else out[key] = value;
  }
  return out;
}

function isRef(value: unknown): value is { kind: 'ref'; path: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'ref' &&
    typeof (value as { path?: unknown }).path === 'string'
  );
}

function rule(condition: Condition): AslChoiceRule {
  switch (condition.op) {
    case 'eq': {
      const Variable = `$.${condition.path}`;
      if (typeof condition.value === 'string') return { Variable, StringEquals: condition.value };
      if (typeof condition.value === 'number') return { Variable, NumericEquals: condition.value };
      return { Variable, BooleanEquals: condition.value };
    }
    case 'gt':
      return { Variable: `$.${condition.path}`, NumericGreaterThan: condition.value };
    case 'gte':
      return { Variable: `$.${condition.path}`, NumericGreaterThanEquals: condition.value };
    case 'lt':
      return { Variable: `$.${condition.path}`, NumericLessThan: condition.value };
    case 'lte':
      return { Variable: `$.${condition.path}`, NumericLessThanEquals: condition.value };
    case 'matches':
      return { Variable: `$.${condition.path}`, StringMatches: condition.value };
    case 'present':
      return { Variable: `$.${condition.path}`, IsPresent: condition.value };
    case 'and':
      return { And: condition.conditions.map(rule) };
    case 'or':
      return { Or: condition.conditions.map(rule) };
    case 'not':
      return { Not: rule(condition.condition) };
  }
}

/**
 * Comparisons on a path that is absent fail the execution in Step Functions; guard each with
 * IsPresent so a missing enrichment field makes the condition false instead.
 */
function guarded(condition: Condition): AslChoiceRule {
  const compiled = rule(condition);
  if ('Variable' in compiled && !('IsPresent' in compiled)) {
    return { And: [{ Variable: compiled.Variable, IsPresent: true }, compiled] };
  }
  if (condition.op === 'and') return { And: condition.conditions.map(guarded) };
  if (condition.op === 'or') return { Or: condition.conditions.map(guarded) };
  if (condition.op === 'not') return { Not: guarded(condition.condition) };
  return compiled;
}

class Compiler {
  public readonly names = new Set<string>();
  private readonly states: Record<string, AslState>[] = [];
  /** The playbook's own state names: generated names (`Done 2`...) never take one of them. */
  private readonly authored = new Set<string>();

  public constructor(private readonly playbook: Playbook) {
    const visit = (nodes: FlowNodes): void => {
      for (const node of nodes) {
        this.authored.add(node.name);
        if (node.kind === 'task') for (const c of node.catch) visit(c.flow);
        if (node.kind === 'approve' && node.onDeny !== undefined) visit(node.onDeny);
        if (node.kind === 'choice') {
          for (const b of node.branches) visit(b.flow);
          if (node.otherwise !== undefined) visit(node.otherwise);
        }
        if (node.kind === 'parallel') for (const b of node.branches) visit(b);
      }
    };
    visit(playbook.nodes);
  }

  /** Compiles a sequence into a standalone `{ StartAt, States }`, continuing to `next` (or ending). */
  public sequence(nodes: FlowNodes, next: string | undefined): AslStateMachine {
    const states: Record<string, AslState> = {};
    this.states.push(states);
    const start = this.emit(nodes, next, states);
    this.states.pop();
    return { StartAt: start, States: states };
  }

  /** Emits `nodes` into `states`, returning the first state's name. */
  private emit(nodes: FlowNodes, next: string | undefined, states: Record<string, AslState>): string {
    if (nodes.length === 0) {
      if (next !== undefined) return next;
      const name = this.unique('Done');
      states[name] = { Type: 'Succeed' };
      return name;
    }
    for (let i = nodes.length - 1; i >= 0; i -= 1) {
      const node = nodes[i] as FlowNode;
      next = this.node(node, next, states);
    }
    return next as string;
  }

  private unique(base: string): string {
    let name = base;
    let n = 2;
    while (this.names.has(name) || this.authored.has(name)) {
      name = `${base} ${n}`;
      n += 1;
    }
    this.names.add(name);
    return name;
  }

  private claim(name: string): string {
    if (this.names.has(name))
      throw new InvalidPlaybookError(`playbook ${this.playbook.id}: state name "${name}" is used twice`);
    this.names.add(name);
    return name;
  }

  private flowTo(next: string | undefined): { Next: string } | { End: true } {
    return next === undefined ? { End: true } : { Next: next };
  }

  private node(node: FlowNode, next: string | undefined, states: Record<string, AslState>): string {
    const name = this.claim(node.name);
    switch (node.kind) {
      case 'task': {
        const catchers: AslCatcher[] = node.catch.map((c) => ({
          ErrorEquals: [...c.errors],
          ResultPath: `$.errors.${node.id}`,
          Next: this.emit(c.flow, next, states),
        }));
        const retries: AslRetrier[] = node.retry.map((r) => ({
          ErrorEquals: [...r.errors],
          MaxAttempts: r.maxAttempts ?? 3,
          IntervalSeconds: r.intervalSeconds ?? 2,
          BackoffRate: r.backoffRate ?? 2,
          MaxDelaySeconds: r.maxDelaySeconds ?? 60,
          JitterStrategy: 'FULL',
        }));
        // States.ALL after States.TaskFailed: it must be the very last retrier.
        const catchAllRetries = [
          ...retries.filter((r) => catchAll(r) && !r.ErrorEquals.includes('States.ALL')),
          ...retries.filter((r) => r.ErrorEquals.includes('States.ALL')),
        ];
        states[name] = {
          ...actionTask(this.playbook, node.action.family, node.action.id, parameters(node.input)),
          ResultSelector: RESULT_SELECTOR,
          ResultPath: `$.steps.${node.id}`,
          TimeoutSeconds: node.timeoutSeconds,
          // States.ALL must be the last retrier: the playbook's own retries first, then the
          // transient-error retry, then any catch-all retry of the playbook, behind the
          // zero-attempt retrier that keeps it off the errors retrying cannot fix.
          Retry: [
            ...retries.filter((r) => !catchAll(r)),
            TRANSIENT_RETRY,
            ...(catchAllRetries.length > 0 ? [NEVER_RETRY, ...catchAllRetries] : []),
          ],
          ...(catchers.length > 0 ? { Catch: catchers } : {}),
          ...this.flowTo(next),
        };
        return name;
      }
      case 'notify': {
        states[name] = {
          ...actionTask(this.playbook, 'notify', 'notify', {
            ...node.message,
            'alert.$': '$.alert',
            'incident.$': '$.incident',
            'steps.$': '$.steps',
            'errors.$': '$.errors',
          }),
          ResultSelector: RESULT_SELECTOR,
          ResultPath: `$.steps.${node.id}`,
          ...this.flowTo(next),
        };
        return name;
      }
      case 'approve': {
        const denied =
          node.onDeny !== undefined
            ? this.emit(node.onDeny, undefined, states)
            : this.emit(
                [
                  {
                    kind: 'notify',
                    id: `${node.id}Denied`,
                    name: `${node.name}: denied`,
                    message: {
                      subject: `${this.playbook.title}: approval denied or expired, nothing contained`,
                      summary: node.message,
                    },
                  },
                  { kind: 'succeed', id: `${node.id}Stop`, name: `${node.name}: stop` },
                ],
                undefined,
                states,
              );
        // A dry-run execution asks no human: it records the approval as granted and goes on,
        // so the calls the rest of the playbook would make are still listed.
        const waitName = this.claim(`${node.name}: request`);
        const skipName = this.claim(`${node.name}: dry-run`);
        states[name] = {
          Type: 'Choice',
          Choices: [{ Variable: '$.mode', StringEquals: 'dry-run', Next: skipName }],
          Default: waitName,
        };
        states[skipName] = {
          Type: 'Pass',
          Result: {
            action: 'request-approval',
            target: 'approval',
            dryRun: true,
            output: { approved: true, approver: 'dry-run', decidedAt: '' },
          },
          ResultPath: `$.steps.${node.id}`,
          ...this.flowTo(next),
        };
        states[waitName] = {
          Type: 'Task',
          Resource: LAMBDA_INVOKE_WAIT,
          Parameters: {
            FunctionName: `\${${functionPlaceholder('approve')}}`,
            Payload: {
              action: 'request-approval',
              input: {
                'taskToken.$': '$$.Task.Token',
                message: node.message,
                timeoutSeconds: node.timeoutSeconds,
                purpose: node.purpose,
                'alert.$': '$.alert',
                'incident.$': '$.incident',
                'steps.$': '$.steps',
              },
              execution: executionFacts(this.playbook, { beforeContext: false }),
            },
          },
          ResultSelector: { action: 'request-approval', target: 'approval', dryRun: false, 'output.$': '$' },
          ResultPath: `$.steps.${node.id}`,
          TimeoutSeconds: node.timeoutSeconds,
          Catch: [
            { ErrorEquals: ['ApprovalDenied'], ResultPath: `$.errors.${node.id}`, Next: denied },
            {
              ErrorEquals: ['States.Timeout'],
              ResultPath: `$.errors.${node.id}`,
              Next: node.onTimeout === 'approve' ? (next ?? this.emit([], undefined, states)) : denied,
            },
          ],
          ...this.flowTo(next),
        };
        return name;
      }
      case 'choice': {
        const fallthrough = next ?? this.emit([], undefined, states);
        const choices = node.branches.map((branch) => ({
          ...guarded(branch.condition),
          Next: this.emit(branch.flow, fallthrough, states),
        }));
        states[name] = {
          Type: 'Choice',
          Choices: choices,
          Default:
            node.otherwise === undefined ? fallthrough : this.emit(node.otherwise, fallthrough, states),
        };
        return name;
      }
      case 'parallel': {
        states[name] = {
          Type: 'Parallel',
          Branches: node.branches.map((branch) => this.sequence(branch, undefined)),
          ResultPath: null,
          ...this.flowTo(next),
        };
        return name;
      }
      case 'wait':
        states[name] = { Type: 'Wait', Seconds: node.seconds, ...this.flowTo(next) };
        return name;
      case 'succeed':
        states[name] = { Type: 'Succeed' };
        return name;
      case 'fail':
        states[name] = { Type: 'Fail', Error: node.error, Cause: node.cause };
        return name;
    }
  }
}

import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ExecutionError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import { recordStep } from '#core/actions/context.ts';
import { type RunnerDeps, runAction } from '#core/actions/runner.ts';
import { safetyKeys } from '#core/actions/safety.ts';
import type { ActionFamily, ActionRequest, ActionResponse } from '#core/actions/types.ts';
import { ACTION_FAMILIES } from '#core/actions/types.ts';
import type { ExecutionInput } from '#core/intake/dispatch.ts';
import type { AslState, AslStateMachine } from '#core/playbooks/asl.ts';
import { compilePlaybook, functionPlaceholder, LAMBDA_INVOKE_WAIT } from '#core/playbooks/compile.ts';
import type { Playbook } from '#core/playbooks/sdk.ts';
import type { ApprovalGrant, ApprovalWaitRequest } from './approvals.ts';

/**
 * Runs a playbook's compiled state machine locally, in-process, with aws-local-stepfunctions:
 * the same definition CDK deploys (placeholders filled with local function ARNs), each Lambda
 * task answered by the action runner, and approvals answered by the caller.
 */

/** How a local approval is decided. */
export type ApprovalDecider = (request: {
  readonly playbook: string;
  readonly message: string;
}) => Promise<boolean>;

export interface LocalActionRecord {
  readonly action: string;
  readonly target: string;
  readonly dryRun: boolean;
  readonly state: string;
  readonly calls: readonly { readonly api: string; readonly params: Readonly<Record<string, unknown>> }[];
  readonly error?: string;
}

export interface LocalExecutionResult {
  readonly playbook: string;
  readonly incidentId: string;
  readonly version: string;
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  /** State names in the order they were entered. */
  readonly path: readonly string[];
  readonly actions: readonly LocalActionRecord[];
  readonly error?: string;
  readonly cause?: string;
  /** Errors raised by steps (caught or not), with the state they came from. */
  readonly stepErrors?: readonly string[];
  readonly ms: number;
}

export interface LocalEngineOptions {
  /** The action runner's dependencies (store, world, rails...), shared by every task. */
  readonly runner: Omit<RunnerDeps, 'family' | 'onResponse'>;
  readonly approve: ApprovalDecider;
  /**
   * Makes approval states wait for a person, as deployed (`riposte serve`): the request is stored
   * pending and the task ends when it is decided or times out. Without it, `approve` answers at once.
   */
  readonly waitForApproval?: (request: ApprovalWaitRequest) => Promise<ApprovalGrant>;
  /** Called as states are entered and actions complete, for a live timeline. */
  readonly onEvent?: (event: LocalEngineEvent) => void;
}

export type LocalEngineEvent =
  | { readonly type: 'state'; readonly playbook: string; readonly state: string }
  | { readonly type: 'action'; readonly playbook: string; readonly record: LocalActionRecord }
  | { readonly type: 'approval-requested'; readonly playbook: string; readonly message: string }
  | { readonly type: 'approval'; readonly playbook: string; readonly approved: boolean }
  | { readonly type: 'waiting'; readonly playbook: string; readonly state: string };

/**
 * Lets the event-log reader catch up before a task reports anything, so the states entered
 * before the task are told before what the task does (events in the order they happen).
 */
const logCaughtUp = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Local function ARNs standing in for the action functions. */
export function localFunctionArn(family: ActionFamily): string {
  return `arn:aws:lambda:us-east-1:000000000000:function:riposte-local-${family}`;
}

/** The compiled definition with its placeholders filled for the local engine. */
export function localDefinition(playbook: Playbook): AslStateMachine {
  let json = JSON.stringify(compilePlaybook(playbook));
  for (const family of ACTION_FAMILIES) {
    json = json.replaceAll(`\${${functionPlaceholder(family)}}`, localFunctionArn(family));
  }
  return JSON.parse(json) as AslStateMachine;
}

function taskStates(machine: AslStateMachine): Map<string, AslState> {
  const out = new Map<string, AslState>();
  const visit = (m: AslStateMachine): void => {
    for (const [name, state] of Object.entries(m.States)) {
      if (state.Type === 'Task') out.set(name, state);
      if (state.Type === 'Parallel') for (const branch of state.Branches) visit(branch);
    }
  };
  visit(machine);
  return out;
}

function allStates(machine: AslStateMachine): string[] {
  const out: string[] = [];
  const visit = (m: AslStateMachine): void => {
    for (const [name, state] of Object.entries(m.States)) {
      out.push(name);
      if (state.Type === 'Parallel') for (const branch of state.Branches) visit(branch);
    }
  };
  visit(machine);
  return out;
}

/** Definitions (as JSON) that passed validation in this process. */
const VALIDATED = new Set<string>();

/** Rebuilds an error so Step Functions-style `Catch` matches on its name. */
function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * Runs one execution of `playbook` for `input` and reports its path and actions.
 *
 * @example
 * const result = await runPlaybookLocally(playbook, input, { runner, approve: async () => true });
 * result.actions.flatMap((a) => a.calls.map((c) => c.api)) // ['DescribeInstances', …]
 */
export async function runPlaybookLocally(
  playbook: Playbook,
  input: ExecutionInput,
  options: LocalEngineOptions,
): Promise<LocalExecutionResult> {
  const started = performance.now();
  const definition = localDefinition(playbook);
  // Validating compiles asl-validator's JSON schema (hundreds of ms), for the machine and again
  // for each Parallel branch it runs: validate a definition once per process, then trust it.
  const text = JSON.stringify(definition);
  const machine = new StateMachine(definition as never, {
    validationOptions: VALIDATED.has(text) ? { noValidate: true } : { checkPaths: true, checkArn: true },
  });
  VALIDATED.add(text);
  const actions: LocalActionRecord[] = [];
  const failures: { state: string; message: string }[] = [];
  const handlers: Record<string, (payload: unknown) => Promise<unknown>> = {};
  for (const [name, state] of taskStates(definition)) {
    if (state.Type !== 'Task') continue;
    if (state.Resource === LAMBDA_INVOKE_WAIT) {
      const waitForApproval = options.waitForApproval;
      if (waitForApproval !== undefined) {
        const stateName = name;
        handlers[name] = async (payload) => {
          await logCaughtUp();
          options.onEvent?.({ type: 'waiting', playbook: playbook.id, state: stateName });
          try {
            const scope = approvalScope(payload);
            const grant = await waitForApproval({
              incidentId: input.incidentId,
              executionId: scope.executionId ?? executionArn(playbook, input),
              ...(scope.purpose === undefined ? {} : { purpose: scope.purpose }),
              playbookId: playbook.id,
              playbookVersion: playbook.version,
              message: extractMessage(payload),
              timeoutSeconds: extractTimeout(payload) ?? state.TimeoutSeconds ?? 3_600,
            });
            options.onEvent?.({ type: 'approval', playbook: playbook.id, approved: true });
            return grant;
          } catch (error) {
            if (error instanceof Error && error.name === 'ApprovalDenied')
              options.onEvent?.({ type: 'approval', playbook: playbook.id, approved: false });
            throw error;
          }
        };
        continue;
      }
      handlers[name] = async (payload) => {
        const message = extractMessage(payload);
        await logCaughtUp();
        options.onEvent?.({ type: 'approval-requested', playbook: playbook.id, message });
        await recordStep(options.runner.store, input, { kind: 'approval-requested' });
        const approved = await options.approve({ playbook: playbook.id, message });
        options.onEvent?.({ type: 'approval', playbook: playbook.id, approved });
        // Recorded as the approval endpoint records it, so the safety rails see the decision.
        const { db, tableName, now } = options.runner.store;
        const decidedAt = new Date(now()).toISOString();
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...safetyKeys.approval(input.incidentId),
              incidentId: input.incidentId,
              ...approvalScope(payload),
              status: approved ? 'approved' : 'denied',
              taskTokenHash: 'local',
              message,
              requestedAt: now(),
              deadline: now(),
              decidedAt,
              approver: 'local operator',
            },
          }),
        );
        if (!approved) throw namedError('ApprovalDenied', 'the approver denied the request');
        return { approved: true, approver: 'local operator', decidedAt };
      };
      continue;
    }
    const stateName = name;
    handlers[name] = async (payload) => {
      const request = (payload as { Payload?: unknown }).Payload;
      await logCaughtUp();
      try {
        const response = await runAction(request, {
          ...options.runner,
          family: 'all',
          onResponse: (req: ActionRequest, res: ActionResponse) => {
            const output = res.output as { error?: string } | undefined;
            const record: LocalActionRecord = {
              action: res.action,
              target: res.target,
              dryRun: res.dryRun,
              state: name,
              calls: res.calls.map((c) => ({ api: c.api, params: c.params })),
              ...(typeof output?.error === 'string' ? { error: output.error } : {}),
            };
            if (req.action !== 'load-context' && req.action !== 'record-outcome') {
              actions.push(record);
              options.onEvent?.({ type: 'action', playbook: playbook.id, record });
            }
          },
        });
        return { Payload: response, StatusCode: 200 };
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        const message = error instanceof Error ? error.message : String(error);
        failures.push({ state: stateName, message: `${name} in "${stateName}": ${message}` });
        throw namedError(name, message);
      }
    };
  }
  const instant = Object.fromEntries(allStates(definition).map((name) => [name, 0]));
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      waitTimeOverrides: instant,
      retryIntervalOverrides: instant,
    },
    context: {
      Execution: {
        Id: executionArn(playbook, input),
        Input: input as never,
        StartTime: new Date().toISOString(),
        Name: input.incidentId,
        RoleArn: 'arn:aws:iam::000000000000:role/riposte-local',
      },
      Task: { Token: `local-${input.incidentId}` },
    } as never,
  });
  const path: string[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') {
        path.push(event.state.name);
        options.onEvent?.({ type: 'state', playbook: playbook.id, state: event.state.name });
      }
    }
  })();
  let status: LocalExecutionResult['status'] = 'SUCCEEDED';
  let error: string | undefined;
  let cause: string | undefined;
  try {
    await execution.result;
  } catch (failure) {
    if (failure instanceof ExecutionTimeoutError) {
      status = 'TIMED_OUT';
      error = 'States.Timeout';
    } else if (failure instanceof ExecutionError) {
      status = 'FAILED';
      const inner = (failure as { cause?: unknown }).cause;
      error = inner instanceof Error ? inner.name : failure.name;
      cause = inner instanceof Error ? inner.message : failure.message;
    } else {
      throw failure;
    }
  }
  await collecting;
  return {
    playbook: playbook.id,
    incidentId: input.incidentId,
    version: playbook.version,
    status,
    path,
    actions,
    ...(error === undefined ? {} : { error }),
    ...(cause === undefined ? {} : { cause }),
    ...(failures.length === 0 ? {} : { stepErrors: failures.map((f) => f.message) }),
    ms: Math.round(performance.now() - started),
  };
}

/** The local execution's id, shaped as a Step Functions execution ARN. */
function executionArn(playbook: Playbook, input: ExecutionInput): string {
  return `arn:aws:states:local:000000000000:execution:${playbook.id}:${input.incidentId}`;
}

function extractTimeout(payload: unknown): number | undefined {
  const input = (payload as { Payload?: { input?: { timeoutSeconds?: unknown } } }).Payload?.input;
  return typeof input?.timeoutSeconds === 'number' ? input.timeoutSeconds : undefined;
}

function extractMessage(payload: unknown): string {
  const input = (payload as { Payload?: { input?: { message?: unknown } } }).Payload?.input;
  return typeof input?.message === 'string' ? input.message : 'approval requested';
}

/** The purpose and execution of an approval request: the approval item scopes the decision to them. */
function approvalScope(payload: unknown): { purpose?: string; executionId?: string } {
  const request = (
    payload as { Payload?: { input?: { purpose?: unknown }; execution?: { executionId?: unknown } } }
  ).Payload;
  const purpose = request?.input?.purpose;
  const executionId = request?.execution?.executionId;
  return {
    ...(typeof purpose === 'string' ? { purpose } : {}),
    ...(typeof executionId === 'string' ? { executionId } : {}),
  };
}

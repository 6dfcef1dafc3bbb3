import type { StartRequest } from '#core/intake/dispatch.ts';
import type { Playbook } from '#core/playbooks/sdk.ts';
import {
  type LocalActionRecord,
  type LocalEngineEvent,
  type LocalExecutionResult,
  runPlaybookLocally,
} from '../local/engine.ts';
import { type LocalResponseOptions, localRunnerDeps } from '../local/response.ts';

/**
 * The executions `riposte serve` runs, as they run: the states entered (the path the console
 * highlights on the graph), the state waiting for a person, the actions and the outcome. A
 * deployed execution's history lives in Step Functions; a local one lives here, for the life of
 * the server.
 */

export type TrackedStatus = 'RUNNING' | 'WAITING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';

export interface TrackedExecution {
  readonly id: string;
  readonly incidentId: string;
  readonly playbook: string;
  readonly version: string;
  status: TrackedStatus;
  readonly path: string[];
  waitingState?: string;
  readonly actions: LocalActionRecord[];
  readonly startedAt: number;
  endedAt?: number;
  error?: string;
  cause?: string;
}

/** What {@link ExecutionTracker.start} hands back. */
export interface StartedExecutions {
  /** Resolves when every execution has ended or one waits for a person: `waiting` then. */
  readonly ready: Promise<'done' | 'waiting'>;
  /** Resolves when every execution has ended. */
  readonly done: Promise<LocalExecutionResult[]>;
}

/**
 * @example
 * const tracker = new ExecutionTracker((incidentId) => feed.bump(incidentId));
 * const run = tracker.start(requests, playbooks, responseOptions);
 * if ((await run.ready) === 'waiting') log('waiting for approval');
 */
export class ExecutionTracker {
  private readonly executions: TrackedExecution[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private readonly onChange: (incidentId: string) => void;

  public constructor(onChange: (incidentId: string) => void = () => undefined) {
    this.onChange = onChange;
  }

  /** The executions of an incident, oldest first. */
  public forIncident(incidentId: string): readonly TrackedExecution[] {
    return this.executions.filter((e) => e.incidentId === incidentId);
  }

  /** Runs the dispatched executions in order, one after the other, tracking each. */
  public start(
    requests: readonly StartRequest[],
    playbooks: readonly Playbook[],
    options: LocalResponseOptions,
  ): StartedExecutions {
    let signalReady: (value: 'done' | 'waiting') => void = () => undefined;
    const ready = new Promise<'done' | 'waiting'>((resolve) => {
      signalReady = resolve;
    });
    const runner = localRunnerDeps(options);
    const done = (async () => {
      const results: LocalExecutionResult[] = [];
      for (const request of requests) {
        const playbook = playbooks.find((p) => p.id === request.route.id);
        if (playbook === undefined) continue;
        results.push(await this.runOne(playbook, request, options, runner, () => signalReady('waiting')));
      }
      return results;
    })();
    const settled = done.finally(() => {
      this.running.delete(settled);
      signalReady('done');
    });
    this.running.add(settled);
    return { ready, done };
  }

  /** Resolves when no execution runs. */
  public async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async runOne(
    playbook: Playbook,
    request: StartRequest,
    options: LocalResponseOptions,
    runner: ReturnType<typeof localRunnerDeps>,
    onWaiting: () => void,
  ): Promise<LocalExecutionResult> {
    const incidentId = request.input.incidentId;
    const tracked: TrackedExecution = {
      id: `${playbook.id}:${incidentId}:${this.executions.length + 1}`,
      incidentId,
      playbook: playbook.id,
      version: playbook.version,
      status: 'RUNNING',
      path: [],
      actions: [],
      startedAt: Date.now(),
    };
    this.executions.push(tracked);
    this.onChange(incidentId);
    const onEvent = (event: LocalEngineEvent): void => {
      if (event.type === 'state') {
        // State entries are reported a little after the fact: the wait ends in waitForApproval.
        tracked.path.push(event.state);
      } else if (event.type === 'action') {
        tracked.actions.push(event.record);
      } else if (event.type === 'waiting') {
        tracked.status = 'WAITING';
        tracked.waitingState = event.state;
        onWaiting();
      }
      options.onEvent?.(event);
      this.onChange(incidentId);
    };
    const wait = options.waitForApproval;
    try {
      const result = await runPlaybookLocally(playbook, request.input, {
        runner,
        approve: options.approve,
        ...(wait === undefined
          ? {}
          : {
              waitForApproval: async (approval) => {
                try {
                  return await wait(approval);
                } finally {
                  tracked.status = 'RUNNING';
                  tracked.waitingState = undefined;
                  this.onChange(incidentId);
                }
              },
            }),
        onEvent,
      });
      tracked.status = result.status;
      if (result.error !== undefined) tracked.error = result.error;
      if (result.cause !== undefined) tracked.cause = result.cause;
      return result;
    } catch (error) {
      tracked.status = 'FAILED';
      tracked.error = error instanceof Error ? error.name : 'Error';
      tracked.cause = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      tracked.waitingState = undefined;
      tracked.endedAt = Date.now();
      this.onChange(incidentId);
    }
  }
}

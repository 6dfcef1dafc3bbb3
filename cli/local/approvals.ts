import { randomBytes } from 'node:crypto';
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type ApprovalDecisionResult, decideApproval } from '#core/actions/approval/decide.ts';
import {
  type ApprovalDecision,
  signApprovalToken,
  taskTokenHash,
  verifyApprovalToken,
} from '#core/actions/approval/token.ts';
import { InvalidApprovalTokenError } from '#core/actions/errors.ts';
import { safetyKeys } from '#core/actions/safety.ts';
import { buildUpdate, condition, Placeholders } from '#core/store/expression.ts';

/**
 * Approvals that wait, locally, as they do in AWS.
 *
 * A deployed playbook's approval state is a `waitForTaskToken` task: Step Functions hands the
 * `request-approval` function a task token, the function stores the pending approval item (only
 * the token's hash) and sends signed, expiring approve and deny links; the execution waits until
 * `SendTaskSuccess`/`SendTaskFailure` names that token, or the state's `TimeoutSeconds` passes.
 *
 * The gate plays both sides for the local engine under `riposte serve`: it issues a random task
 * token per request, writes the same pending item, signs the same two tokens with a key that
 * lives only in this process, and answers `SendTaskSuccess`/`SendTaskFailure` for its tokens
 * (the {@link LocalApprovalGate.sfn} client). Deciding goes through the deployed code path:
 * {@link verifyApprovalToken} (signature, expiry), then {@link decideApproval} (conditional
 * write: the first decision wins, a second one is refused), then the send. At the deadline the
 * item becomes `expired` and the waiting task fails with `States.Timeout`, so no execution waits
 * forever; closing the gate expires every waiting request the same way.
 */

/** What the engine gives the gate when an execution reaches its approval state. */
export interface ApprovalWaitRequest {
  readonly incidentId: string;
  readonly executionId: string;
  readonly playbookId: string;
  readonly playbookVersion: string;
  /** Which rail the approval lifts (production, blast-radius, containment), recorded as deployed. */
  readonly purpose?: string;
  readonly message: string;
  /** The approval state's timeout (the links' validity). */
  readonly timeoutSeconds: number;
}

/** What a granted approval returns to the execution (as `SendTaskSuccess` output does). */
export interface ApprovalGrant {
  readonly approved: true;
  readonly approver: string;
  readonly decidedAt: string;
}

/** A request waiting for a person, as the console shows it. */
export interface WaitingApproval {
  readonly incidentId: string;
  readonly executionId: string;
  readonly playbookId: string;
  readonly message: string;
  readonly requestedAt: number;
  readonly deadline: number;
}

/** The outcome of {@link LocalApprovalGate.decide}: the deployed outcomes, or nothing waiting. */
export type LocalDecisionResult =
  | ApprovalDecisionResult
  | { readonly outcome: 'nothing-waiting' }
  | { readonly outcome: 'expired'; readonly reason: string };

interface Waiter extends WaitingApproval {
  readonly taskToken: string;
  readonly tokens: Readonly<Record<ApprovalDecision, string>>;
  readonly resolve: (grant: ApprovalGrant) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** An error carrying a Step Functions error name (what `Catch` and `TASK_GONE` match on). */
function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export interface LocalApprovalGateOptions {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  /** @default Date.now */
  readonly now?: () => number;
  /** Told when a request starts or ends waiting (the console's live updates). */
  readonly onChange?: (incidentId: string) => void;
}

/**
 * @example
 * const gate = new LocalApprovalGate({ db, tableName });
 * // engine: await gate.wait({ incidentId, executionId, playbookId, playbookVersion, message, timeoutSeconds: 3600 });
 * // operator: await gate.decide(incidentId, 'approve', 'alice');
 */
export class LocalApprovalGate {
  /** Signs this process's approval tokens; never leaves memory. */
  private readonly key = randomBytes(32);
  private readonly byToken = new Map<string, Waiter>();
  private readonly byIncident = new Map<string, Waiter>();
  private readonly options: LocalApprovalGateOptions;
  private readonly now: () => number;
  private closed = false;

  public constructor(options: LocalApprovalGateOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** The Step Functions task-token calls, answered for this gate's tokens. */
  public readonly sfn = {
    send: async (command: unknown): Promise<Record<string, never>> => {
      if (command instanceof SendTaskSuccessCommand || command instanceof SendTaskFailureCommand) {
        const waiter = this.byToken.get(command.input.taskToken ?? '');
        if (waiter === undefined) throw namedError('TaskDoesNotExist', 'the task no longer waits');
        this.forget(waiter);
        if (command instanceof SendTaskSuccessCommand) {
          waiter.resolve(JSON.parse(command.input.output ?? '{}') as ApprovalGrant);
        } else {
          waiter.reject(namedError(command.input.error ?? 'States.TaskFailed', command.input.cause ?? ''));
        }
        return {};
      }
      throw new Error('the local task-token service answers SendTaskSuccess and SendTaskFailure only');
    },
  } as unknown as SFNClient;

  /** The requests waiting now, oldest first. */
  public waiting(): WaitingApproval[] {
    return [...this.byIncident.values()]
      .map(({ incidentId, executionId, playbookId, message, requestedAt, deadline }) => ({
        incidentId,
        executionId,
        playbookId,
        message,
        requestedAt,
        deadline,
      }))
      .sort((a, b) => a.requestedAt - b.requestedAt);
  }

  /**
   * Stores the pending approval and waits for a decision: resolves with the grant, rejects with
   * `ApprovalDenied` or, at the deadline, `States.Timeout` (the item is then `expired`).
   */
  public async wait(request: ApprovalWaitRequest): Promise<ApprovalGrant> {
    const requestedAt = this.now();
    const deadline = requestedAt + request.timeoutSeconds * 1_000;
    const taskToken = randomBytes(32).toString('base64url');
    const signed = (decision: ApprovalDecision) =>
      signApprovalToken(
        {
          incidentId: request.incidentId,
          executionId: request.executionId,
          taskToken,
          decision,
          expiresAt: deadline,
        },
        this.key,
      );
    // A newer request of the same incident replaces the older one, as the pending item does.
    const earlier = this.byIncident.get(request.incidentId);
    if (earlier !== undefined) {
      this.forget(earlier);
      earlier.reject(namedError('States.Timeout', 'replaced by a newer approval request'));
    }
    await this.options.db.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: {
          ...safetyKeys.approval(request.incidentId),
          incidentId: request.incidentId,
          status: 'pending',
          taskTokenHash: taskTokenHash(taskToken),
          executionId: request.executionId,
          ...(request.purpose === undefined ? {} : { purpose: request.purpose }),
          playbookId: request.playbookId,
          playbookVersion: request.playbookVersion,
          message: request.message,
          requestedAt,
          deadline,
          expiresAt: Math.ceil(deadline / 1_000),
        },
      }),
    );
    if (this.closed) {
      await this.markExpired(request.incidentId, taskToken);
      throw namedError('States.Timeout', 'riposte serve stopped');
    }
    return new Promise<ApprovalGrant>((resolve, reject) => {
      const timer = setTimeout(() => {
        void this.expire(waiter, 'the approval timed out');
      }, deadline - requestedAt);
      const waiter: Waiter = {
        incidentId: request.incidentId,
        executionId: request.executionId,
        playbookId: request.playbookId,
        message: request.message,
        requestedAt,
        deadline,
        taskToken,
        tokens: { approve: signed('approve'), deny: signed('deny') },
        resolve,
        reject,
        timer,
      };
      this.byToken.set(taskToken, waiter);
      this.byIncident.set(request.incidentId, waiter);
      this.options.onChange?.(request.incidentId);
    });
  }

  /**
   * Decides the incident's waiting approval as the deployed approval endpoint does: verifies
   * the signed token of `decision` (signature and expiry), records the decision with a
   * conditional write (first decision wins), then sends it to the waiting execution.
   */
  public async decide(
    incidentId: string,
    decision: ApprovalDecision,
    approver: string,
  ): Promise<LocalDecisionResult> {
    const waiter = this.byIncident.get(incidentId);
    if (waiter === undefined) return { outcome: 'nothing-waiting' };
    let payload: ReturnType<typeof verifyApprovalToken>;
    try {
      payload = verifyApprovalToken(waiter.tokens[decision], this.key, this.now());
    } catch (error) {
      if (!(error instanceof InvalidApprovalTokenError)) throw error;
      await this.expire(waiter, error.message);
      return { outcome: 'expired', reason: error.message };
    }
    const result = await decideApproval(
      { db: this.options.db, tableName: this.options.tableName, sfn: this.sfn, now: this.now },
      {
        incidentId: payload.incidentId,
        executionId: payload.executionId,
        taskToken: payload.taskToken,
        decision: payload.decision,
        approver,
        deadline: waiter.deadline,
      },
    );
    this.options.onChange?.(incidentId);
    return result;
  }

  /** Expires every waiting request (serve is stopping): their executions take the timeout path. */
  public async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.byToken.values()].map((w) => this.expire(w, 'riposte serve stopped')));
  }

  private forget(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.byToken.delete(waiter.taskToken);
    if (this.byIncident.get(waiter.incidentId) === waiter) this.byIncident.delete(waiter.incidentId);
  }

  /** Marks the pending item expired (only this request's, only while pending) and fails the task. */
  private async expire(waiter: Waiter, reason: string): Promise<void> {
    if (this.byToken.get(waiter.taskToken) !== waiter) return;
    this.forget(waiter);
    await this.markExpired(waiter.incidentId, waiter.taskToken);
    waiter.reject(namedError('States.Timeout', reason));
    this.options.onChange?.(waiter.incidentId);
  }

  /** The pending item of this request becomes `expired` (only while pending, only this request's). */
  private async markExpired(incidentId: string, taskToken: string): Promise<void> {
    const p = new Placeholders();
    await this.options.db
      .send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: safetyKeys.approval(incidentId),
          ...buildUpdate({ set: { status: 'expired' } }, p),
          ConditionExpression: condition(
            '{status} = :{pending} AND {taskTokenHash} = :{hash}',
            { pending: 'pending', hash: taskTokenHash(taskToken) },
            p,
          ),
          ExpressionAttributeValues: p.values,
        }),
      )
      .catch(() => undefined);
  }
}

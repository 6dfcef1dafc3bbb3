import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { RiposteError } from '../../errors.ts';
import { declares } from '../../permissions.ts';

/**
 * What a decision whose task token Step Functions no longer accepts became. A retried decision
 * meets `TaskTimedOut` or `InvalidToken` when the first send was applied but its response was
 * lost (a timeout, a dropped connection): the execution's real state tells an applied decision
 * from a request that expired.
 */

/**
 * {@link settleFromExecution}: reads where the waiting execution stands once its task token is
 * refused. Step Functions authorizes `DescribeExecution` on the execution's ARN
 * (`arn:…:states:<region>:<account>:execution:<state machine name>:<execution name>`).
 */
export const EXECUTION_STATE_CALLS = declares({
  service: 'states',
  actions: ['states:DescribeExecution'],
  resource: 'playbook-executions',
  why: 'reads where the execution stands when a decision was sent but its answer was lost',
});

/** An execution ARN, the only kind {@link settleFromExecution} reads. */
export const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:\s]+:[^:\s]+$/;

/** The part of `DescribeExecution`'s answer the settlement reads. */
export const ExecutionStateSchema = z.object({
  status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']),
  stopDate: z.date().optional(),
  error: z.string().optional(),
});
export type ExecutionState = z.infer<typeof ExecutionStateSchema>;

/** The error a denial fails the waiting task with (`SendTaskFailure`). */
export const APPROVAL_DENIED_ERROR = 'ApprovalDenied';

/** A decision Step Functions no longer accepts the token of. */
export interface RefusedDecision {
  readonly decision: 'approve' | 'deny';
  /** Epoch ms of the decision. */
  readonly decidedAt: number;
  /** Epoch ms when the request (and its task) expired. */
  readonly deadline: number;
}

/**
 * `applied` when the execution moved past the approval on this decision, else `expired`:
 *
 * - a decision taken at or after the deadline, or after the execution stopped, never applied;
 * - an execution still running or succeeded went on, and only this decision could have moved it
 *   (the first decision wins on the approval item, and the task had not yet timed out);
 * - a failed execution applied a denial when it failed with `ApprovalDenied`; any other end
 *   (another error, a timeout, an abort) means the decision never reached it.
 *
 * @example
 * settlementOf({ status: 'RUNNING' }, { decision: 'approve', decidedAt: now, deadline: now + 60_000 }); // 'applied'
 */
export function settlementOf(execution: ExecutionState, refused: RefusedDecision): 'applied' | 'expired' {
  if (refused.decidedAt >= refused.deadline) return 'expired';
  if (execution.stopDate !== undefined && execution.stopDate.getTime() < refused.decidedAt) return 'expired';
  switch (execution.status) {
    case 'RUNNING':
    case 'SUCCEEDED':
      return 'applied';
    case 'FAILED':
      return refused.decision === 'deny' && execution.error === APPROVAL_DENIED_ERROR ? 'applied' : 'expired';
    default:
      return 'expired';
  }
}

/** Raised when the execution's state cannot be read: the decision is then settled as expired. */
export class ExecutionStateUnreadableError extends RiposteError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ExecutionStateUnreadableError';
  }
}

/**
 * Reads the execution `executionArn` (`DescribeExecution`) and settles a refused decision with
 * {@link settlementOf}. Throws {@link ExecutionStateUnreadableError} when the ARN is not an
 * execution's, the call fails or the answer is not an execution's state.
 *
 * @example
 * const settled = await settleFromExecution(sfn, item.executionId, { decision: 'approve', decidedAt, deadline });
 * if (settled === 'applied') console.log('the execution went on with this decision');
 */
export async function settleFromExecution(
  sfn: SFNClient,
  executionArn: string | undefined,
  refused: RefusedDecision,
): Promise<'applied' | 'expired'> {
  if (executionArn === undefined || !EXECUTION_ARN.test(executionArn)) {
    throw new ExecutionStateUnreadableError(`"${executionArn ?? ''}" is not an execution ARN`);
  }
  let answer: unknown;
  try {
    answer = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    const name = error instanceof Error ? error.name : 'unknown error';
    throw new ExecutionStateUnreadableError(`could not read ${executionArn}: ${name}`, { cause: error });
  }
  const parsed = ExecutionStateSchema.safeParse(answer);
  if (!parsed.success) {
    throw new ExecutionStateUnreadableError(
      `DescribeExecution answered no execution state for ${executionArn}`,
      {
        cause: parsed.error,
      },
    );
  }
  return settlementOf(parsed.data, refused);
}

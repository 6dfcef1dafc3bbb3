import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { buildUpdate, condition, Placeholders } from '../../store/expression.ts';
import { safetyKeys } from '../safety.ts';
import { APPROVAL_DENIED_ERROR, settleFromExecution } from './approval-settlement.ts';
import { type ApprovalDecision, type ApprovalItem, ApprovalItemSchema, taskTokenHash } from './token.ts';

/** Deciding an approval: the decision recorded once on the approval item, then the task response sent. */

/**
 * Reads the approval item of `incidentId` (consistent read); undefined when there is none or it
 * is not one Riposte wrote.
 *
 * @example
 * const item = await readApprovalItem(db, tableName, 'inc-3f2a');
 * if (item?.status === 'pending') console.log(item.deadline);
 */
export async function readApprovalItem(
  db: DynamoDBDocumentClient,
  tableName: string,
  incidentId: string,
): Promise<ApprovalItem | undefined> {
  const out = await db.send(
    new GetCommand({ TableName: tableName, Key: safetyKeys.approval(incidentId), ConsistentRead: true }),
  );
  if (out.Item === undefined) return undefined;
  const parsed = ApprovalItemSchema.safeParse(out.Item);
  return parsed.success ? parsed.data : undefined;
}

/** What {@link decideApproval} runs with. */
export interface ApprovalDecisionDeps {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly sfn: SFNClient;
  readonly now: () => number;
  /** Told when the approval item could not be settled after a failed send. */
  readonly log?: { error(message: string, attributes: Record<string, unknown>): void };
}

/** One decision on a waiting approval task. */
export interface ApprovalDecisionRequest {
  readonly incidentId: string;
  /** The waiting execution's ARN (for logs). */
  readonly executionId: string;
  /** The Step Functions task token of the waiting `request-approval` task. */
  readonly taskToken: string;
  readonly decision: ApprovalDecision;
  /** Who decides, recorded on the item and sent to the execution. */
  readonly approver: string;
  /** Epoch ms when the request expires: its TTL again when a failed send puts it back to pending. */
  readonly deadline: number;
}

/**
 * What became of a decision: `decided` (recorded and sent, or found applied by an earlier send
 * whose answer was lost), `not-pending` (decided before,
 * expired or replaced: nothing changed), `task-gone` (the execution no longer waits: the item is
 * now `expired`), `unreachable` (Step Functions refused or failed: the item is pending again).
 */
export type ApprovalDecisionResult =
  | { readonly outcome: 'decided'; readonly status: 'approved' | 'denied'; readonly decidedAt: string }
  | { readonly outcome: 'not-pending'; readonly item: ApprovalItem | undefined }
  | { readonly outcome: 'task-gone'; readonly decidedAt: string }
  | { readonly outcome: 'unreachable'; readonly error: unknown };

/** A decision as the approval item records it. */
export interface RecordedApprovalDecision {
  readonly incidentId: string;
  /** {@link taskTokenHash} of the task decided on: only its pending item moves. */
  readonly taskTokenHash: string;
  readonly status: 'approved' | 'denied';
  /** ISO-8601. */
  readonly decidedAt: string;
  readonly approver: string;
}

/**
 * Records a decision on the approval item with a conditional update: `pending` →
 * `approved`/`denied`, with the approver and the time, and the TTL removed so the decision stays
 * on record. Only a pending item of the task whose token hashes to `taskTokenHash` moves; false
 * when the item is not (decided before, expired, or replaced by a newer request).
 *
 * @example
 * const recorded = await recordApprovalDecision(db, tableName,
 *   { incidentId, taskTokenHash: item.taskTokenHash, status: 'approved', decidedAt, approver: 'alice' });
 */
export async function recordApprovalDecision(
  db: DynamoDBDocumentClient,
  tableName: string,
  decision: RecordedApprovalDecision,
): Promise<boolean> {
  return (await recordDecision(db, tableName, decision)) !== undefined;
}

/** {@link recordApprovalDecision}, answering the item as recorded (undefined when it did not move). */
export async function recordDecision(
  db: DynamoDBDocumentClient,
  tableName: string,
  decision: RecordedApprovalDecision,
): Promise<Record<string, unknown> | undefined> {
  const { status, decidedAt, approver } = decision;
  const p = new Placeholders();
  const update = buildUpdate({ set: { status, decidedAt, approver }, remove: ['expiresAt'] }, p);
  try {
    const out = await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: safetyKeys.approval(decision.incidentId),
        ...update,
        ConditionExpression: condition(
          '{status} = :{pending} AND {taskTokenHash} = :{hash}',
          { pending: 'pending', hash: decision.taskTokenHash },
          p,
        ),
        ExpressionAttributeValues: p.values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out?.Attributes ?? {};
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Step Functions errors meaning the task no longer waits for a decision. */
export const TASK_GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/**
 * Decides a pending approval: moves the approval item from `pending` to `approved`/`denied`
 * with a conditional update (only a pending item of this very task moves: the first decision
 * wins), then tells the waiting execution, `SendTaskSuccess` with
 * `{ approved: true, approver, decidedAt }` or `SendTaskFailure` with error `ApprovalDenied`.
 * When the send fails, the item is settled: back to `pending` after a transient failure, so the
 * decision can be taken again. When the task is gone (`TaskTimedOut`, `InvalidToken`...), an
 * earlier send of this decision may have been applied with its answer lost: the execution
 * recorded on the item is read (`DescribeExecution`, see `settleFromExecution`) and the decision
 * stays recorded when the execution went on with it, else the item becomes `expired` (also when
 * the execution cannot be read). The item is never left between the two.
 *
 * @example
 * const result = await decideApproval({ db, tableName, sfn, now: Date.now },
 *   { incidentId, executionId, taskToken, decision: 'approve', approver: 'alice', deadline });
 * if (result.outcome === 'decided') console.log(`${result.status} at ${result.decidedAt}`);
 */
export async function decideApproval(
  deps: ApprovalDecisionDeps,
  request: ApprovalDecisionRequest,
): Promise<ApprovalDecisionResult> {
  const key = safetyKeys.approval(request.incidentId);
  const status = request.decision === 'approve' ? 'approved' : 'denied';
  const decidedAt = new Date(deps.now()).toISOString();

  // 1. First decision wins: only a pending item of this very task moves.
  const recorded = await recordDecision(deps.db, deps.tableName, {
    incidentId: request.incidentId,
    taskTokenHash: taskTokenHash(request.taskToken),
    status,
    decidedAt,
    approver: request.approver,
  });
  if (recorded === undefined) {
    return {
      outcome: 'not-pending',
      item: await readApprovalItem(deps.db, deps.tableName, request.incidentId),
    };
  }

  // 2. Tell the waiting execution.
  try {
    if (request.decision === 'approve') {
      await deps.sfn.send(
        new SendTaskSuccessCommand({
          taskToken: request.taskToken,
          output: JSON.stringify({ approved: true, approver: request.approver, decidedAt }),
        }),
      );
    } else {
      await deps.sfn.send(
        new SendTaskFailureCommand({
          taskToken: request.taskToken,
          error: APPROVAL_DENIED_ERROR,
          cause: `denied by ${request.approver} at ${decidedAt}`,
        }),
      );
    }
  } catch (error) {
    const gone = error instanceof Error && TASK_GONE.has(error.name);
    if (gone && (await appliedBefore(deps, request, recorded, decidedAt))) {
      return { outcome: 'decided', status, decidedAt };
    }
    await settle(
      deps,
      key,
      status,
      decidedAt,
      gone ? { status: 'expired' } : { status: 'pending', deadline: request.deadline },
    ).catch((e: unknown) =>
      deps.log?.error('could not settle the approval item', {
        incidentId: request.incidentId,
        executionId: request.executionId,
        decision: request.decision,
        error: e instanceof Error ? e.name : 'unknown',
      }),
    );
    return gone ? { outcome: 'task-gone', decidedAt } : { outcome: 'unreachable', error };
  }
  return { outcome: 'decided', status, decidedAt };
}

/**
 * Whether an earlier send of this decision was applied (its answer lost): read from the execution
 * the approval item records. False, logged, when the execution cannot be read.
 */
export async function appliedBefore(
  deps: ApprovalDecisionDeps,
  request: ApprovalDecisionRequest,
  item: Record<string, unknown>,
  decidedAt: string,
): Promise<boolean> {
  const executionArn = typeof item.executionId === 'string' ? item.executionId : undefined;
  const deadline = typeof item.deadline === 'number' ? item.deadline : request.deadline;
  try {
    const settled = await settleFromExecution(deps.sfn, executionArn, {
      decision: request.decision,
      decidedAt: Date.parse(decidedAt),
      deadline,
    });
    return settled === 'applied';
  } catch (error) {
    deps.log?.error('could not read the execution of a refused decision; the approval expires', {
      incidentId: request.incidentId,
      executionId: executionArn,
      error: error instanceof Error ? error.message : 'unknown',
    });
    return false;
  }
}

/**
 * After a failed send, moves our own decision (same status and time) to `expired` (the task is
 * gone) or back to `pending` (transient failure: the decision can be taken again).
 */
export async function settle(
  deps: ApprovalDecisionDeps,
  key: { pk: string; sk: string },
  status: string,
  decidedAt: string,
  to: { status: 'expired' } | { status: 'pending'; deadline: number },
): Promise<void> {
  const p = new Placeholders();
  const update =
    to.status === 'expired'
      ? buildUpdate({ set: { status: 'expired' } }, p)
      : buildUpdate(
          {
            set: { status: 'pending', expiresAt: Math.ceil(to.deadline / 1_000) },
            remove: ['decidedAt', 'approver'],
          },
          p,
        );
  await deps.db.send(
    new UpdateCommand({
      TableName: deps.tableName,
      Key: key,
      ...update,
      ConditionExpression: condition(
        '{status} = :{status} AND {decidedAt} = :{decidedAt}',
        { status, decidedAt },
        p,
      ),
      ExpressionAttributeValues: p.values,
    }),
  );
}

export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

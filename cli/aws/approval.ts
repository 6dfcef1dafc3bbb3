import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { taskTokenHash } from '#core/actions/approval/token.ts';
import { declares } from '#core/permissions.ts';
import { OperatorError } from '../command.ts';

/** {@link findApprovalTaskToken}: the waiting execution's history, where its task token is. */
export const EXECUTION_HISTORY_CALLS = declares({
  service: 'states',
  actions: ['states:GetExecutionHistory'],
  resource: 'playbook-executions',
  why: 'approve and deny find the waiting task token in the execution history',
});

/**
 * The parameters of a playbook's `request-approval` task as Step Functions scheduled it: the
 * compiled `lambda:invoke.waitForTaskToken` state passes `$$.Task.Token` in the payload's input.
 */
const ApprovalTaskParametersSchema = z
  .object({
    Payload: z
      .object({
        action: z.literal('request-approval'),
        input: z.object({ taskToken: z.string().min(1) }).loose(),
      })
      .loose(),
  })
  .loose();

/** Raised when the execution an approval item names holds no task with the item's token. */
export class ApprovalTaskNotFoundError extends OperatorError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApprovalTaskNotFoundError';
  }
}

/** The task token a `TaskScheduled` event of a `request-approval` task carries, if it is one. */
function scheduledApprovalToken(event: HistoryEvent): string | undefined {
  const parameters = event.type === 'TaskScheduled' ? event.taskScheduledEventDetails?.parameters : undefined;
  if (parameters === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(parameters);
  } catch {
    return undefined;
  }
  const parsed = ApprovalTaskParametersSchema.safeParse(json);
  return parsed.success ? parsed.data.Payload.input.taskToken : undefined;
}

/**
 * Finds the task token of the approval an execution waits on. The approval item keeps only the
 * token's SHA-256; Step Functions keeps the token in the execution's history (the scheduled
 * `request-approval` task's parameters). Reads the history newest first (`GetExecutionHistory`,
 * `reverseOrder`, with execution data) and returns the token whose hash is `tokenHash`, so only
 * the very task the pending item was written for can be answered. Throws
 * {@link ApprovalTaskNotFoundError} when the execution does not exist or holds no such task.
 *
 * @example
 * const token = await findApprovalTaskToken(sfn, item.executionId, item.taskTokenHash);
 */
export async function findApprovalTaskToken(
  sfn: SFNClient,
  executionArn: string,
  tokenHash: string,
): Promise<string> {
  let nextToken: string | undefined;
  do {
    let page: Awaited<ReturnType<typeof readHistory>>;
    try {
      page = await readHistory(sfn, executionArn, nextToken);
    } catch (error) {
      if (error instanceof Error && error.name === 'ExecutionDoesNotExist') {
        throw new ApprovalTaskNotFoundError(
          `the execution ${executionArn} of the pending approval does not exist (any more)`,
          { cause: error },
        );
      }
      throw error;
    }
    for (const event of page.events ?? []) {
      const token = scheduledApprovalToken(event);
      if (token !== undefined && taskTokenHash(token) === tokenHash) return token;
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  throw new ApprovalTaskNotFoundError(
    `the execution ${executionArn} has no request-approval task with the token of the pending approval ` +
      '(its history holds no execution data, or a newer request replaced this one)',
  );
}

function readHistory(sfn: SFNClient, executionArn: string, nextToken: string | undefined) {
  return sfn.send(
    new GetExecutionHistoryCommand({
      executionArn,
      reverseOrder: true,
      includeExecutionData: true,
      maxResults: 1000,
      ...(nextToken === undefined ? {} : { nextToken }),
    }),
  );
}

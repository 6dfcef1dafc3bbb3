import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalStore, openLocalStore } from '../../../../cli/local/store.ts';
import {
  type ExecutionState,
  ExecutionStateUnreadableError,
  type RefusedDecision,
  settleFromExecution,
  settlementOf,
} from '../../../../functions/core/actions/approval/approval-settlement.ts';
import { decideApproval } from '../../../../functions/core/actions/approval/decide.ts';
import { taskTokenHash } from '../../../../functions/core/actions/approval/token.ts';
import { safetyKeys } from '../../../../functions/core/actions/safety.ts';
import { createTableLike } from '../../../support/tables.ts';

const T0 = Date.parse('2025-06-01T12:00:00Z');
const DEADLINE = T0 + 3_600_000;
const EXECUTION_ARN = 'arn:aws:states:eu-west-1:111122223333:execution:Riposte-contain-instance:run-1';
const TASK_TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAbEXAMPLEtaskTOKEN';

const sfn = new SFNClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const sfnMock = mockClient(sfn);

const refused = (decision: 'approve' | 'deny', decidedAt = T0 + 60_000): RefusedDecision => ({
  decision,
  decidedAt,
  deadline: DEADLINE,
});

describe('settlementOf', () => {
  it.each<[string, ExecutionState, 'approve' | 'deny', 'applied' | 'expired']>([
    ['running on past the approval', { status: 'RUNNING' }, 'approve', 'applied'],
    ['succeeded', { status: 'SUCCEEDED', stopDate: new Date(T0 + 120_000) }, 'approve', 'applied'],
    ['running on after a caught denial', { status: 'RUNNING' }, 'deny', 'applied'],
    [
      'failed with the denial',
      { status: 'FAILED', stopDate: new Date(T0 + 61_000), error: 'ApprovalDenied' },
      'deny',
      'applied',
    ],
    [
      'failed with the denial, for an approval',
      { status: 'FAILED', error: 'ApprovalDenied' },
      'approve',
      'expired',
    ],
    ['failed otherwise', { status: 'FAILED', error: 'States.Timeout' }, 'deny', 'expired'],
    ['timed out', { status: 'TIMED_OUT' }, 'approve', 'expired'],
    ['aborted', { status: 'ABORTED' }, 'approve', 'expired'],
    ['stopped before the decision', { status: 'SUCCEEDED', stopDate: new Date(T0) }, 'approve', 'expired'],
  ])('an execution %s settles the decision as it went', (_name, execution, decision, expected) => {
    // Act
    const settled = settlementOf(execution, refused(decision));

    // Assess
    expect(settled).toBe(expected);
  });

  it('never counts a decision taken at or after the deadline as applied', () => {
    // Act
    const settled = settlementOf({ status: 'RUNNING' }, refused('approve', DEADLINE));

    // Assess
    expect(settled).toBe('expired');
  });
});

describe('settleFromExecution', () => {
  beforeEach(() => sfnMock.reset());

  it('reads the execution on its ARN and settles from its state', async () => {
    // Prepare
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', startDate: new Date(T0) } as never);

    // Act
    const settled = await settleFromExecution(sfn, EXECUTION_ARN, refused('approve'));

    // Assess
    expect(settled).toBe('applied');
    expect(sfnMock.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: EXECUTION_ARN,
    });
  });

  it.each([
    ['no ARN', undefined],
    ['a state machine ARN', 'arn:aws:states:eu-west-1:111122223333:stateMachine:Riposte-contain-instance'],
    ['an empty ARN', ''],
  ])('refuses %s without calling Step Functions', async (_name, arn) => {
    // Act / Assess
    await expect(settleFromExecution(sfn, arn, refused('approve'))).rejects.toThrow(
      ExecutionStateUnreadableError,
    );
    expect(sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it('fails, naming the execution, when the call fails or answers no state', async () => {
    // Prepare
    sfnMock
      .on(DescribeExecutionCommand)
      .rejectsOnce(new ExecutionDoesNotExist({ message: 'gone', $metadata: {} }))
      .resolvesOnce({ status: 'SOMETHING' } as never);

    // Act / Assess
    await expect(settleFromExecution(sfn, EXECUTION_ARN, refused('approve'))).rejects.toThrow(
      `could not read ${EXECUTION_ARN}: ExecutionDoesNotExist`,
    );
    await expect(settleFromExecution(sfn, EXECUTION_ARN, refused('approve'))).rejects.toThrow(
      `DescribeExecution answered no execution state for ${EXECUTION_ARN}`,
    );
  });
});

describe('decideApproval, when the answer to an earlier send was lost', () => {
  let store: LocalStore;
  let tableName: string;
  let tables = 0;
  const errors: string[] = [];

  beforeAll(async () => {
    store = await openLocalStore();
  });
  afterAll(async () => {
    await store.close();
  });
  beforeEach(async () => {
    sfnMock.reset();
    errors.length = 0;
    tableName = await createTableLike(store, `approval-settlement-${tables++}`);
    await store.db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...safetyKeys.approval('inc-1'),
          incidentId: 'inc-1',
          status: 'pending',
          taskTokenHash: taskTokenHash(TASK_TOKEN),
          executionId: EXECUTION_ARN,
          requestedAt: T0,
          deadline: DEADLINE,
          expiresAt: Math.ceil(DEADLINE / 1_000),
        },
      }),
    );
  });

  const decide = (decision: 'approve' | 'deny') =>
    decideApproval(
      {
        db: store.db,
        tableName,
        sfn,
        now: () => T0 + 60_000,
        log: { error: (message) => errors.push(message) },
      },
      {
        incidentId: 'inc-1',
        executionId: EXECUTION_ARN,
        taskToken: TASK_TOKEN,
        decision,
        approver: 'alice',
        deadline: DEADLINE,
      },
    );
  const approvalItem = async () =>
    (await store.db.send(new GetCommand({ TableName: tableName, Key: safetyKeys.approval('inc-1') }))).Item;

  it('keeps an approval the execution went on with, as decided', async () => {
    // Prepare
    sfnMock.on(SendTaskSuccessCommand).rejects(new InvalidToken({ message: 'invalid', $metadata: {} }));
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', startDate: new Date(T0) } as never);

    // Act
    const result = await decide('approve');

    // Assess
    expect(result).toEqual({
      outcome: 'decided',
      status: 'approved',
      decidedAt: new Date(T0 + 60_000).toISOString(),
    });
    expect(await approvalItem()).toMatchObject({ status: 'approved', approver: 'alice' });
    expect(errors).toEqual([]);
  });

  it('keeps a denial the execution failed with, as decided', async () => {
    // Prepare
    sfnMock.on(SendTaskFailureCommand).rejects(new TaskTimedOut({ message: 'timed out', $metadata: {} }));
    sfnMock.on(DescribeExecutionCommand).resolves({
      status: 'FAILED',
      startDate: new Date(T0),
      stopDate: new Date(T0 + 60_500),
      error: 'ApprovalDenied',
    } as never);

    // Act
    const result = await decide('deny');

    // Assess
    expect(result).toMatchObject({ outcome: 'decided', status: 'denied' });
    expect(await approvalItem()).toMatchObject({ status: 'denied' });
  });

  it('expires the approval when the execution ended another way', async () => {
    // Prepare
    sfnMock.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'timed out', $metadata: {} }));
    sfnMock.on(DescribeExecutionCommand).resolves({
      status: 'TIMED_OUT',
      startDate: new Date(T0),
      stopDate: new Date(T0 + 59_000),
    } as never);

    // Act
    const result = await decide('approve');

    // Assess
    expect(result.outcome).toBe('task-gone');
    expect(await approvalItem()).toMatchObject({ status: 'expired' });
  });

  it('expires the approval, and says why, when the execution cannot be read', async () => {
    // Prepare
    sfnMock.on(SendTaskSuccessCommand).rejects(new InvalidToken({ message: 'invalid', $metadata: {} }));
    sfnMock
      .on(DescribeExecutionCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    // Act
    const result = await decide('approve');

    // Assess
    expect(result.outcome).toBe('task-gone');
    expect((await approvalItem())?.status).toBe('expired');
    expect(errors).toEqual(['could not read the execution of a refused decision; the approval expires']);
  });

  it('reads nothing and puts the approval back to pending after a transient failure', async () => {
    // Prepare
    sfnMock
      .on(SendTaskSuccessCommand)
      .rejects(Object.assign(new Error('unavailable'), { name: 'ServiceUnavailable' }));

    // Act
    const result = await decide('approve');

    // Assess
    expect(result.outcome).toBe('unreachable');
    expect((await approvalItem())?.status).toBe('pending');
    expect(sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });
});

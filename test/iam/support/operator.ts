import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { STACK_OUTPUTS } from '../../../cli/aws/stack.ts';
import { waitForActiveTable } from '../../../cli/local/runtime.ts';
import { openLocalStore } from '../../../cli/local/store.ts';
import { exampleWorld } from '../../../cli/local/testkit.ts';
import { taskTokenHash } from '../../../functions/core/actions/approval/token.ts';
import { safetyKeys } from '../../../functions/core/actions/safety.ts';
import { cli, runEvent, withDynamoDbEndpoint } from '../../support/cli.ts';
import { createTableLike } from '../../support/tables.ts';
import { type Deployment, SECURITY } from './deployment.ts';
import { tapDocumentClients } from './functions.ts';
import type { GatheredCall } from './gather.ts';
import { runAs, tapped } from './tap.ts';

/**
 * The calls an analyst's `riposte … --stack` commands send with the analyst's own credentials:
 * every read, case and decision command, run in-process against a table on the embedded
 * DynamoDB, with CloudFormation, Step Functions and STS answered as a deployment would answer.
 * Each call is attributed to the principal `operator` (the operator managed policy).
 */

const C2 = 'examples/events/guardduty-ec2-c2-activity.json';
const TASK_TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAbEXAMPLEtaskTOKENofTHEwaitingEXECUTION';
/** The analyst the STS mock says is calling. */
export const ANALYST_ARN = `arn:aws:sts::${SECURITY.account}:assumed-role/SecurityAnalyst/alice`;

/** Thrown when a command of the gathering fails: the gathering would miss its calls. */
export class OperatorCommandError extends Error {
  public constructor(argv: readonly string[], code: number, stderr: string) {
    super(`riposte ${argv.join(' ')} exited ${code}: ${stderr.trim()}`);
    this.name = 'OperatorCommandError';
  }
}

/** Runs the operator's commands once and returns their AWS calls, attributed to `operator`. */
export async function gatherOperatorCalls(deployment: Deployment): Promise<GatheredCall[]> {
  tapDocumentClients();
  const mocks = deploymentMocks();
  const { cloudFormation, sfn, sts } = mocks;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-operator-'));
  const store = await openLocalStore();
  try {
    // Prepare: the items a deployment holds after a contained incident, in a table of its own.
    const incidentId = await runEvent(dataDir, C2);
    const source = await openLocalStore({ dataDir });
    const seed = (await source.db.send(new ScanCommand({ TableName: source.tableName }))).Items ?? [];
    await source.close();
    const table = await createTableLike(store, 'Riposte-AlertStoreTable910AB584-OPERATOR');
    await waitForActiveTable({ db: store.db, tableName: table });
    for (const item of seed) await store.db.send(new PutCommand({ TableName: table, Item: item }));

    const machine = (deployment.aliases['ec2-instance-compromise'] ?? '').replace(/:live$/, '');
    const executionArn = `${machine.replace(':stateMachine:', ':execution:')}:${incidentId}-exec`;
    await seedPendingApproval(store.db, table, incidentId, executionArn);
    answerAsDeployed(mocks, deployment, table, executionArn);

    // Act: every command an analyst runs against a deployment.
    const first = tapped.length;
    const aws = async (argv: readonly string[]) => {
      const run = await runAs('operator', `riposte ${argv[0]}`, () =>
        withDynamoDbEndpoint(store.endpoint, () =>
          cli([...argv, '--stack', 'Riposte', '--region', SECURITY.region, '--json']),
        ),
      );
      if (run.code !== 0) throw new OperatorCommandError(argv, run.code, run.stderr);
      return run.stdout;
    };
    await aws(['incidents']);
    await aws(['show', incidentId]);
    const alertId = (JSON.parse(await aws(['alerts'])) as { id: string }[])[0]?.id ?? '';
    await aws(['alerts', 'show', alertId]);
    await aws(['rejected']);
    await aws(['approve', incidentId]);
    // A decision whose answer was lost: Step Functions applied the first send, the retry meets
    // TaskTimedOut, and the decision settles from the execution's state.
    await seedPendingApproval(store.db, table, incidentId, executionArn);
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn,
      stateMachineArn: machine,
      status: 'RUNNING',
      startDate: new Date(),
    });
    await aws(['approve', incidentId]).catch((error: unknown) => {
      // Settled as applied or expired, the command may end 1; its calls are what counts here.
      if (!(error instanceof OperatorCommandError)) throw error;
    });
    sfn.on(SendTaskSuccessCommand).resolves({});
    await aws(['release', incidentId, '--yes']);
    await aws(['assign', incidentId, 'alice@example.com']);
    await aws(['note', incidentId, 'Scanner of the red team']);
    await aws(['tag', incidentId, 'red-team']);
    await aws(['close', incidentId, '--resolution', 'false_positive', '--suppress', '--for', '7d']);
    const suppressions = JSON.parse(await aws(['suppressions', 'list'])) as { id: string }[];
    await aws(['suppressions', 'remove', suppressions[0]?.id ?? '']);
    await aws(['reopen', incidentId]);
    await aws(['stats']);

    // Assess (by the caller): the calls, the answered clients' included.
    const world = exampleWorld();
    const answered = [
      ...cloudFormation.calls().map((call) => ['cloudformation', call] as const),
      ...sfn.calls().map((call) => ['sfn', call] as const),
    ].map(([service, call]) => {
      const command = call.args[0] as unknown as {
        constructor: { name: string };
        input: Record<string, unknown>;
      };
      const api = command.constructor.name.replace(/Command$/, '');
      const params =
        api === 'SendTaskSuccess' || api === 'SendTaskFailure'
          ? { ...command.input, stateMachineArnOfToken: machine }
          : command.input;
      return { principal: 'operator', origin: `riposte --stack: ${api}`, service, api, params };
    });
    return [...tapped.slice(first).filter((call) => call.principal === 'operator'), ...answered].map(
      (call) => ({ ...call, account: SECURITY.account, region: SECURITY.region, world }),
    );
  } finally {
    cloudFormation.restore();
    sfn.restore();
    sts.restore();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The approval item the deployed request-approval action stores: pending, the token hashed. */
async function seedPendingApproval(
  db: Awaited<ReturnType<typeof openLocalStore>>['db'],
  table: string,
  incidentId: string,
  executionArn: string,
): Promise<void> {
  const now = Date.now();
  await db.send(
    new PutCommand({
      TableName: table,
      Item: {
        ...safetyKeys.approval(incidentId),
        incidentId,
        status: 'pending',
        taskTokenHash: taskTokenHash(TASK_TOKEN),
        executionId: executionArn,
        playbookId: 'ec2-instance-compromise',
        playbookVersion: '1.0.0',
        message: 'Isolate i-0a1b2c3d4e5f60718?',
        requestedAt: now,
        deadline: now + 3_600_000,
        expiresAt: Math.ceil((now + 3_600_000) / 1000),
      },
    }),
  );
}

/** The clients the CLI creates against a deployment, answered in-process. */
function deploymentMocks() {
  return {
    cloudFormation: mockClient(CloudFormationClient),
    sfn: mockClient(SFNClient),
    sts: mockClient(STSClient),
  };
}

/** CloudFormation, Step Functions and STS answering as the synthesized deployment would. */
function answerAsDeployed(
  mocks: ReturnType<typeof deploymentMocks>,
  deployment: Deployment,
  table: string,
  executionArn: string,
): void {
  const versions = new Map(deployment.playbooks.map((playbook) => [playbook.id, playbook.version]));
  const playbooks = Object.fromEntries(
    Object.entries(deployment.aliases).map(([id, aliasArn]) => [id, { version: versions.get(id), aliasArn }]),
  );
  mocks.cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'Riposte',
        StackId: deployment.security.resolve({ Ref: 'AWS::StackId' }) as string,
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date('2026-06-01T12:00:00Z'),
        Outputs: [
          { OutputKey: STACK_OUTPUTS.tableName, OutputValue: table },
          { OutputKey: STACK_OUTPUTS.playbooks, OutputValue: JSON.stringify(playbooks) },
        ],
      },
    ],
  });
  mocks.sts
    .on(GetCallerIdentityCommand)
    .resolves({ Arn: ANALYST_ARN, Account: SECURITY.account, UserId: 'AROAANALYST:alice' });
  mocks.sfn.on(GetExecutionHistoryCommand).resolves({
    events: [
      {
        id: 5,
        type: 'TaskScheduled',
        timestamp: new Date(),
        taskScheduledEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke.waitForTaskToken',
          region: SECURITY.region,
          parameters: JSON.stringify({
            FunctionName: `arn:aws:lambda:${SECURITY.region}:${SECURITY.account}:function:Riposte-ActionsApprove`,
            Payload: {
              action: 'request-approval',
              input: { taskToken: TASK_TOKEN, message: 'Isolate?', timeoutSeconds: 3600 },
              execution: { executionId: executionArn },
            },
          }),
        },
      },
    ],
  });
  mocks.sfn.on(SendTaskSuccessCommand).resolves({});
  mocks.sfn.on(StartExecutionCommand).callsFake(async (input: { stateMachineArn: string; name: string }) => ({
    executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:').replace(/:live$/, '')}:${input.name}`,
    startDate: new Date(),
  }));
}

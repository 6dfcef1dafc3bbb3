import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import {
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { taskTokenHash } from '#core/actions/approval/token.ts';
import { safetyKeys } from '#core/actions/safety.ts';
import { executionName } from '#core/intake/dispatch.ts';
import { type IncidentItem, IncidentItemSchema, keys } from '#core/store/table.ts';
import {
  AwsCredentialsError,
  describeDeployment,
  STACK_OUTPUTS,
  StackNotFoundError,
  StackNotReadyError,
  StackOutputsError,
} from '../../cli/aws/stack.ts';
import { waitForActiveTable } from '../../cli/local/runtime.ts';
import { type LocalStore, openLocalStore } from '../../cli/local/store.ts';
import { cli, runEvent, withDynamoDbEndpoint } from '../support/cli.ts';
import { createTableLike } from '../support/tables.ts';

const C2 = 'examples/events/guardduty-ec2-c2-activity.json';
const STACK = 'Riposte';
const REGION = 'eu-west-1';
const ACCOUNT = '111122223333';
const RELEASE_ALIAS = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:PlaybooksEc2instancereleaseStateMachine-AbC123:live`;
const CONTAIN_ALIAS = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:PlaybooksEc2instancecompromiseStateMachine-DeF456:live`;
const EXECUTION_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:execution:PlaybooksEc2instancecompromiseStateMachine-DeF456:inc-run-1`;
const TASK_TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAbEXAMPLEtaskTOKENofTHEwaitingEXECUTION';
const ME = userInfo().username;

const cloudFormation = mockClient(CloudFormationClient);
const sfn = mockClient(SFNClient);

/** The Riposte stack as DescribeStacks returns it once deployed. */
function riposteStack(tableName: string, overrides: Partial<Stack> = {}): Stack {
  return {
    StackName: STACK,
    StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}/0a1b2c3d`,
    StackStatus: 'UPDATE_COMPLETE',
    CreationTime: new Date('2025-06-01T12:00:00Z'),
    Outputs: [
      { OutputKey: STACK_OUTPUTS.tableName, OutputValue: tableName },
      {
        OutputKey: STACK_OUTPUTS.playbooks,
        OutputValue: JSON.stringify({
          'ec2-instance-compromise': { version: '1.0.0', aliasArn: CONTAIN_ALIAS },
          'ec2-instance-release': { version: '1.0.0', aliasArn: RELEASE_ALIAS },
        }),
      },
      {
        OutputKey: 'Playbooksec2instancereleaseLiveAliasArn6DB6ADC4',
        OutputValue: RELEASE_ALIAS,
      },
    ],
    ...overrides,
  };
}

/** The `TaskScheduled` event of the compiled approval state, as Step Functions records it. */
function approvalTaskScheduled(id: number, taskToken: string): HistoryEvent {
  return {
    id,
    type: 'TaskScheduled',
    timestamp: new Date('2025-06-01T12:00:05Z'),
    taskScheduledEventDetails: {
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      region: REGION,
      parameters: JSON.stringify({
        FunctionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:Riposte-ActionsApprove`,
        Payload: {
          action: 'request-approval',
          input: { taskToken, message: 'Isolate i-0a1b2c3d4e5f60718?', timeoutSeconds: 3600 },
          execution: { incidentId: 'inc', executionId: EXECUTION_ARN },
        },
      }),
    },
  };
}

/** An earlier task of the same execution (the enrichment): not the approval. */
const ENRICH_SCHEDULED: HistoryEvent = {
  id: 3,
  type: 'TaskScheduled',
  timestamp: new Date('2025-06-01T12:00:01Z'),
  taskScheduledEventDetails: {
    resourceType: 'lambda',
    resource: 'invoke',
    region: REGION,
    parameters: JSON.stringify({ Payload: { action: 'describe-instance', input: {} } }),
  },
};

const ApproveOutputSchema = z.strictObject({
  incident: z.string(),
  status: z.enum(['approved', 'denied']),
  approver: z.string(),
  decidedAt: z.iso.datetime(),
  message: z.string().nullable(),
});

const ReleaseOutputSchema = z.strictObject({
  incident: z.string(),
  resourceType: z.string(),
  playbook: z.string(),
  version: z.string(),
  mode: z.enum(['live', 'dry-run']),
  name: z.string(),
  status: z.enum(['started', 'already-started']),
  executionArn: z.string().optional(),
});

/** The name of the SDK command of each recorded call, in call order. */
function commandNames(mock: typeof sfn | typeof cloudFormation): string[] {
  return mock.calls().map((call) => String(call.args[0].constructor.name));
}

describe('riposte --stack (a deployed Riposte stack)', () => {
  let dataDir: string;
  let deployed: LocalStore;
  let seed: Record<string, unknown>[];
  let incident: IncidentItem;
  let tables = 0;
  let table: string;

  beforeAll(async () => {
    // The items a deployment would hold: those `riposte run` leaves in a local store.
    dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-deployed-'));
    const incidentId = await runEvent(dataDir, C2);
    const source = await openLocalStore({ dataDir });
    try {
      seed = (await source.db.send(new ScanCommand({ TableName: source.tableName }))).Items ?? [];
    } finally {
      await source.close();
    }
    incident = IncidentItemSchema.parse(
      seed.find((item) => item.pk === keys.incident(incidentId).pk && item.sk === 'INCIDENT'),
    );
    deployed = await openLocalStore();
  });

  afterAll(async () => {
    await deployed.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    // A fresh table per test, named as CloudFormation names it; the embedded store's default
    // table stays empty, so a command reading the wrong table finds nothing.
    tables += 1;
    table = await createTableLike(deployed, `Riposte-AlertStoreTable910AB584-${tables}X2Y3Z4`);
    await waitForActiveTable({ db: deployed.db, tableName: table });
    for (const item of seed) await deployed.db.send(new PutCommand({ TableName: table, Item: item }));
    cloudFormation.reset();
    sfn.reset();
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [riposteStack(table)] });
  });

  const aws = (argv: readonly string[]) =>
    withDynamoDbEndpoint(deployed.endpoint, () => cli([...argv, '--stack', STACK, '--region', REGION]));

  /** Writes the approval item as the deployed request-approval action stores it: pending, token hashed. */
  async function pendingApproval(taskToken = TASK_TOKEN): Promise<void> {
    const now = Date.now();
    await deployed.db.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...safetyKeys.approval(incident.id),
          incidentId: incident.id,
          status: 'pending',
          taskTokenHash: taskTokenHash(taskToken),
          executionId: EXECUTION_ARN,
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

  async function approvalItem(): Promise<Record<string, unknown> | undefined> {
    const out = await deployed.db.send(
      new GetCommand({ TableName: table, Key: safetyKeys.approval(incident.id), ConsistentRead: true }),
    );
    return out.Item;
  }

  describe('reading', () => {
    it('lists the incidents of the table the stack names in its TableName output', async () => {
      // Prepare
      const argv = ['incidents', '--json'];

      // Act
      const result = await aws(argv);

      // Assess
      expect(result.code).toBe(0);
      const rows = z.array(z.object({ id: z.string() })).parse(JSON.parse(result.stdout));
      expect(rows.map((row) => row.id)).toEqual([incident.id]);
      expect(cloudFormation).toHaveReceivedCommandExactlyOnceWith(DescribeStacksCommand, {
        StackName: STACK,
      });
    });

    it('shows the incident, its alerts and the KPIs from that table', async () => {
      // Prepare
      const commands = [
        ['show', incident.id, '--json'],
        ['alerts', '--json'],
        ['stats', '--json'],
        ['rejected'],
      ];

      // Act
      const results = [];
      for (const argv of commands) results.push(await aws(argv));
      const [shown, alerts, stats, rejected] = results;

      // Assess
      expect(shown?.code).toBe(0);
      expect(JSON.parse(shown?.stdout ?? '')).toMatchObject({ incident: { id: incident.id } });
      expect(alerts?.code).toBe(0);
      expect(JSON.parse(alerts?.stdout ?? '')).toEqual([
        expect.objectContaining({ incidentId: incident.id }),
      ]);
      expect(stats?.code).toBe(0);
      // Against a deployment only real containments count.
      expect(JSON.parse(stats?.stdout ?? '')).toMatchObject({
        includesDryRun: false,
        total: { incidents: 1 },
      });
      expect(rejected).toMatchObject({ code: 0, stdout: 'no rejected events\n' });
      expect(cloudFormation).toHaveReceivedCommandTimes(DescribeStacksCommand, 4);
    });
  });

  describe('the stack', () => {
    it.each([
      {
        case: 'a missing stack',
        describe: () =>
          cloudFormation
            .on(DescribeStacksCommand)
            .rejects(
              Object.assign(new Error(`Stack with id ${STACK} does not exist`), { name: 'ValidationError' }),
            ),
        error: StackNotFoundError,
        says: `there is no stack ${STACK} in this account and region`,
      },
      {
        case: 'no credentials',
        describe: () =>
          cloudFormation.on(DescribeStacksCommand).rejects(
            Object.assign(new Error('Could not load credentials from any providers'), {
              name: 'CredentialsProviderError',
            }),
          ),
        error: AwsCredentialsError,
        says: `no AWS credentials to read stack ${STACK}`,
      },
      {
        case: 'the member stack, without the outputs',
        describe: () =>
          cloudFormation.on(DescribeStacksCommand).resolves({
            Stacks: [
              riposteStack(table, {
                StackName: 'RiposteMember',
                Outputs: [
                  { OutputKey: 'RoleArn', OutputValue: `arn:aws:iam::${ACCOUNT}:role/riposte-responder` },
                ],
              }),
            ],
          }),
        error: StackOutputsError,
        says: 'has no TableName output: it is not a Riposte stack',
      },
      {
        case: 'a stack being updated',
        describe: () =>
          cloudFormation
            .on(DescribeStacksCommand)
            .resolves({ Stacks: [riposteStack(table, { StackStatus: 'UPDATE_IN_PROGRESS' })] }),
        error: StackNotReadyError,
        says: `stack ${STACK} is UPDATE_IN_PROGRESS`,
      },
      {
        case: 'a stack whose creation rolled back',
        describe: () =>
          cloudFormation
            .on(DescribeStacksCommand)
            .resolves({ Stacks: [riposteStack(table, { StackStatus: 'ROLLBACK_COMPLETE' })] }),
        error: StackNotReadyError,
        says: 'is ROLLBACK_COMPLETE',
      },
    ])('refuses $case with $error.name, a clear message and exit status 1', async (c) => {
      // Prepare
      c.describe();

      // Act
      const direct = await describeDeployment(new CloudFormationClient({ region: REGION }), STACK).catch(
        (error: unknown) => error,
      );
      const result = await aws(['incidents']);

      // Assess
      expect(direct).toBeInstanceOf(c.error);
      expect(String(direct)).toContain(c.says);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`riposte incidents: ${c.error.name}: `);
      expect(result.stderr).toContain(c.says);
      expect(result.stdout).toBe('');
    });

    it('refuses --stack with --table as a usage error, before asking CloudFormation', async () => {
      // Prepare
      const argv = ['incidents', '--table', table];

      // Act
      const result = await aws(argv);

      // Assess
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--stack and --table exclude each other');
      expect(cloudFormation).not.toHaveReceivedCommand(DescribeStacksCommand);
    });
  });

  describe('approve and deny', () => {
    beforeEach(async () => {
      await pendingApproval();
      sfn
        .on(GetExecutionHistoryCommand)
        .resolves({ events: [approvalTaskScheduled(7, TASK_TOKEN), ENRICH_SCHEDULED] });
    });

    it('approves: records the OS user with a conditional write, then sends SendTaskSuccess with the task token', async () => {
      // Prepare
      let statusWhenSent: unknown;
      sfn.on(SendTaskSuccessCommand).callsFake(async () => {
        statusWhenSent = (await approvalItem())?.status;
        return {};
      });

      // Act
      const result = await aws(['approve', incident.id, '--json']);

      // Assess
      expect(result.code).toBe(0);
      const output = ApproveOutputSchema.parse(JSON.parse(result.stdout));
      expect(output).toMatchObject({ incident: incident.id, status: 'approved', approver: ME });
      expect(cloudFormation).toHaveReceivedCommandExactlyOnceWith(DescribeStacksCommand, {
        StackName: STACK,
      });
      expect(commandNames(sfn)).toEqual(['GetExecutionHistoryCommand', 'SendTaskSuccessCommand']);
      expect(cloudFormation.call(0).calledBefore(sfn.call(0))).toBe(true);
      expect(sfn).toHaveReceivedCommandWith(GetExecutionHistoryCommand, {
        executionArn: EXECUTION_ARN,
        reverseOrder: true,
        includeExecutionData: true,
      });
      expect(sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, {
        taskToken: TASK_TOKEN,
        output: JSON.stringify({ approved: true, approver: ME, decidedAt: output.decidedAt }),
      });
      expect(statusWhenSent).toBe('approved');
      const item = await approvalItem();
      expect(item).toMatchObject({ status: 'approved', approver: ME, decidedAt: output.decidedAt });
      expect(item).not.toHaveProperty('expiresAt');
    });

    it('denies: sends SendTaskFailure with ApprovalDenied, naming who denied', async () => {
      // Prepare
      sfn.on(SendTaskFailureCommand).resolves({});

      // Act
      const result = await aws(['deny', incident.id]);

      // Assess
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`approval denied by ${ME}`);
      expect(result.stdout).toContain(`execution ${EXECUTION_ARN} stops`);
      expect(sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskFailureCommand, {
        taskToken: TASK_TOKEN,
        error: 'ApprovalDenied',
        cause: expect.stringMatching(new RegExp(`^denied by ${ME} at \\d{4}-`)),
      });
      expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
      expect(await approvalItem()).toMatchObject({ status: 'denied', approver: ME });
    });

    it('takes a decision once: a second approve and a deny afterwards send nothing more', async () => {
      // Prepare
      sfn.on(SendTaskSuccessCommand).resolves({});
      await aws(['approve', incident.id]);

      // Act
      const again = await aws(['approve', incident.id]);
      const deny = await aws(['deny', incident.id]);

      // Assess
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(
        `nothing to approve for incident ${incident.id}: the approval was approved by ${ME}`,
      );
      expect(deny.code).toBe(1);
      expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
      expect(sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
      expect(await approvalItem()).toMatchObject({ status: 'approved' });
    });

    it('marks the approval expired when the execution no longer waits', async () => {
      // Prepare
      sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));

      // Act
      const result = await aws(['approve', incident.id]);

      // Assess
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`the execution ${EXECUTION_ARN} no longer waits`);
      expect(await approvalItem()).toMatchObject({ status: 'expired' });
    });

    it('answers no task when the history holds none with the pending token, and leaves it pending', async () => {
      // Prepare: a newer request replaced the one the execution shows.
      sfn
        .on(GetExecutionHistoryCommand)
        .resolves({ events: [approvalTaskScheduled(7, 'an-older-task-token'), ENRICH_SCHEDULED] });

      // Act
      const result = await aws(['approve', incident.id]);

      // Assess
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('ApprovalTaskNotFoundError');
      expect(result.stderr).toContain(`the execution ${EXECUTION_ARN} has no request-approval task`);
      expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
      expect(await approvalItem()).toMatchObject({ status: 'pending' });
    });
  });

  describe('release', () => {
    const releaseName = () => executionName(incident.id, 'ec2-instance-release', '1.0.0');
    const releaseArn = () =>
      `arn:aws:states:${REGION}:${ACCOUNT}:execution:PlaybooksEc2instancereleaseStateMachine-AbC123:${releaseName()}`;

    it("starts the release playbook's live alias with a deterministic name and the playbook input", async () => {
      // Prepare
      sfn.on(StartExecutionCommand).resolves({ executionArn: releaseArn(), startDate: new Date() });

      // Act
      const result = await aws(['release', incident.id, '--json', '--yes']);

      // Assess
      expect(result.code).toBe(0);
      expect(ReleaseOutputSchema.parse(JSON.parse(result.stdout))).toEqual({
        incident: incident.id,
        resourceType: 'AWS::EC2::Instance',
        playbook: 'ec2-instance-release',
        version: '1.0.0',
        mode: 'live',
        name: releaseName(),
        status: 'started',
        executionArn: releaseArn(),
      });
      expect(cloudFormation.call(0).calledBefore(sfn.call(0))).toBe(true);
      expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, {
        stateMachineArn: RELEASE_ALIAS,
        name: releaseName(),
        input: JSON.stringify({
          incidentId: incident.id,
          alertId: incident.alertIds[0],
          playbook: { id: 'ec2-instance-release', version: '1.0.0' },
          mode: 'live',
        }),
      });
      const shown = await aws(['show', incident.id, '--json']);
      expect(JSON.parse(shown.stdout).executions).toContainEqual(
        expect.objectContaining({
          playbook: 'ec2-instance-release',
          name: releaseName(),
          executionArn: releaseArn(),
        }),
      );
    });

    it('starts no second release when run again: the same name, reported as already started', async () => {
      // Prepare
      sfn
        .on(StartExecutionCommand)
        .resolvesOnce({ executionArn: releaseArn(), startDate: new Date() })
        .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
      await aws(['release', incident.id, '--yes']);

      // Act
      const again = await aws(['release', incident.id, '--json', '--yes']);

      // Assess
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ status: 'already-started', name: releaseName() });
      const names = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name);
      expect(names).toEqual([releaseName(), releaseName()]);
    });

    it('refuses a stack that does not deploy the release playbook, starting nothing', async () => {
      // Prepare
      cloudFormation.on(DescribeStacksCommand).resolves({
        Stacks: [
          riposteStack(table, {
            Outputs: [
              { OutputKey: STACK_OUTPUTS.tableName, OutputValue: table },
              {
                OutputKey: STACK_OUTPUTS.playbooks,
                OutputValue: JSON.stringify({
                  'ec2-instance-compromise': { version: '1.0.0', aliasArn: CONTAIN_ALIAS },
                }),
              },
            ],
          }),
        ],
      });

      // Act
      const result = await aws(['release', incident.id, '--yes']);

      // Assess
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `StackOutputsError: stack ${STACK} does not deploy the playbook ec2-instance-release (it deploys ec2-instance-compromise)`,
      );
      expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    });

    it('needs --stack: --table alone names no release playbook', async () => {
      // Prepare
      const argv = ['release', incident.id, '--table', table, '--region', REGION, '--yes'];

      // Act
      const result = await withDynamoDbEndpoint(deployed.endpoint, () => cli(argv));

      // Assess
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('a deployed release needs --stack NAME');
      expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    });
  });
});

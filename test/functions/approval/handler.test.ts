import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalStore, openLocalStore } from '../../../cli/local/store.ts';
import {
  type ApprovalHandlerDeps,
  type ApprovalHttpRequest,
  handleApprovalRequest,
  parseApprovalEvent,
} from '../../../functions/approval/handler.ts';
import {
  createRequestApprovalAction,
  RequestApprovalInputSchema,
} from '../../../functions/core/actions/approval/request-approval.ts';
import { signApprovalToken } from '../../../functions/core/actions/approval/token.ts';
import { createClients } from '../../../functions/core/actions/clients.ts';
import { BlastRadiusExceededError } from '../../../functions/core/actions/errors.ts';
import type { NotifyTransport } from '../../../functions/core/actions/notify/transport.ts';
import { CallRecorder } from '../../../functions/core/actions/recorder.ts';
import { DynamoSafetyRails, safetyKeys } from '../../../functions/core/actions/safety.ts';
import { MemoryContainmentState } from '../../../functions/core/actions/state.ts';
import { type ExecutionFacts, SafetyPolicySchema } from '../../../functions/core/actions/types.ts';
import { createTableLike } from '../../support/tables.ts';

const T0 = Date.parse('2025-06-01T12:00:00Z');
const KEY = 'approval-key-for-tests-0123456789abcdef';
const TASK_TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAbEXAMPLEtaskTOKEN';
const APPROVER = 'alice@example.com';

const EXECUTION: ExecutionFacts = {
  incidentId: 'inc-1',
  alertId: 'alert-1',
  mode: 'live',
  sample: false,
  account: '111122223333',
  region: 'eu-west-1',
  playbookId: 'contain-instance',
  playbookVersion: '1.2.0',
  executionId: 'arn:aws:states:eu-west-1:111122223333:execution:riposte-contain-instance:run-1',
};

let store: LocalStore;
let tables = 0;
const sfn = new SFNClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const sfnMock = mockClient(sfn);

beforeAll(async () => {
  store = await openLocalStore();
});
afterAll(async () => {
  await store.close();
});

interface Fixture {
  deps: ApprovalHandlerDeps;
  clock: { now: number };
  approveToken: string;
  denyToken: string;
}

/** Requests an approval through the real action and returns the links' tokens it sent. */
async function requestApproval(
  tableName: string,
  taskToken = TASK_TOKEN,
  purpose: 'containment' | 'production' | 'blast-radius' = 'blast-radius',
): Promise<{ approve: string; deny: string }> {
  const sent: string[] = [];
  const transport: NotifyTransport = {
    config: { topicArn: 'arn:aws:sns:eu-west-1:111122223333:riposte-notifications' },
    sns: {
      publish: async (_topic, _subject, message) => {
        sent.push(message);
        return {};
      },
    },
    http: { post: async () => ({ status: 200 }) },
    secrets: { read: async () => 'unused' },
  };
  const action = createRequestApprovalAction(() => ({
    db: store.db,
    tableName,
    baseUrl: 'https://approve.example.com',
    key: async () => KEY,
    transport,
  }));
  const recorder = new CallRecorder();
  await action.run(
    RequestApprovalInputSchema.parse({
      taskToken,
      message: 'Isolate i-0abc beyond the hourly limit?',
      timeoutSeconds: 3_600,
      purpose,
    }),
    {
      execution: EXECUTION,
      clients: createClients({ mode: { kind: 'dry-run' }, recorder, region: 'eu-west-1', services: {} }),
      recorder,
      dryRun: false,
      safety: {
        assertContainable: async () => undefined,
        standing: () => ({ protected: false, environment: null, approvalRequired: true }),
      },
      state: new MemoryContainmentState(),
      now: () => T0,
    },
  );
  const text = sent.join('\n');
  return {
    approve: /\/approve\?token=([\w.-]+)/.exec(text)?.[1] ?? 'missing',
    deny: /\/deny\?token=([\w.-]+)/.exec(text)?.[1] ?? 'missing',
  };
}

async function fixture(): Promise<Fixture> {
  tables += 1;
  const tableName = await createTableLike(store, `approval-handler-${tables}`);
  const clock = { now: T0 + 60_000 };
  const { approve, deny } = await requestApproval(tableName);
  return {
    deps: { db: store.db, tableName, sfn, key: async () => KEY, now: () => clock.now },
    clock,
    approveToken: approve,
    denyToken: deny,
  };
}

function post(decision: 'approve' | 'deny', token: string | undefined): ApprovalHttpRequest {
  return { method: 'POST', decision, token, approver: APPROVER };
}

async function approvalItem(deps: ApprovalHandlerDeps): Promise<Record<string, unknown> | undefined> {
  const out = await deps.db.send(
    new GetCommand({ TableName: deps.tableName, Key: safetyKeys.approval('inc-1'), ConsistentRead: true }),
  );
  return out.Item;
}

function sentCommands(): number {
  return (
    sfnMock.commandCalls(SendTaskSuccessCommand).length + sfnMock.commandCalls(SendTaskFailureCommand).length
  );
}

describe('handleApprovalRequest', () => {
  let f: Fixture;
  beforeEach(async () => {
    sfnMock.reset();
    sfnMock.on(SendTaskSuccessCommand).resolves({}).on(SendTaskFailureCommand).resolves({});
    f = await fixture();
  });

  it('approves: records the decision and sends SendTaskSuccess once', async () => {
    // Act
    const response = await handleApprovalRequest(post('approve', f.approveToken), f.deps);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('You approved the request for incident inc-1');
    const calls = sfnMock.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input.taskToken).toBe(TASK_TOKEN);
    expect(JSON.parse(calls[0]?.args[0].input.output ?? '{}')).toEqual({
      approved: true,
      approver: APPROVER,
      decidedAt: '2025-06-01T12:01:00.000Z',
    });
    const item = await approvalItem(f.deps);
    expect(item).toMatchObject({
      status: 'approved',
      approver: APPROVER,
      decidedAt: '2025-06-01T12:01:00.000Z',
    });
    expect(item?.expiresAt).toBeUndefined();
  });

  it('refuses a second click and the other link once decided, sending nothing more', async () => {
    // Prepare
    await handleApprovalRequest(post('approve', f.approveToken), f.deps);

    // Act
    const again = await handleApprovalRequest(post('approve', f.approveToken), f.deps);
    const deny = await handleApprovalRequest(post('deny', f.denyToken), f.deps);

    // Assess
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('was already approved by alice@example.com at 2025-06-01T12:01:00.000Z');
    expect(deny.statusCode).toBe(409);
    expect(sentCommands()).toBe(1);
    expect((await approvalItem(f.deps))?.status).toBe('approved');
  });

  it('lets exactly one of two concurrent clicks decide', async () => {
    // Act
    const responses = await Promise.all([
      handleApprovalRequest(post('approve', f.approveToken), f.deps),
      handleApprovalRequest(post('deny', f.denyToken), f.deps),
      handleApprovalRequest(post('approve', f.approveToken), f.deps),
    ]);

    // Assess
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 409, 409]);
    expect(sentCommands()).toBe(1);
  });

  it('denies: sends SendTaskFailure with ApprovalDenied', async () => {
    // Act
    const response = await handleApprovalRequest(post('deny', f.denyToken), f.deps);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('You denied the request');
    const calls = sfnMock.commandCalls(SendTaskFailureCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      taskToken: TASK_TOKEN,
      error: 'ApprovalDenied',
      cause: 'denied by alice@example.com at 2025-06-01T12:01:00.000Z',
    });
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect((await approvalItem(f.deps))?.status).toBe('denied');
  });

  it('answers 403 to an expired link, changing and sending nothing', async () => {
    // Prepare
    f.clock.now = T0 + 3_600_000;

    // Act
    const response = await handleApprovalRequest(post('approve', f.approveToken), f.deps);

    // Assess
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain(
      'The approval link expired at 2025-06-01T13:00:00.000Z. Nothing was approved or denied.',
    );
    expect(sentCommands()).toBe(0);
    expect((await approvalItem(f.deps))?.status).toBe('pending');
  });

  it('answers 403 to a tampered link and to a link used on the other path', async () => {
    // Prepare
    const tampered = `${f.approveToken.slice(0, 10)}${f.approveToken[10] === 'A' ? 'B' : 'A'}${f.approveToken.slice(11)}`;

    // Act
    const forged = await handleApprovalRequest(post('approve', tampered), f.deps);
    const swapped = await handleApprovalRequest(post('deny', f.approveToken), f.deps);

    // Assess
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('not genuine');
    expect(swapped.statusCode).toBe(403);
    expect(swapped.body).toContain('This is the Approve link: it cannot deny. Nothing was changed.');
    expect(sentCommands()).toBe(0);
  });

  it('answers 400 without a token', async () => {
    // Act
    const response = await handleApprovalRequest(post('approve', undefined), f.deps);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(sentCommands()).toBe(0);
  });

  it('shows a confirmation page on GET and decides nothing (link scanners)', async () => {
    // Act
    const response = await handleApprovalRequest(
      { method: 'GET', decision: 'approve', token: f.approveToken, approver: APPROVER },
      f.deps,
    );

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toContain('Approve the request for incident inc-1?');
    expect(response.body).toContain('Isolate i-0abc beyond the hourly limit?');
    expect(response.body).toContain(`<form method="post" action="approve">`);
    expect(response.body).toContain(`name="token" value="${f.approveToken}"`);
    expect(sentCommands()).toBe(0);
    expect((await approvalItem(f.deps))?.status).toBe('pending');
  });

  it('answers 410 and marks the request expired when the execution stopped waiting', async () => {
    // Prepare
    sfnMock
      .on(SendTaskSuccessCommand)
      .rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));

    // Act
    const response = await handleApprovalRequest(post('approve', f.approveToken), f.deps);

    // Assess
    expect(response.statusCode).toBe(410);
    expect(response.body).toContain('is no longer waiting');
    expect((await approvalItem(f.deps))?.status).toBe('expired');
  });

  it('puts the request back to pending when Step Functions fails, so the link works again', async () => {
    // Prepare
    sfnMock
      .on(SendTaskSuccessCommand)
      .rejectsOnce(Object.assign(new Error('unavailable'), { name: 'ServiceUnavailable' }))
      .resolves({});

    // Act
    const failed = await handleApprovalRequest(post('approve', f.approveToken), f.deps);
    const pending = (await approvalItem(f.deps))?.status;
    const retried = await handleApprovalRequest(post('approve', f.approveToken), f.deps);

    // Assess
    expect(failed.statusCode).toBe(503);
    expect(pending).toBe('pending');
    expect(retried.statusCode).toBe(200);
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(2);
  });

  it('refuses the links of a request replaced by a newer one', async () => {
    // Prepare
    await requestApproval(f.deps.tableName, 'a-newer-task-token');

    // Act
    const response = await handleApprovalRequest(post('approve', f.approveToken), f.deps);

    // Assess
    expect(response.statusCode).toBe(410);
    expect(response.body).toContain('no longer open');
    expect(sentCommands()).toBe(0);
  });

  it('records an approval the safety rails honour past the blast radius', async () => {
    // Prepare
    const rails = new DynamoSafetyRails({
      db: f.deps.db,
      tableName: f.deps.tableName,
      policy: SafetyPolicySchema.parse({ blastRadiusPerHour: 0 }),
      execution: EXECUTION,
      now: () => T0,
    });
    await expect(rails.assertContainable({ resource: 'i-0abc', tags: {} })).rejects.toThrow(
      BlastRadiusExceededError,
    );

    // Act
    await handleApprovalRequest(post('approve', f.approveToken), f.deps);

    // Assess
    await expect(rails.assertContainable({ resource: 'i-0abc', tags: {} })).resolves.toBeUndefined();
  });

  it('lifts no limit with an approval asked for another purpose', async () => {
    // Prepare
    const tableName = await createTableLike(store, `approval-handler-purpose-${tables++}`);
    const { approve } = await requestApproval(tableName, TASK_TOKEN, 'containment');
    const deps = { ...f.deps, tableName };
    const rails = new DynamoSafetyRails({
      db: deps.db,
      tableName,
      policy: SafetyPolicySchema.parse({ blastRadiusPerHour: 0 }),
      execution: EXECUTION,
      now: () => T0,
    });

    // Act
    await handleApprovalRequest(post('approve', approve), deps);

    // Assess
    expect(await approvalItem(deps)).toMatchObject({ status: 'approved', purpose: 'containment' });
    await expect(rails.assertContainable({ resource: 'i-0abc', tags: {} })).rejects.toThrow(
      BlastRadiusExceededError,
    );
  });

  it('refuses a token whose request never existed', async () => {
    // Prepare
    const token = signApprovalToken(
      {
        incidentId: 'inc-unknown',
        executionId: '',
        taskToken: 't',
        decision: 'approve',
        expiresAt: T0 + 3_600_000,
      },
      KEY,
    );

    // Act
    const response = await handleApprovalRequest(post('approve', token), f.deps);

    // Assess
    expect(response.statusCode).toBe(410);
    expect(sentCommands()).toBe(0);
  });
});

describe('parseApprovalEvent', () => {
  function event(overrides: Record<string, unknown> = {}, method = 'GET'): Record<string, unknown> {
    return {
      version: '2.0',
      routeKey: `${method} /approve`,
      rawPath: '/approve',
      rawQueryString: 'token=abc.def',
      queryStringParameters: { token: 'abc.def' },
      headers: { host: 'approve.example.com' },
      requestContext: { http: { method, path: '/approve', sourceIp: '203.0.113.7' } },
      isBase64Encoded: false,
      ...overrides,
    };
  }

  it('reads the decision from the path and the token from the query', () => {
    // Act / Assess
    expect(parseApprovalEvent(event())).toEqual({
      method: 'GET',
      decision: 'approve',
      token: 'abc.def',
      approver: 'approval link (203.0.113.7)',
    });
  });

  it('reads the token from a base64 form body on POST, under a stage prefix, with the authorizer identity', () => {
    // Prepare
    const raw = event(
      {
        rawPath: '/prod/deny',
        queryStringParameters: undefined,
        body: Buffer.from('token=ghi.jkl').toString('base64'),
        isBase64Encoded: true,
        requestContext: {
          http: { method: 'POST', sourceIp: '203.0.113.7' },
          authorizer: { jwt: { claims: { email: 'bob@example.com' }, scopes: [] } },
        },
      },
      'POST',
    );

    // Act / Assess
    expect(parseApprovalEvent(raw)).toEqual({
      method: 'POST',
      decision: 'deny',
      token: 'ghi.jkl',
      approver: 'bob@example.com',
    });
  });

  it('answers 404, 405 and 400 to what is not an approval request', () => {
    // Act / Assess
    expect(parseApprovalEvent(event({ rawPath: '/admin' }))).toMatchObject({ statusCode: 404 });
    expect(parseApprovalEvent(event({}, 'PUT'))).toMatchObject({ statusCode: 405 });
    expect(parseApprovalEvent({ not: 'an http event' })).toMatchObject({ statusCode: 400 });
  });
});

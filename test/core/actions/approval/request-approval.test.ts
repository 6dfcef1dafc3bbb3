import { createHmac } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalStore, openLocalStore } from '../../../../cli/local/store.ts';
import type { ApprovalDeps } from '../../../../functions/core/actions/approval/config.ts';
import {
  createRequestApprovalAction,
  RequestApprovalInputSchema,
} from '../../../../functions/core/actions/approval/request-approval.ts';
import {
  ApprovalKeyError,
  type ApprovalPayload,
  signApprovalToken,
  taskTokenHash,
  verifyApprovalToken,
} from '../../../../functions/core/actions/approval/token.ts';
import { createClients } from '../../../../functions/core/actions/clients.ts';
import { InvalidApprovalTokenError } from '../../../../functions/core/actions/errors.ts';
import type { NotifyConfig } from '../../../../functions/core/actions/notify/config.ts';
import type { NotifyTransport } from '../../../../functions/core/actions/notify/transport.ts';
import { CallRecorder } from '../../../../functions/core/actions/recorder.ts';
import { safetyKeys } from '../../../../functions/core/actions/safety.ts';
import { MemoryContainmentState } from '../../../../functions/core/actions/state.ts';
import type { ActionEnv, ExecutionFacts } from '../../../../functions/core/actions/types.ts';
import { createTableLike } from '../../../support/tables.ts';

const T0 = Date.parse('2025-06-01T12:00:00Z');
const KEY = 'approval-key-for-tests-0123456789abcdef';
const TASK_TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAbEXAMPLEtaskTOKEN+/=0123456789';
const EXECUTION_ARN = 'arn:aws:states:eu-west-1:111122223333:execution:riposte-contain-instance:run-1';

const PAYLOAD: ApprovalPayload = {
  incidentId: 'inc-1',
  executionId: EXECUTION_ARN,
  taskToken: TASK_TOKEN,
  decision: 'approve',
  expiresAt: T0 + 3_600_000,
};

const EXECUTION: ExecutionFacts = {
  incidentId: 'inc-1',
  alertId: 'alert-1',
  mode: 'live',
  sample: false,
  account: '111122223333',
  region: 'eu-west-1',
  playbookId: 'contain-instance',
  playbookVersion: '1.2.0',
  executionId: EXECUTION_ARN,
};

function expectRefused(run: () => unknown, reason: RegExp): void {
  expect(run).toThrow(InvalidApprovalTokenError);
  expect(run).toThrow(reason);
}

describe('approval tokens', () => {
  it('round-trips: a signed token verifies to its payload', () => {
    // Act
    const token = signApprovalToken(PAYLOAD, KEY);

    // Assess
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyApprovalToken(token, KEY, T0)).toEqual(PAYLOAD);
  });

  it('refuses a tampered payload', () => {
    // Prepare: turn a deny token into an approve one, keeping the deny signature
    const deny = signApprovalToken({ ...PAYLOAD, decision: 'deny' }, KEY);
    const [body, signature] = deny.split('.');
    const forged = Buffer.from(
      Buffer.from(body ?? '', 'base64url')
        .toString('utf8')
        .replace('"deny"', '"approve"'),
      'utf8',
    ).toString('base64url');

    // Act / Assess
    expectRefused(() => verifyApprovalToken(`${forged}.${signature}`, KEY, T0), /not genuine/);
  });

  it('refuses a token signed with another key', () => {
    // Prepare
    const token = signApprovalToken(PAYLOAD, 'another-key-of-sufficient-length-0123456789');

    // Act / Assess
    expectRefused(() => verifyApprovalToken(token, KEY, T0), /not genuine/);
  });

  it('refuses an expired token, saying when it expired', () => {
    // Prepare
    const token = signApprovalToken(PAYLOAD, KEY);

    // Act / Assess
    expect(verifyApprovalToken(token, KEY, PAYLOAD.expiresAt - 1)).toEqual(PAYLOAD);
    expectRefused(
      () => verifyApprovalToken(token, KEY, PAYLOAD.expiresAt),
      /expired at 2025-06-01T13:00:00.000Z/,
    );
  });

  it.each([
    ['empty', ''],
    ['no signature', 'eyJ2IjoxfQ'],
    ['three parts', 'a.b.c'],
    ['not base64url', 'a+b.c/d'],
    [
      'signed, not JSON',
      `bm90IGpzb24.${createHmac('sha256', KEY).update('bm90IGpzb24').digest('base64url')}`,
    ],
    [
      'signed, not a payload',
      `eyJ2IjoyfQ.${createHmac('sha256', KEY).update('eyJ2IjoyfQ').digest('base64url')}`,
    ],
  ])('refuses a malformed token (%s)', (_name, token) => {
    // Act / Assess
    expect(() => verifyApprovalToken(token, KEY, T0)).toThrow(InvalidApprovalTokenError);
  });

  it('refuses a key shorter than 32 bytes', () => {
    // Act / Assess
    expect(() => signApprovalToken(PAYLOAD, 'short')).toThrow(ApprovalKeyError);
  });

  it('rejects any single-character change to a token', () => {
    // Prepare
    const token = signApprovalToken(PAYLOAD, KEY);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';

    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: token.length - 1 }),
        fc.constantFrom(...alphabet.split('')),
        (index, replacement) => {
          fc.pre(token[index] !== replacement);
          // Act
          const changed = `${token.slice(0, index)}${replacement}${token.slice(index + 1)}`;

          // Assess
          expect(() => verifyApprovalToken(changed, KEY, T0)).toThrow(InvalidApprovalTokenError);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('rejects the signature changed in its last character (no non-canonical base64url)', () => {
    // Prepare: every other base64url character in the last position
    const token = signApprovalToken(PAYLOAD, KEY);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

    // Act / Assess
    for (const c of alphabet) {
      if (c === token.at(-1)) continue;
      expect(() => verifyApprovalToken(`${token.slice(0, -1)}${c}`, KEY, T0)).toThrow(
        InvalidApprovalTokenError,
      );
    }
  });
});

describe('request-approval action', () => {
  let store: LocalStore;
  let tables = 0;
  let tableName: string;

  beforeAll(async () => {
    store = await openLocalStore();
  });
  afterAll(async () => {
    await store.close();
  });
  beforeEach(async () => {
    tables += 1;
    tableName = await createTableLike(store, `approval-${tables}`);
  });

  const CONFIG: NotifyConfig = {
    topicArn: 'arn:aws:sns:eu-west-1:111122223333:riposte-notifications',
    webhookUrl: 'https://hooks.example.com/riposte',
  };

  function transport(): NotifyTransport & {
    published: { subject: string; message: string }[];
    posts: string[];
  } {
    const published: { subject: string; message: string }[] = [];
    const posts: string[] = [];
    return {
      config: CONFIG,
      published,
      posts,
      sns: {
        publish: async (_topic, subject, message) => {
          published.push({ subject, message });
          return { messageId: 'msg-1' };
        },
      },
      http: {
        post: async (_url, body) => {
          posts.push(body);
          return { status: 200 };
        },
      },
      secrets: { read: async () => 'unused' },
    };
  }

  function deps(sender: NotifyTransport, keyReads: { count: number } = { count: 0 }): ApprovalDeps {
    return {
      db: store.db,
      tableName,
      baseUrl: 'https://approve.example.com/',
      key: async () => {
        keyReads.count += 1;
        return KEY;
      },
      transport: sender,
    };
  }

  function actionEnv(dryRun: boolean): ActionEnv {
    const recorder = new CallRecorder();
    return {
      execution: dryRun ? { ...EXECUTION, mode: 'dry-run' } : EXECUTION,
      clients: createClients({ mode: { kind: 'dry-run' }, recorder, region: 'eu-west-1', services: {} }),
      recorder,
      dryRun,
      safety: {
        assertContainable: async () => undefined,
        standing: () => ({ protected: false, environment: null, approvalRequired: true }),
      },
      state: new MemoryContainmentState(),
      now: () => T0,
    };
  }

  const INPUT = RequestApprovalInputSchema.parse({
    taskToken: TASK_TOKEN,
    timeoutSeconds: 1_800,
    message: 'Isolate i-0abc beyond the hourly containment limit?',
    incident: { resourceUid: 'i-0abc', resourceType: 'AWS::EC2::Instance' },
  });

  async function approvalItem(): Promise<Record<string, unknown> | undefined> {
    const out = await store.db.send(
      new GetCommand({ TableName: tableName, Key: safetyKeys.approval('inc-1'), ConsistentRead: true }),
    );
    return out.Item;
  }

  it('stores a pending approval and sends signed, expiring approve and deny links', async () => {
    // Prepare
    const sender = transport();
    const action = createRequestApprovalAction(() => deps(sender));
    const env = actionEnv(false);

    // Act
    const output = await action.run(INPUT, env);

    // Assess
    expect(output.requested).toBe(true);
    expect(output.expiresAt).toBe(T0 + 1_800_000);
    const [email] = sender.published;
    expect(email?.subject).toBe(
      '[Riposte][UNKNOWN] Approval needed: Isolate i-0abc beyond the hourly containment limit?',
    );
    const approve = /https:\/\/approve\.example\.com\/approve\?token=([\w.-]+)/.exec(
      email?.message ?? '',
    )?.[1];
    const deny = /https:\/\/approve\.example\.com\/deny\?token=([\w.-]+)/.exec(email?.message ?? '')?.[1];
    expect(verifyApprovalToken(approve ?? '', KEY, T0)).toEqual({ ...PAYLOAD, expiresAt: T0 + 1_800_000 });
    expect(verifyApprovalToken(deny ?? '', KEY, T0).decision).toBe('deny');
    expect(await approvalItem()).toMatchObject({
      status: 'pending',
      incidentId: 'inc-1',
      taskTokenHash: taskTokenHash(TASK_TOKEN),
      deadline: T0 + 1_800_000,
      expiresAt: Math.ceil((T0 + 1_800_000) / 1000),
    });
  });

  it('keeps the task token and the approval tokens out of the table and the recorded calls', async () => {
    // Prepare
    const sender = transport();
    const action = createRequestApprovalAction(() => deps(sender));
    const env = actionEnv(false);

    // Act
    await action.run(INPUT, env);

    // Assess
    const approve = /approve\?token=([\w.-]+)/.exec(sender.published[0]?.message ?? '')?.[1] ?? 'missing';
    const stored = JSON.stringify(await approvalItem());
    const recorded = JSON.stringify(env.recorder.calls);
    for (const secret of [TASK_TOKEN, approve]) {
      expect(stored).not.toContain(secret);
      expect(recorded).not.toContain(secret);
    }
    expect(recorded).toContain('approve?token=REDACTED');
    // Approval links never go to the generic webhook unless configured (test/attacks/notifications.test.ts)
    expect(sender.posts[0]).not.toContain(approve);
    expect(sender.published[0]?.message).toContain(approve);
  });

  it('renders and records in dry-run, storing, signing and sending nothing', async () => {
    // Prepare
    const sender = transport();
    const keyReads = { count: 0 };
    const action = createRequestApprovalAction(() => deps(sender, keyReads));
    const env = actionEnv(true);

    // Act
    const output = await action.run(INPUT, env);

    // Assess
    expect(output.requested).toBe(false);
    expect(sender.published).toEqual([]);
    expect(sender.posts).toEqual([]);
    expect(keyReads.count).toBe(0);
    expect(await approvalItem()).toBeUndefined();
    expect(env.recorder.calls.map((c) => [c.service, c.api, c.dryRun])).toEqual([
      ['dynamodb', 'PutItem', true],
      ['sns', 'Publish', true],
      ['webhook', 'Post', true],
    ]);
  });

  it('does not reopen a request already decided when the same task asks again (retry)', async () => {
    // Prepare
    const sender = transport();
    const action = createRequestApprovalAction(() => deps(sender));
    await action.run(INPUT, actionEnv(false));
    const decided = { ...(await approvalItem()), status: 'approved', approver: 'alice' };
    await store.db.send(new PutCommand({ TableName: tableName, Item: decided }));

    // Act
    const output = await action.run(INPUT, actionEnv(false));

    // Assess
    expect(output.requested).toBe(false);
    expect(sender.published).toHaveLength(1);
    expect((await approvalItem())?.status).toBe('approved');
  });

  it('replaces an earlier request of the incident with a new one', async () => {
    // Prepare
    const sender = transport();
    const action = createRequestApprovalAction(() => deps(sender));
    await action.run(INPUT, actionEnv(false));

    // Act
    await action.run({ ...INPUT, taskToken: 'another-task-token' }, actionEnv(false));

    // Assess
    expect(sender.published).toHaveLength(2);
    expect((await approvalItem())?.taskTokenHash).toBe(taskTokenHash('another-task-token'));
  });
});

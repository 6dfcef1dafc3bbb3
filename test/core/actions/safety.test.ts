import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalStore, openLocalStore } from '../../../cli/local/store.ts';
import {
  ApprovalRequiredError,
  BlastRadiusExceededError,
  NotAllowedError,
  ProtectedResourceError,
  SampleAlertError,
} from '../../../functions/core/actions/errors.ts';
import {
  BLAST_RADIUS_WINDOW_MS,
  DynamoSafetyRails,
  killSwitchEngaged,
  resetKillSwitchCache,
  safetyKeys,
} from '../../../functions/core/actions/safety.ts';
import {
  type ExecutionFacts,
  type SafetyPolicy,
  SafetyPolicySchema,
} from '../../../functions/core/actions/types.ts';
import { createTableLike } from '../../support/tables.ts';

const T0 = Date.parse('2025-06-01T12:00:00Z');

let store: LocalStore;
let tables = 0;

beforeAll(async () => {
  store = await openLocalStore();
});
afterAll(async () => {
  await store.close();
});

async function freshTable(): Promise<string> {
  tables += 1;
  return createTableLike(store, `safety-${tables}`);
}

function facts(overrides: Partial<ExecutionFacts> = {}): ExecutionFacts {
  return {
    incidentId: 'inc-1',
    alertId: 'alert-1',
    mode: 'live',
    sample: false,
    account: '111122223333',
    region: 'eu-west-1',
    playbookId: 'contain-instance',
    playbookVersion: '1.0.0',
    executionId: 'arn:aws:states:eu-west-1:111122223333:execution:contain:run-1',
    ...overrides,
  };
}

function policy(overrides: Partial<SafetyPolicy> = {}): SafetyPolicy {
  return { ...SafetyPolicySchema.parse({}), ...overrides };
}

interface Clock {
  now: number;
}

function rails(
  tableName: string,
  options: {
    execution?: Partial<ExecutionFacts>;
    policy?: Partial<SafetyPolicy>;
    clock?: Clock;
    dryRun?: boolean;
  } = {},
): DynamoSafetyRails {
  const clock = options.clock ?? { now: T0 };
  return new DynamoSafetyRails({
    db: store.db,
    tableName,
    policy: policy(options.policy),
    execution: facts(options.execution),
    now: () => clock.now,
    ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }),
  });
}

async function itemCount(tableName: string): Promise<number> {
  const out = await store.db.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return out.Items?.length ?? 0;
}

async function recordApproval(
  tableName: string,
  incidentId: string,
  status: string,
  scope: { purpose?: string; executionId?: string; decidedAt?: number } = {},
): Promise<void> {
  await store.db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...safetyKeys.approval(incidentId),
        incidentId,
        status,
        purpose: scope.purpose ?? 'blast-radius',
        executionId: scope.executionId ?? facts().executionId,
        decidedAt: new Date(scope.decidedAt ?? T0).toISOString(),
        taskTokenHash: 'h',
        requestedAt: T0,
        deadline: T0,
      },
    }),
  );
}

const target = (resource = 'i-0abc', tags: Record<string, string> = {}) => ({ resource, tags });

describe('DynamoSafetyRails refusals', () => {
  let tableName: string;
  beforeEach(async () => {
    tableName = await freshTable();
  });

  it('refuses a sample alert, whatever else, and writes nothing', async () => {
    // Prepare
    const safety = rails(tableName, { execution: { sample: true } });

    // Act
    const attempt = safety.assertContainable(target('i-0abc', { 'riposte:protected': 'true' }));

    // Assess
    await expect(attempt).rejects.toThrow(SampleAlertError);
    await expect(attempt).rejects.toThrow(/alert-1 is a provider sample finding/);
    expect(await itemCount(tableName)).toBe(0);
  });

  it('refuses an account on the deny list', async () => {
    // Prepare
    const safety = rails(tableName, { policy: { accounts: { deny: ['111122223333'] } } });

    // Act / Assess
    await expect(safety.assertContainable(target())).rejects.toThrow(
      new NotAllowedError('containment of i-0abc refused: account 111122223333 is on the deny list'),
    );
    expect(await itemCount(tableName)).toBe(0);
  });

  it('refuses an account missing from the allow list', async () => {
    // Prepare
    const safety = rails(tableName, { policy: { accounts: { allow: ['444455556666'], deny: [] } } });

    // Act / Assess
    await expect(safety.assertContainable(target())).rejects.toThrow(
      /not on the allow list \(444455556666\)/,
    );
    expect(await itemCount(tableName)).toBe(0);
  });

  it('refuses an unknown account when containment is limited to an allow list', async () => {
    // Prepare
    const safety = rails(tableName, {
      execution: { account: undefined },
      policy: { accounts: { allow: ['111122223333'], deny: [] } },
    });

    // Act / Assess
    await expect(safety.assertContainable(target())).rejects.toThrow(NotAllowedError);
    expect(await itemCount(tableName)).toBe(0);
  });

  it('refuses a denied region and a region outside the allow list', async () => {
    // Prepare
    const denied = rails(tableName, { policy: { regions: { deny: ['eu-west-1'] } } });
    const unlisted = rails(tableName, { policy: { regions: { allow: ['us-east-1'], deny: [] } } });

    // Act / Assess
    await expect(denied.assertContainable(target())).rejects.toThrow(/region eu-west-1 is on the deny list/);
    await expect(unlisted.assertContainable(target())).rejects.toThrow(
      /region eu-west-1 is not on the allow list/,
    );
    expect(await itemCount(tableName)).toBe(0);
  });

  it('refuses a resource with the protected tag, the value compared case-insensitively', async () => {
    // Prepare
    const safety = rails(tableName);

    // Act
    const attempt = safety.assertContainable(target('i-0abc', { 'riposte:protected': 'TRUE' }));

    // Assess
    await expect(attempt).rejects.toThrow(ProtectedResourceError);
    await expect(attempt).rejects.toThrow(
      /i-0abc refused: it carries the protected tag riposte:protected=TRUE/,
    );
    expect(await itemCount(tableName)).toBe(0);
  });

  it('compares the protected tag key and value trimmed and case-insensitively', async () => {
    // Prepare
    const safety = rails(tableName, { policy: { protectedTag: { key: 'Protected', value: 'yes' } } });

    // Act / Assess
    const variants: Record<string, string>[] = [
      { protected: 'yes' },
      { ' PROTECTED ': ' Yes ' },
      { Name: 'a', protected: 'YES\t' },
    ];
    for (const tags of variants) {
      await expect(safety.assertContainable(target('i-1', tags))).rejects.toThrow(ProtectedResourceError);
    }
    await expect(safety.assertContainable(target('i-2', { Protected: 'no' }))).resolves.toBeUndefined();
    await expect(safety.assertContainable(target('i-3', { 'Protected-by': 'yes' }))).resolves.toBeUndefined();
  });

  it('checks the account before the protected tag', async () => {
    // Prepare
    const safety = rails(tableName, { policy: { accounts: { deny: ['111122223333'] } } });

    // Act / Assess
    await expect(safety.assertContainable(target('i-0abc', { 'riposte:protected': 'true' }))).rejects.toThrow(
      NotAllowedError,
    );
  });
});

describe('DynamoSafetyRails environment approval', () => {
  let tableName: string;
  beforeEach(async () => {
    tableName = await freshTable();
  });
  const instance = (tags: Record<string, string>) => ({
    resource: 'i-0abc',
    tags,
    environmentApproval: true,
  });

  it('asks for an approval for production in any case or spacing, an unknown value and a missing tag', async () => {
    // Prepare
    const safety = rails(tableName);

    // Act / Assess
    const variants: Record<string, string>[] = [
      { 'Environment ': 'Production ' },
      { ENV: 'PROD' },
      { environment: 'blue' },
      {},
    ];
    for (const tags of variants) {
      await expect(safety.assertContainable(instance(tags))).rejects.toThrow(ApprovalRequiredError);
    }
    expect(await safety.activeLeases()).toEqual([]);
  });

  it('contains without asking an environment the configuration names non-production', async () => {
    // Prepare
    const safety = rails(tableName, {
      policy: { environments: { tagKeys: ['stage'], nonProduction: ['Lab'] } },
    });

    // Act / Assess
    await expect(safety.assertContainable(instance({ ' Stage': ' lab ' }))).resolves.toBeUndefined();
    await expect(safety.assertContainable(instance({ environment: 'dev' }))).rejects.toThrow(
      ApprovalRequiredError,
    );
    expect(safety.standing({ STAGE: 'LAB' })).toEqual({
      protected: false,
      environment: 'LAB',
      approvalRequired: false,
    });
  });

  it('contains after a production approval of this very execution only', async () => {
    // Prepare
    await recordApproval(tableName, 'inc-1', 'approved', { purpose: 'production' });
    await recordApproval(tableName, 'inc-2', 'approved', { purpose: 'production', executionId: 'another' });
    await recordApproval(tableName, 'inc-3', 'denied', { purpose: 'production' });
    await recordApproval(tableName, 'inc-4', 'approved', { purpose: 'containment' });

    // Act / Assess
    await expect(
      rails(tableName, { execution: { incidentId: 'inc-1' } }).assertContainable(
        instance({ environment: 'production' }),
      ),
    ).resolves.toBeUndefined();
    for (const incidentId of ['inc-2', 'inc-3', 'inc-4']) {
      await expect(
        rails(tableName, { execution: { incidentId } }).assertContainable(
          instance({ environment: 'production' }),
        ),
      ).rejects.toThrow(ApprovalRequiredError);
    }
  });

  it('does not ask when the target is not one that needs it, or for a dry-run execution (its approval step is simulated)', async () => {
    // Act / Assess
    await expect(rails(tableName).assertContainable(target('i-1', {}))).resolves.toBeUndefined();
    await expect(
      rails(tableName, { execution: { mode: 'dry-run' } }).assertContainable(
        instance({ environment: 'production' }),
      ),
    ).resolves.toBeUndefined();
    // Clients held back (world, kill switch) are not a dry-run execution: the rail still holds.
    await expect(
      rails(tableName, { dryRun: true }).assertContainable(instance({ environment: 'production' })),
    ).rejects.toThrow(ApprovalRequiredError);
  });
});

describe('DynamoSafetyRails blast radius', () => {
  let tableName: string;
  beforeEach(async () => {
    tableName = await freshTable();
  });

  it('allows N containments in an hour and refuses the next one without writing', async () => {
    // Prepare
    const clock = { now: T0 };
    const limit = { blastRadiusPerHour: 3 };
    for (const n of [1, 2, 3]) {
      await rails(tableName, {
        execution: { incidentId: `inc-${n}` },
        policy: limit,
        clock,
      }).assertContainable(target(`i-${n}`));
    }
    const fourth = rails(tableName, { execution: { incidentId: 'inc-4' }, policy: limit, clock });

    // Act
    const attempt = fourth.assertContainable(target('i-4'));

    // Assess
    await expect(attempt).rejects.toThrow(BlastRadiusExceededError);
    await expect(attempt).rejects.toThrow(
      /3 containment\(s\) in the last hour reach the limit of 3 per rolling hour; a blast-radius approval of this execution of incident inc-4/,
    );
    const leases = await fourth.activeLeases();
    expect(leases.map((l) => l.resource).sort()).toEqual(['i-1', 'i-2', 'i-3']);
  });

  it('counts over a rolling hour, not a fixed window', async () => {
    // Prepare: containments at 12:00, 12:30 and 12:45 with a limit of 3
    const clock = { now: T0 };
    const limit = { blastRadiusPerHour: 3 };
    const contain = (n: number) =>
      rails(tableName, { execution: { incidentId: `inc-${n}` }, policy: limit, clock }).assertContainable(
        target(`i-${n}`),
      );
    await contain(1);
    clock.now = T0 + 30 * 60_000;
    await contain(2);
    clock.now = T0 + 45 * 60_000;
    await contain(3);

    // Act / Assess: 12:59:59 still has three in the hour; 13:00 frees the 12:00 one only
    clock.now = T0 + BLAST_RADIUS_WINDOW_MS - 1;
    await expect(contain(4)).rejects.toThrow(BlastRadiusExceededError);
    clock.now = T0 + BLAST_RADIUS_WINDOW_MS;
    await expect(contain(5)).resolves.toBeUndefined();
    await expect(contain(6)).rejects.toThrow(BlastRadiusExceededError);
  });

  it('lets a containment past the limit through with a blast-radius approval of this execution, and counts it', async () => {
    // Prepare
    const limit = { blastRadiusPerHour: 1 };
    await rails(tableName, { execution: { incidentId: 'inc-1' }, policy: limit }).assertContainable(
      target('i-1'),
    );
    await recordApproval(tableName, 'inc-2', 'approved');
    const approved = rails(tableName, { execution: { incidentId: 'inc-2' }, policy: limit });

    // Act
    await approved.assertContainable(target('i-2'));

    // Assess
    const leases = await approved.activeLeases();
    expect(leases).toHaveLength(2);
    expect(leases.find((l) => l.resource === 'i-2')?.approved).toBe(true);
    await expect(
      rails(tableName, { execution: { incidentId: 'inc-3' }, policy: limit }).assertContainable(
        target('i-3'),
      ),
    ).rejects.toThrow(BlastRadiusExceededError);
  });

  it('takes no other approval for an override: production purpose, another execution, older than 15 minutes, no execution id', async () => {
    // Prepare
    const limit = { blastRadiusPerHour: 0 };
    const clock = { now: T0 + 16 * 60_000 };
    await recordApproval(tableName, 'inc-production', 'approved', { purpose: 'production' });
    await recordApproval(tableName, 'inc-other-run', 'approved', {
      executionId: 'arn:aws:states:x:1:execution:y:other',
    });
    await recordApproval(tableName, 'inc-old', 'approved', { decidedAt: T0 });
    await recordApproval(tableName, 'inc-fresh', 'approved', { decidedAt: T0 + 2 * 60_000 });

    // Act / Assess
    for (const incidentId of ['inc-production', 'inc-other-run', 'inc-old']) {
      await expect(
        rails(tableName, { execution: { incidentId }, policy: limit, clock }).assertContainable(target()),
      ).rejects.toThrow(BlastRadiusExceededError);
    }
    await expect(
      rails(tableName, {
        execution: { incidentId: 'inc-fresh', executionId: undefined },
        policy: limit,
        clock,
      }).assertContainable(target()),
    ).rejects.toThrow(BlastRadiusExceededError);
    await expect(
      rails(tableName, { execution: { incidentId: 'inc-fresh' }, policy: limit, clock }).assertContainable(
        target(),
      ),
    ).resolves.toBeUndefined();
  });

  it('does not take a pending or denied approval for an approval', async () => {
    // Prepare
    const limit = { blastRadiusPerHour: 0 };
    await recordApproval(tableName, 'inc-pending', 'pending');
    await recordApproval(tableName, 'inc-denied', 'denied');

    // Act / Assess
    for (const incidentId of ['inc-pending', 'inc-denied']) {
      await expect(
        rails(tableName, { execution: { incidentId }, policy: limit }).assertContainable(target()),
      ).rejects.toThrow(BlastRadiusExceededError);
    }
  });

  it('never lets concurrent executions exceed the limit: 30 at once with a limit of 10, exactly 10 pass', async () => {
    // Prepare
    const limit = { blastRadiusPerHour: 10 };
    const attempts = Array.from({ length: 30 }, (_, n) =>
      rails(tableName, { execution: { incidentId: `inc-${n}` }, policy: limit }),
    );

    // Act
    const results = await Promise.allSettled(
      attempts.map((safety, n) => safety.assertContainable(target(`i-${n}`))),
    );

    // Assess
    const passed = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(passed).toHaveLength(10);
    expect(refused).toHaveLength(20);
    for (const r of refused)
      expect(r.status === 'rejected' && r.reason).toBeInstanceOf(BlastRadiusExceededError);
    expect(await attempts[0]?.activeLeases()).toHaveLength(10);
  });

  it('counts the same incident and resource once, also when retried after the limit is reached', async () => {
    // Prepare
    const limit = { blastRadiusPerHour: 2 };
    const first = rails(tableName, { execution: { incidentId: 'inc-1' }, policy: limit });
    await first.assertContainable(target('i-1'));
    await first.assertContainable(target('i-1'));
    await rails(tableName, { execution: { incidentId: 'inc-2' }, policy: limit }).assertContainable(
      target('i-2'),
    );

    // Act: a retry of the first containment, with the hour now full
    const retry = first.assertContainable(target('i-1'));

    // Assess
    await expect(retry).resolves.toBeUndefined();
    expect(await first.activeLeases()).toHaveLength(2);
  });

  it('counts the same incident and resource once when retried concurrently', async () => {
    // Prepare
    const attempts = Array.from({ length: 5 }, () =>
      rails(tableName, { policy: { blastRadiusPerHour: 10 } }),
    );

    // Act
    await Promise.all(attempts.map((safety) => safety.assertContainable(target('i-same'))));

    // Assess
    expect(await attempts[0]?.activeLeases()).toHaveLength(1);
  });

  it('counts the same resource again for another incident', async () => {
    // Prepare
    const limit = { blastRadiusPerHour: 5 };
    await rails(tableName, { execution: { incidentId: 'inc-1' }, policy: limit }).assertContainable(
      target('i-1'),
    );

    // Act
    const second = rails(tableName, { execution: { incidentId: 'inc-2' }, policy: limit });
    await second.assertContainable(target('i-1'));

    // Assess
    expect(await second.activeLeases()).toHaveLength(2);
  });

  it('decides in dry-run without counting', async () => {
    // Prepare
    const limit = { blastRadiusPerHour: 1 };
    const dry = rails(tableName, { execution: { mode: 'dry-run', incidentId: 'inc-dry' }, policy: limit });

    // Act
    await dry.assertContainable(target('i-dry'));

    // Assess: nothing counted; once the hour is full, a dry-run reports the refusal too
    expect(await itemCount(tableName)).toBe(0);
    await rails(tableName, { execution: { incidentId: 'inc-live' }, policy: limit }).assertContainable(
      target('i-1'),
    );
    await expect(dry.assertContainable(target('i-dry'))).rejects.toThrow(BlastRadiusExceededError);
    expect(await dry.activeLeases()).toHaveLength(1);
  });

  it('keeps the ledger expiring after its last lease (TTL attribute expiresAt)', async () => {
    // Prepare
    const safety = rails(tableName);

    // Act
    await safety.assertContainable(target());

    // Assess
    const out = await store.db.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
    const ledger = out.Items?.[0];
    expect(ledger?.pk).toBe('SAFETY#BLAST_RADIUS');
    expect(ledger?.expiresAt).toBe(Math.ceil((T0 + BLAST_RADIUS_WINDOW_MS) / 1000) + 3_600);
  });
});

describe('killSwitchEngaged', () => {
  const ssm = new SSMClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const ssmMock = mockClient(ssm);
  const clock = { now: T0 };
  const options = { now: () => clock.now };

  beforeEach(() => {
    ssmMock.reset();
    resetKillSwitchCache();
    clock.now = T0;
  });

  it.each([
    ['on', true],
    ['true', true],
    [' TRUE ', true],
    ['off', false],
    ['false', false],
    ['maybe', true],
  ])('reads %j as engaged=%s', async (value, engaged) => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Name: '/riposte/kill-switch', Value: value } });

    // Act / Assess
    expect(await killSwitchEngaged(ssm, '/riposte/kill-switch', options)).toBe(engaged);
  });

  it('is not engaged when the parameter does not exist', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));

    // Act / Assess
    expect(await killSwitchEngaged(ssm, '/riposte/kill-switch', options)).toBe(false);
  });

  it('fails safe: an SSM error means engaged, and is not cached', async () => {
    // Prepare
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    ssmMock
      .on(GetParameterCommand)
      .rejectsOnce(denied)
      .resolves({ Parameter: { Value: 'off' } });

    // Act
    const first = await killSwitchEngaged(ssm, '/riposte/kill-switch', options);
    const second = await killSwitchEngaged(ssm, '/riposte/kill-switch', options);

    // Assess
    expect(first).toBe(true);
    expect(second).toBe(false);
  });

  it('reuses a reading for 30 seconds', async () => {
    // Prepare
    ssmMock
      .on(GetParameterCommand)
      .resolvesOnce({ Parameter: { Value: 'off' } })
      .resolves({ Parameter: { Value: 'on' } });
    await killSwitchEngaged(ssm, '/riposte/kill-switch', options);

    // Act
    clock.now = T0 + 29_999;
    const cached = await killSwitchEngaged(ssm, '/riposte/kill-switch', options);
    clock.now = T0 + 30_000;
    const fresh = await killSwitchEngaged(ssm, '/riposte/kill-switch', options);

    // Assess
    expect(cached).toBe(false);
    expect(fresh).toBe(true);
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(2);
  });
});

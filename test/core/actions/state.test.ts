import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalStore, openLocalStore } from '../../../cli/local/store.ts';
import type { ApiCall } from '../../../functions/core/actions/recorder.ts';
import {
  DynamoContainmentState,
  DynamoTimeline,
  listTimeline,
  MemoryContainmentState,
  MemoryTimeline,
} from '../../../functions/core/actions/state.ts';
import type { ExecutionFacts } from '../../../functions/core/actions/types.ts';
import { createTableLike } from '../../support/tables.ts';

const T0 = Date.parse('2025-06-01T12:00:00Z');

const EXECUTION: ExecutionFacts = {
  incidentId: 'inc-1',
  alertId: 'alert-1',
  mode: 'live',
  sample: false,
  account: '111122223333',
  region: 'eu-west-1',
  playbookId: 'contain-instance',
  playbookVersion: '1.2.0',
  executionId: 'arn:aws:states:eu-west-1:111122223333:execution:contain:run-1',
};

const MODIFY: ApiCall = {
  service: 'ec2',
  api: 'ModifyNetworkInterfaceAttribute',
  params: { NetworkInterfaceId: 'eni-1', Groups: ['sg-isolation'] },
  dryRun: false,
  mutating: true,
  requestId: 'req-1',
};

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
  return createTableLike(store, `state-${tables}`);
}

describe('DynamoContainmentState', () => {
  let tableName: string;
  beforeEach(async () => {
    tableName = await freshTable();
  });

  it('loads what was saved, as JSON (dates become ISO strings)', async () => {
    // Prepare
    const state = new DynamoContainmentState({ db: store.db, tableName, incidentId: 'inc-1' });
    const captured = {
      instanceId: 'i-0abc',
      enis: [{ id: 'eni-1', groups: ['sg-web'] }],
      launchedAt: new Date('2025-01-02T03:04:05Z'),
      profile: null,
    };

    // Act
    await state.save('ec2:i-0abc', captured);
    const loaded = await state.load('ec2:i-0abc');

    // Assess
    expect(loaded).toEqual({
      instanceId: 'i-0abc',
      enis: [{ id: 'eni-1', groups: ['sg-web'] }],
      launchedAt: '2025-01-02T03:04:05.000Z',
      profile: null,
    });
  });

  it('returns undefined for a key never saved, and keeps incidents apart', async () => {
    // Prepare
    const one = new DynamoContainmentState({ db: store.db, tableName, incidentId: 'inc-1' });
    const other = new DynamoContainmentState({ db: store.db, tableName, incidentId: 'inc-2' });
    await one.save('ec2:i-0abc', { groups: ['sg-1'] });

    // Act / Assess
    expect(await one.load('iam-user:alice')).toBeUndefined();
    expect(await other.load('ec2:i-0abc')).toBeUndefined();
  });

  it('overwrites on save: callers keep the first capture by loading first', async () => {
    // Prepare
    const state = new DynamoContainmentState({ db: store.db, tableName, incidentId: 'inc-1' });
    await state.save('ec2:i-0abc', { groups: ['sg-web'] });

    // Act: the pattern containment uses on a retry
    const first = (await state.load('ec2:i-0abc')) ?? { groups: ['sg-isolation'] };
    await state.save('ec2:i-0abc', first);
    const kept = await state.load('ec2:i-0abc');
    await state.save('ec2:i-0abc', { groups: ['sg-isolation'] });
    const overwritten = await state.load('ec2:i-0abc');

    // Assess
    expect(kept).toEqual({ groups: ['sg-web'] });
    expect(overwritten).toEqual({ groups: ['sg-isolation'] });
  });
});

describe('MemoryContainmentState', () => {
  it('behaves like the DynamoDB one', async () => {
    // Prepare
    const state = new MemoryContainmentState();
    const captured = { at: new Date('2025-01-02T03:04:05Z'), keys: ['AKIA1'] };

    // Act
    await state.save('iam-user:alice', captured);
    captured.keys.push('mutated after save');

    // Assess
    expect(await state.load('iam-user:alice')).toEqual({ at: '2025-01-02T03:04:05.000Z', keys: ['AKIA1'] });
    expect(await state.load('missing')).toBeUndefined();
    expect(state.keys()).toEqual(['iam-user:alice']);
  });
});

describe('DynamoTimeline', () => {
  let tableName: string;
  beforeEach(async () => {
    tableName = await freshTable();
  });

  it('lists the entries of an incident in time order, stamped with the execution', async () => {
    // Prepare
    const clock = { now: T0 + 2_000 };
    const timeline = new DynamoTimeline({
      db: store.db,
      tableName,
      execution: EXECUTION,
      now: () => clock.now,
    });
    await timeline.append({
      action: 'isolate-instance',
      target: 'i-0abc',
      dryRun: false,
      outcome: 'succeeded',
      calls: [MODIFY],
      before: { groups: ['sg-web'] },
      after: { groups: ['sg-isolation'] },
    });
    clock.now = T0 + 1_000; // an earlier entry written later (another Lambda)
    await timeline.append({
      action: 'enrich-instance',
      target: 'i-0abc',
      dryRun: false,
      outcome: 'succeeded',
      calls: [],
    });
    clock.now = T0 + 3_000;
    await timeline.append({
      action: 'revoke-role-sessions',
      target: 'web-role',
      dryRun: false,
      outcome: 'refused',
      calls: [],
      error: 'ProtectedResourceError: it carries the protected tag',
    });

    // Act
    const entries = await listTimeline(store.db, tableName, 'inc-1');

    // Assess
    expect(entries.map((e) => e.action)).toEqual([
      'enrich-instance',
      'isolate-instance',
      'revoke-role-sessions',
    ]);
    expect(entries[1]).toEqual({
      incidentId: 'inc-1',
      at: T0 + 2_000,
      action: 'isolate-instance',
      target: 'i-0abc',
      dryRun: false,
      outcome: 'succeeded',
      calls: [MODIFY],
      before: { groups: ['sg-web'] },
      after: { groups: ['sg-isolation'] },
      playbookId: 'contain-instance',
      playbookVersion: '1.2.0',
      executionId: EXECUTION.executionId,
      mode: 'live',
    });
    expect(entries[2]?.error).toMatch(/ProtectedResourceError/);
  });

  it('keeps entries appended in the same millisecond, in append order', async () => {
    // Prepare
    const timeline = new DynamoTimeline({ db: store.db, tableName, execution: EXECUTION, now: () => T0 });

    // Act
    for (const n of [1, 2, 3, 4, 5]) {
      await timeline.append({
        action: `step-${n}`,
        target: 't',
        dryRun: true,
        outcome: 'succeeded',
        calls: [],
      });
    }

    // Assess
    const entries = await listTimeline(store.db, tableName, 'inc-1');
    expect(entries.map((e) => e.action)).toEqual(['step-1', 'step-2', 'step-3', 'step-4', 'step-5']);
  });

  it('returns nothing for another incident', async () => {
    // Prepare
    const timeline = new DynamoTimeline({ db: store.db, tableName, execution: EXECUTION, now: () => T0 });
    await timeline.append({
      action: 'notify',
      target: 'all',
      dryRun: false,
      outcome: 'succeeded',
      calls: [],
    });

    // Act / Assess
    expect(await listTimeline(store.db, tableName, 'inc-2')).toEqual([]);
  });

  it('drops parameters and before/after of an entry too large for DynamoDB, keeping the calls', async () => {
    // Prepare
    const timeline = new DynamoTimeline({ db: store.db, tableName, execution: EXECUTION, now: () => T0 });
    const huge = { blob: 'x'.repeat(350_000) };

    // Act
    await timeline.append({
      action: 'snapshot',
      target: 'i-0abc',
      dryRun: false,
      outcome: 'succeeded',
      calls: [{ ...MODIFY, params: huge }],
      before: huge,
    });

    // Assess
    const [entry] = await listTimeline(store.db, tableName, 'inc-1');
    expect(entry?.truncated).toBe(true);
    expect(entry?.before).toBeUndefined();
    expect(entry?.calls).toEqual([{ ...MODIFY, params: { truncated: true } }]);
  });
});

describe('MemoryTimeline', () => {
  it('records the same entries as the DynamoDB one', async () => {
    // Prepare
    const timeline = new MemoryTimeline({ ...EXECUTION, mode: 'dry-run' }, () => T0);

    // Act
    await timeline.append({
      action: 'isolate-instance',
      target: 'i-0abc',
      dryRun: true,
      outcome: 'succeeded',
      calls: [MODIFY],
    });

    // Assess
    expect(timeline.entries).toEqual([
      {
        incidentId: 'inc-1',
        at: T0,
        action: 'isolate-instance',
        target: 'i-0abc',
        dryRun: true,
        outcome: 'succeeded',
        calls: [MODIFY],
        playbookId: 'contain-instance',
        playbookVersion: '1.2.0',
        executionId: EXECUTION.executionId,
        mode: 'dry-run',
      },
    ]);
  });
});

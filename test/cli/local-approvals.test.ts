import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readApprovalItem } from '#core/actions/approval/decide.ts';
import { LocalApprovalGate } from '../../cli/local/approvals.ts';
import { waitForActiveTable } from '../../cli/local/runtime.ts';
import { type LocalStore, openLocalStore } from '../../cli/local/store.ts';
import { eventually } from '../console/support.ts';

/** Local approvals wait as deployed ones do: decided once, or expired at their deadline. */
describe('LocalApprovalGate', () => {
  let dataDir: string;
  let store: LocalStore;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-gate-'));
    store = await openLocalStore({ dataDir });
    await waitForActiveTable(store);
  });

  afterEach(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const request = (timeoutSeconds: number) => ({
    incidentId: 'inc-1',
    executionId: 'arn:aws:states:local:000000000000:execution:p:inc-1',
    playbookId: 'p',
    playbookVersion: '1.0.0',
    message: 'Isolate?',
    timeoutSeconds,
  });

  it('resolves with the grant when approved, and refuses a second decision', async () => {
    // Prepare
    const gate = new LocalApprovalGate({ db: store.db, tableName: store.tableName });
    const waiting = gate.wait(request(3_600));
    await eventually(async () => (gate.waiting().length === 1 ? true : undefined));

    // Act
    const first = await gate.decide('inc-1', 'approve', 'alice');
    const second = await gate.decide('inc-1', 'deny', 'mallory');

    // Assess
    expect(first).toEqual(expect.objectContaining({ outcome: 'decided', status: 'approved' }));
    expect(second).toEqual({ outcome: 'nothing-waiting' });
    await expect(waiting).resolves.toEqual(expect.objectContaining({ approved: true, approver: 'alice' }));
    expect(await readApprovalItem(store.db, store.tableName, 'inc-1')).toEqual(
      expect.objectContaining({ status: 'approved', approver: 'alice' }),
    );
  });

  it('fails the task with ApprovalDenied when denied', async () => {
    // Prepare
    const gate = new LocalApprovalGate({ db: store.db, tableName: store.tableName });
    const waiting = gate.wait(request(3_600));
    await eventually(async () => (gate.waiting().length === 1 ? true : undefined));

    // Act
    await gate.decide('inc-1', 'deny', 'bob');

    // Assess
    await expect(waiting).rejects.toMatchObject({ name: 'ApprovalDenied' });
  });

  it('expires at the deadline: the task times out and the item says expired', async () => {
    // Prepare
    const gate = new LocalApprovalGate({ db: store.db, tableName: store.tableName });

    // Act
    const outcome = await gate.wait(request(0.2)).catch((error: unknown) => error);

    // Assess
    expect(outcome).toMatchObject({ name: 'States.Timeout' });
    expect((await readApprovalItem(store.db, store.tableName, 'inc-1'))?.status).toBe('expired');
    expect(await gate.decide('inc-1', 'approve', 'alice')).toEqual({ outcome: 'nothing-waiting' });
  });

  it('expires every waiting approval when closed', async () => {
    // Prepare
    const gate = new LocalApprovalGate({ db: store.db, tableName: store.tableName });
    const waiting = gate.wait(request(3_600)).catch((error: unknown) => error);
    await eventually(async () => (gate.waiting().length === 1 ? true : undefined));

    // Act
    await gate.close();

    // Assess
    expect(await waiting).toMatchObject({ name: 'States.Timeout', message: 'riposte serve stopped' });
    expect(gate.waiting()).toEqual([]);
  });
});

import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStore, openLocalStore } from '../../../cli/local/store.ts';
import type { LifecycleEvent } from '../../../functions/core/lifecycle/events.ts';
import {
  OUTBOX_PREFIX,
  OUTBOX_TTL_MS,
  OutboxItemSchema,
  OutboxPublisher,
  OutboxWriteError,
} from '../../../functions/core/lifecycle/outbox.ts';
import { createTableLike } from '../../support/tables.ts';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const ACTOR = 'arn:aws:sts::111122223333:assumed-role/SecurityAnalyst/alice';

let local: LocalStore;
let tables = 0;

beforeAll(async () => {
  local = await openLocalStore();
});
afterAll(async () => {
  await local.close();
});

async function freshTable(): Promise<string> {
  tables += 1;
  return createTableLike(local, `outbox-${tables}`);
}

/** The outbox items of one partition, oldest first. */
async function outboxOf(tableName: string, pk: string): Promise<Record<string, unknown>[]> {
  const out = await local.db.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': OUTBOX_PREFIX },
    }),
  );
  return out.Items ?? [];
}

describe('OutboxPublisher', () => {
  it('writes one item per event in the incident partition, with kind, detail, actor, time and a one-day TTL', async () => {
    // Prepare
    const tableName = await freshTable();
    const publisher = new OutboxPublisher({ db: local.db, tableName, actor: ACTOR, now: () => NOW });
    const events: LifecycleEvent[] = [
      { kind: 'assigned', detail: { incidentId: 'inc-1', at: NOW, owner: 'bob' } },
      { kind: 'noteAdded', detail: { incidentId: 'inc-1', at: NOW, noteId: 'n-1', actor: 'carol' } },
    ];

    // Act
    await publisher.publish(events);

    // Assess
    const items = (await outboxOf(tableName, 'INCIDENT#inc-1')).map((item) => OutboxItemSchema.parse(item));
    expect(items.map((item) => [item.kind, item.actor, item.at, item.detail])).toEqual([
      ['assigned', ACTOR, NOW, { incidentId: 'inc-1', at: NOW, owner: 'bob' }],
      ['noteAdded', 'carol', NOW, { incidentId: 'inc-1', at: NOW, noteId: 'n-1', actor: 'carol' }],
    ]);
    expect(new Set(items.map((item) => item.sk)).size).toBe(2);
    for (const item of items) {
      expect(item.sk.startsWith(`${OUTBOX_PREFIX}2026-06-01T12:00:00.000Z#`)).toBe(true);
      expect(item.expiresAt).toBe((NOW + OUTBOX_TTL_MS) / 1000);
    }
  });

  it("puts a suppression's event with no incident in the suppression's partition", async () => {
    // Prepare
    const tableName = await freshTable();
    const publisher = new OutboxPublisher({ db: local.db, tableName, actor: ACTOR, now: () => NOW });

    // Act
    await publisher.publish([
      { kind: 'suppressionRemoved', detail: { incidentId: '-', at: NOW, suppressionId: 'sup-1' } },
    ]);

    // Assess
    expect((await outboxOf(tableName, 'SUPPRESSION#sup-1')).map((item) => item.kind)).toEqual([
      'suppressionRemoved',
    ]);
  });

  it('never overwrites an item: a taken key is refused with OutboxWriteError', async () => {
    // Prepare
    const tableName = await freshTable();
    const first = new OutboxPublisher({ db: local.db, tableName, actor: ACTOR, suffix: () => 'same' });
    const second = new OutboxPublisher({ db: local.db, tableName, actor: 'mallory', suffix: () => 'same' });
    await first.publish([{ kind: 'tagged', detail: { incidentId: 'inc-2', at: NOW, tags: ['a'] } }]);

    // Act
    const attempt = second.publish([
      { kind: 'tagged', detail: { incidentId: 'inc-2', at: NOW, tags: ['b'] } },
    ]);

    // Assess
    await expect(attempt).rejects.toThrow(OutboxWriteError);
    await expect(attempt).rejects.toThrow(/its key is taken/);
    const items = await outboxOf(tableName, 'INCIDENT#inc-2');
    expect(items.map((item) => [item.actor, (item.detail as { tags: string[] }).tags])).toEqual([
      [ACTOR, ['a']],
    ]);
  });

  it('refuses an event whose detail is not a lifecycle detail, writing nothing', async () => {
    // Prepare
    const tableName = await freshTable();
    const publisher = new OutboxPublisher({ db: local.db, tableName });
    const bad = {
      kind: 'closed',
      detail: { incidentId: 'inc-3', at: 'yesterday' },
    } as unknown as LifecycleEvent;

    // Act
    const attempt = publisher.publish([bad]);

    // Assess
    await expect(attempt).rejects.toThrow();
    expect(await outboxOf(tableName, 'INCIDENT#inc-3')).toEqual([]);
  });
});

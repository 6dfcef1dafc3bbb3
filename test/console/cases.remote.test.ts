import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignCase, closeCase } from '../../cli/console/api/cases.ts';
import type { ConsoleContext } from '../../cli/console/api/context.ts';
import { ChangeFeed } from '../../cli/console/feed.ts';
import { type LocalStore, openLocalStore } from '../../cli/local/store.ts';
import { RecordingDispatcher } from '../../functions/core/intake/dispatch.ts';
import { ingestBatch } from '../../functions/core/intake/ingest.ts';
import { OUTBOX_PREFIX, OutboxItemSchema } from '../../functions/core/lifecycle/outbox.ts';
import { guardDutyInstanceFinding } from '../support/events.ts';
import { createTableLike } from '../support/tables.ts';

/**
 * The console's case routes against a deployment (`riposte console --stack`): each change's
 * lifecycle events go to the table's outbox, for the lifecycle relay to publish.
 */

const CALLER = 'arn:aws:sts::111122223333:assumed-role/SecurityAnalyst/alice';

let local: LocalStore;
let ctx: ConsoleContext;
let incidentId: string;

beforeAll(async () => {
  local = await openLocalStore();
  const tableName = await createTableLike(local, 'Riposte-AlertStoreTable910AB584-CONSOLE');
  const report = await ingestBatch([{ id: 'd1', body: JSON.stringify(guardDutyInstanceFinding()) }], {
    db: local.db,
    tableName,
    dispatcher: new RecordingDispatcher(),
    routes: [],
    incidentWindowMs: 3_600_000,
    rejectedRetentionDays: 90,
  });
  incidentId = report.incidentIds[0] ?? '';
  ctx = {
    db: local.db,
    tableName,
    remote: true,
    description: `table ${tableName}`,
    region: 'eu-west-1',
    deployment: undefined,
    dataDir: undefined,
    playbooks: [],
    feed: new ChangeFeed(),
    gate: undefined,
    tracker: undefined,
    serialize: (task) => task(),
    actor: async () => CALLER,
    release: undefined,
  };
});
afterAll(async () => {
  await local.close();
});

describe('the console case routes against a deployment', () => {
  it('leave the lifecycle events of assign and close in the outbox, as the caller', async () => {
    // Act
    await assignCase(ctx, incidentId, { owner: 'bob' });
    await closeCase(ctx, incidentId, { resolution: 'benign' });

    // Assess
    const out = await local.db.send(
      new QueryCommand({
        TableName: ctx.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `INCIDENT#${incidentId}`, ':prefix': OUTBOX_PREFIX },
      }),
    );
    const items = (out.Items ?? []).map((item) => OutboxItemSchema.parse(item));
    expect(items.filter((i) => i.kind !== 'statusChanged').map((i) => [i.kind, i.actor])).toEqual([
      ['assigned', CALLER],
      ['closed', CALLER],
    ]);
  });
});

import { PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStore, openLocalStore } from '../../../cli/local/store.ts';
import { type PlaybookRoute, RecordingDispatcher } from '../../../functions/core/intake/dispatch.ts';
import { type IngestDeps, ingestBatch } from '../../../functions/core/intake/ingest.ts';
import { guardDutyInstanceFinding } from '../../support/events.ts';
import { createTableLike } from '../../support/tables.ts';

/**
 * A Lambda can die between any two writes of one alert's ingestion; SQS then delivers the
 * message again. Whatever write the crash follows, the redelivery must finish the job: the alert
 * linked to its incident and listed on it, and never counted twice.
 */

const CONTAIN: PlaybookRoute = {
  id: 'contain-instance',
  version: '1.0.0',
  target: 'arn:aws:states:eu-west-1:111122223333:stateMachine:contain:live',
  trigger: { sources: ['aws.guardduty'], minSeverity: 4 },
};

/** Thrown by the store after its last allowed write: the process "dies" there. */
class CrashError extends Error {
  public constructor(write: number) {
    super(`crashed after write ${write}`);
    this.name = 'CrashError';
  }
}

let store: LocalStore;
let tables = 0;

beforeAll(async () => {
  store = await openLocalStore();
});
afterAll(async () => {
  await store.close();
});

/** Deps on a fresh table whose client dies once `writes` writes have been sent. */
async function depsCrashingAfter(writes: number | undefined, tableName?: string) {
  tables += 1;
  const name = tableName ?? (await createTableLike(store, `crash-points-${tables}`));
  let sent = 0;
  const db = new Proxy(store.db, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: unknown) => {
        const isWrite = command instanceof PutCommand || command instanceof UpdateCommand;
        if (isWrite && writes !== undefined && sent >= writes) throw new CrashError(sent);
        if (isWrite) sent += 1;
        return target.send(command as never);
      };
    },
  });
  const deps: IngestDeps = {
    db,
    tableName: name,
    dispatcher: new RecordingDispatcher(),
    routes: [CONTAIN],
    incidentWindowMs: 24 * 3_600_000,
    rejectedRetentionDays: 90,
  };
  return { deps, tableName: name };
}

describe('ingest after a crash at any write', () => {
  it('links and lists each alert, and never counts it twice, whichever write the crash follows', async () => {
    const first = guardDutyInstanceFinding({ findingId: 'a'.repeat(32) });
    const second = guardDutyInstanceFinding({ findingId: 'b'.repeat(32) });
    for (let crashAfter = 0; crashAfter <= 12; crashAfter += 1) {
      // Prepare: the first alert opened the incident; the second crashes after `crashAfter` writes
      const { deps, tableName } = await depsCrashingAfter(undefined);
      await ingestBatch([{ id: 'm1', body: JSON.stringify(first) }], deps);
      const crashing = await depsCrashingAfter(crashAfter, tableName);
      await ingestBatch([{ id: 'm2', body: JSON.stringify(second) }], crashing.deps).catch(() => undefined);

      // Act: SQS delivers the message again
      await ingestBatch([{ id: 'm2', body: JSON.stringify(second) }], deps);

      // Assess
      const at = `crash after write ${crashAfter}`;
      const items = await itemsOf(tableName);
      const incidents = items.filter((item) => item.sk === 'INCIDENT');
      const alerts = items.filter((item) => item.sk === 'ALERT');
      expect(incidents, at).toHaveLength(1);
      expect(alerts, at).toHaveLength(2);
      const [incident] = incidents;
      const listed = [...((incident?.alertIds as Set<string> | undefined) ?? [])].sort();
      expect(
        alerts.map((a) => a.incidentId),
        at,
      ).toEqual([incident?.id, incident?.id]);
      expect(listed, at).toEqual(alerts.map((a) => String(a.id)).sort());
      // The count is a figure for people: a crash between the membership item and the incident
      // update loses that alert's count (the membership items stay exact); it never counts twice.
      expect([1, 2], at).toContain(incident?.alertCount);
    }
  }, 120_000);
});

async function itemsOf(tableName: string): Promise<Record<string, unknown>[]> {
  const out = await store.db.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return out.Items ?? [];
}

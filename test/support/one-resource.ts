import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStore } from '../../cli/local/store.ts';
import { type PlaybookRoute, RecordingDispatcher } from '../../functions/core/intake/dispatch.ts';
import { type IngestDeps, ingestBatch } from '../../functions/core/intake/ingest.ts';
import { itemSize } from '../../functions/core/store/item-size.ts';
import { guardDutyInstanceFinding } from './events.ts';
import { createTableLike } from './tables.ts';

/** What ingesting many distinct alerts on one resource cost and left. */
export interface OneResourceFigures {
  readonly alerts: number;
  /** DynamoDB write requests sent (PutItem, UpdateItem; failed conditional writes included). */
  readonly writes: number;
  readonly failures: number;
  readonly incidents: number;
  readonly executions: number;
  /** Size of the incident item as DynamoDB counts it, in bytes. */
  readonly incidentItemBytes: number;
  /** The largest item in the table, in bytes, and what it is. */
  readonly largestItemBytes: number;
  readonly largestItemKey: string;
  readonly alertCount: number | undefined;
  readonly ms: number;
}

/**
 * Ingests `alerts` distinct GuardDuty findings about one instance, in SQS-sized batches of 10, into
 * a fresh table of `store`, counting every write request, then measures every item.
 *
 * @example
 * const figures = await ingestOnOneResource(store, 2_000, routes);
 * expect(figures.incidentItemBytes).toBeLessThan(16 * 1024);
 */
export async function ingestOnOneResource(
  store: LocalStore,
  alerts: number,
  routes: readonly PlaybookRoute[],
  tableName = `one-resource-${alerts}-${Date.now()}`,
): Promise<OneResourceFigures> {
  await createTableLike(store, tableName);
  let writes = 0;
  const counting = {
    send: (command: { constructor: { name: string } }) => {
      if (/^(Put|Update|Delete)(Item)?Command$/.test(command.constructor.name)) writes += 1;
      return store.db.send(command as never);
    },
  } as unknown as IngestDeps['db'];
  const dispatcher = new RecordingDispatcher();
  const deps: IngestDeps = {
    db: counting,
    tableName,
    dispatcher,
    routes,
    incidentWindowMs: 24 * 3_600_000,
    rejectedRetentionDays: 90,
    concurrency: 8,
  };
  const started = performance.now();
  let failures = 0;
  const base = Date.parse('2026-11-02T10:00:00Z');
  for (let i = 0; i < alerts; i += 10) {
    const batch = [];
    for (let j = i; j < Math.min(i + 10, alerts); j += 1) {
      const event = guardDutyInstanceFinding({
        findingId: `f${String(j).padStart(31, '0')}`,
        updatedAt: new Date(base + j).toISOString(),
      });
      batch.push({ id: `m${j}`, body: JSON.stringify(event) });
    }
    const report = await ingestBatch(batch, deps);
    failures += report.failures.length;
  }
  const ms = performance.now() - started;

  let incidents = 0;
  let incidentItemBytes = 0;
  let largestItemBytes = 0;
  let largestItemKey = '';
  let alertCount: number | undefined;
  let executions = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await store.db.send(
      new ScanCommand({ TableName: tableName, ...(start === undefined ? {} : { ExclusiveStartKey: start }) }),
    );
    for (const item of page.Items ?? []) {
      const size = itemSize(item);
      if (size > largestItemBytes) {
        largestItemBytes = size;
        largestItemKey = `${String(item.pk).split('#')[0]}#…/${String(item.sk).split('#')[0]}`;
      }
      if (item.sk === 'INCIDENT') {
        incidents += 1;
        incidentItemBytes = size;
        alertCount = typeof item.alertCount === 'number' ? item.alertCount : undefined;
      }
      if (String(item.sk).startsWith('EXEC#')) executions += 1;
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return {
    alerts,
    writes,
    failures,
    incidents,
    executions,
    incidentItemBytes,
    largestItemBytes,
    largestItemKey,
    alertCount,
    ms: Math.round(ms),
  };
}

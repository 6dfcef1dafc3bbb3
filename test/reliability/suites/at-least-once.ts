import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStore, openLocalStore } from '../../../cli/local/store.ts';
import {
  type Dispatcher,
  type PlaybookRoute,
  RecordingDispatcher,
  type StartRequest,
  type StartResult,
} from '../../../functions/core/intake/dispatch.ts';
import {
  type Delivery,
  emptyReport,
  type IngestDeps,
  type IngestReport,
  ingestBatch,
  mergeReports,
} from '../../../functions/core/intake/ingest.ts';
import { guardDutyInstanceFinding } from '../../support/events.ts';
import { freshTable, scanAll } from '../support/store.ts';

/**
 * At-least-once delivery: SQS may hand the same batch to ingest any number of times, in any
 * order, concurrently. Whatever the interleaving: one alert, one incident, one execution.
 */
export interface AtLeastOnceScale {
  /** Times the same batch is delivered, shuffled, with bounded concurrency. */
  readonly deliveries: number;
  /** fast-check scheduler runs interleaving every DynamoDB call and start of concurrent deliveries. */
  readonly schedulerRuns: number;
  /** Concurrent deliveries of the batch in each scheduler run. */
  readonly deliveriesPerSchedulerRun: number;
  readonly seed?: number;
}

const CONTAIN: PlaybookRoute = {
  id: 'contain-instance',
  version: '1.0.0',
  target: 'arn:aws:states:eu-west-1:111122223333:stateMachine:contain:live',
  trigger: { sources: ['aws.guardduty'], minSeverity: 4 },
};

/** The batch: one finding twice (two envelopes) and a malformed message, as SQS would carry them. */
function theBatch(): Delivery[] {
  const finding = guardDutyInstanceFinding({ findingId: 'a'.repeat(32), instanceId: 'i-0a1b2c3d4e5f60718' });
  return [
    { id: 'msg-1', body: JSON.stringify({ ...finding, id: '11111111-1111-4111-8111-111111111111' }) },
    { id: 'msg-2', body: JSON.stringify({ ...finding, id: '22222222-2222-4222-8222-222222222222' }) },
    { id: 'msg-3', body: '{"source": "aws.guardduty", "detail-type": ' },
  ];
}

/** Records every start asked for, started or not, then answers like Step Functions (name = once). */
class CountingDispatcher implements Dispatcher {
  public readonly requested: StartRequest[] = [];
  public readonly inner = new RecordingDispatcher();

  public constructor(
    private readonly gate: (fn: () => Promise<StartResult>) => Promise<StartResult> = (fn) => fn(),
  ) {}

  public start(request: StartRequest): Promise<StartResult> {
    this.requested.push(request);
    return this.gate(() => this.inner.start(request));
  }
}

/** What the table holds after the deliveries, and the invariants of exactly-once. */
async function assertOnce(
  view: LocalStore,
  dispatcher: CountingDispatcher,
  report: IngestReport,
  deliveries: number,
): Promise<void> {
  const items = await scanAll(view.db, view.tableName);
  const alerts = items.filter((i) => i.sk === 'ALERT');
  const incidents = items.filter((i) => i.sk === 'INCIDENT');
  const executions = items.filter((i) => String(i.sk).startsWith('EXEC#'));
  const locks = items.filter((i) => i.sk === 'OPEN_INCIDENT');
  const rejected = items.filter((i) => i.sk === 'REJECTED');

  expect(report.failures).toEqual([]);
  expect(alerts).toHaveLength(1);
  expect(alerts[0]?.occurrences).toBe(2 * deliveries);
  expect(incidents).toHaveLength(1);
  expect(alerts[0]?.incidentId).toBe(incidents[0]?.id);
  expect(locks.map((l) => l.incidentId)).toEqual([incidents[0]?.id]);
  expect(executions).toHaveLength(1);
  expect(dispatcher.inner.started).toHaveLength(1);
  expect(new Set(dispatcher.requested.map((r) => r.name)).size).toBe(1);
  expect(report.alertsCreated).toBe(1);
  expect(report.incidentsOpened).toBe(1);
  expect(report.executionsStarted).toBe(1);
  expect(rejected).toHaveLength(1);
  expect(rejected[0]?.deliveries).toBe(deliveries);
}

/**
 * `fn` with its results delivered when the fast-check scheduler decides. The call itself runs at
 * once; a failure is carried as a value until released (a rejected promise waiting for the
 * scheduler would be reported unhandled), then thrown to the caller.
 */
function scheduled<A, R>(s: fc.Scheduler, fn: (arg: A) => Promise<R>): (arg: A) => Promise<R> {
  const release = s.scheduleFunction(async function call(arg: A) {
    try {
      return { ok: true as const, value: await fn(arg) };
    } catch (error) {
      return { ok: false as const, error };
    }
  });
  return async (arg) => {
    const result = await release(arg);
    if (!result.ok) throw result.error;
    return result.value;
  };
}

export function atLeastOnceSuite(scale: AtLeastOnceScale): void {
  const seed = scale.seed ?? Date.now() % 2_147_483_647;

  describe(`at-least-once delivery (seed ${seed})`, () => {
    let store: LocalStore;
    beforeAll(async () => {
      store = await openLocalStore();
    });
    afterAll(async () => {
      await store.close();
    });

    function deps(
      view: LocalStore,
      dispatcher: Dispatcher,
      db: DynamoDBDocumentClient = view.db,
    ): IngestDeps {
      return {
        db,
        tableName: view.tableName,
        dispatcher,
        routes: [CONTAIN],
        incidentWindowMs: 24 * 3_600_000,
        rejectedRetentionDays: 90,
      };
    }

    it(`stores one alert, one incident and one execution for the same batch delivered ${scale.deliveries.toLocaleString('en')} times, shuffled and concurrent`, async () => {
      // Prepare: each delivery gets the batch in its own order; deliveries start in a random order
      const view = await freshTable(store, 'once');
      const dispatcher = new CountingDispatcher();
      const batch = theBatch();
      const [plan] = fc.sample(
        fc.record({
          order: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
            minLength: scale.deliveries,
            maxLength: scale.deliveries,
          }),
          inBatch: fc.array(
            fc.constantFrom([0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]),
            {
              minLength: scale.deliveries,
              maxLength: scale.deliveries,
            },
          ),
          concurrency: fc.integer({ min: 4, max: 32 }),
        }),
        { numRuns: 1, seed },
      );
      if (plan === undefined) throw new Error('no plan');
      const queue = plan.order
        .map((key, i) => ({ key, batch: (plan.inBatch[i] ?? [0, 1, 2]).map((j) => batch[j] as Delivery) }))
        .sort((a, b) => a.key - b.key);
      const reports: IngestReport[] = [];

      // Act
      let next = 0;
      await Promise.all(
        Array.from({ length: plan.concurrency }, async () => {
          while (next < queue.length) {
            const item = queue[next];
            next += 1;
            if (item !== undefined) reports.push(await ingestBatch(item.batch, deps(view, dispatcher)));
          }
        }),
      );

      // Assess
      await assertOnce(view, dispatcher, reports.reduce(mergeReports, emptyReport()), scale.deliveries);
    });

    it(`keeps exactly-once under ${scale.schedulerRuns} adversarial interleavings of every DynamoDB call and start`, async () => {
      // Prepare: the scheduler decides when each DynamoDB call and each start resolves
      const batch = theBatch();
      let run = 0;

      // Act & Assess
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), async (s) => {
          run += 1;
          const view = await freshTable(store, `sched-${run}`);
          const db = {
            send: scheduled(s, (command: never) => view.db.send(command)),
          } as unknown as DynamoDBDocumentClient;
          const dispatcher = new CountingDispatcher(scheduled(s, (fn: () => Promise<StartResult>) => fn()));
          const running = Promise.all(
            Array.from({ length: scale.deliveriesPerSchedulerRun }, (_, i) =>
              ingestBatch(i % 2 === 0 ? batch : [...batch].reverse(), deps(view, dispatcher, db)),
            ),
          );
          const reports = await s.waitFor(running);
          await assertOnce(
            view,
            dispatcher,
            reports.reduce(mergeReports, emptyReport()),
            scale.deliveriesPerSchedulerRun,
          );
        }),
        { numRuns: scale.schedulerRuns, seed, endOnFailure: true },
      );
    });
  });
}

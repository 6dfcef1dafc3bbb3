import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalStore, openLocalStore } from '../../../cli/local/store.ts';
import { type PlaybookRoute, RecordingDispatcher } from '../../../functions/core/intake/dispatch.ts';
import { type Delivery, type IngestDeps, ingestBatch } from '../../../functions/core/intake/ingest.ts';
import { normalize } from '../../../functions/core/normalize/index.ts';
import { alertOcsf, listAlerts, listIncidents, listRejected } from '../../../functions/core/store/queries.ts';
import { keys } from '../../../functions/core/store/table.ts';
import { guardDutyInstanceFinding } from '../../support/events.ts';

const CONTAIN: PlaybookRoute = {
  id: 'contain-instance',
  version: '1.0.0',
  target: 'arn:aws:states:eu-west-1:111122223333:stateMachine:contain:live',
  trigger: { sources: ['aws.guardduty'], minSeverity: 4 },
};
const CRITICAL_ONLY: PlaybookRoute = {
  id: 'page-on-call',
  version: '2.1.0',
  target: 'arn:aws:states:eu-west-1:111122223333:stateMachine:page:live',
  trigger: { minSeverity: 5 },
};

let store: LocalStore;
let table = 0;

beforeAll(async () => {
  store = await openLocalStore();
});
afterAll(async () => {
  await store.close();
});

/** A fresh logical store per test: the same embedded DynamoDB, a new table. */
async function freshDeps(
  routes: readonly PlaybookRoute[] = [CONTAIN],
): Promise<IngestDeps & { dispatcher: RecordingDispatcher }> {
  table += 1;
  const { createTableLike } = await import('../../support/tables.ts');
  const tableName = await createTableLike(store, `ingest-${table}`);
  return {
    db: store.db,
    tableName,
    dispatcher: new RecordingDispatcher(),
    routes,
    incidentWindowMs: 24 * 3_600_000,
    rejectedRetentionDays: 90,
  };
}

function delivery(event: Record<string, unknown>, id = String(Math.random())): Delivery {
  return { id, body: JSON.stringify(event) };
}

async function getItem(db: DynamoDBDocumentClient, tableName: string, key: Record<string, string>) {
  return (await db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
}

describe('ingestBatch', () => {
  let deps: Awaited<ReturnType<typeof freshDeps>>;
  beforeEach(async () => {
    deps = await freshDeps();
  });

  it('stores one alert for a re-delivered finding and counts both deliveries', async () => {
    // Prepare
    const event = guardDutyInstanceFinding();

    // Act
    const first = await ingestBatch([delivery(event, 'm1')], deps);
    const second = await ingestBatch([delivery({ ...event, id: 'another-envelope-id' }, 'm2')], deps);

    // Assess
    expect(first.alertsCreated).toBe(1);
    expect(second.alertsCreated).toBe(0);
    expect(second.duplicates).toBe(1);
    const alerts = await listAlerts(deps.db, deps.tableName);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.occurrences).toBe(2);
    expect(await listIncidents(deps.db, deps.tableName)).toHaveLength(1);
    expect(deps.dispatcher.started).toHaveLength(1);
  });

  it('gives 1 alert, 1 incident and 1 execution for 50 concurrent deliveries of one event', async () => {
    // Prepare
    const body = JSON.stringify(guardDutyInstanceFinding());

    // Act
    const reports = await Promise.all(
      Array.from({ length: 50 }, (_, i) => ingestBatch([{ id: `m${i}`, body }], deps)),
    );

    // Assess
    expect(reports.flatMap((r) => r.failures)).toEqual([]);
    const alerts = await listAlerts(deps.db, deps.tableName);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.occurrences).toBe(50);
    expect(await listIncidents(deps.db, deps.tableName)).toHaveLength(1);
    expect(deps.dispatcher.started).toHaveLength(1);
    expect(reports.reduce((n, r) => n + r.executionsStarted, 0)).toBe(1);
  });

  it('never lets an older update of a finding overwrite a newer one', async () => {
    // Prepare
    const newer = guardDutyInstanceFinding({ count: 7, updatedAt: '2026-11-02T12:00:00.000Z', severity: 8 });
    const older = guardDutyInstanceFinding({ count: 3, updatedAt: '2026-11-02T11:00:00.000Z', severity: 5 });

    // Act
    await ingestBatch([delivery(newer)], deps);
    const report = await ingestBatch([delivery(older)], deps);

    // Assess
    expect(report.staleUpdates).toBe(1);
    const [alert] = await listAlerts(deps.db, deps.tableName);
    expect(alert?.occurrences).toBe(2);
    expect(alert?.severityId).toBe(4);
    const stored = alert === undefined ? undefined : alertOcsf(alert);
    expect(stored?.count).toBe(7);
    expect(stored?.finding_info?.modified_time).toBe(Date.parse('2026-11-02T12:00:00.000Z'));
  });

  it('keeps the newest of several updates delivered in one batch', async () => {
    // Prepare
    const updates = [2, 9, 4].map((count) =>
      guardDutyInstanceFinding({ count, updatedAt: `2026-11-02T1${count}:00:00.000Z`.replace('T19', 'T19') }),
    );

    // Act
    const report = await ingestBatch(
      updates.map((e) => delivery(e)),
      deps,
    );

    // Assess
    expect(report.alertsCreated).toBe(1);
    expect(report.duplicates).toBe(2);
    const [alert] = await listAlerts(deps.db, deps.tableName);
    expect(alert === undefined ? undefined : alertOcsf(alert).count).toBe(9);
  });

  it('joins a second alert on the same instance to the open incident without a second execution', async () => {
    // Prepare
    const first = guardDutyInstanceFinding({ findingId: 'aaaa0000aaaa0000aaaa0000aaaa0000' });
    const second = guardDutyInstanceFinding({
      findingId: 'bbbb1111bbbb1111bbbb1111bbbb1111',
      type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
    });

    // Act
    await ingestBatch([delivery(first)], deps);
    const report = await ingestBatch([delivery(second)], deps);

    // Assess
    expect(report.incidentsOpened).toBe(0);
    expect(report.incidentsJoined).toBe(1);
    const incidents = await listIncidents(deps.db, deps.tableName);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.alertIds).toHaveLength(2);
    expect(deps.dispatcher.started).toHaveLength(1);
  });

  it('opens separate incidents for different instances', async () => {
    // Act
    await ingestBatch(
      [
        delivery(guardDutyInstanceFinding({ findingId: 'a'.repeat(32), instanceId: 'i-00000000000000001' })),
        delivery(guardDutyInstanceFinding({ findingId: 'b'.repeat(32), instanceId: 'i-00000000000000002' })),
      ],
      deps,
    );

    // Assess
    expect(await listIncidents(deps.db, deps.tableName)).toHaveLength(2);
    expect(deps.dispatcher.started).toHaveLength(2);
  });

  it('escalates an incident when a more severe alert joins, starting the playbooks that now match', async () => {
    // Prepare
    deps = await freshDeps([CONTAIN, CRITICAL_ONLY]);
    const high = guardDutyInstanceFinding({ findingId: 'c'.repeat(32), severity: 8 });
    const critical = guardDutyInstanceFinding({ findingId: 'd'.repeat(32), severity: 9.5 });

    // Act
    await ingestBatch([delivery(high)], deps);
    const report = await ingestBatch([delivery(critical)], deps);

    // Assess
    expect(report.incidentsEscalated).toBe(1);
    const [incident] = await listIncidents(deps.db, deps.tableName);
    expect(incident?.severityId).toBe(5);
    expect(incident?.escalations).toBe(1);
    expect(deps.dispatcher.started.map((s) => s.route.id)).toEqual(['contain-instance', 'page-on-call']);
  });

  it('dispatches sample findings in dry-run only, and live once a real finding joins', async () => {
    // Prepare
    const sample = guardDutyInstanceFinding({ findingId: 'e'.repeat(32), sample: true });
    const real = guardDutyInstanceFinding({ findingId: 'f'.repeat(32) });

    // Act
    await ingestBatch([delivery(sample)], deps);
    const afterSample = deps.dispatcher.started.map((s) => s.input.mode);
    await ingestBatch([delivery(real)], deps);

    // Assess
    expect(afterSample).toEqual(['dry-run']);
    expect(deps.dispatcher.started.map((s) => s.input.mode)).toEqual(['dry-run', 'live']);
    const [incident] = await listIncidents(deps.db, deps.tableName);
    expect(incident?.sample).toBe(false);
  });

  it('keeps a malformed event as rejected, with its reason and raw body', async () => {
    // Act
    const report = await ingestBatch(
      [{ id: 'bad', body: '{"source": "aws.guardduty", "detail-type": ' }],
      deps,
    );

    // Assess
    expect(report.failures).toEqual([]);
    expect(report.rejectedByReason).toEqual({ invalid_json: 1 });
    const [rejected] = await listRejected(deps.db, deps.tableName);
    expect(rejected?.reason).toBe('invalid_json');
    expect(rejected?.raw).toBe('{"source": "aws.guardduty", "detail-type": ');
  });

  it('reports only the deliveries whose writes failed, so the rest are not re-driven', async () => {
    // Prepare
    const good = guardDutyInstanceFinding({ findingId: '1'.repeat(32), instanceId: 'i-00000000000000011' });
    const poison = guardDutyInstanceFinding({ findingId: '2'.repeat(32), instanceId: 'i-00000000000000012' });
    const poisonId = normalize(JSON.stringify(poison)).flatMap((o) => ('alert' in o ? [o.alert.id] : []))[0];
    const failing: DynamoDBDocumentClient = new Proxy(deps.db, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return (command: { input: { Key?: Record<string, string> } }) => {
          if (command.input.Key?.pk === `ALERT#${poisonId}`) {
            return Promise.reject(
              Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }),
            );
          }
          return target.send(command as never);
        };
      },
    });

    // Act
    const report = await ingestBatch([delivery(good, 'good'), delivery(poison, 'poison')], {
      ...deps,
      db: failing,
    });

    // Assess
    expect(report.failures).toEqual(['poison']);
    expect(report.errors[0]?.message).toContain('ProvisionedThroughputExceededException');
    expect(await listAlerts(deps.db, deps.tableName)).toHaveLength(1);
  });

  it('resumes a sequence interrupted between the incident and the dispatch without a duplicate', async () => {
    // Prepare: a dispatcher that fails once, as if the Lambda died mid-batch
    const event = guardDutyInstanceFinding();
    let calls = 0;
    const flaky = {
      start: async (request: Parameters<RecordingDispatcher['start']>[0]) => {
        calls += 1;
        if (calls === 1) throw new Error('network down');
        return deps.dispatcher.start(request);
      },
    };

    // Act
    const first = await ingestBatch([delivery(event, 'm1')], { ...deps, dispatcher: flaky });
    const retry = await ingestBatch([delivery(event, 'm1')], { ...deps, dispatcher: flaky });

    // Assess
    expect(first.failures).toEqual(['m1']);
    expect(retry.failures).toEqual([]);
    expect(deps.dispatcher.started).toHaveLength(1);
    expect(await listIncidents(deps.db, deps.tableName)).toHaveLength(1);
    const alertId =
      normalize(JSON.stringify(event)).flatMap((o) => ('alert' in o ? [o.alert.id] : []))[0] ?? '';
    const stored = await getItem(deps.db, deps.tableName, keys.alert(alertId));
    expect(stored?.incidentId).toMatch(/^inc-/);
  });
});

describe('ingestBatch under storms and at-least-once delivery', () => {
  it('turns 10,000 deliveries of one finding into 1 alert (count 10,000), 1 incident, 1 execution', async () => {
    // Prepare
    const deps = await freshDeps();
    const events = Array.from({ length: 10_000 }, (_, i) =>
      delivery(
        guardDutyInstanceFinding({
          count: i + 1,
          updatedAt: new Date(Date.parse('2026-11-02T10:15:00Z') + i * 1000).toISOString(),
        }),
        `m${i}`,
      ),
    );

    // Act
    let writes = 0;
    for (let i = 0; i < events.length; i += 10) {
      const report = await ingestBatch(events.slice(i, i + 10), deps);
      writes += report.writes;
      expect(report.failures).toEqual([]);
    }

    // Assess
    const [alert] = await listAlerts(deps.db, deps.tableName);
    expect(alert?.occurrences).toBe(10_000);
    expect(await listIncidents(deps.db, deps.tableName)).toHaveLength(1);
    expect(deps.dispatcher.started).toHaveLength(1);
    expect(writes / events.length).toBeLessThanOrEqual(0.2);
  });

  it('gives one alert, one incident and one execution however a batch is redelivered and interleaved', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: 4 }), { minLength: 1, maxLength: 30 }), async (order) => {
        // Prepare
        const deps = await freshDeps();
        const batch = [0, 1, 2, 3, 4].map((i) =>
          delivery(
            guardDutyInstanceFinding({ count: i + 1, updatedAt: `2026-11-02T10:1${i}:00.000Z` }),
            `m${i}`,
          ),
        );

        // Act
        await Promise.all(order.map((i) => ingestBatch(batch.slice(i).concat(batch.slice(0, i)), deps)));

        // Assess
        expect(await listAlerts(deps.db, deps.tableName)).toHaveLength(1);
        expect(await listIncidents(deps.db, deps.tableName)).toHaveLength(1);
        expect(deps.dispatcher.started).toHaveLength(1);
      }),
      { numRuns: 15 },
    );
  });
});

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStore, openLocalStore } from '../../../cli/local/store.ts';
import {
  closeIncident,
  createSuppression,
  listSuppressions,
  removeSuppression,
  suppressionAudit,
} from '../../../functions/core/cases/index.ts';
import { type PlaybookRoute, RecordingDispatcher } from '../../../functions/core/intake/dispatch.ts';
import { type IngestDeps, ingestBatch, mergeReports } from '../../../functions/core/intake/ingest.ts';
import { primaryResource } from '../../../functions/core/intake/resource.ts';
import { findingTypesOf } from '../../../functions/core/intake/suppression.ts';
import { RecordingPublisher } from '../../../functions/core/lifecycle/events.ts';
import { normalize } from '../../../functions/core/normalize/index.ts';
import { listIncidents } from '../../../functions/core/store/queries.ts';
import { keys } from '../../../functions/core/store/table.ts';
import { guardDutyInstanceFinding } from '../../support/events.ts';
import { createTableLike } from '../../support/tables.ts';

const ROUTE: PlaybookRoute = {
  id: 'contain-instance',
  version: '1.0.0',
  target: 'arn:aws:states:eu-west-1:111122223333:stateMachine:contain:live',
  trigger: { sources: ['aws.guardduty'], minSeverity: 4 },
};
const DAY = 86_400_000;

let local: LocalStore;
let tables = 0;
let clock = 1_800_000_000_000;

beforeAll(async () => {
  local = await openLocalStore();
});
afterAll(async () => {
  await local.close();
});

async function fresh() {
  tables += 1;
  const tableName = await createTableLike(local, `suppress-${tables}`);
  const now = () => clock;
  const ingest: IngestDeps & { dispatcher: RecordingDispatcher } = {
    db: local.db,
    tableName,
    dispatcher: new RecordingDispatcher(),
    routes: [ROUTE],
    incidentWindowMs: 3_600_000,
    rejectedRetentionDays: 90,
    now,
  };
  return { ingest, store: { db: local.db, tableName, now, lifecycle: new RecordingPublisher() } };
}

/** The resource key and finding type of a GuardDuty finding, as ingest computes them. */
function target(event: Record<string, unknown>) {
  const [output] = normalize(JSON.stringify(event));
  if (output === undefined || !('alert' in output)) throw new Error('fixture did not normalize');
  return {
    resourceKey: primaryResource(output.alert).key,
    findingType: findingTypesOf(output.alert)[0] ?? '',
  };
}

describe('suppressions at intake', () => {
  it('stores and counts a suppressed alert but opens no incident and starts no playbook, once under a storm', async () => {
    // Prepare
    const { ingest, store } = await fresh();
    const event = guardDutyInstanceFinding({ findingId: 'e'.repeat(32) });
    await createSuppression(store, { ...target(event), durationMs: 30 * DAY, actor: 'alice' });
    const body = JSON.stringify(event);

    // Act: 200 deliveries of the same finding, 20 batches of 10, 8 batches at a time.
    const batches = Array.from({ length: 20 }, (_, b) =>
      Array.from({ length: 10 }, (_, i) => ({ id: `m-${b}-${i}`, body })),
    );
    const reports = [];
    for (let i = 0; i < batches.length; i += 8) {
      reports.push(
        ...(await Promise.all(batches.slice(i, i + 8).map((batch) => ingestBatch(batch, ingest)))),
      );
    }
    const total = reports.reduce(mergeReports);

    // Assess
    expect(total.failures).toEqual([]);
    expect(total.alertsCreated).toBe(1);
    expect(total.suppressed).toBe(1);
    expect(total.incidentsOpened).toBe(0);
    expect(ingest.dispatcher.started).toEqual([]);
    expect(await listIncidents(local.db, ingest.tableName)).toEqual([]);
    const alertId = normalize(body).flatMap((o) => ('alert' in o ? [o.alert.id] : []))[0] ?? '';
    const alert = (
      await local.db.send(new GetCommand({ TableName: ingest.tableName, Key: keys.alert(alertId) }))
    ).Item;
    expect(alert).toMatchObject({ occurrences: 200, suppressedBy: expect.any(String) });
    expect(alert?.incidentId).toBeUndefined();
  });

  it('lets the alert through once the suppression expired, even before the TTL deleted it', async () => {
    // Prepare
    const { ingest, store } = await fresh();
    const event = guardDutyInstanceFinding({ findingId: 'f'.repeat(32) });
    await createSuppression(store, { ...target(event), durationMs: DAY, actor: 'alice' });
    clock += DAY + 1;

    // Act
    const report = await ingestBatch([{ id: 'x', body: JSON.stringify(event) }], ingest);

    // Assess
    expect(report.suppressed).toBe(0);
    expect(report.incidentsOpened).toBe(1);
    expect(await listSuppressions(store)).toEqual([]);
    expect(await listSuppressions(store, { includeExpired: true })).toHaveLength(1);
  });

  it('closing as false positive suppresses the finding on the resource; removing it is audited and takes effect at once', async () => {
    // Prepare
    const { ingest, store } = await fresh();
    const first = guardDutyInstanceFinding({ findingId: '1'.repeat(32) });
    const opened = await ingestBatch([{ id: 'a', body: JSON.stringify(first) }], ingest);
    const incidentId = opened.incidentIds[0] ?? '';
    const closed = await closeIncident(store, {
      incidentId,
      resolution: 'false_positive',
      actor: 'alice',
      suppress: { durationMs: 30 * DAY },
    });
    clock += 60_000;
    // A new finding of the same type on the same instance (another GuardDuty finding id).
    const again = guardDutyInstanceFinding({ findingId: '2'.repeat(32) });

    // Act
    const suppressed = await ingestBatch([{ id: 'b', body: JSON.stringify(again) }], ingest);
    const [suppression] = closed.suppressions;
    await removeSuppression(store, { id: (suppression?.id ?? '').slice(0, 8), actor: 'bob' });
    const third = guardDutyInstanceFinding({ findingId: '3'.repeat(32) });
    const through = await ingestBatch([{ id: 'c', body: JSON.stringify(third) }], ingest);

    // Assess
    expect(closed.suppressions).toHaveLength(1);
    expect(suppression).toMatchObject({ ...target(first), createdBy: 'alice', incidentId, active: true });
    expect(suppressed).toMatchObject({
      alertsCreated: 1,
      suppressed: 1,
      incidentsOpened: 0,
      executionsStarted: 0,
    });
    expect(through).toMatchObject({ suppressed: 0, incidentsOpened: 1, executionsStarted: 1 });
    const audit = await suppressionAudit(store, suppression?.id ?? '');
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ['created', 'alice'],
      ['removed', 'bob'],
    ]);
    expect(store.lifecycle.events.map((e) => e.kind)).toContain('suppressionRemoved');
  });
});

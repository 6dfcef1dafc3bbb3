import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStore, openLocalStore } from '../../../cli/local/store.ts';
import { type PlaybookRoute, RecordingDispatcher } from '../../../functions/core/intake/dispatch.ts';
import { type Delivery, type IngestDeps, ingestBatch } from '../../../functions/core/intake/ingest.ts';
import { listAlerts, listIncidents } from '../../../functions/core/store/queries.ts';
import { loadFixture } from '../../support/fixtures.ts';
import { createTableLike } from '../../support/tables.ts';

/** A containing playbook answering AWS producers only (no `products`). */
const CREDENTIALS: PlaybookRoute = {
  id: 'iam-credential-compromise',
  version: '1.0.0',
  target: 'arn:aws:states:us-east-1:111122223333:stateMachine:credentials:live',
  trigger: { sources: ['aws.guardduty', 'aws.securityhub'], minSeverity: 4 },
};

let store: LocalStore;
let table = 0;

beforeAll(async () => {
  store = await openLocalStore();
});
afterAll(async () => {
  await store.close();
});

async function freshDeps(): Promise<IngestDeps & { dispatcher: RecordingDispatcher }> {
  table += 1;
  return {
    db: store.db,
    tableName: await createTableLike(store, `finding-formats-${table}`),
    dispatcher: new RecordingDispatcher(),
    routes: [CREDENTIALS],
    incidentWindowMs: 24 * 3_600_000,
    rejectedRetentionDays: 90,
  };
}

function delivery(fixture: string): Delivery {
  return { id: fixture, body: JSON.stringify(loadFixture(fixture)) };
}

describe('ingest of the finding formats AWS ships now', () => {
  it('turns one GuardDuty finding seen natively, as ASFF and as OCSF (V2) into 1 alert, 1 incident, 1 execution', async () => {
    // Prepare
    const deps = await freshDeps();
    const deliveries = [
      delivery('securityhub/native-guardduty-credential-exfiltration.json'),
      delivery('securityhub/imported-guardduty-credential-exfiltration.json'),
      delivery('securityhub/findings-imported-v2-guardduty.json'),
    ];

    // Act
    for (const one of deliveries) await ingestBatch([one], deps);

    // Assess
    expect(await listAlerts(deps.db, deps.tableName)).toHaveLength(1);
    expect(await listIncidents(deps.db, deps.tableName)).toHaveLength(1);
    expect(deps.dispatcher.started).toHaveLength(1);
  });

  it('starts no AWS-only playbook for a partner finding that claims to be GuardDuty', async () => {
    // Prepare
    const deps = await freshDeps();

    // Act
    const report = await ingestBatch(
      [delivery('securityhub/findings-imported-v2-partner-claims-aws.json')],
      deps,
    );

    // Assess
    expect(report.alertsCreated).toBe(1);
    expect(report.incidentsOpened).toBe(1);
    expect(deps.dispatcher.started).toHaveLength(0);
  });

  it('opens one incident for an attack sequence seen natively and through Security Hub, on the principal', async () => {
    // Prepare
    const deps = await freshDeps();

    // Act
    await ingestBatch([delivery('guardduty/attack-sequence-s3-compromised-data.json')], deps);
    await ingestBatch([delivery('securityhub/imported-guardduty-attack-sequence-s3.json')], deps);

    // Assess
    const incidents = await listIncidents(deps.db, deps.tableName);
    expect(incidents).toHaveLength(1);
    expect(JSON.stringify(incidents[0])).toContain('data-export');
    expect(await listAlerts(deps.db, deps.tableName)).toHaveLength(1);
    expect(deps.dispatcher.started).toHaveLength(1);
  });
});

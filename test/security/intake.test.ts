import { randomBytes } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStore, openLocalStore } from '../../cli/local/store.ts';
import { type PlaybookRoute, RecordingDispatcher } from '../../functions/core/intake/dispatch.ts';
import { type IngestDeps, ingestBatch } from '../../functions/core/intake/ingest.ts';
import { MAX_EVENT_BYTES } from '../../functions/core/normalize/envelope.ts';
import { itemSize, MAX_ITEM_BYTES } from '../../functions/core/store/item-size.ts';
import { listAlerts, listRejected } from '../../functions/core/store/queries.ts';
import { keys } from '../../functions/core/store/table.ts';
import { attackFixture, runAttack, runFolder } from '../support/attacks.ts';
import { guardDutyInstanceFinding } from '../support/events.ts';
import { loadFixture } from '../support/fixtures.ts';
import { ingestOnOneResource } from '../support/one-resource.ts';
import { createTableLike } from '../support/tables.ts';

const EC2: PlaybookRoute = {
  id: 'ec2-instance-compromise',
  version: '1.0.1',
  target: 'ec2-instance-compromise',
  trigger: { sources: ['aws.guardduty'], findingTypes: ['Backdoor:EC2/*'], minSeverity: 4 },
};

let store: LocalStore;
let tables = 0;
beforeAll(async () => {
  store = await openLocalStore();
});
afterAll(async () => {
  await store.close();
});

async function freshDeps(
  routes: readonly PlaybookRoute[] = [EC2],
): Promise<IngestDeps & { dispatcher: RecordingDispatcher }> {
  tables += 1;
  const tableName = await createTableLike(store, `security-intake-${tables}`);
  return {
    db: store.db,
    tableName,
    dispatcher: new RecordingDispatcher(),
    routes,
    incidentWindowMs: 24 * 3_600_000,
    rejectedRetentionDays: 90,
  };
}

describe('every actionable alert is answered', () => {
  it('a GuardDuty backdoor joining an open incident (opened by a CVE) starts the EC2 playbook', async () => {
    // Prepare: a CVE on the production instance opens an incident, with no playbook.
    const dataDir = runFolder();
    const cve = await runAttack(attackFixture('inspector-cve-on-production-instance.json'), { dataDir });

    // Act: GuardDuty then reports command and control from the same instance.
    const backdoor = await runAttack('examples/events/guardduty-ec2-c2-activity.json', { dataDir });

    // Assess
    expect(cve.output.executions).toEqual([]);
    expect(backdoor.output.executions.map((e) => e.playbook)).toEqual(['ec2-instance-compromise']);
    expect(backdoor.containmentCalls).toContainEqual(
      expect.stringMatching(/^ModifyNetworkInterfaceAttribute /),
    );
  });

  it('starts each matching playbook once per incident, however many alerts join it', async () => {
    // Prepare
    const deps = await freshDeps();
    const findings = ['a', 'b', 'c'].map((id) =>
      guardDutyInstanceFinding({ findingId: id.repeat(32), type: 'Backdoor:EC2/DenialOfService.Tcp' }),
    );

    // Act
    for (const [index, finding] of findings.entries()) {
      await ingestBatch([{ id: `m${index}`, body: JSON.stringify(finding) }], deps);
    }
    await ingestBatch([{ id: 'again', body: JSON.stringify(findings[0]) }], deps);

    // Assess
    expect(deps.dispatcher.started).toHaveLength(1);
  });

  it('keeps the incident item bounded: 1,000 alerts on one resource (100,000 in the soak suite)', {
    timeout: 180_000,
  }, async () => {
    // Act
    const figures = await ingestOnOneResource(store, 1_000, [EC2]);

    // Assess
    expect(figures.failures).toBe(0);
    expect(figures.incidents).toBe(1);
    expect(figures.executions).toBe(1);
    expect(figures.alertCount).toBe(1_000);
    expect(figures.incidentItemBytes).toBeLessThan(8 * 1024);
    expect(figures.largestItemBytes).toBeLessThan(16 * 1024);
  });
});

describe('no poison messages', () => {
  /**
   * A Security Hub finding that fills EventBridge's 256 KB with incompressible text: once in the
   * mapped description, once in an unmapped field, and whole in `raw_data`.
   */
  function incompressibleEvent(): string {
    const event = loadFixture('attacks/securityhub-genuine-guardduty-backdoor.json') as {
      detail: { findings: Record<string, unknown>[] };
    };
    const finding = event.detail.findings[0] ?? {};
    const skeleton = Buffer.byteLength(JSON.stringify(event), 'utf8');
    const room = MAX_EVENT_BYTES - skeleton - 200;
    const noise = randomBytes(room)
      .toString('base64')
      .slice(0, Math.floor(room / 2));
    finding.Description = noise;
    finding.UserDefinedFields = {
      blob: randomBytes(room)
        .toString('base64')
        .slice(0, room - noise.length - 40),
    };
    const text = JSON.stringify(event);
    expect(Buffer.byteLength(text, 'utf8')).toBeGreaterThan(MAX_EVENT_BYTES - 2_000);
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    return text;
  }

  it('stores a 256 KB incompressible event as a degraded, labelled alert that fits its item', async () => {
    // Prepare
    const deps = await freshDeps();
    const body = incompressibleEvent();

    // Act
    const report = await ingestBatch([{ id: 'big', body }], deps);

    // Assess
    expect(report.failures).toEqual([]);
    expect(report.alertsCreated).toBe(1);
    const [alert] = await listAlerts(deps.db, deps.tableName);
    const item = (
      await deps.db.send(
        new GetCommand({
          TableName: deps.tableName,
          Key: keys.alert(String(alert?.id)),
          ConsistentRead: true,
        }),
      )
    ).Item;
    expect(item).toBeDefined();
    expect(itemSize(item ?? {})).toBeLessThanOrEqual(MAX_ITEM_BYTES);
  });

  it.each([
    ['as text', (text: string): string => text],
    ['as an already-parsed object', (text: string): Record<string, unknown> => JSON.parse(text) as never],
  ])(
    'stores 10,000-deep nesting %s as rejected (too_deep), never failing the batch',
    async (_label, shape) => {
      // Prepare
      const deps = await freshDeps();
      const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
      const text = JSON.stringify(guardDutyInstanceFinding()).replace(
        '"service":{',
        `"deep":${deep},"service":{`,
      );

      // Act
      const report = await ingestBatch([{ id: 'deep', body: shape(text) }], deps);

      // Assess
      expect(report.failures).toEqual([]);
      const rejected = await listRejected(deps.db, deps.tableName);
      expect(rejected.map((r) => r.reason)).toEqual(['too_deep']);
    },
  );

  it('stores an event whose detail-type fills 256 KB as rejected with a bounded message', async () => {
    // Prepare
    const deps = await freshDeps();
    const body = JSON.stringify({ source: 'riposte.custom', 'detail-type': 'x'.repeat(250_000), detail: {} });

    // Act
    const report = await ingestBatch([{ id: 'long', body }], deps);

    // Assess
    expect(report.failures).toEqual([]);
    const [rejected] = await listRejected(deps.db, deps.tableName);
    expect(String(rejected?.message).length).toBeLessThanOrEqual(1024);
  });

  it('refuses identifiers longer than any AWS identifier', async () => {
    // Prepare
    const deps = await freshDeps();
    const body = JSON.stringify(guardDutyInstanceFinding({ instanceId: `i-${'0'.repeat(5_000)}` }));

    // Act
    const report = await ingestBatch([{ id: 'long-id', body }], deps);

    // Assess
    expect(report.failures).toEqual([]);
    expect(report.rejectedByReason).toEqual({ invalid_field: 1 });
  });
});

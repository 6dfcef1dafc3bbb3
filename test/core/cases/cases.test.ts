import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalStore, openLocalStore } from '../../../cli/local/store.ts';
import {
  addNote,
  assign,
  CaseInputError,
  closeIncident,
  IncidentNotFoundError,
  LifecycleConflictError,
  listCaseLog,
  reopenIncident,
  setTags,
} from '../../../functions/core/cases/index.ts';
import { type PlaybookRoute, RecordingDispatcher } from '../../../functions/core/intake/dispatch.ts';
import { type IngestDeps, ingestBatch } from '../../../functions/core/intake/ingest.ts';
import { RecordingPublisher } from '../../../functions/core/lifecycle/events.ts';
import type { LifecycleStore } from '../../../functions/core/lifecycle/record.ts';
import { recordFacts } from '../../../functions/core/lifecycle/record.ts';
import { computeKpis } from '../../../functions/core/store/kpis.ts';
import { listIncidents } from '../../../functions/core/store/queries.ts';
import { IncidentItemSchema, keys } from '../../../functions/core/store/table.ts';
import { guardDutyInstanceFinding } from '../../support/events.ts';
import { createTableLike } from '../../support/tables.ts';

const ROUTE: PlaybookRoute = {
  id: 'contain-instance',
  version: '1.0.0',
  target: 'arn:aws:states:eu-west-1:111122223333:stateMachine:contain:live',
  trigger: { sources: ['aws.guardduty'], minSeverity: 4 },
};

let local: LocalStore;
let tables = 0;
let clock = 1_800_000_000_000;

beforeAll(async () => {
  local = await openLocalStore();
});
afterAll(async () => {
  await local.close();
});

interface Fixture {
  readonly store: LifecycleStore & { readonly lifecycle: RecordingPublisher };
  readonly ingest: IngestDeps & { readonly dispatcher: RecordingDispatcher };
}

async function fresh(): Promise<Fixture> {
  tables += 1;
  const tableName = await createTableLike(local, `cases-${tables}`);
  const now = () => clock;
  return {
    store: { db: local.db, tableName, now, lifecycle: new RecordingPublisher() },
    ingest: {
      db: local.db,
      tableName,
      dispatcher: new RecordingDispatcher(),
      routes: [ROUTE],
      incidentWindowMs: 3_600_000,
      rejectedRetentionDays: 90,
      now,
    },
  };
}

/** Ingests one GuardDuty finding and returns the incident it opened. */
async function openIncident(f: Fixture, options: Parameters<typeof guardDutyInstanceFinding>[0] = {}) {
  const report = await ingestBatch(
    [{ id: 'd1', body: JSON.stringify(guardDutyInstanceFinding(options)) }],
    f.ingest,
  );
  const id = report.incidentIds[0];
  if (id === undefined) throw new Error(`no incident opened: ${JSON.stringify(report)}`);
  return id;
}

async function incident(f: Fixture, id: string) {
  const out = await f.store.db.send(
    new GetCommand({ TableName: f.store.tableName, Key: keys.incident(id), ConsistentRead: true }),
  );
  return IncidentItemSchema.parse(out.Item);
}

describe('case operations', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await fresh();
  });

  it('opens an incident as new, with the status derived on every later fact', async () => {
    // Prepare
    const id = await openIncident(f);

    // Act
    const opened = await incident(f, id);
    clock += 1_000;
    const { change } = await recordFacts(f.store, id, {
      update: { setIfMissing: { playbookStartedAt: clock }, set: { respondingAt: clock } },
    });

    // Assess
    expect(opened.status).toBe('new');
    expect(change).toMatchObject({ from: 'new', to: { status: 'responding' } });
    expect((await incident(f, id)).status).toBe('responding');
    expect(f.store.lifecycle.events.map((e) => e.kind)).toEqual(['statusChanged']);
    expect((await listCaseLog(f.store.db, f.store.tableName, id)).map((e) => e.text)).toEqual([
      'status new → responding',
    ]);
  });

  it('assigns, notes and tags, each on the case log with its author', async () => {
    // Prepare
    const id = await openIncident(f);

    // Act
    await assign(f.store, { incidentId: id, owner: 'alice', actor: 'bob' });
    const note = await addNote(f.store, {
      incidentId: id,
      text: '  Scanner owned by the red team ',
      author: 'alice',
    });
    await setTags(f.store, { incidentId: id, add: ['Red-Team ', 'scanner'], actor: 'alice' });
    await setTags(f.store, { incidentId: id, remove: ['scanner'], actor: 'alice' });

    // Assess
    const item = await incident(f, id);
    expect(item.owner).toBe('alice');
    expect(item.tags).toEqual(['red-team']);
    expect(note.text).toBe('Scanner owned by the red team');
    const log = await listCaseLog(f.store.db, f.store.tableName, id);
    expect(log.map((e) => [e.kind, e.actor])).toEqual([
      ['assigned', 'bob'],
      ['note', 'alice'],
      ['tags', 'alice'],
      ['tags', 'alice'],
    ]);
    expect(f.store.lifecycle.events.map((e) => e.kind)).toEqual([
      'assigned',
      'noteAdded',
      'tagged',
      'tagged',
    ]);
    // A note's text never goes on the bus.
    expect(JSON.stringify(f.store.lifecycle.events)).not.toContain('red team');
  });

  it('refuses bad input in one line and changes nothing', async () => {
    // Prepare
    const id = await openIncident(f);

    // Act
    const empty = addNote(f.store, { incidentId: id, text: '   ', author: 'alice' }).catch((e: unknown) => e);
    const missing = assign(f.store, { incidentId: 'inc-nothere', owner: 'alice', actor: 'bob' }).catch(
      (e: unknown) => e,
    );
    const suppressTrue = closeIncident(f.store, {
      incidentId: id,
      resolution: 'true_positive',
      actor: 'bob',
      suppress: { durationMs: 86_400_000 },
    }).catch((e: unknown) => e);

    // Assess
    expect(await empty).toBeInstanceOf(CaseInputError);
    expect(String(await empty)).toBe('CaseInputError: text: the note is empty');
    expect(await missing).toBeInstanceOf(IncidentNotFoundError);
    expect(String(await suppressTrue)).toContain('only an incident closed as false_positive');
    expect(await listCaseLog(f.store.db, f.store.tableName, id)).toEqual([]);
    expect((await incident(f, id)).closedAt).toBeUndefined();
  });

  it('closes with a resolution and a time to close, refuses a second close, and reopens', async () => {
    // Prepare
    const id = await openIncident(f);
    const openedAt = (await incident(f, id)).openedAt;
    clock += 90_000;

    // Act
    const closed = await closeIncident(f.store, {
      incidentId: id,
      resolution: 'true_positive',
      actor: 'alice',
    });
    const again = closeIncident(f.store, { incidentId: id, resolution: 'benign', actor: 'alice' });
    await expect(again).rejects.toThrow(LifecycleConflictError);
    const kpis = computeKpis(await listIncidents(f.store.db, f.store.tableName), { includeDryRun: false });
    clock += 1_000;
    const reopened = await reopenIncident(f.store, { incidentId: id, actor: 'bob', reason: 'seen again' });

    // Assess
    expect(closed.timeToCloseMs).toBe(clock - 1_000 - openedAt);
    expect(closed.incident.status).toBe('resolved');
    expect(kpis.total.timeToClose).toMatchObject({ count: 1, medianMs: 90_000 });
    expect(kpis.total.closed).toBe(1);
    expect(kpis.total.open).toBe(0);
    expect(reopened.status).toBe('new');
    expect(reopened.closedAt).toBeUndefined();
    expect(reopened.resolution).toBeUndefined();
    const kinds = f.store.lifecycle.events.map((e) => e.kind);
    expect(kinds).toEqual(['statusChanged', 'closed', 'statusChanged', 'reopened']);
    const closedEvent = f.store.lifecycle.events.find((e) => e.kind === 'closed');
    expect(closedEvent?.detail).toMatchObject({
      resolution: 'true_positive',
      timeToCloseMs: 90_000,
      actor: 'alice',
    });
  });

  it('ends the grouping window on close: the next alert on the resource opens a new incident', async () => {
    // Prepare
    const first = await openIncident(f, { findingId: 'a'.repeat(32) });
    await closeIncident(f.store, { incidentId: first, resolution: 'benign', actor: 'alice' });
    clock += 1_000;

    // Act
    const second = await openIncident(f, {
      findingId: 'b'.repeat(32),
      type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
    });

    // Assess
    expect(second).not.toBe(first);
    expect((await incident(f, first)).alertIds).toHaveLength(1);
  });

  it('keeps the title of the most severe alert when an incident escalates', async () => {
    // Prepare
    const id = await openIncident(f, { findingId: 'c'.repeat(32), severity: 2, type: 'Recon:EC2/Portscan' });
    clock += 1_000;

    // Act
    await ingestBatch(
      [
        {
          id: 'd2',
          body: JSON.stringify(guardDutyInstanceFinding({ findingId: 'd'.repeat(32), severity: 8 })),
        },
      ],
      f.ingest,
    );

    // Assess
    const item = await incident(f, id);
    expect(item.severityId).toBe(4);
    expect(item.title).not.toBe((await incident(f, id)).resourceUid);
    expect(item.title).toMatch(/Command and Control|C&C|domain/i);
  });
});

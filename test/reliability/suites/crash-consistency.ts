import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openLocalStore } from '../../../cli/local/store.ts';
import { guardDutyInstanceFinding } from '../../support/events.ts';
import { REPO_ROOT } from '../../support/fixtures.ts';
import { scanAll } from '../support/store.ts';

/**
 * Crash consistency of the local runtime: `riposte replay` killed (SIGKILL) at random points
 * while it writes, restarted, then run to completion. The store must still open and be
 * consistent (each alert's incident exists, no incident without its open-incident lock, at most
 * one execution per incident and playbook), and a further replay must add nothing.
 */
export interface CrashScale {
  /** Findings replayed (a third of them re-delivered, plus malformed files). */
  readonly findings: number;
  /** Replays killed before the one run to completion. */
  readonly kills: number;
  readonly seed?: number;
}

interface ReplaySummary {
  readonly events: number;
  readonly alerts: number;
  readonly incidents: number;
  readonly executions: number;
  readonly rejected: number;
}

/** The events folder: findings on a third as many instances, re-deliveries, malformed files. */
function writeEvents(
  dir: string,
  findings: number,
): { distinctFindings: number; instances: number; malformed: number } {
  mkdirSync(dir, { recursive: true });
  const instances = Math.max(1, Math.floor(findings / 3));
  for (let i = 0; i < findings; i += 1) {
    const event = guardDutyInstanceFinding({
      findingId: (0xfeed0000 + i).toString(16).padStart(32, '0'),
      instanceId: `i-${(0xc0de00 + (i % instances)).toString(16).padStart(17, '0')}`,
      severity: 5 + (i % 4),
    });
    writeFileSync(path.join(dir, `finding-${String(i).padStart(5, '0')}.json`), JSON.stringify(event));
    if (i % 3 === 0) {
      // The same finding again, as EventBridge would re-deliver it (another envelope id).
      writeFileSync(
        path.join(dir, `finding-${String(i).padStart(5, '0')}-again.json`),
        JSON.stringify({ ...event, id: `redelivery-${i}` }),
      );
    }
  }
  const malformed = 3;
  for (let i = 0; i < malformed; i += 1) {
    writeFileSync(
      path.join(dir, `broken-${i}.json`),
      `{"source": "aws.guardduty", "detail": ${'['.repeat(i + 1)}`,
    );
  }
  return { distinctFindings: findings, instances, malformed };
}

function logBytes(dataDir: string): number {
  try {
    return readdirSync(dataDir)
      .filter((f) => f.endsWith('.log') || f.endsWith('.ldb'))
      .reduce((n, f) => n + statSync(path.join(dataDir, f)).size, 0);
  } catch {
    return 0;
  }
}

function replayProcess(eventsDir: string, dataDir: string): ChildProcess {
  return spawn(process.execPath, ['bin/riposte.mjs', 'replay', eventsDir, '--json', '--data-dir', dataDir], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs a replay to its end and returns its JSON summary. */
async function replayToEnd(eventsDir: string, dataDir: string): Promise<ReplaySummary> {
  const child = replayProcess(eventsDir, dataDir);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`replay exited ${code}: ${stderr}`);
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ReplaySummary;
}

/** Starts a replay and SIGKILLs it once the store has grown by `bytes` (or when it ends on its own). */
async function replayKilledAfter(
  eventsDir: string,
  dataDir: string,
  bytes: number,
): Promise<'killed' | 'finished'> {
  const start = logBytes(dataDir);
  const child = replayProcess(eventsDir, dataDir);
  child.stdout?.resume();
  child.stderr?.resume();
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );
  while (!exited && logBytes(dataDir) - start < bytes) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  if (exited) return 'finished';
  child.kill('SIGKILL');
  await exit;
  return 'killed';
}

export function crashConsistencySuite(scale: CrashScale): void {
  const seed = scale.seed ?? Date.now() % 2_147_483_647;
  const root = mkdtempSync(path.join(tmpdir(), 'riposte-crash-'));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  describe(`crash consistency of the local runtime (seed ${seed})`, () => {
    it(`stays consistent when replay is killed ${scale.kills} time(s) at random points, then finishes, and a further replay adds nothing`, async () => {
      // Prepare: where each kill falls, as a share of what a full replay writes (~20 KB a finding)
      const eventsDir = path.join(root, 'events');
      const dataDir = path.join(root, 'db');
      const expected = writeEvents(eventsDir, scale.findings);
      const [shares] = fc.sample(
        fc.array(fc.double({ min: 0.02, max: 0.6, noNaN: true }), {
          minLength: scale.kills,
          maxLength: scale.kills,
        }),
        { numRuns: 1, seed },
      );
      const perReplay = scale.findings * 20_000;

      // Act
      const outcomes: string[] = [];
      for (const share of shares ?? []) {
        outcomes.push(await replayKilledAfter(eventsDir, dataDir, Math.round(share * perReplay)));
      }
      const completion = await replayToEnd(eventsDir, dataDir);
      const again = await replayToEnd(eventsDir, dataDir);

      // Assess
      expect(outcomes).toContain('killed');
      expect(completion.events).toBeGreaterThan(scale.findings);
      expect({ alerts: again.alerts, incidents: again.incidents, executions: again.executions }).toEqual({
        alerts: 0,
        incidents: 0,
        executions: 0,
      });
      const store = await openLocalStore({ dataDir });
      try {
        const items = await scanAll(store.db, store.tableName);
        const alerts = items.filter((i) => i.sk === 'ALERT');
        const incidents = new Map(items.filter((i) => i.sk === 'INCIDENT').map((i) => [String(i.id), i]));
        const locks = new Map(items.filter((i) => i.sk === 'OPEN_INCIDENT').map((i) => [String(i.pk), i]));
        const executions = items.filter((i) => String(i.sk).startsWith('EXEC#'));
        const rejected = items.filter((i) => i.sk === 'REJECTED');

        // Every finding is stored once, linked to an incident that exists and lists it.
        expect(alerts).toHaveLength(expected.distinctFindings);
        const unlinked = alerts.filter((a) => {
          const incident = incidents.get(String(a.incidentId));
          const ids = incident?.alertIds instanceof Set ? [...incident.alertIds] : [];
          return incident === undefined || !ids.includes(a.id);
        });
        expect(unlinked.map((a) => a.id)).toEqual([]);
        // No incident without its lock, and each lock names its incident.
        expect(incidents.size).toBe(expected.instances);
        const lockless = [...incidents.values()].filter(
          (i) => locks.get(`RESOURCE#${String(i.resourceKey)}`)?.incidentId !== i.id,
        );
        expect(lockless.map((i) => i.id)).toEqual([]);
        // At most one execution per incident and playbook.
        const perPlaybook = new Map<string, number>();
        for (const e of executions) {
          const key = `${String(e.incidentId)} ${String(e.playbookId)}`;
          perPlaybook.set(key, (perPlaybook.get(key) ?? 0) + 1);
        }
        expect([...perPlaybook.values()].filter((n) => n > 1)).toEqual([]);
        expect(rejected).toHaveLength(expected.malformed);
      } finally {
        await store.close();
      }
    });
  });
}

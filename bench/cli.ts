/**
 * The CLI's speed as a user feels it: `riposte --version` and `riposte incidents` on the demo
 * store (each a new process of the built CLI, bin/riposte.mjs), and one playbook scenario of the
 * test kit (in-process, median after warm-up). Process figures are ratios to `node -e 0`
 * measured in the same run; absolute times are printed beside them.
 *
 * Usage: npm run bench:cli [-- --json]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { scenario } from '../cli/local/testkit.ts';
import { loadPlaybooks } from '../functions/core/playbooks/registry.ts';
import { type BenchResult, isMain, median, REPO_ROOT, runAsScript } from './support.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'riposte.mjs');
const ROUNDS = 9;
const SCENARIO_WARMUP = 3;
const SCENARIO_ROUNDS = 15;

/** Targets on a 2-core machine, in milliseconds. */
export const TARGETS = { version: 300, incidents: 600, scenario: 50 } as const;

/** Median wall time of `rounds` runs of a process (after one untimed run). */
function timeProcess(args: readonly string[], cwd: string): number {
  const once = (): number => {
    const t0 = performance.now();
    execFileSync(process.execPath, args, {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    return performance.now() - t0;
  };
  once();
  return median(Array.from({ length: ROUNDS }, once));
}

async function timeScenario(): Promise<number> {
  const playbook = (await loadPlaybooks()).find((p) => p.id === 'ec2-instance-compromise');
  if (playbook === undefined) throw new Error('ec2-instance-compromise is missing');
  const event: unknown = JSON.parse(
    readFileSync(path.join(REPO_ROOT, 'examples', 'events', 'guardduty-ec2-c2-activity.json'), 'utf8'),
  );
  const times: number[] = [];
  for (let i = 0; i < SCENARIO_WARMUP + SCENARIO_ROUNDS; i += 1) {
    const t0 = performance.now();
    const result = await scenario(playbook).event(event).approve().run();
    if (result.status !== 'SUCCEEDED') throw new Error(`scenario ${result.status}: ${result.error ?? ''}`);
    if (i >= SCENARIO_WARMUP) times.push(performance.now() - t0);
  }
  return median(times);
}

export interface CliBench {
  readonly nodeMs: number;
  readonly versionMs: number;
  readonly incidentsMs: number;
  readonly scenarioMs: number;
  readonly ratios: { readonly version: number; readonly incidents: number; readonly scenario: number };
}

export async function run(): Promise<BenchResult<CliBench>> {
  const work = mkdtempSync(path.join(tmpdir(), 'riposte-bench-cli-'));
  try {
    // The demo's store, made by the demo itself (in a folder of its own).
    execFileSync(process.execPath, [BIN, 'demo', '--json'], { cwd: work, stdio: 'ignore' });
    const demoStore = path.join(work, '.riposte', 'demo');
    const nodeMs = timeProcess(['-e', '0'], work);
    const versionMs = timeProcess([BIN, '--version'], work);
    const incidentsMs = timeProcess([BIN, 'incidents', '--data-dir', demoStore], work);
    const scenarioMs = await timeScenario();
    const ratio = (ms: number): number => Number((ms / nodeMs).toFixed(1));
    const data: CliBench = {
      nodeMs: Math.round(nodeMs),
      versionMs: Math.round(versionMs),
      incidentsMs: Math.round(incidentsMs),
      scenarioMs: Number(scenarioMs.toFixed(1)),
      ratios: { version: ratio(versionMs), incidents: ratio(incidentsMs), scenario: ratio(scenarioMs) },
    };
    const row = (what: string, ms: number, target: number) => ({
      what,
      figure: `${Math.round(ms)} ms (${ratio(ms)} × node -e 0)`,
      target: `≤ ${target} ms`,
      ok: ms <= target,
    });
    return {
      name: 'cli',
      title: `CLI (built JavaScript; node -e 0 takes ${Math.round(nodeMs)} ms here, median of ${ROUNDS})`,
      rows: [
        row('riposte --version', versionMs, TARGETS.version),
        row('riposte incidents (demo store)', incidentsMs, TARGETS.incidents),
        {
          ...row('playbook scenario (test kit, median)', scenarioMs, TARGETS.scenario),
          figure: `${scenarioMs.toFixed(1)} ms (${ratio(scenarioMs)} × node -e 0)`,
        },
      ],
      data,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runAsScript(run);

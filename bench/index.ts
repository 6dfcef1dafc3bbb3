/**
 * Every benchmark, one after the other, then one table and `bench/results.json` (git-ignored).
 * Speed-dependent figures are ratios to a baseline measured in the same run; absolute times
 * are printed for context only. Progress goes to stderr.
 *
 * Usage: npm run bench
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { type BenchResult, formatTable, REPO_ROOT } from './support.ts';

interface Bench {
  readonly name: string;
  readonly load: () => Promise<{ run: () => Promise<BenchResult> }>;
}

const BENCHES: readonly Bench[] = [
  { name: 'cli', load: () => import('./cli.ts') },
  { name: 'normalize', load: () => import('./normalize.ts') },
  { name: 'playbook cost', load: () => import('./playbook-cost.ts') },
  { name: 'time to contain', load: () => import('./time-to-contain.ts') },
  { name: 'storm', load: () => import('./storm.ts') },
  { name: 'cold start', load: () => import('./cold-start.ts') },
  { name: 'synth scale', load: () => import('./synth-scale.ts') },
];

export const RESULTS_FILE = path.join(REPO_ROOT, 'bench', 'results.json');

const started = performance.now();
const results: BenchResult[] = [];
const durations: Record<string, number> = {};
for (const bench of BENCHES) {
  const t0 = performance.now();
  process.stderr.write(`bench: ${bench.name}...`);
  const { run } = await bench.load();
  results.push(await run());
  const ms = Math.round(performance.now() - t0);
  durations[bench.name] = ms;
  process.stderr.write(` ${(ms / 1000).toFixed(1)} s\n`);
}
const totalMs = Math.round(performance.now() - started);

writeFileSync(
  RESULTS_FILE,
  `${JSON.stringify(
    {
      generatedAt: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpus().length,
      loadAverage: loadavg().map((n) => Number(n.toFixed(2))),
      totalMs,
      durationsMs: durations,
      results: Object.fromEntries(results.map((r) => [r.name, r.data])),
    },
    null,
    2,
  )}\n`,
);
console.log(formatTable(results));
console.log(
  `\n${results.length} benchmarks in ${(totalMs / 1000).toFixed(0)} s (${cpus().length} CPUs, load ${loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')}); written to ${path.relative(process.cwd(), RESULTS_FILE)}`,
);

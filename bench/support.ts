import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Shared helpers for the benchmark scripts (figures are ratios to a baseline measured in the same run). */

export const REPO_ROOT = path.resolve(import.meta.dirname, '..');
export const CORPUS_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'corpus', 'events');
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'events');

function jsonFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.sort().flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return jsonFiles(full);
    return entry.endsWith('.json') ? [full] : [];
  });
}

/**
 * The realistic event mix: the published corpus when `../shared` is beside the checkout, and
 * the project's own fixtures in any case.
 */
export function eventMix(): { name: string; bytes: Buffer }[] {
  return [...jsonFiles(CORPUS_DIR), ...jsonFiles(FIXTURES_DIR)].map((file) => ({
    name: path.relative(REPO_ROOT, file),
    bytes: readFileSync(file),
  }));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Times `fn` over `rounds` rounds, returning per-round milliseconds. */
export function timeRounds(rounds: number, fn: () => void): number[] {
  const times: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times;
}

/** One line of the bench table: what is measured, the figure, and its target when it has one. */
export interface BenchRow {
  readonly what: string;
  readonly figure: string;
  readonly target?: string;
  /** Whether the figure meets its target (undefined: no target). */
  readonly ok?: boolean;
}

/** What one benchmark returns to `bench/index.ts` (and prints on its own). */
export interface BenchResult<T = unknown> {
  /** Key in `bench/results.json`. */
  readonly name: string;
  readonly title: string;
  readonly rows: readonly BenchRow[];
  /** Machine-readable figures, written to `bench/results.json`. */
  readonly data: T;
}

/** Whether the module at `url` is the script node was started with (not imported by the runner). */
export function isMain(url: string): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  return path.resolve(entry) === path.resolve(new URL(url).pathname);
}

/** The table of one or more results, as printed by the scripts and the runner. */
export function formatTable(results: readonly BenchResult[]): string {
  const header = { what: 'benchmark', figure: 'figure', target: 'target' };
  type Line = { what: string; figure: string; target: string; mark: string } | { title: string };
  const lines: Line[] = [];
  for (const result of results) {
    lines.push({ title: result.title });
    for (const row of result.rows) {
      lines.push({
        what: `  ${row.what}`,
        figure: row.figure,
        target: row.target ?? '',
        mark: row.ok === undefined ? '' : row.ok ? 'ok' : 'MISSED',
      });
    }
  }
  const cells = lines.filter((l) => !('title' in l)) as { what: string; figure: string; target: string }[];
  const w1 = Math.max(header.what.length, ...cells.map((l) => l.what.length));
  const w2 = Math.max(header.figure.length, ...cells.map((l) => l.figure.length));
  const w3 = Math.max(header.target.length, ...cells.map((l) => l.target.length));
  const fmt = (a: string, b: string, c: string, d: string): string =>
    `${a.padEnd(w1)}  ${b.padEnd(w2)}  ${c.padEnd(w3)}  ${d}`.trimEnd();
  return [
    fmt(header.what, header.figure, header.target, ''),
    fmt('-'.repeat(w1), '-'.repeat(w2), '-'.repeat(w3), ''),
    ...lines.map((l) => ('title' in l ? `${l.title}` : fmt(l.what, l.figure, l.target, l.mark))),
  ].join('\n');
}

/** Runs a benchmark as a script: its table, or its data as one JSON line with `--json`. */
export async function runAsScript(run: () => Promise<BenchResult>): Promise<void> {
  const result = await run();
  if (process.argv.includes('--json')) console.log(JSON.stringify(result.data));
  else console.log(formatTable([result]));
}

/** A number with thousands separators. */
export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en');
}

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

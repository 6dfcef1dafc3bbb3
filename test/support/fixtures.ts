import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The repository root, for tests that read project files. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
/** The project's own fixture events (written for Riposte from the documented formats). */
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'events');
/** Published third-party events, beside the checkout in CI; never copied into the repository. */
export const CORPUS_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'corpus', 'events');

export type FixtureEvent = Record<string, unknown>;

const cache = new Map<string, FixtureEvent>();

/**
 * A fixture event from `test/fixtures/events/<relativePath>`, as a fresh deep copy that a test
 * may mutate freely.
 *
 * @example
 * const event = loadFixture('guardduty/instance-backdoor-cc.json');
 */
export function loadFixture(relativePath: string): FixtureEvent {
  let event = cache.get(relativePath);
  if (event === undefined) {
    const parsed: unknown = JSON.parse(readFileSync(path.join(FIXTURES_DIR, relativePath), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`fixture ${relativePath} is not a JSON object`);
    }
    event = parsed as FixtureEvent;
    cache.set(relativePath, event);
  }
  return structuredClone(event);
}

/** The raw text of a fixture, for tests that exercise byte-level input. */
export function loadFixtureText(relativePath: string): string {
  return readFileSync(path.join(FIXTURES_DIR, relativePath), 'utf8');
}

/** Every `.json` file under `dir`, recursively, sorted; empty when `dir` does not exist. */
export function listJsonFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries.sort()) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) files.push(...listJsonFiles(full));
    else if (entry.endsWith('.json')) files.push(full);
  }
  return files;
}

/** The published corpus files, or an empty list when `../shared` is not beside the checkout. */
export function corpusFiles(subdir = ''): string[] {
  return listJsonFiles(path.join(CORPUS_DIR, subdir));
}

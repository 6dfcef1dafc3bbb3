import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PlaybookRoute } from '../intake/dispatch.ts';
import { InvalidPlaybookError, type Playbook } from './sdk.ts';

/**
 * The project's root: the nearest folder above this module with a package.json (the same from
 * the sources, functions/core/playbooks/, and from the built CLI, dist/cli/functions/core/playbooks/).
 */
export const PROJECT_ROOT = ((): string => {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(import.meta.dirname, '..', '..', '..');
  }
})();

/** The repository's `playbooks/` folder. */
export const PLAYBOOKS_DIR = path.join(PROJECT_ROOT, 'playbooks');

/**
 * Imports one playbook file (an absolute path to TypeScript) and returns its module. By default
 * a plain `import()`, which runs TypeScript under tsx and vitest; the built CLI, which runs
 * without a TypeScript loader, installs one that compiles the playbook first.
 */
export type PlaybookImporter = (file: string) => Promise<unknown>;

let importPlaybook: PlaybookImporter = (file) => import(pathToFileURL(file).href);

/**
 * Replaces how playbook files are imported (see {@link PlaybookImporter}).
 *
 * @example
 * usePlaybookImporter(async (file) => import(await compileToJs(file)));
 */
export function usePlaybookImporter(importer: PlaybookImporter): void {
  importPlaybook = importer;
}

function isPlaybook(value: unknown): value is Playbook {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { id?: unknown }).id === 'string' &&
    Array.isArray((value as { nodes?: unknown }).nodes)
  );
}

/**
 * Environment variable naming another playbooks folder for {@link loadPlaybooks}' default
 * (benchmarks synthesize generated playbooks with it). Unset: the repository's `playbooks/`.
 */
export const PLAYBOOKS_DIR_ENV = 'RIPOSTE_PLAYBOOKS_DIR';

/** The folder {@link loadPlaybooks} reads by default: `$RIPOSTE_PLAYBOOKS_DIR`, else {@link PLAYBOOKS_DIR}. */
export function defaultPlaybooksDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const override = env[PLAYBOOKS_DIR_ENV];
  return override === undefined || override === '' ? PLAYBOOKS_DIR : path.resolve(override);
}

/** A playbook file that could not be loaded, and why (one line). */
export interface BrokenPlaybook {
  /** The file, relative to the project (`playbooks/x.ts`). */
  readonly file: string;
  readonly error: Error;
}

/** What {@link loadPlaybookReport} found: the playbooks that load, and the files that do not. */
export interface PlaybookReport {
  readonly playbooks: Playbook[];
  readonly broken: BrokenPlaybook[];
}

function playbookFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .sort();
}

/**
 * Every playbook in `dir`, without letting one broken file stop the others: a file that does
 * not compile, throws while loading, exports no playbook, is misnamed or repeats an id is
 * reported in `broken` (the first file with an id keeps it), and the rest load.
 *
 * @example
 * const { playbooks, broken } = await loadPlaybookReport();
 * for (const b of broken) console.error(`${b.file}: ${b.error.message}`);
 */
export async function loadPlaybookReport(dir: string = defaultPlaybooksDir()): Promise<PlaybookReport> {
  const files = playbookFiles(dir);
  const label = (file: string): string => path.relative(PROJECT_ROOT, path.join(dir, file)) || file;
  const modules = await Promise.allSettled(files.map((file) => importPlaybook(path.join(dir, file))));
  const playbooks: Playbook[] = [];
  const broken: BrokenPlaybook[] = [];
  const ids = new Map<string, string>();
  files.forEach((file, index) => {
    const loaded = modules[index];
    if (loaded === undefined) return;
    if (loaded.status === 'rejected') {
      const reason = loaded.reason;
      broken.push({ file: label(file), error: reason instanceof Error ? reason : new Error(String(reason)) });
      return;
    }
    const candidate = (loaded.value as { default?: unknown }).default;
    const problem = !isPlaybook(candidate)
      ? `${label(file)} must export default definePlaybook({...})`
      : ids.has(candidate.id)
        ? `playbook id "${candidate.id}" is defined in both ${ids.get(candidate.id)} and ${file}`
        : `${candidate.id}.ts` !== file
          ? `${label(file)} defines "${candidate.id}": name the file ${candidate.id}.ts`
          : undefined;
    if (problem !== undefined || !isPlaybook(candidate)) {
      broken.push({ file: label(file), error: new InvalidPlaybookError(problem ?? 'not a playbook') });
      return;
    }
    ids.set(candidate.id, file);
    playbooks.push(candidate);
  });
  return { playbooks, broken };
}

/**
 * Every playbook in `dir`: each `*.ts` file (tests excluded) whose default export is a
 * `definePlaybook(...)`. No registration anywhere else: adding a file adds a playbook.
 * Fails on the first file that does not load (the CDK app must not deploy a partial set);
 * {@link loadPlaybookReport} loads the others too.
 *
 * @param dir the folder; by default `$RIPOSTE_PLAYBOOKS_DIR` when set, else `playbooks/`
 *
 * @example
 * for (const playbook of await loadPlaybooks()) console.log(playbook.id, playbook.version);
 */
export async function loadPlaybooks(dir: string = defaultPlaybooksDir()): Promise<Playbook[]> {
  const { playbooks, broken } = await loadPlaybookReport(dir);
  const [first] = broken;
  if (first !== undefined) throw first.error;
  return playbooks;
}

/** Dispatch routes for playbooks, each started on `targetFor(playbook)`. */
export function routesFor(
  playbooks: readonly Playbook[],
  targetFor: (playbook: Playbook) => string,
): PlaybookRoute[] {
  return playbooks.map((p) => ({
    id: p.id,
    version: p.version,
    target: targetFor(p),
    trigger: p.trigger,
    ...(p.supersedes === undefined || p.supersedes.length === 0 ? {} : { supersedes: [...p.supersedes] }),
  }));
}

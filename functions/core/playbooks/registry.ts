import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PlaybookRoute } from '../intake/dispatch.ts';
import { InvalidPlaybookError, type Playbook } from './sdk.ts';

/** The repository's `playbooks/` folder. */
export const PLAYBOOKS_DIR = path.resolve(import.meta.dirname, '..', '..', '..', 'playbooks');

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

/**
 * Every playbook in `dir`: each `*.ts` file (tests excluded) whose default export is a
 * `definePlaybook(...)`. No registration anywhere else: adding a file adds a playbook.
 *
 * @param dir the folder; by default `$RIPOSTE_PLAYBOOKS_DIR` when set, else `playbooks/`
 *
 * @example
 * for (const playbook of await loadPlaybooks()) console.log(playbook.id, playbook.version);
 */
export async function loadPlaybooks(dir: string = defaultPlaybooksDir()): Promise<Playbook[]> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .sort();
  const playbooks: Playbook[] = [];
  const ids = new Map<string, string>();
  for (const file of files) {
    const module: unknown = await import(pathToFileURL(path.join(dir, file)).href);
    const candidate = (module as { default?: unknown }).default;
    if (!isPlaybook(candidate)) {
      throw new InvalidPlaybookError(`playbooks/${file} must export default definePlaybook({...})`);
    }
    const previous = ids.get(candidate.id);
    if (previous !== undefined) {
      throw new InvalidPlaybookError(
        `playbook id "${candidate.id}" is defined in both ${previous} and ${file}`,
      );
    }
    if (`${candidate.id}.ts` !== file) {
      throw new InvalidPlaybookError(
        `playbooks/${file} defines "${candidate.id}": name the file ${candidate.id}.ts`,
      );
    }
    ids.set(candidate.id, file);
    playbooks.push(candidate);
  }
  return playbooks;
}

/** Dispatch routes for playbooks, each started on `targetFor(playbook)`. */
export function routesFor(
  playbooks: readonly Playbook[],
  targetFor: (playbook: Playbook) => string,
): PlaybookRoute[] {
  return playbooks.map((p) => ({ id: p.id, version: p.version, target: targetFor(p), trigger: p.trigger }));
}

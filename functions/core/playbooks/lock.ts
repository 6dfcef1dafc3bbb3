import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { definitionHash } from './compile.ts';
import { PLAYBOOKS_DIR } from './registry.ts';
import type { Playbook } from './sdk.ts';

/**
 * The version lock: each playbook's id, version and the SHA-256 of its rendered definition,
 * committed in `playbooks/riposte.lock.json`. A definition that changes without a version bump
 * is caught before it deploys (a deployed version must always mean one definition).
 */
export const LOCK_FILE = path.join(PLAYBOOKS_DIR, 'riposte.lock.json');

export const LockSchema = z.object({
  lockfileVersion: z.literal(1),
  playbooks: z.record(
    z.string(),
    z.object({ version: z.string(), definitionSha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  ),
});
export type Lock = z.infer<typeof LockSchema>;

export function readLock(file: string = LOCK_FILE): Lock {
  if (!existsSync(file)) return { lockfileVersion: 1, playbooks: {} };
  return LockSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function writeLock(lock: Lock, file: string = LOCK_FILE): void {
  const sorted = Object.fromEntries(Object.entries(lock.playbooks).sort(([a], [b]) => (a < b ? -1 : 1)));
  writeFileSync(file, `${JSON.stringify({ lockfileVersion: 1, playbooks: sorted }, null, 2)}\n`);
}

/** Compares semantic versions: negative, zero or positive like a sort comparator. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export interface LockProblem {
  readonly playbook: string;
  /** `changed-without-bump` blocks `lock` too; the others are fixed by running `lock`. */
  readonly kind: 'changed-without-bump' | 'version-decreased' | 'not-locked' | 'lock-outdated' | 'removed';
  readonly message: string;
}

/**
 * What is wrong between the playbooks and the lock, with what to do about each.
 *
 * @example
 * const problems = checkLock(await loadPlaybooks(), readLock());
 * if (problems.length > 0) process.exitCode = 1;
 */
export function checkLock(playbooks: readonly Playbook[], lock: Lock): LockProblem[] {
  const problems: LockProblem[] = [];
  const seen = new Set<string>();
  for (const playbook of playbooks) {
    seen.add(playbook.id);
    const locked = lock.playbooks[playbook.id];
    const hash = definitionHash(playbook);
    const file = `playbooks/${playbook.id}.ts`;
    if (locked === undefined) {
      problems.push({
        playbook: playbook.id,
        kind: 'not-locked',
        message: `${playbook.id} ${playbook.version} is not in the lock: run \`npx riposte playbooks lock\` and commit playbooks/riposte.lock.json`,
      });
      continue;
    }
    const order = compareVersions(playbook.version, locked.version);
    if (order === 0 && locked.definitionSha256 !== hash) {
      problems.push({
        playbook: playbook.id,
        kind: 'changed-without-bump',
        message:
          `${playbook.id}: the definition changed but the version is still ${playbook.version}. ` +
          `Bump \`version\` in ${file}, add a changelog entry for it, then run \`npx riposte playbooks lock\`.`,
      });
    } else if (order < 0) {
      problems.push({
        playbook: playbook.id,
        kind: 'version-decreased',
        message: `${playbook.id}: version ${playbook.version} is lower than the locked ${locked.version}; versions only go up.`,
      });
    } else if (order > 0) {
      problems.push({
        playbook: playbook.id,
        kind: 'lock-outdated',
        message: `${playbook.id} is now ${playbook.version} (locked: ${locked.version}): run \`npx riposte playbooks lock\` and commit the lock.`,
      });
    }
  }
  for (const id of Object.keys(lock.playbooks)) {
    if (!seen.has(id)) {
      problems.push({
        playbook: id,
        kind: 'removed',
        message: `${id} is in the lock but no playbooks/${id}.ts exists: run \`npx riposte playbooks lock\` to drop it.`,
      });
    }
  }
  return problems;
}

/**
 * The lock for the current playbooks. Refuses (returns the blocking problems) when a definition
 * changed without a version bump: the lock never papers over an unversioned change.
 */
export function relock(
  playbooks: readonly Playbook[],
  lock: Lock,
): { lock: Lock } | { blocked: LockProblem[] } {
  const blocked = checkLock(playbooks, lock).filter(
    (p) => p.kind === 'changed-without-bump' || p.kind === 'version-decreased',
  );
  if (blocked.length > 0) return { blocked };
  return {
    lock: {
      lockfileVersion: 1,
      playbooks: Object.fromEntries(
        playbooks.map((p) => [p.id, { version: p.version, definitionSha256: definitionHash(p) }]),
      ),
    },
  };
}

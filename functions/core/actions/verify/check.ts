import { z } from 'zod';
import { RiposteError } from '../../errors.ts';
import type { ActionEnv } from '../types.ts';

/**
 * How a containment or release action proves it worked: after its changes it reads the resource
 * back (read-only calls, the same clients, so the member role live and the world locally) and
 * records, check by check, what it expected and what it read. The action never throws for a
 * failed verification: the change was made; the output, the timeline and the notification say
 * `NOT VERIFIED` and what differs.
 */

/** One fact read back: what the action expected, what the read answered. */
export const VerificationCheckSchema = z.object({
  /** What was checked, e.g. `eni-0abc security groups`. */
  check: z.string(),
  expected: z.string(),
  actual: z.string(),
  ok: z.boolean(),
});
export type VerificationCheck = z.infer<typeof VerificationCheckSchema>;

/** What every contain and release action records under `verification` in its output. */
export const VerificationSchema = z.object({
  /** True when every check read back as expected. */
  verified: z.boolean(),
  /**
   * `read-back`: the changes were applied (live, or by the local world) before the reads;
   * `dry-run`: they were recorded and not sent, so the reads show the resource as it was and
   * cannot verify them.
   */
  basis: z.enum(['read-back', 'dry-run']),
  /** The checks, in the order they were read. */
  evidence: z.array(VerificationCheckSchema),
});
export type Verification = z.infer<typeof VerificationSchema>;

/** Raised by a verifier given checks it cannot judge (an empty list proves nothing). */
export class VerificationInputError extends RiposteError {
  public constructor(message: string) {
    super(message);
    this.name = 'VerificationInputError';
  }
}

/**
 * A check comparing two values as text.
 *
 * @example
 * check('eni-0abc security groups', 'sg-iso', 'sg-iso'); // { ok: true, … }
 */
export function check(what: string, expected: string, actual: string): VerificationCheck {
  return { check: what, expected, actual, ok: expected === actual };
}

/** A set of ids as one sorted, comma-separated line (`none` when empty), for a check. */
export function idSet(ids: readonly string[]): string {
  return ids.length === 0 ? 'none' : [...new Set(ids)].sort().join(', ');
}

/**
 * Runs `read` and turns a failing read into a failed check: a read-back never fails the action
 * (the change was made), it just cannot vouch for it.
 *
 * @example
 * const checks = await readChecks('GetPublicAccessBlock', () => readSettingsChecks());
 */
export async function readChecks(
  what: string,
  read: () => Promise<readonly VerificationCheck[]>,
): Promise<VerificationCheck[]> {
  try {
    return [...(await read())];
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return [{ check: what, expected: 'a read-back', actual: `read failed (${reason})`, ok: false }];
  }
}

/**
 * The verification of `checks` in this environment: `dry-run` when the action's changes were
 * recorded and not sent (see {@link ActionEnv.changesApplied}).
 *
 * @example
 * verification([check('bucket settings', 'all true', 'all true')], env); // { verified: true, basis: 'read-back', … }
 */
export function verification(checks: readonly VerificationCheck[], env: ActionEnv): Verification {
  if (checks.length === 0) throw new VerificationInputError('a verification needs at least one check');
  return {
    verified: checks.every((c) => c.ok),
    basis: (env.changesApplied ?? !env.dryRun) ? 'read-back' : 'dry-run',
    evidence: [...checks],
  };
}

/**
 * The verification an action output carries, if any (for the timeline, `riposte show` and the
 * notification).
 *
 * @example
 * verificationOf({ verification: { verified: false, basis: 'read-back', evidence: [] } })?.verified; // false
 */
export function verificationOf(output: unknown): Verification | undefined {
  if (output === null || typeof output !== 'object' || !('verification' in output)) return undefined;
  const parsed = VerificationSchema.safeParse(output.verification);
  return parsed.success ? parsed.data : undefined;
}

/**
 * One line for a notification or `riposte show`: `verified`, `NOT VERIFIED: <what differs>`, or
 * `not verifiable in dry-run`.
 *
 * @example
 * verificationLine({ verified: false, basis: 'read-back', evidence: [check('key AKIA… status', 'Inactive', 'Active')] });
 * // 'NOT VERIFIED: key AKIA… status: expected Inactive, read Active'
 */
export function verificationLine(v: Verification): string {
  if (v.verified) return 'verified';
  if (v.basis === 'dry-run') return 'not verifiable in dry-run (nothing was changed)';
  const differs = v.evidence
    .filter((c) => !c.ok)
    .map((c) => `${c.check}: expected ${c.expected}, read ${c.actual}`);
  return `NOT VERIFIED: ${differs.join('; ')}`;
}

import { z } from 'zod';

/**
 * Access keys a finding names as used by the attacker (GuardDuty `accessKeyDetails.accessKeyId`,
 * Security Hub `AwsIamAccessKey` resources): the IAM release leaves them inactive and asks for
 * their rotation, whatever their status before containment.
 */

/** An IAM access key id (`AKIA…` for a user's long-term key; IAM allows 16 to 128 word characters). */
export const AccessKeyIdSchema = z.string().regex(/^\w{16,128}$/);

/**
 * The sentence asking an operator to rotate a key the attacker used, for the notification's "to
 * do" list.
 *
 * @example
 * rotateKeyInstruction('payments-deployer', 'AKIAPAYMENTSATTACK02');
 * // 'rotate access key AKIAPAYMENTSATTACK02 of IAM user payments-deployer: …'
 */
export function rotateKeyInstruction(userName: string, accessKeyId: string): string {
  return `rotate access key ${accessKeyId} of IAM user ${userName}: the finding names it as used by the attacker, so the release left it inactive; create a new key, move what used ${accessKeyId} to it, then delete ${accessKeyId}`;
}

/**
 * The named keys that belong to the user (in the capture or now), in the finding's order: a
 * key of another principal (a role's `ASIA…` session key) is not the user's to keep inactive.
 *
 * @example
 * attackerKeysOf(['AKIAPAYMENTSATTACK02'], ['AKIAPAYMENTSDEPLOY01', 'AKIAPAYMENTSATTACK02']); // ['AKIAPAYMENTSATTACK02']
 */
export function attackerKeysOf(named: readonly string[], userKeys: readonly string[]): string[] {
  const owned = new Set(userKeys);
  return [...new Set(named)].filter((id) => owned.has(id));
}

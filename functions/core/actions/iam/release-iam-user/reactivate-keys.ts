import { UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import type { UserRelease } from './load.ts';

/**
 * Step "reactivate keys": `UpdateAccessKey Status=Active` for each key that was Active before
 * and is Inactive now, except the attacker's. Returns the keys reactivated and those that no
 * longer exist.
 */
export async function reactivateKeys(
  ctx: UserRelease,
): Promise<{ reactivated: string[]; missing: string[] }> {
  const reactivated: string[] = [];
  const missing: string[] = [];
  for (const before of ctx.capture.accessKeys) {
    if (before.status !== 'Active' || ctx.attackerKeys.includes(before.accessKeyId)) continue;
    const now = ctx.currentKeys.find((k) => k.accessKeyId === before.accessKeyId);
    if (now === undefined) {
      missing.push(before.accessKeyId);
      continue;
    }
    if (now.status === 'Active') continue;
    await ctx.env.clients.iam.send(
      new UpdateAccessKeyCommand({
        UserName: ctx.userName,
        AccessKeyId: before.accessKeyId,
        Status: 'Active',
      }),
    );
    reactivated.push(before.accessKeyId);
  }
  return { reactivated, missing };
}

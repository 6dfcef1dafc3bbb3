import { PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { sameDocument } from '../shared/items.ts';
import { DENY_ALL_POLICY, DENY_ALL_POLICY_NAME } from '../shared/policies.ts';
import type { UserContainment } from './capture.ts';

/**
 * Step "deny all": `PutUserPolicy riposte-deny-all` ({@link DENY_ALL_POLICY}: everything,
 * including temporary credentials minted from the keys) unless already in place. Returns
 * whether this run attached it.
 */
export async function attachDenyAll(ctx: UserContainment): Promise<boolean> {
  const attachDeny = ctx.denyInPlace === undefined || !sameDocument(ctx.denyInPlace, DENY_ALL_POLICY);
  if (attachDeny) {
    await ctx.env.clients.iam.send(
      new PutUserPolicyCommand({
        UserName: ctx.userName,
        PolicyName: DENY_ALL_POLICY_NAME,
        PolicyDocument: JSON.stringify(DENY_ALL_POLICY),
      }),
    );
  }
  return attachDeny;
}

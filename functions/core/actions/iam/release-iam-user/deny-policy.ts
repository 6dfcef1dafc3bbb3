import { DeleteUserPolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { sameDocument } from '../shared/items.ts';
import { DENY_ALL_POLICY_NAME } from '../shared/policies.ts';
import type { UserRelease } from './load.ts';

/**
 * Step "deny policy", last, so that a failure part-way leaves the user denied:
 * `DeleteUserPolicy riposte-deny-all`, or `PutUserPolicy` of the document that was there before
 * the incident, only when the user differs from it.
 */
export async function restoreDenyPolicy(ctx: UserRelease): Promise<'removed' | 'restored' | 'absent'> {
  const { iam } = ctx.env.clients;
  if (ctx.restorePrevious) {
    if (ctx.denyNow === undefined || !sameDocument(ctx.denyNow, ctx.capture.previousDenyPolicy)) {
      await iam.send(
        new PutUserPolicyCommand({
          UserName: ctx.userName,
          PolicyName: DENY_ALL_POLICY_NAME,
          PolicyDocument: JSON.stringify(ctx.capture.previousDenyPolicy),
        }),
      );
      return 'restored';
    }
    return 'absent';
  }
  if (ctx.inline.includes(DENY_ALL_POLICY_NAME)) {
    await iam.send(new DeleteUserPolicyCommand({ UserName: ctx.userName, PolicyName: DENY_ALL_POLICY_NAME }));
    return 'removed';
  }
  return 'absent';
}

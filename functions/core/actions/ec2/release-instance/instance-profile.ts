import { AssociateIamInstanceProfileCommand } from '@aws-sdk/client-ec2';
import type { ReleaseInstanceOutput } from '../release-instance.ts';
import { collect } from '../shared/items.ts';
import type { ReleaseContext } from './context.ts';

/**
 * Step "instance profile": `AssociateIamInstanceProfile` of the saved profile, unless it is back
 * already; an instance that has another profile now is left as is (a failed item).
 */
export async function restoreInstanceProfile(
  ctx: ReleaseContext,
): Promise<ReleaseInstanceOutput['instanceProfile']> {
  const { saved, current } = ctx;
  if (saved.instanceProfile === null) return null;
  const arn = saved.instanceProfile.arn;
  if (current.instanceProfile?.arn === arn) return { arn, action: 'unchanged', error: null };
  if (current.instanceProfile !== null) {
    const error = `the instance now has another instance profile (${current.instanceProfile.arn}); left as is`;
    ctx.failures.push({ target: arn, error, transient: false });
    return { arn, action: 'failed', error };
  }
  try {
    await ctx.env.clients.ec2.send(
      new AssociateIamInstanceProfileCommand({
        IamInstanceProfile: { Arn: arn },
        InstanceId: ctx.instanceId,
      }),
    );
    return { arn, action: 'associated', error: null };
  } catch (error) {
    const message = collect(ctx.failures, arn, error);
    return { arn, action: 'failed', error: message };
  }
}

import { DisassociateIamInstanceProfileCommand } from '@aws-sdk/client-ec2';
import type { IsolateInstanceOutput } from '../isolate-instance.ts';
import { collect } from '../shared/items.ts';
import type { IsolationContext } from './context.ts';

/** Step "instance profile": `DisassociateIamInstanceProfile`, so the instance gets no new credentials. */
export async function removeInstanceProfile(
  ctx: IsolationContext,
): Promise<IsolateInstanceOutput['instanceProfile']> {
  const profile = ctx.current.instanceProfile;
  if (profile === null) return null;
  const result = { arn: profile.arn, associationId: profile.associationId };
  try {
    await ctx.env.clients.ec2.send(
      new DisassociateIamInstanceProfileCommand({ AssociationId: profile.associationId }),
    );
    return { ...result, action: 'disassociated', error: null };
  } catch (error) {
    const message = collect(ctx.failures, profile.arn, error);
    return { ...result, action: 'failed', error: message };
  }
}

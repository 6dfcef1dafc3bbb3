import { DeleteLoginProfileCommand } from '@aws-sdk/client-iam';
import type { UserContainment } from './capture.ts';

/**
 * Step "console password": passwords cannot be deactivated, so `DeleteLoginProfile` when the
 * user has one (the capture says it existed). Returns whether this run deleted it.
 */
export async function deleteLoginProfile(ctx: UserContainment): Promise<boolean> {
  const deleteProfile = ctx.current.loginProfile !== null;
  if (deleteProfile)
    await ctx.env.clients.iam.send(new DeleteLoginProfileCommand({ UserName: ctx.userName }));
  return deleteProfile;
}

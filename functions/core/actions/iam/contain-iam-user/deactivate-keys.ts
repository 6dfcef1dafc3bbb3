import { UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import type { UserContainment } from './capture.ts';

/**
 * Step "deactivate keys": `UpdateAccessKey Status=Inactive` for every Active key. Deactivate,
 * never delete: reversible, and the key id stays searchable in CloudTrail. Returns the keys
 * this run deactivated.
 */
export async function deactivateKeys(ctx: UserContainment): Promise<string[]> {
  const deactivated: string[] = [];
  for (const accessKey of ctx.current.accessKeys) {
    if (accessKey.status !== 'Active') continue;
    await ctx.env.clients.iam.send(
      new UpdateAccessKeyCommand({
        UserName: ctx.userName,
        AccessKeyId: accessKey.accessKeyId,
        Status: 'Inactive',
      }),
    );
    deactivated.push(accessKey.accessKeyId);
  }
  return deactivated;
}

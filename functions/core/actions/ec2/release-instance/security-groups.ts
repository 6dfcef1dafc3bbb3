import { ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import type { ReleaseInstanceOutput } from '../release-instance.ts';
import { collect, sameGroupSet } from '../shared/items.ts';
import type { ReleaseContext } from './context.ts';

/** Step "security groups": `ModifyNetworkInterfaceAttribute` back to each ENI's original groups, when they differ. */
export async function restoreSecurityGroups(
  ctx: ReleaseContext,
): Promise<ReleaseInstanceOutput['networkInterfaces']> {
  const networkInterfaces: ReleaseInstanceOutput['networkInterfaces'] = [];
  for (const original of ctx.saved.networkInterfaces) {
    const groups = original.groups.map((g) => g.groupId);
    const now = ctx.current.networkInterfaces.find(
      (e) => e.networkInterfaceId === original.networkInterfaceId,
    );
    const result = { networkInterfaceId: original.networkInterfaceId, groups };
    if (now === undefined) {
      const error = 'the network interface is no longer attached to the instance';
      ctx.failures.push({ target: original.networkInterfaceId, error, transient: false });
      networkInterfaces.push({ ...result, action: 'failed', error });
      continue;
    }
    if (
      sameGroupSet(
        now.groups.map((g) => g.groupId),
        groups,
      )
    ) {
      networkInterfaces.push({ ...result, action: 'unchanged', error: null });
      continue;
    }
    try {
      await ctx.env.clients.ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: original.networkInterfaceId,
          Groups: groups,
        }),
      );
      networkInterfaces.push({ ...result, action: 'restored', error: null });
    } catch (error) {
      const message = collect(ctx.failures, original.networkInterfaceId, error);
      networkInterfaces.push({ ...result, action: 'failed', error: message });
    }
  }
  return networkInterfaces;
}

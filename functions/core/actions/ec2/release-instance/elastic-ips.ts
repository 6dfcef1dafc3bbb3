import { AssociateAddressCommand } from '@aws-sdk/client-ec2';
import type { ReleaseInstanceOutput } from '../release-instance.ts';
import { collect } from '../shared/items.ts';
import type { ReleaseContext } from './context.ts';

/**
 * Step "Elastic IPs": `AssociateAddress` of each saved Elastic IP to its interface and private
 * address (AllowReassociation=false: never taking one now used elsewhere), unless already there.
 */
export async function restoreElasticIps(ctx: ReleaseContext): Promise<ReleaseInstanceOutput['elasticIps']> {
  const elasticIps: ReleaseInstanceOutput['elasticIps'] = [];
  for (const address of ctx.saved.elasticIps) {
    const result = { allocationId: address.allocationId, publicIp: address.publicIp };
    const now = ctx.current.elasticIps.find((a) => a.allocationId === address.allocationId);
    if (
      now !== undefined &&
      now.networkInterfaceId === address.networkInterfaceId &&
      now.privateIpAddress === address.privateIpAddress
    ) {
      elasticIps.push({ ...result, action: 'unchanged', error: null });
      continue;
    }
    try {
      await ctx.env.clients.ec2.send(
        new AssociateAddressCommand({
          AllocationId: address.allocationId,
          NetworkInterfaceId: address.networkInterfaceId,
          ...(address.privateIpAddress === null ? {} : { PrivateIpAddress: address.privateIpAddress }),
          AllowReassociation: false,
        }),
      );
      elasticIps.push({ ...result, action: 'associated', error: null });
    } catch (error) {
      const message = collect(ctx.failures, address.allocationId, error);
      elasticIps.push({ ...result, action: 'failed', error: message });
    }
  }
  return elasticIps;
}

import { DisassociateAddressCommand } from '@aws-sdk/client-ec2';
import type { IsolateInstanceOutput } from '../isolate-instance.ts';
import { collect } from '../shared/items.ts';
import type { IsolationContext } from './context.ts';

/** Step "Elastic IPs": `DisassociateAddress` for every Elastic IP (a failing one does not stop the others). */
export async function disassociateElasticIps(
  ctx: IsolationContext,
): Promise<IsolateInstanceOutput['elasticIps']> {
  const elasticIps: IsolateInstanceOutput['elasticIps'] = [];
  for (const address of ctx.current.elasticIps) {
    const result = { allocationId: address.allocationId, publicIp: address.publicIp };
    try {
      await ctx.env.clients.ec2.send(
        new DisassociateAddressCommand({ AssociationId: address.associationId }),
      );
      elasticIps.push({ ...result, action: 'disassociated', error: null });
    } catch (error) {
      const message = collect(ctx.failures, address.allocationId, error);
      elasticIps.push({ ...result, action: 'failed', error: message });
    }
  }
  return elasticIps;
}

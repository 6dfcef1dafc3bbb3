import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ServiceFactories } from '../clients.ts';

/**
 * The Elastic Load Balancing v2 client, for actions that declare it.
 *
 * @example
 * defineAction({ id: 'isolate-instance', services: { ...elbv2Service }, … });
 */
export const elbv2Service = {
  elbv2: (config) => new ElasticLoadBalancingV2Client(config),
} as const satisfies ServiceFactories;

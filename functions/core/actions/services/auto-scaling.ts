import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { ServiceFactories } from '../clients.ts';

/**
 * The EC2 Auto Scaling client, for actions that declare it.
 *
 * @example
 * defineAction({ id: 'isolate-instance', services: { ...autoScalingService }, … });
 */
export const autoScalingService = {
  autoScaling: (config) => new AutoScalingClient(config),
} as const satisfies ServiceFactories;

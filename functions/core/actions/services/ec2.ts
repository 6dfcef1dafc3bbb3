import { EC2Client } from '@aws-sdk/client-ec2';
import type { ServiceFactories } from '../clients.ts';

/**
 * The EC2 client, for actions that declare it.
 *
 * @example
 * defineAction({ id: 'enrich-instance', services: { ...ec2Service }, … });
 */
export const ec2Service = {
  ec2: (config) => new EC2Client(config),
} as const satisfies ServiceFactories;

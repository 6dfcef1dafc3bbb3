import { IAMClient } from '@aws-sdk/client-iam';
import type { ServiceFactories } from '../clients.ts';

/**
 * The IAM client, for actions that declare it. IAM is global: its endpoint is in us-east-1
 * (cn-north-1 in the China partition) whatever the incident's region.
 *
 * @example
 * defineAction({ id: 'contain-user', services: { ...iamService }, … });
 */
export const iamService = {
  iam: (config) =>
    new IAMClient({ ...config, region: config.region.startsWith('cn-') ? 'cn-north-1' : 'us-east-1' }),
} as const satisfies ServiceFactories;

import { KMSClient } from '@aws-sdk/client-kms';
import type { ServiceFactories } from '../clients.ts';

/**
 * The AWS KMS client, for actions that declare it. KMS is regional: the client is built for the
 * incident's Region, which is the key's (a key ARN names its Region).
 *
 * @example
 * defineAction({ id: 'restore-kms-key', services: { ...kmsService }, … });
 */
export const kmsService = {
  kms: (config) => new KMSClient(config),
} as const satisfies ServiceFactories;

import { RDSClient } from '@aws-sdk/client-rds';
import type { ServiceFactories } from '../clients.ts';

/**
 * The regional Amazon RDS client (DB instances, DB snapshots), for actions that declare it.
 *
 * @example
 * defineAction({ id: 'restrict-db-instance', services: { ...rdsService }, … });
 */
export const rdsService = {
  rds: (config) => new RDSClient({ ...config }),
} as const satisfies ServiceFactories;

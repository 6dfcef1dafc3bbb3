import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { ServiceFactories } from '../clients.ts';

/**
 * The CloudTrail client, for actions that declare it: `LookupEvents` (the Region's 90-day event
 * history) and trail calls. A trail is managed from its home Region: actions acting on a trail
 * of another Region build a client for that Region (see `kms/shared/history.ts` for history).
 *
 * @example
 * defineAction({ id: 'restore-kms-key', services: { ...cloudTrailService }, … });
 */
export const cloudTrailService = {
  cloudtrail: (config) => new CloudTrailClient(config),
} as const satisfies ServiceFactories;

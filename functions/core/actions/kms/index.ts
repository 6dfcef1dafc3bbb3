import type { ActionDefinition } from '../types.ts';
import { enrichKmsKeyAction } from './enrich-kms-key.ts';
import { restoreKmsKeyAction } from './restore-kms-key.ts';

/**
 * KMS actions: enrich a key, and restore one whose deletion was scheduled or that was disabled:
 * cancel the deletion, and re-enable the key only if the CloudTrail history shows it was enabled.
 */
export const KMS_ACTIONS: readonly ActionDefinition[] = [
  enrichKmsKeyAction,
  restoreKmsKeyAction,
] as readonly ActionDefinition[];

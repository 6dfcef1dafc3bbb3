import type { ActionDefinition } from '../types.ts';
import { enrichDbSnapshotSharingAction } from './enrich-db-snapshot-sharing.ts';
import { removePublicDbSnapshotSharingAction } from './remove-public-db-snapshot-sharing.ts';

/** RDS actions: who may restore a DB snapshot or DB cluster snapshot, and ending its public sharing. */
export const RDS_ACTIONS: readonly ActionDefinition[] = [
  enrichDbSnapshotSharingAction,
  removePublicDbSnapshotSharingAction,
] as readonly ActionDefinition[];

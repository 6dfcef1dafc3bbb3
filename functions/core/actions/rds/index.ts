import type { ActionDefinition } from '../types.ts';
import { enrichDbInstanceAction } from './enrich-db-instance.ts';
import { enrichDbSnapshotSharingAction } from './enrich-db-snapshot-sharing.ts';
import { releaseDbInstanceAction } from './release-db-instance.ts';
import { removePublicDbSnapshotSharingAction } from './remove-public-db-snapshot-sharing.ts';
import { restrictDbInstanceAction } from './restrict-db-instance.ts';

/**
 * RDS actions: enrich a DB instance, restrict it (snapshot, then not publicly accessible), and
 * restore its public accessibility on release; who may restore a DB snapshot or DB cluster
 * snapshot, and ending its public sharing.
 */
export const RDS_ACTIONS: readonly ActionDefinition[] = [
  enrichDbInstanceAction,
  restrictDbInstanceAction,
  releaseDbInstanceAction,
  enrichDbSnapshotSharingAction,
  removePublicDbSnapshotSharingAction,
] as readonly ActionDefinition[];

import type { ActionDefinition } from '../types.ts';
import { enrichDbInstanceAction } from './enrich-db-instance.ts';
import { releaseDbInstanceAction } from './release-db-instance.ts';
import { restrictDbInstanceAction } from './restrict-db-instance.ts';

/**
 * RDS actions: enrich a DB instance, restrict it (snapshot, then not publicly accessible), and
 * restore its public accessibility on release.
 */
export const RDS_ACTIONS: readonly ActionDefinition[] = [
  enrichDbInstanceAction,
  restrictDbInstanceAction,
  releaseDbInstanceAction,
] as readonly ActionDefinition[];

import { LIFECYCLE_PUBLISH_CALLS } from '../lifecycle/events.ts';
import type { CallDeclaration } from '../permissions.ts';
import { DISPATCH_CALLS } from './dispatch.ts';
import { INGEST_TABLE_CALLS } from './ingest.ts';

/**
 * Every call the ingest function (`functions/ingest/handler.ts`) sends to Riposte's resources:
 * the table ({@link INGEST_TABLE_CALLS}), the playbooks' aliases ({@link DISPATCH_CALLS}) and the
 * lifecycle bus ({@link LIFECYCLE_PUBLISH_CALLS}). Its role is built from these.
 *
 * @example
 * INGEST_FUNCTION_CALLS.flatMap((call) => call.actions); // ['dynamodb:GetItem', …, 'states:StartExecution', 'events:PutEvents']
 */
export const INGEST_FUNCTION_CALLS: readonly CallDeclaration[] = [
  INGEST_TABLE_CALLS,
  DISPATCH_CALLS,
  LIFECYCLE_PUBLISH_CALLS,
];

import type { ActionDefinition } from '../types.ts';
import { restoreTrailLoggingAction } from './restore-trail-logging.ts';

/**
 * CloudTrail actions: restart a trail's logging and restore the event selectors a
 * PutEventSelectors reduced (from the CloudTrail history, never guessed).
 */
export const CLOUDTRAIL_ACTIONS: readonly ActionDefinition[] = [
  restoreTrailLoggingAction,
] as readonly ActionDefinition[];

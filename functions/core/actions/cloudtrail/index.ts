import type { ActionDefinition } from '../types.ts';
import { restoreTrailLoggingAction } from './restore-trail-logging.ts';
import { summarizeKeyActivityAction } from './summarize-key-activity.ts';

/**
 * CloudTrail actions: restart a trail's logging and restore the event selectors a
 * PutEventSelectors reduced (from the CloudTrail history, never guessed); summarize what an
 * access key did from the event history.
 */
export const CLOUDTRAIL_ACTIONS: readonly ActionDefinition[] = [
  restoreTrailLoggingAction,
  summarizeKeyActivityAction,
] as readonly ActionDefinition[];

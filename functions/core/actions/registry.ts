import type { CallDeclaration } from '../permissions.ts';
import { requestApprovalAction } from './approval.ts';
import { restoreTrailLoggingAction } from './cloudtrail/restore-trail-logging.ts';
import { enrichInstanceAction, isolateInstanceAction, releaseInstanceAction } from './ec2.ts';
import { assessActorAction } from './iam/assess-actor.ts';
import {
  containUserAction,
  enrichPrincipalAction,
  releaseRoleSessionsAction,
  releaseUserAction,
  revokeRoleSessionsAction,
} from './iam.ts';
import { enrichKmsKeyAction } from './kms/enrich-kms-key.ts';
import { restoreKmsKeyAction } from './kms/restore-kms-key.ts';
import { notifyAction } from './notify.ts';
import { runnerCallsOf } from './runner.ts';
import { blockBucketPublicAccessAction } from './s3.ts';
import { releaseBucketPublicAccessAction } from './s3-release.ts';
import type { ActionDefinition, ActionFamily } from './types.ts';

/** Every action Riposte ships, by id. Playbooks reference them; each family's function hosts its own. */
export const ACTIONS: readonly ActionDefinition[] = [
  enrichInstanceAction,
  enrichPrincipalAction,
  isolateInstanceAction,
  containUserAction,
  revokeRoleSessionsAction,
  blockBucketPublicAccessAction,
  releaseInstanceAction,
  releaseUserAction,
  releaseRoleSessionsAction,
  releaseBucketPublicAccessAction,
  notifyAction,
  requestApprovalAction,
  enrichKmsKeyAction,
  assessActorAction,
  restoreKmsKeyAction,
  restoreTrailLoggingAction,
] as readonly ActionDefinition[];

/** The actions a family's function runs. */
export function actionsOfFamily(family: ActionFamily): ActionDefinition[] {
  return ACTIONS.filter((action) => action.family === family);
}

/** The IAM actions a family's role needs, deduplicated and sorted. */
export function iamActionsOfFamily(family: ActionFamily): string[] {
  return [...new Set(actionsOfFamily(family).flatMap((action) => action.iamActions))].sort();
}

/**
 * Every call a family's function sends to Riposte's own resources: the runner's bookkeeping
 * ({@link runnerCallsOf}) and its actions' declared `calls`.
 *
 * @example
 * callsOfFamily('contain').some((call) => call.actions.includes('dynamodb:UpdateItem')); // true (milestones)
 */
export function callsOfFamily(family: ActionFamily): CallDeclaration[] {
  return [...runnerCallsOf(family), ...actionsOfFamily(family).flatMap((action) => action.calls ?? [])];
}

import { requestApprovalAction } from './approval.ts';
import { enrichInstanceAction, isolateInstanceAction, releaseInstanceAction } from './ec2.ts';
import {
  containUserAction,
  enrichPrincipalAction,
  releaseRoleSessionsAction,
  releaseUserAction,
  revokeRoleSessionsAction,
} from './iam.ts';
import { notifyAction } from './notify.ts';
import { blockBucketPublicAccessAction, releaseBucketPublicAccessAction } from './s3.ts';
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
] as readonly ActionDefinition[];

/** The actions a family's function runs. */
export function actionsOfFamily(family: ActionFamily): ActionDefinition[] {
  return ACTIONS.filter((action) => action.family === family);
}

/** The IAM actions a family's role needs, deduplicated and sorted. */
export function iamActionsOfFamily(family: ActionFamily): string[] {
  return [...new Set(actionsOfFamily(family).flatMap((action) => action.iamActions))].sort();
}

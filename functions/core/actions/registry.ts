import type { CallDeclaration } from '../permissions.ts';
import { APPROVAL_ACTIONS } from './approval/index.ts';
import { requestApprovalAction } from './approval/request-approval.ts';
import { CLOUDTRAIL_ACTIONS } from './cloudtrail/index.ts';
import { restoreTrailLoggingAction } from './cloudtrail/restore-trail-logging.ts';
import { summarizeKeyActivityAction } from './cloudtrail/summarize-key-activity.ts';
import { enrichEc2SharingAction } from './ec2/enrich-ec2-sharing.ts';
import { enrichInstanceAction } from './ec2/enrich-instance.ts';
import { enrichSecurityGroupAction } from './ec2/enrich-security-group.ts';
import { EC2_ACTIONS } from './ec2/index.ts';
import { isolateInstanceAction } from './ec2/isolate-instance.ts';
import { releaseInstanceAction } from './ec2/release-instance.ts';
import { releaseInstanceMetadataOptionsAction } from './ec2/release-instance-metadata-options.ts';
import { removePublicEc2SharingAction } from './ec2/remove-public-ec2-sharing.ts';
import { requireImdsv2Action } from './ec2/require-imdsv2.ts';
import { restoreWorldOpenIngressAction } from './ec2/restore-world-open-ingress.ts';
import { revokeWorldOpenIngressAction } from './ec2/revoke-world-open-ingress.ts';
import { assessActorAction } from './iam/assess-actor.ts';
import { containUserAction } from './iam/contain-iam-user.ts';
import { deactivateAccessKeyAction } from './iam/deactivate-access-key.ts';
import { enrichPrincipalAction } from './iam/enrich-principal.ts';
import { IAM_ACTIONS } from './iam/index.ts';
import { releaseUserAction } from './iam/release-iam-user.ts';
import { releaseRoleSessionsAction } from './iam/release-role-sessions.ts';
import { revokeRoleSessionsAction } from './iam/revoke-role-sessions.ts';
import { rootCredentialRunbookAction } from './iam/root-credential-runbook.ts';
import { enrichKmsKeyAction } from './kms/enrich-kms-key.ts';
import { KMS_ACTIONS } from './kms/index.ts';
import { restoreKmsKeyAction } from './kms/restore-kms-key.ts';
import { enrichLambdaFunctionAction } from './lambda/enrich-lambda-function.ts';
import { LAMBDA_ACTIONS } from './lambda/index.ts';
import { releaseLambdaFunctionAction } from './lambda/release-lambda-function.ts';
import { throttleLambdaFunctionAction } from './lambda/throttle-lambda-function.ts';
import { NOTIFY_ACTIONS } from './notify/index.ts';
import { notifyAction } from './notify/notify.ts';
import { enrichDbInstanceAction } from './rds/enrich-db-instance.ts';
import { enrichDbSnapshotSharingAction } from './rds/enrich-db-snapshot-sharing.ts';
import { RDS_ACTIONS } from './rds/index.ts';
import { releaseDbInstanceAction } from './rds/release-db-instance.ts';
import { removePublicDbSnapshotSharingAction } from './rds/remove-public-db-snapshot-sharing.ts';
import { restrictDbInstanceAction } from './rds/restrict-db-instance.ts';
import { runnerCallsOf } from './runner.ts';
import { blockBucketPublicAccessAction } from './s3/block-bucket-public-access.ts';
import { S3_ACTIONS } from './s3/index.ts';
import { quarantineS3ObjectAction } from './s3/quarantine-s3-object.ts';
import { releaseBucketPublicAccessAction } from './s3/release-bucket-public-access.ts';
import { releaseS3ObjectQuarantineAction } from './s3/release-s3-object-quarantine.ts';
import type { ActionDefinition, ActionFamily } from './types.ts';

/** Every action Riposte ships, by id. Playbooks reference them; each family's function hosts its own. */
export const ACTIONS: readonly ActionDefinition[] = [
  enrichInstanceAction,
  enrichPrincipalAction,
  enrichSecurityGroupAction,
  enrichEc2SharingAction,
  enrichDbSnapshotSharingAction,
  enrichLambdaFunctionAction,
  enrichDbInstanceAction,
  rootCredentialRunbookAction,
  isolateInstanceAction,
  containUserAction,
  revokeRoleSessionsAction,
  blockBucketPublicAccessAction,
  revokeWorldOpenIngressAction,
  removePublicEc2SharingAction,
  removePublicDbSnapshotSharingAction,
  throttleLambdaFunctionAction,
  requireImdsv2Action,
  restrictDbInstanceAction,
  releaseInstanceAction,
  releaseUserAction,
  releaseRoleSessionsAction,
  releaseBucketPublicAccessAction,
  restoreWorldOpenIngressAction,
  releaseLambdaFunctionAction,
  releaseInstanceMetadataOptionsAction,
  releaseDbInstanceAction,
  notifyAction,
  requestApprovalAction,
  enrichKmsKeyAction,
  assessActorAction,
  restoreKmsKeyAction,
  restoreTrailLoggingAction,
  deactivateAccessKeyAction,
  summarizeKeyActivityAction,
  quarantineS3ObjectAction,
  releaseS3ObjectQuarantineAction,
] as readonly ActionDefinition[];

/**
 * The same actions by the folder they live in (`actions/<service>/<action-id>.ts`): the AWS
 * service they act on, or `notify` and `approval`. The README's table of actions is checked
 * against it (`test/docs/actions-table.test.ts`).
 *
 * @example
 * ACTIONS_BY_SERVICE.ec2.map((action) => action.id); // ['enrich-instance', 'isolate-instance', 'release-instance']
 */
export const ACTIONS_BY_SERVICE: Readonly<Record<string, readonly ActionDefinition[]>> = {
  ec2: EC2_ACTIONS,
  iam: IAM_ACTIONS,
  s3: S3_ACTIONS,
  lambda: LAMBDA_ACTIONS,
  rds: RDS_ACTIONS,
  kms: KMS_ACTIONS,
  cloudtrail: CLOUDTRAIL_ACTIONS,
  notify: NOTIFY_ACTIONS,
  approval: APPROVAL_ACTIONS,
};

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

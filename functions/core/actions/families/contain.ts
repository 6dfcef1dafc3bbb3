import { restoreTrailLoggingAction } from '../cloudtrail/restore-trail-logging.ts';
import { isolateInstanceAction } from '../ec2/isolate-instance.ts';
import { removePublicEc2SharingAction } from '../ec2/remove-public-ec2-sharing.ts';
import { requireImdsv2Action } from '../ec2/require-imdsv2.ts';
import { revokeWorldOpenIngressAction } from '../ec2/revoke-world-open-ingress.ts';
import { defineFamily } from '../family.ts';
import { containUserAction } from '../iam/contain-iam-user.ts';
import { deactivateAccessKeyAction } from '../iam/deactivate-access-key.ts';
import { revokeRoleSessionsAction } from '../iam/revoke-role-sessions.ts';
import { restoreKmsKeyAction } from '../kms/restore-kms-key.ts';
import { throttleLambdaFunctionAction } from '../lambda/throttle-lambda-function.ts';
import { removePublicDbSnapshotSharingAction } from '../rds/remove-public-db-snapshot-sharing.ts';
import { restrictDbInstanceAction } from '../rds/restrict-db-instance.ts';
import { blockBucketPublicAccessAction } from '../s3/block-bucket-public-access.ts';
import { quarantineS3ObjectAction } from '../s3/quarantine-s3-object.ts';

/** The contain family: the actions that cut a compromised resource off. */
export const containFamily = defineFamily('contain', [
  isolateInstanceAction,
  containUserAction,
  revokeRoleSessionsAction,
  blockBucketPublicAccessAction,
  revokeWorldOpenIngressAction,
  removePublicEc2SharingAction,
  removePublicDbSnapshotSharingAction,
  throttleLambdaFunctionAction,
  restoreKmsKeyAction,
  restoreTrailLoggingAction,
  requireImdsv2Action,
  restrictDbInstanceAction,
  deactivateAccessKeyAction,
  quarantineS3ObjectAction,
]);

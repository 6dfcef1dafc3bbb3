import { restoreTrailLoggingAction } from '../cloudtrail/restore-trail-logging.ts';
import { isolateInstanceAction } from '../ec2/isolate-instance.ts';
import { requireImdsv2Action } from '../ec2/require-imdsv2.ts';
import { defineFamily } from '../family.ts';
import { containUserAction } from '../iam/contain-iam-user.ts';
import { revokeRoleSessionsAction } from '../iam/revoke-role-sessions.ts';
import { restoreKmsKeyAction } from '../kms/restore-kms-key.ts';
import { throttleLambdaFunctionAction } from '../lambda/throttle-lambda-function.ts';
import { restrictDbInstanceAction } from '../rds/restrict-db-instance.ts';
import { blockBucketPublicAccessAction } from '../s3/block-bucket-public-access.ts';
import { quarantineS3ObjectAction } from '../s3/quarantine-s3-object.ts';

/** The contain family: the actions that cut a compromised resource off. */
export const containFamily = defineFamily('contain', [
  isolateInstanceAction,
  containUserAction,
  revokeRoleSessionsAction,
  blockBucketPublicAccessAction,
  throttleLambdaFunctionAction,
  restoreKmsKeyAction,
  restoreTrailLoggingAction,
  requireImdsv2Action,
  restrictDbInstanceAction,
  quarantineS3ObjectAction,
]);

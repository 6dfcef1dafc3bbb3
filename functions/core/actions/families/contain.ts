import { restoreTrailLoggingAction } from '../cloudtrail/restore-trail-logging.ts';
import { isolateInstanceAction } from '../ec2.ts';
import { defineFamily } from '../family.ts';
import { containUserAction, revokeRoleSessionsAction } from '../iam.ts';
import { restoreKmsKeyAction } from '../kms/restore-kms-key.ts';
import { blockBucketPublicAccessAction } from '../s3.ts';

/** The contain family: the actions that cut a compromised resource off. */
export const containFamily = defineFamily('contain', [
  isolateInstanceAction,
  containUserAction,
  revokeRoleSessionsAction,
  blockBucketPublicAccessAction,
  restoreKmsKeyAction,
  restoreTrailLoggingAction,
]);

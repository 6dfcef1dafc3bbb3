import { releaseInstanceAction } from '../ec2/release-instance.ts';
import { releaseInstanceMetadataOptionsAction } from '../ec2/release-instance-metadata-options.ts';
import { restoreWorldOpenIngressAction } from '../ec2/restore-world-open-ingress.ts';
import { defineFamily } from '../family.ts';
import { releaseUserAction } from '../iam/release-iam-user.ts';
import { releaseRoleSessionsAction } from '../iam/release-role-sessions.ts';
import { releaseLambdaFunctionAction } from '../lambda/release-lambda-function.ts';
import { releaseDbInstanceAction } from '../rds/release-db-instance.ts';
import { releaseBucketPublicAccessAction } from '../s3/release-bucket-public-access.ts';
import { releaseS3ObjectQuarantineAction } from '../s3/release-s3-object-quarantine.ts';

/** The release family: the actions that undo a containment from the state it saved. */
export const releaseFamily = defineFamily('release', [
  releaseInstanceAction,
  releaseUserAction,
  releaseRoleSessionsAction,
  releaseBucketPublicAccessAction,
  restoreWorldOpenIngressAction,
  releaseLambdaFunctionAction,
  releaseInstanceMetadataOptionsAction,
  releaseDbInstanceAction,
  releaseS3ObjectQuarantineAction,
]);

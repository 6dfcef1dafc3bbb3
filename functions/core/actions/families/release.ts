import { releaseInstanceAction } from '../ec2/release-instance.ts';
import { defineFamily } from '../family.ts';
import { releaseRoleSessionsAction, releaseUserAction } from '../iam.ts';
import { releaseLambdaFunctionAction } from '../lambda/release-lambda-function.ts';
import { releaseBucketPublicAccessAction } from '../s3-release.ts';

/** The release family: the actions that undo a containment from the state it saved. */
export const releaseFamily = defineFamily('release', [
  releaseInstanceAction,
  releaseUserAction,
  releaseRoleSessionsAction,
  releaseBucketPublicAccessAction,
  releaseLambdaFunctionAction,
]);

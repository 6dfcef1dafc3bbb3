import type { ActionDefinition } from '../types.ts';
import { blockBucketPublicAccessAction } from './block-bucket-public-access.ts';
import { quarantineS3ObjectAction } from './quarantine-s3-object.ts';
import { releaseBucketPublicAccessAction } from './release-bucket-public-access.ts';
import { releaseS3ObjectQuarantineAction } from './release-s3-object-quarantine.ts';

/** S3 actions: Block Public Access on one bucket, the quarantine of one malicious object, and their releases. */
export const S3_ACTIONS: readonly ActionDefinition[] = [
  blockBucketPublicAccessAction,
  releaseBucketPublicAccessAction,
  quarantineS3ObjectAction,
  releaseS3ObjectQuarantineAction,
] as readonly ActionDefinition[];

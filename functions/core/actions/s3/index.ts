import type { ActionDefinition } from '../types.ts';
import { blockBucketPublicAccessAction } from './block-bucket-public-access.ts';
import { releaseBucketPublicAccessAction } from './release-bucket-public-access.ts';

/** S3 actions: Block Public Access on one bucket, and its release. */
export const S3_ACTIONS: readonly ActionDefinition[] = [
  blockBucketPublicAccessAction,
  releaseBucketPublicAccessAction,
] as readonly ActionDefinition[];

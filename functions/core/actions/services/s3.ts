import { S3Client } from '@aws-sdk/client-s3';
import type { ServiceFactories } from '../clients.ts';

/**
 * The regional S3 client (bucket-level calls: Block Public Access, tags, policy status), for
 * actions that declare it.
 *
 * @example
 * defineAction({ id: 'block-bucket-public-access', services: { ...s3Service }, … });
 */
export const s3Service = {
  // Regional like the others; a bucket of another region answers with a redirect, which the
  // client follows (once) instead of failing the action.
  s3: (config) => new S3Client({ ...config, followRegionRedirects: true }),
} as const satisfies ServiceFactories;

import { z } from 'zod';
import { UnsupportedWorldCallError, WorldApiError } from './errors.ts';
import { OBJECT_HANDLERS, ObjectVersionsSchema } from './s3-objects.ts';

/**
 * The S3 part of the local world: account-level Block Public Access settings and general
 * purpose buckets (tags, bucket-level Block Public Access, whether the bucket policy or ACL
 * makes it public).
 *
 * It answers the regional S3 client (`s3`) on buckets: `GetBucketTagging`,
 * `GetPublicAccessBlock` / `PutPublicAccessBlock` / `DeletePublicAccessBlock` and
 * `GetBucketPolicyStatus`, each keyed by `Bucket` (and checking `ExpectedBucketOwner` when
 * given), with the error codes S3 uses. The account-level settings are data only: no modelled
 * call changes them, and {@link bucketIsPublic} combines them with the bucket's own, as S3 does.
 * The bucket policy document and object versions with their tags are answered by
 * `s3-objects.ts` (`GetBucketPolicy`, `PutObjectTagging`, ...), once the bucket is resolved here.
 */

const IsoDate = z.iso.datetime({ offset: true });

/** The four Block Public Access settings; a setting left out is `false`, as on AWS. */
const PublicAccessBlock = z.strictObject({
  blockPublicAcls: z.boolean().default(false),
  ignorePublicAcls: z.boolean().default(false),
  blockPublicPolicy: z.boolean().default(false),
  restrictPublicBuckets: z.boolean().default(false),
});
type PublicAccessBlockSettings = z.infer<typeof PublicAccessBlock>;

const Bucket = z.strictObject({
  /** The owning account; the section's `accountId` when absent. */
  accountId: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
  region: z.string().default('us-east-1'),
  createDate: IsoDate,
  tags: z.record(z.string(), z.string()).default({}),
  /** Bucket-level Block Public Access (`GetPublicAccessBlock` on the S3 API); absent: none. */
  publicAccessBlock: PublicAccessBlock.optional(),
  /** Whether the bucket policy grants public access: what `GetBucketPolicyStatus` answers (`IsPublic`). */
  policyIsPublic: z.boolean().default(false),
  /** Whether the ACL grants `AllUsers` or `AuthenticatedUsers` (before any block). */
  aclPublic: z.boolean().default(false),
  /** The bucket policy document as `GetBucketPolicy` returns it; absent: none. */
  policy: z.string().optional(),
  /** Objects by key, each with its versions oldest first (`s3-objects.ts`). */
  objects: z.record(z.string(), ObjectVersionsSchema).default({}),
});

/**
 * The S3 world section. `S3WorldSchema.parse({})` has no bucket and no account-level block.
 *
 * @example
 * const s3 = S3WorldSchema.parse({
 *   buckets: { exports: { createDate: '2025-01-01T00:00:00Z', policyIsPublic: true } },
 * });
 * bucketIsPublic(s3, 'exports'); // true
 * handleS3(s3, 'PutPublicAccessBlock', { Bucket: 'exports', PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } });
 * bucketIsPublic(s3, 'exports'); // false
 */
export const S3WorldSchema = z.strictObject({
  accountId: z
    .string()
    .regex(/^\d{12}$/)
    .default('111122223333'),
  partition: z.string().default('aws'),
  /** Account-level Block Public Access by account id (data: no modelled call changes it); absent: none. */
  accountPublicAccessBlocks: z.record(z.string().regex(/^\d{12}$/), PublicAccessBlock).default({}),
  buckets: z.record(z.string(), Bucket).default({}),
});
export type S3World = z.infer<typeof S3WorldSchema>;
type Params = Readonly<Record<string, unknown>>;

function s3Error(code: string, message: string): WorldApiError {
  const error = new WorldApiError(code, message);
  Object.assign(error, { Code: code });
  return error;
}

type BucketRecord = S3World['buckets'][string];

/** The bucket a call names: `NoSuchBucket` when absent, `AccessDenied` (403) when `ExpectedBucketOwner` differs. */
function bucketOf(state: S3World, params: Params): BucketRecord {
  const name = params.Bucket;
  if (typeof name !== 'string' || name === '') throw s3Error('InvalidRequest', 'Bucket is required');
  const bucket = Object.hasOwn(state.buckets, name) ? state.buckets[name] : undefined;
  if (bucket === undefined) throw s3Error('NoSuchBucket', 'The specified bucket does not exist');
  const expected = params.ExpectedBucketOwner;
  if (typeof expected === 'string' && expected !== (bucket.accountId ?? state.accountId)) {
    throw s3Error('AccessDenied', 'Access Denied');
  }
  return bucket;
}

function toApi(settings: PublicAccessBlockSettings): Record<string, boolean> {
  return {
    BlockPublicAcls: settings.blockPublicAcls,
    IgnorePublicAcls: settings.ignorePublicAcls,
    BlockPublicPolicy: settings.blockPublicPolicy,
    RestrictPublicBuckets: settings.restrictPublicBuckets,
  };
}

function fromApi(value: unknown): PublicAccessBlockSettings {
  if (typeof value !== 'object' || value === null) {
    throw s3Error('MalformedXML', 'PublicAccessBlockConfiguration is required');
  }
  const config = value as Record<string, unknown>;
  return {
    blockPublicAcls: config.BlockPublicAcls === true,
    ignorePublicAcls: config.IgnorePublicAcls === true,
    blockPublicPolicy: config.BlockPublicPolicy === true,
    restrictPublicBuckets: config.RestrictPublicBuckets === true,
  };
}

type Handler = (state: S3World, params: Params) => Record<string, unknown>;

const HANDLERS: Readonly<Record<string, Handler>> = {
  GetBucketTagging(state, params) {
    const bucket = bucketOf(state, params);
    const tags = Object.entries(bucket.tags);
    if (tags.length === 0) throw s3Error('NoSuchTagSet', 'The TagSet does not exist');
    return { TagSet: tags.map(([Key, Value]) => ({ Key, Value })) };
  },
  GetPublicAccessBlock(state, params) {
    const settings = bucketOf(state, params).publicAccessBlock;
    if (settings === undefined) {
      throw s3Error(
        'NoSuchPublicAccessBlockConfiguration',
        'The public access block configuration was not found',
      );
    }
    return { PublicAccessBlockConfiguration: toApi(settings) };
  },
  PutPublicAccessBlock(state, params) {
    const bucket = bucketOf(state, params);
    bucket.publicAccessBlock = fromApi(params.PublicAccessBlockConfiguration);
    return {};
  },
  DeletePublicAccessBlock(state, params) {
    // S3 answers 204 whether or not the bucket had a configuration.
    delete bucketOf(state, params).publicAccessBlock;
    return {};
  },
  GetBucketPolicyStatus(state, params) {
    return { PolicyStatus: { IsPublic: bucketOf(state, params).policyIsPublic } };
  },
  ...Object.fromEntries(
    Object.entries(OBJECT_HANDLERS).map(([api, handler]): [string, Handler] => [
      api,
      (state, params) => handler(bucketOf(state, params), params),
    ]),
  ),
};

/**
 * Answers one call of the S3 client from the world, applying writes to `state` in place.
 * Anything not modelled throws {@link UnsupportedWorldCallError}.
 *
 * @example
 * handleS3(s3, 'GetPublicAccessBlock', { Bucket: 'payments-exports' });
 * // throws NoSuchPublicAccessBlockConfiguration when the bucket has none, as S3 does
 */
export function handleS3(state: S3World, api: string, params: Params): Record<string, unknown> {
  const handler = Object.hasOwn(HANDLERS, api) ? HANDLERS[api] : undefined;
  if (handler === undefined) throw new UnsupportedWorldCallError('s3', api);
  return handler(state, params);
}

/**
 * Whether a bucket is publicly reachable once Block Public Access is applied: a public policy
 * counts unless `RestrictPublicBuckets` holds at the account or bucket level, a public ACL
 * unless `IgnorePublicAcls` does. What a test checks after containment.
 *
 * @example
 * bucketIsPublic(world.state.s3, 'payments-exports'); // false after block-bucket-public-access
 */
export function bucketIsPublic(state: S3World, bucketName: string): boolean {
  const bucket = state.buckets[bucketName];
  if (bucket === undefined)
    throw s3Error('NoSuchBucket', `The specified bucket does not exist: ${bucketName}`);
  const account = state.accountPublicAccessBlocks[bucket.accountId ?? state.accountId];
  const levels = [account, bucket.publicAccessBlock].filter(
    (s): s is PublicAccessBlockSettings => s !== undefined,
  );
  const policyPublic = bucket.policyIsPublic && !levels.some((s) => s.restrictPublicBuckets);
  const aclPublic = bucket.aclPublic && !levels.some((s) => s.ignorePublicAcls);
  return policyPublic || aclPublic;
}

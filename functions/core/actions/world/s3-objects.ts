import { z } from 'zod';
import { WorldApiError } from './errors.ts';

/**
 * The object-level part of the S3 world: a bucket's policy document and its objects' versions
 * with their tags (what the malware quarantine reads and changes). `world/s3.ts` keeps the bucket
 * and routes these calls here with the bucket already resolved (`NoSuchBucket`,
 * `ExpectedBucketOwner`).
 *
 * Calls answered, with S3's error codes: `GetBucketPolicy` (`NoSuchBucketPolicy`),
 * `PutBucketPolicy` (`MalformedPolicy` when not JSON with a statement, over 20 KB included),
 * `DeleteBucketPolicy`, `GetObjectTagging` / `PutObjectTagging` / `DeleteObjectTagging` on the
 * version named by `VersionId`, or the latest one without it (`NoSuchKey`, `NoSuchVersion`,
 * `InvalidTag` past 10 tags).
 */

/** One version of an object; `null` is the version id S3 gives objects of an unversioned bucket. */
export const ObjectVersionSchema = z.strictObject({
  versionId: z.string().default('null'),
  tags: z.record(z.string(), z.string()).default({}),
});

/** The versions of one key, oldest first: the last one is the latest. */
export const ObjectVersionsSchema = z.array(ObjectVersionSchema).min(1);

/** S3's bucket policy size limit (https://docs.aws.amazon.com/AmazonS3/latest/userguide/BucketRestrictions.html). */
export const BUCKET_POLICY_MAX_BYTES = 20 * 1024;
/** S3's tag limit per object (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html). */
export const OBJECT_TAG_LIMIT = 10;

/** What the object calls need of a bucket: its policy text (absent: none) and its objects. */
export interface ObjectBucket {
  policy?: string | undefined;
  objects: Record<string, z.infer<typeof ObjectVersionsSchema>>;
}

type Params = Readonly<Record<string, unknown>>;
type ObjectHandler = (bucket: ObjectBucket, params: Params) => Record<string, unknown>;

function s3Error(code: string, message: string): WorldApiError {
  const error = new WorldApiError(code, message);
  Object.assign(error, { Code: code });
  return error;
}

/** The version a call names: `VersionId`, else the latest; S3's errors when absent. */
function versionOf(bucket: ObjectBucket, params: Params): z.infer<typeof ObjectVersionSchema> {
  const key = params.Key;
  if (typeof key !== 'string' || key === '') throw s3Error('InvalidRequest', 'Key is required');
  const versions = Object.hasOwn(bucket.objects, key) ? bucket.objects[key] : undefined;
  if (versions === undefined) throw s3Error('NoSuchKey', 'The specified key does not exist.');
  const wanted = params.VersionId;
  if (typeof wanted !== 'string') {
    const latest = versions.at(-1);
    if (latest === undefined) throw s3Error('NoSuchKey', 'The specified key does not exist.');
    return latest;
  }
  const version = versions.find((v) => v.versionId === wanted);
  if (version === undefined) throw s3Error('NoSuchVersion', 'The specified version does not exist.');
  return version;
}

function tagSetOf(value: unknown): Record<string, string> {
  const set = (value as { TagSet?: unknown } | undefined)?.TagSet;
  if (!Array.isArray(set)) throw s3Error('MalformedXML', 'Tagging.TagSet is required');
  const tags: Record<string, string> = {};
  for (const tag of set as { Key?: unknown; Value?: unknown }[]) {
    if (typeof tag.Key !== 'string' || typeof tag.Value !== 'string')
      throw s3Error('InvalidTag', 'Each tag needs a Key and a Value');
    if (Object.hasOwn(tags, tag.Key))
      throw s3Error('InvalidTag', 'Cannot provide multiple Tags with the same key');
    tags[tag.Key] = tag.Value;
  }
  if (Object.keys(tags).length > OBJECT_TAG_LIMIT)
    throw s3Error('InvalidTag', 'Object tags cannot be greater than 10');
  return tags;
}

function checkPolicy(text: unknown): string {
  if (typeof text !== 'string') throw s3Error('MalformedPolicy', 'Policies must be valid JSON');
  if (Buffer.byteLength(text, 'utf8') > BUCKET_POLICY_MAX_BYTES)
    throw s3Error('MalformedPolicy', 'Policy exceeds the maximum allowed document size.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw s3Error('MalformedPolicy', 'Policies must be valid JSON');
  }
  const statement = (parsed as { Statement?: unknown } | null)?.Statement;
  if (statement === undefined || (Array.isArray(statement) && statement.length === 0))
    throw s3Error('MalformedPolicy', 'Policy has no statements.');
  return text;
}

/** The object-level handlers, keyed by S3 operation. */
export const OBJECT_HANDLERS: Readonly<Record<string, ObjectHandler>> = {
  GetBucketPolicy(bucket) {
    if (bucket.policy === undefined) throw s3Error('NoSuchBucketPolicy', 'The bucket policy does not exist');
    return { Policy: bucket.policy };
  },
  PutBucketPolicy(bucket, params) {
    bucket.policy = checkPolicy(params.Policy);
    return {};
  },
  DeleteBucketPolicy(bucket) {
    // S3 answers 204 whether or not the bucket had a policy.
    delete bucket.policy;
    return {};
  },
  GetObjectTagging(bucket, params) {
    const version = versionOf(bucket, params);
    return {
      VersionId: version.versionId,
      TagSet: Object.entries(version.tags).map(([Key, Value]) => ({ Key, Value })),
    };
  },
  PutObjectTagging(bucket, params) {
    const version = versionOf(bucket, params);
    version.tags = tagSetOf(params.Tagging);
    return { VersionId: version.versionId };
  },
  DeleteObjectTagging(bucket, params) {
    const version = versionOf(bucket, params);
    version.tags = {};
    return { VersionId: version.versionId };
  },
};

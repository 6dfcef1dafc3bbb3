import {
  DeleteObjectTaggingCommand,
  GetObjectTaggingCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { z } from 'zod';
import { InvalidInputError, RiposteError } from '../../../errors.ts';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.ts';
import type { ActionEnv } from '../../types.ts';
import type { BucketRef } from './bucket.ts';

/**
 * The S3 object a GuardDuty Malware Protection for S3 scan reported, and its tags, as the
 * malware quarantine (`quarantine-s3-object.ts`) and its release read and write them.
 *
 * The object comes from the alert's resources: the `AWS::S3::Object` resource (uid
 * `arn:<partition>:s3:::<bucket>/<key>`, `version`: the scanned version id when the bucket is
 * versioned). Every call names the bucket owner (`ExpectedBucketOwner`: the incident's account),
 * so a bucket of the same name in another account answers 403 and is never changed.
 */

/** Riposte's quarantine tag on the object version; its value is the incident id. */
export const QUARANTINE_TAG_KEY = 'riposte:quarantine';
/** S3's limit of tags per object (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html). */
export const OBJECT_TAG_LIMIT = 10;

/** The object version already carries S3's maximum of 10 tags: Riposte's tag does not fit. */
export class ObjectTagLimitError extends RiposteError {
  public constructor(message: string) {
    super(message);
    this.name = 'ObjectTagLimitError';
  }
}

/** One resource of the alert, as `alert.resources` gives it. */
export const AlertResourceSchema = z.object({
  type: z.string(),
  uid: z.string(),
  region: z.string(),
  /** The object version the alert names (an `AWS::S3::Object`'s scanned version). */
  version: z.string().optional(),
});

export const ObjectInputSchema = z.object({
  /** The alert's resources (`alert.resources`): the first `AWS::S3::Object` is the object. */
  resources: z.array(AlertResourceSchema),
});
export type ObjectInput = z.infer<typeof ObjectInputSchema>;

/** The object an action works on. */
export interface S3ObjectTarget {
  readonly bucket: string;
  readonly key: string;
  /** Absent: an unversioned bucket (the calls then name no version). */
  readonly versionId?: string | undefined;
  readonly partition: string;
  /** `arn:<partition>:s3:::<bucket>/<key>`: what a bucket policy names (every version of the key). */
  readonly arn: string;
}

const OBJECT_ARN = /^arn:(aws[a-z-]*):s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.{1,1024})$/s;

/**
 * The object the alert names ({@link InvalidInputError} when none, or when its ARN is not an S3
 * object ARN). A version id of `null` (S3's id for an unversioned bucket) names no version.
 *
 * @example
 * objectOf([{ type: 'AWS::S3::Object', uid: 'arn:aws:s3:::uploads/a.exe', region: 'us-east-2', version: '3HL4' }]);
 * // { bucket: 'uploads', key: 'a.exe', versionId: '3HL4', partition: 'aws', arn: 'arn:aws:s3:::uploads/a.exe' }
 */
export function objectOf(resources: ObjectInput['resources']): S3ObjectTarget {
  const resource = resources.find((r) => r.type === 'AWS::S3::Object');
  if (resource === undefined) throw new InvalidInputError('the alert names no S3 object (AWS::S3::Object)');
  const match = OBJECT_ARN.exec(resource.uid);
  if (match === null) throw new InvalidInputError(`not an S3 object ARN: ${resource.uid}`);
  const [, partition = 'aws', bucket = '', key = ''] = match;
  const versionId =
    resource.version === undefined || resource.version === 'null' ? undefined : resource.version;
  return { bucket, key, versionId, partition, arn: resource.uid };
}

/** The object's owner: the incident's account ({@link InvalidInputError} when the alert has none). */
export function ownerAccount(env: ActionEnv): string {
  const account = env.execution.account;
  if (account === undefined || account === '') {
    throw new InvalidInputError('the bucket owner is unknown: the alert names no account');
  }
  return account;
}

/** An object version and its owner, as the object calls name them. */
export interface ObjectRef extends BucketRef {
  readonly Key: string;
  readonly VersionId?: string;
}

export function objectRef(target: S3ObjectTarget, owner: string): ObjectRef {
  return {
    Bucket: target.bucket,
    Key: target.key,
    ...(target.versionId === undefined ? {} : { VersionId: target.versionId }),
    ExpectedBucketOwner: owner,
  };
}

export type Tags = Record<string, string>;

/** `s3://bucket/key (version v)`, for messages. */
export function describeObject(target: S3ObjectTarget): string {
  const where = `s3://${target.bucket}/${target.key}`;
  return target.versionId === undefined ? where : `${where} (version ${target.versionId})`;
}

/**
 * The version's tags (`GetObjectTagging`). A missing bucket, key or version is a
 * {@link ResourceNotFoundError}: the object was deleted since the scan.
 */
export async function readObjectTags(s3: S3Client, ref: ObjectRef): Promise<Tags> {
  try {
    const out = await s3.send(new GetObjectTaggingCommand({ ...ref }));
    return Object.fromEntries(
      (out.TagSet ?? []).flatMap((t) => (t.Key === undefined ? [] : [[t.Key, t.Value ?? '']])),
    );
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchKey', 'NoSuchVersion', 'NoSuchBucket')) {
      throw new ResourceNotFoundError(
        `S3 object s3://${ref.Bucket}/${ref.Key}${ref.VersionId === undefined ? '' : ` version ${ref.VersionId}`} does not exist`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Replaces the version's whole tag set (`PutObjectTagging` replaces, it does not add), or removes
 * it (`DeleteObjectTagging`) when `tags` is empty.
 */
export async function writeObjectTags(s3: S3Client, ref: ObjectRef, tags: Tags): Promise<void> {
  const TagSet = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  if (TagSet.length === 0) {
    await s3.send(new DeleteObjectTaggingCommand({ ...ref }));
    return;
  }
  await s3.send(new PutObjectTaggingCommand({ ...ref, Tagging: { TagSet } }));
}

/** `tags` without Riposte's quarantine tag (its key compared trimmed and in any case). */
export function withoutQuarantineTag(tags: Tags): Tags {
  return Object.fromEntries(
    Object.entries(tags).filter(([k]) => k.trim().toLowerCase() !== QUARANTINE_TAG_KEY),
  );
}

/** The same tags, whatever their order. */
export function sameTags(a: Tags, b: Tags): boolean {
  const sorted = (t: Tags) => JSON.stringify(Object.entries(t).sort(([x], [y]) => (x < y ? -1 : 1)));
  return sorted(a) === sorted(b);
}

/** Tags as one sorted line for a check (`none` when empty). */
export function tagsText(tags: Tags): string {
  const entries = Object.entries(tags).sort(([x], [y]) => (x < y ? -1 : 1));
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k}=${v}`).join(', ');
}

import {
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  type PublicAccessBlockConfiguration,
  type S3Client,
} from '@aws-sdk/client-s3';
import { z } from 'zod';
import { InvalidInputError } from '../../../errors.ts';
import { AwsAccessDeniedError, hasErrorCode, ResourceNotFoundError } from '../../errors.ts';
import type { ActionEnv } from '../../types.ts';

/**
 * S3 Block Public Access actions, at the **bucket level**: the S3 API's
 * `Get/Put/DeletePublicAccessBlock` with `Bucket`. Blocking one public bucket changes that
 * bucket's four settings only; the account-level settings and every other bucket are left as
 * they are, and release (`release-bucket-public-access.ts`) puts back the bucket's own previous configuration (or
 * deletes it when it had none).
 *
 * Every call names the bucket owner (`ExpectedBucketOwner`: the input's `accountId`, else the
 * incident's account): bucket names are global, and a bucket of the same name in another
 * account answers 403 instead of being changed.
 */

export const BLOCK_ALL = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
} as const;

export const SettingsSchema = z.object({
  BlockPublicAcls: z.boolean(),
  IgnorePublicAcls: z.boolean(),
  BlockPublicPolicy: z.boolean(),
  RestrictPublicBuckets: z.boolean(),
});
export type Settings = z.infer<typeof SettingsSchema>;

/** What block-bucket-public-access saves under `s3-bucket-public-access-block:<bucket>`. */
export const CaptureSchema = z.object({
  kind: z.literal('s3-bucket-public-access-block'),
  bucketName: z.string(),
  /** The bucket owner, sent as `ExpectedBucketOwner` by release too. */
  accountId: z.string(),
  /** The bucket's own settings before containment; null when it had no configuration. */
  previous: SettingsSchema.nullable(),
  /** `GetBucketPolicyStatus` before containment; null when it could not be read. */
  policyPublic: z.boolean().nullable().optional(),
  capturedAt: z.string(),
});
export type Capture = z.infer<typeof CaptureSchema>;

/** Where block-bucket-public-access saves its capture of `bucketName`. */
export const stateKey = (bucketName: string): string => `s3-bucket-public-access-block:${bucketName}`;

/** A bucket and its owner, as every S3 call of these actions names them. */
export interface BucketRef {
  readonly Bucket: string;
  readonly ExpectedBucketOwner: string;
}

export function settingsOf(config: PublicAccessBlockConfiguration | undefined): Settings {
  return {
    BlockPublicAcls: config?.BlockPublicAcls === true,
    IgnorePublicAcls: config?.IgnorePublicAcls === true,
    BlockPublicPolicy: config?.BlockPublicPolicy === true,
    RestrictPublicBuckets: config?.RestrictPublicBuckets === true,
  };
}

export function sameSettings(a: Settings | null, b: Settings | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A missing bucket becomes {@link ResourceNotFoundError}; other errors pass unchanged. */
export function notFound(error: unknown, bucket: string): unknown {
  return hasErrorCode(error, 'NoSuchBucket')
    ? new ResourceNotFoundError(`S3 bucket ${bucket} does not exist`, { cause: error })
    : error;
}

/** The bucket's tags (`GetBucketTagging`; `NoSuchTagSet` is no tag). */
export async function readTags(s3: S3Client, ref: BucketRef): Promise<Record<string, string>> {
  try {
    const out = await s3.send(new GetBucketTaggingCommand({ ...ref }));
    return Object.fromEntries(
      (out.TagSet ?? []).flatMap((t) => (t.Key === undefined ? [] : [[t.Key, t.Value ?? '']])),
    );
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchTagSet')) return {};
    throw notFound(error, ref.Bucket);
  }
}

/** The bucket's own Block Public Access settings; null when it has no configuration. */
export async function readSettings(s3: S3Client, ref: BucketRef): Promise<Settings | null> {
  try {
    const out = await s3.send(new GetPublicAccessBlockCommand({ ...ref }));
    return settingsOf(out.PublicAccessBlockConfiguration);
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchPublicAccessBlockConfiguration')) return null;
    throw notFound(error, ref.Bucket);
  }
}

/**
 * Whether the bucket policy makes the bucket public (`GetBucketPolicyStatus`; no policy is
 * false). Evidence only: null when the call is denied, which does not stop containment.
 */
export async function readPolicyPublic(s3: S3Client, ref: BucketRef): Promise<boolean | null> {
  try {
    const out = await s3.send(new GetBucketPolicyStatusCommand({ ...ref }));
    return out.PolicyStatus?.IsPublic === true;
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchBucketPolicy')) return false;
    if (error instanceof AwsAccessDeniedError) return null;
    throw notFound(error, ref.Bucket);
  }
}

export function ownerOf(input: { readonly accountId?: string | undefined }, env: ActionEnv): string {
  const account = input.accountId ?? env.execution.account;
  if (account === undefined) {
    throw new InvalidInputError('the bucket owner is unknown: pass accountId (the alert has no account)');
  }
  return account;
}

/** The capture saved under `key`, parsed ({@link InvalidInputError} when unreadable). */
export function parseCapture(key: string, saved: Record<string, unknown>): Capture {
  const parsed = CaptureSchema.safeParse(saved);
  if (!parsed.success) {
    throw new InvalidInputError(`the state saved for ${key} is not readable: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

export const BucketInputSchema = z.object({
  bucketName: z
    .string()
    .min(3)
    .max(63)
    .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/),
  /** The bucket owner's account; the incident's account when absent. */
  accountId: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
});

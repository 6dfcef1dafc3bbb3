import {
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  type PublicAccessBlockConfiguration,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { z } from 'zod';
import { InvalidInputError } from '../errors.ts';
import { AwsAccessDeniedError, hasErrorCode, ResourceNotFoundError } from './errors.ts';
import { s3Service } from './services/s3.ts';
import { type ActionEnv, defineAction } from './types.ts';
import { VerificationSchema } from './verify/check.ts';
import { verifyBucketBlocked } from './verify/s3.ts';

/**
 * S3 Block Public Access actions, at the **bucket level**: the S3 API's
 * `Get/Put/DeletePublicAccessBlock` with `Bucket`. Blocking one public bucket changes that
 * bucket's four settings only; the account-level settings and every other bucket are left as
 * they are, and release (`s3-release.ts`) puts back the bucket's own previous configuration (or
 * deletes it when it had none).
 *
 * Every call names the bucket owner (`ExpectedBucketOwner`: the input's `accountId`, else the
 * incident's account): bucket names are global, and a bucket of the same name in another
 * account answers 403 instead of being changed.
 */

const BLOCK_ALL = {
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
const CaptureSchema = z.object({
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
type Capture = z.infer<typeof CaptureSchema>;

/** Where block-bucket-public-access saves its capture of `bucketName`. */
export const stateKey = (bucketName: string): string => `s3-bucket-public-access-block:${bucketName}`;

/** A bucket and its owner, as every S3 call of these actions names them. */
export interface BucketRef {
  readonly Bucket: string;
  readonly ExpectedBucketOwner: string;
}

function settingsOf(config: PublicAccessBlockConfiguration | undefined): Settings {
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
function notFound(error: unknown, bucket: string): unknown {
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
async function readPolicyPublic(s3: S3Client, ref: BucketRef): Promise<boolean | null> {
  try {
    const out = await s3.send(new GetBucketPolicyStatusCommand({ ...ref }));
    return out.PolicyStatus?.IsPublic === true;
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchBucketPolicy')) return false;
    if (error instanceof AwsAccessDeniedError) return null;
    throw notFound(error, ref.Bucket);
  }
}

function ownerOf(input: { readonly accountId?: string | undefined }, env: ActionEnv): string {
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

export const BlockBucketPublicAccessInputSchema = BucketInputSchema;

export const BlockBucketPublicAccessOutputSchema = z.object({
  bucketName: z.string(),
  accountId: z.string(),
  /** Where the settings were applied: this bucket only. */
  scope: z.literal('bucket'),
  /** The bucket's settings before containment (first capture of the incident); null: none. */
  previous: SettingsSchema.nullable(),
  applied: SettingsSchema,
  changedByThisRun: z.boolean(),
  /** Whether `GetBucketPolicyStatus` found the bucket policy public before this run's change; null: not readable. */
  policyPublic: z.boolean().nullable(),
  /** `GetPublicAccessBlock` read back after the change: the four settings true. */
  verification: VerificationSchema,
  notes: z.array(z.string()),
});
export type BlockBucketPublicAccessOutput = z.infer<typeof BlockBucketPublicAccessOutputSchema>;

/**
 * Blocks public access for a bucket that an alert found public, on that bucket only.
 *
 * Calls, in order, each with `Bucket` and `ExpectedBucketOwner`: `GetBucketTagging`
 * (`NoSuchTagSet`: no tag; a missing bucket is a {@link ResourceNotFoundError}),
 * `GetPublicAccessBlock` (`NoSuchPublicAccessBlockConfiguration`: none),
 * `GetBucketPolicyStatus` (evidence: was the policy public; `NoSuchBucketPolicy`: no);
 * then `state.save('s3-bucket-public-access-block:<bucket>')` with the previous configuration
 * (or its absence) unless a capture exists (the first capture wins),
 * `safety.assertContainable({ resource: bucket, tags })`, and `PutPublicAccessBlock` with the
 * four settings true unless they already are (a second run changes nothing), and last
 * `GetPublicAccessBlock` again, the read-back recorded as `verification` (a read-back that
 * differs is `verified: false`, not an error: the change was made). The account-level
 * settings are neither read nor changed.
 *
 * @example
 * const { output } = await runAction(blockBucketPublicAccessAction, { bucketName: 'payments-exports' }, env);
 * output.previous; // null: the bucket had no Block Public Access configuration
 * output.verification.verified; // true: GetPublicAccessBlock answers the four settings true
 */
export const blockBucketPublicAccessAction = defineAction({
  id: 'block-bucket-public-access',
  family: 'contain',
  services: s3Service,
  description:
    "Turns on the four S3 Block Public Access settings of one bucket (bucket level), saving the bucket's previous ones.",
  input: BlockBucketPublicAccessInputSchema,
  output: BlockBucketPublicAccessOutputSchema,
  iamActions: [
    's3:GetBucketTagging',
    's3:GetBucketPublicAccessBlock',
    's3:GetBucketPolicyStatus',
    's3:PutBucketPublicAccessBlock',
  ],
  target: (input) => input.bucketName,
  async run(input, env): Promise<BlockBucketPublicAccessOutput> {
    const { s3 } = env.clients;
    const accountId = ownerOf(input, env);
    const ref: BucketRef = { Bucket: input.bucketName, ExpectedBucketOwner: accountId };
    const tags = await readTags(s3, ref);
    const current = await readSettings(s3, ref);
    const policyPublic = await readPolicyPublic(s3, ref);

    // Capture before any change; a later run of the incident keeps the first capture.
    const key = stateKey(input.bucketName);
    const saved = await env.state.load(key);
    let previous: Settings | null;
    if (saved === undefined) {
      previous = current;
      const capture: Capture = {
        kind: 's3-bucket-public-access-block',
        bucketName: input.bucketName,
        accountId,
        previous,
        policyPublic,
        capturedAt: new Date(env.now()).toISOString(),
      };
      await env.state.save(key, capture);
    } else {
      previous = parseCapture(key, saved).previous;
    }

    await env.safety.assertContainable({ resource: input.bucketName, tags });

    const change = !sameSettings(current, BLOCK_ALL);
    if (change) {
      await s3.send(
        new PutPublicAccessBlockCommand({ ...ref, PublicAccessBlockConfiguration: { ...BLOCK_ALL } }),
      );
    }
    const verification = await verifyBucketBlocked(s3, ref, env);
    const notes = [
      `Block Public Access is set on the bucket ${input.bucketName} only: the account settings and the other buckets of ${accountId} are unchanged`,
      'Block Public Access does not stop access by principals of the account or non-public cross-account grants: review the bucket policy too',
    ];
    if (policyPublic === true) {
      notes.push(
        'the bucket policy is public: RestrictPublicBuckets now limits it to AWS service principals and the bucket owner account; remove the public statements before releasing',
      );
    } else if (policyPublic === null) {
      notes.push('GetBucketPolicyStatus was denied: whether the bucket policy is public is unknown');
    }
    return {
      bucketName: input.bucketName,
      accountId,
      scope: 'bucket',
      previous,
      applied: { ...BLOCK_ALL },
      changedByThisRun: change,
      policyPublic,
      verification,
      notes,
    };
  },
});

import { PutPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { s3Service } from '../services/s3.ts';
import { defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyBucketBlocked } from '../verify/s3.ts';
import {
  BLOCK_ALL,
  BucketInputSchema,
  type BucketRef,
  type Capture,
  ownerOf,
  parseCapture,
  readPolicyPublic,
  readSettings,
  readTags,
  type Settings,
  SettingsSchema,
  sameSettings,
  stateKey,
} from './shared/bucket.ts';

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

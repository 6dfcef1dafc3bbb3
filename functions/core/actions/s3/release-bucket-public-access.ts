import {
  DeletePublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { z } from 'zod';
import { NothingToReleaseError, ProtectedResourceError, TransientAwsError } from '../errors.ts';
import { s3Service } from '../services/s3.ts';
import { type ActionEnv, defineAction } from '../types.ts';
import { type Verification, VerificationSchema, verification } from '../verify/check.ts';
import { settingsChecks } from '../verify/s3.ts';
import {
  BucketInputSchema,
  type BucketRef,
  parseCapture,
  readSettings,
  readTags,
  type Settings,
  SettingsSchema,
  sameSettings,
  stateKey,
} from './shared/bucket.ts';

/**
 * The release of `block-bucket-public-access` (see `block-bucket-public-access.ts`): the bucket's own Block Public
 * Access configuration is put back from the capture the containment saved, then read back.
 *
 * Containment changes the bucket's four Block Public Access settings and nothing else: it
 * neither edits the bucket policy nor the ACL (it only reads whether the policy is public), so
 * the public access block is all there is to restore.
 */

export const ReleaseBucketPublicAccessInputSchema = BucketInputSchema;

export const ReleaseBucketPublicAccessOutputSchema = z.object({
  bucketName: z.string(),
  accountId: z.string(),
  scope: z.literal('bucket'),
  /** The settings restored; null: the bucket had none, its configuration was deleted. */
  restored: SettingsSchema.nullable(),
  changedByThisRun: z.boolean(),
  /**
   * The restored settings as read: by `GetPublicAccessBlock` after the change, or by the first
   * read when the bucket already was so (nothing written). `basis: 'dry-run'`: the change was
   * only recorded, so reading back shows the contained settings.
   */
  verification: VerificationSchema,
  /** The bucket policy and ACL: containment did not change them, release leaves them. */
  policyAndAcl: z.literal('unchanged'),
  warnings: z.array(z.string()),
});
export type ReleaseBucketPublicAccessOutput = z.infer<typeof ReleaseBucketPublicAccessOutputSchema>;

/** Writes `previous` on the bucket (delete when null) unless `current` already is so; true when it wrote. */
async function restore(
  s3: S3Client,
  ref: BucketRef,
  current: Settings | null,
  previous: Settings | null,
): Promise<boolean> {
  if (sameSettings(current, previous)) return false;
  if (previous === null) {
    await s3.send(new DeletePublicAccessBlockCommand({ ...ref }));
  } else {
    await s3.send(
      new PutPublicAccessBlockCommand({ ...ref, PublicAccessBlockConfiguration: { ...previous } }),
    );
  }
  return true;
}

/**
 * Reads the bucket's settings back after the change. A dry-run sent no write, so a different
 * answer is expected there (`basis: 'dry-run'`); live, it means the change has not propagated
 * yet (or something else changed the bucket): {@link TransientAwsError}, which the state
 * machine retries.
 */
async function verify(
  s3: S3Client,
  ref: BucketRef,
  expected: Settings | null,
  env: ActionEnv,
): Promise<Verification> {
  const read = await readSettings(s3, ref);
  const result = verification(settingsChecks(ref.Bucket, expected, read), env);
  if (result.verified || result.basis === 'dry-run') return result;
  throw new TransientAwsError(
    `bucket ${ref.Bucket} reads back ${JSON.stringify(read)} after the release, not ${JSON.stringify(expected)}`,
  );
}

/**
 * Undoes {@link blockBucketPublicAccessAction} on the same bucket, from its capture.
 *
 * Calls, in order, each with `Bucket` and the `ExpectedBucketOwner` the capture recorded:
 * `state.load('s3-bucket-public-access-block:<bucket>')` ({@link NothingToReleaseError} when
 * this incident captured nothing: nothing was contained), `GetBucketTagging` (a bucket that
 * now carries the protected tag is refused with {@link ProtectedResourceError}: Riposte changes
 * no protected resource, release included), `GetPublicAccessBlock`, then `PutPublicAccessBlock`
 * with the captured settings, or `DeletePublicAccessBlock` when the bucket had none, unless the
 * bucket already is so, and last, after a change, `GetPublicAccessBlock` again to verify: a
 * read-back that differs (bucket configuration changes propagate) is a {@link TransientAwsError},
 * so the state machine runs the step again, which then finds the bucket restored. The account-level
 * settings, the bucket policy and the ACL are not touched.
 *
 * IAM: `DeletePublicAccessBlock` is authorized by `s3:PutBucketPublicAccessBlock` (the Service
 * Authorization Reference has no delete action for it).
 *
 * @example
 * const { output } = await runAction(releaseBucketPublicAccessAction, { bucketName: 'payments-exports' }, env);
 * output.restored; // null: the bucket configuration was deleted, as before containment
 * output.verification.verified; // true: GetPublicAccessBlock answers NoSuchPublicAccessBlockConfiguration again
 */
export const releaseBucketPublicAccessAction = defineAction({
  id: 'release-bucket-public-access',
  family: 'release',
  undoes: ['block-bucket-public-access'],
  services: s3Service,
  description:
    "Restores the bucket's own Block Public Access settings saved by block-bucket-public-access, and reads them back.",
  input: ReleaseBucketPublicAccessInputSchema,
  output: ReleaseBucketPublicAccessOutputSchema,
  iamActions: ['s3:GetBucketTagging', 's3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock'],
  target: (input) => input.bucketName,
  async run(input, env): Promise<ReleaseBucketPublicAccessOutput> {
    const { s3 } = env.clients;
    const key = stateKey(input.bucketName);
    const saved = await env.state.load(key);
    if (saved === undefined) {
      throw new NothingToReleaseError(
        `nothing to release: no Block Public Access change of bucket ${input.bucketName} was recorded in this incident`,
      );
    }
    const { previous, accountId } = parseCapture(key, saved);
    const ref: BucketRef = { Bucket: input.bucketName, ExpectedBucketOwner: accountId };
    const tags = await readTags(s3, ref);
    if (env.safety.standing(tags).protected) {
      throw new ProtectedResourceError(
        `release of bucket ${input.bucketName} refused: it now carries the protected tag; restore its Block Public Access by hand`,
      );
    }
    const current = await readSettings(s3, ref);
    const change = await restore(s3, ref, current, previous);
    // Nothing written: the first read is the read-back.
    const verified = change
      ? await verify(s3, ref, previous, env)
      : verification(settingsChecks(ref.Bucket, previous, current), env);
    return {
      bucketName: input.bucketName,
      accountId,
      scope: 'bucket',
      restored: previous,
      changedByThisRun: change,
      verification: verified,
      policyAndAcl: 'unchanged',
      warnings: change
        ? [
            `bucket ${input.bucketName}: public access through its policy or ACLs is governed again by its previous settings (and the account's); it may be public again`,
          ]
        : [],
    };
  },
});

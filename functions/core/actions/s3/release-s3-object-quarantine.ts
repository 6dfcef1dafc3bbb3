import { DeleteBucketPolicyCommand, PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { NothingToReleaseError, ProtectedResourceError, ResourceNotFoundError } from '../errors.ts';
import { s3Service } from '../services/s3.ts';
import { defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyObjectQuarantine } from '../verify/s3-object.ts';
import { type BucketRef, readTags } from './shared/bucket.ts';
import {
  ObjectInputSchema,
  type ObjectRef,
  objectOf,
  QUARANTINE_TAG_KEY,
  readObjectTags,
  sameTags,
  type Tags,
  tagsText,
  withoutQuarantineTag,
  writeObjectTags,
} from './shared/object.ts';
import { otherStatements, readPolicy, withoutStatement } from './shared/policy.ts';
import { parseQuarantineCapture, quarantineKey } from './shared/quarantine-capture.ts';

export const ReleaseS3ObjectQuarantineInputSchema = ObjectInputSchema;

export const ReleaseS3ObjectQuarantineOutputSchema = z.object({
  bucketName: z.string(),
  objectKey: z.string(),
  versionId: z.string().nullable(),
  accountId: z.string(),
  statementSid: z.string(),
  /** What became of the bucket policy: Riposte's statement cut out, the policy deleted (it was the only statement), or nothing to remove. */
  policy: z.enum(['statement-removed', 'policy-deleted', 'unchanged']),
  /** The version's tags now (Riposte's removed); null: the version no longer exists. */
  restoredTags: z.record(z.string(), z.string()).nullable(),
  tagChangedByThisRun: z.boolean(),
  /** `GetBucketPolicy` and `GetObjectTagging` read back after the change. */
  verification: VerificationSchema,
  warnings: z.array(z.string()),
});
export type ReleaseS3ObjectQuarantineOutput = z.infer<typeof ReleaseS3ObjectQuarantineOutputSchema>;

type PolicyOutcome = ReleaseS3ObjectQuarantineOutput['policy'];

/** Cuts Riposte's statement out of the policy (deletes the policy when it was the only one). */
async function releasePolicy(
  s3: S3Client,
  bucket: BucketRef,
  text: string | null,
  sid: string,
): Promise<PolicyOutcome> {
  const next = text === null ? undefined : withoutStatement(text, sid, bucket.Bucket);
  if (next === undefined) return 'unchanged';
  if (next === null) {
    await s3.send(new DeleteBucketPolicyCommand({ ...bucket }));
    return 'policy-deleted';
  }
  await s3.send(new PutBucketPolicyCommand({ ...bucket, Policy: next }));
  return 'statement-removed';
}

/** The version's tags, or null when the version no longer exists (nothing to untag). */
async function tagsOrGone(s3: S3Client, ref: ObjectRef): Promise<Tags | null> {
  try {
    return await readObjectTags(s3, ref);
  } catch (error) {
    if (error instanceof ResourceNotFoundError) return null;
    throw error;
  }
}

/**
 * Undoes {@link quarantineS3ObjectAction} on the same object version, from its capture: the
 * object becomes readable again under the bucket's own policy.
 *
 * Calls, in order, each with the `ExpectedBucketOwner` the capture recorded:
 * `state.load('s3-object-quarantine:<bucket>/<key>#<version>')` ({@link NothingToReleaseError}
 * when this incident quarantined nothing), `GetBucketTagging` (a bucket that now carries the
 * protected tag is refused with {@link ProtectedResourceError}), `GetBucketPolicy`, then
 * `PutBucketPolicy` with exactly Riposte's statement (by `Sid`) cut out and every other statement
 * left byte for byte, or `DeleteBucketPolicy` when it was the only statement (S3 refuses a policy
 * without statements); `GetObjectTagging` with `VersionId`, then, when Riposte's tag is there,
 * `PutObjectTagging` with the other tags (the ones before containment, plus any added since) or
 * `DeleteObjectTagging` when there are none; and last `GetBucketPolicy` and `GetObjectTagging`
 * read back as `verification`. A version deleted since is reported, its policy statement still
 * removed. APIs: https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketPolicy.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjectTagging.html.
 *
 * @example
 * const { output } = await runAction(releaseS3ObjectQuarantineAction, { resources: alert.resources }, env);
 * output.policy; // 'statement-removed'
 * output.verification.verified; // true: no Riposte statement, no Riposte tag
 */
export const releaseS3ObjectQuarantineAction = defineAction({
  id: 'release-s3-object-quarantine',
  family: 'release',
  undoes: ['quarantine-s3-object'],
  services: s3Service,
  description:
    "Removes quarantine-s3-object's bucket-policy statement (by Sid) and tag, restoring the object version's other tags, and reads both back.",
  input: ReleaseS3ObjectQuarantineInputSchema,
  output: ReleaseS3ObjectQuarantineOutputSchema,
  iamActions: [
    's3:GetBucketTagging',
    's3:GetBucketPolicy',
    's3:PutBucketPolicy',
    's3:DeleteBucketPolicy',
    's3:GetObjectTagging',
    's3:PutObjectTagging',
    's3:DeleteObjectTagging',
    // A call naming a VersionId needs the version action too (API reference of each call).
    's3:GetObjectVersionTagging',
    's3:PutObjectVersionTagging',
    's3:DeleteObjectVersionTagging',
  ],
  target: (input) => input.resources.find((r) => r.type === 'AWS::S3::Object')?.uid ?? 'no S3 object',
  async run(input, env): Promise<ReleaseS3ObjectQuarantineOutput> {
    const { s3 } = env.clients;
    const target = objectOf(input.resources);
    const key = quarantineKey({
      bucketName: target.bucket,
      objectKey: target.key,
      versionId: target.versionId ?? null,
    });
    const saved = await env.state.load(key);
    if (saved === undefined) {
      throw new NothingToReleaseError(
        `nothing to release: no quarantine of s3://${target.bucket}/${target.key} was recorded in this incident`,
      );
    }
    const captured = parseQuarantineCapture(key, saved);
    const bucket: BucketRef = { Bucket: target.bucket, ExpectedBucketOwner: captured.accountId };
    const ref: ObjectRef = {
      ...bucket,
      Key: target.key,
      ...(captured.versionId === null ? {} : { VersionId: captured.versionId }),
    };
    if (env.safety.standing(await readTags(s3, bucket)).protected) {
      throw new ProtectedResourceError(
        `release of s3://${target.bucket}/${target.key} refused: the bucket now carries the protected tag; remove statement ${captured.statementSid} and tag ${QUARANTINE_TAG_KEY} by hand`,
      );
    }
    const policyBefore = await readPolicy(s3, bucket);
    const policy = await releasePolicy(s3, bucket, policyBefore, captured.statementSid);
    const tags = await tagsOrGone(s3, ref);
    const restored = tags === null ? null : withoutQuarantineTag(tags);
    const tagChange = tags !== null && restored !== null && !sameTags(tags, restored);
    if (tagChange && restored !== null) await writeObjectTags(s3, ref, restored);

    const verification = await verifyObjectQuarantine(
      s3,
      ref,
      {
        sid: captured.statementSid,
        statement: null,
        others: otherStatements(policyBefore, captured.statementSid, target.bucket),
        otherTags: restored ?? {},
        tagValue: null,
      },
      env,
      { tags: tags !== null },
    );
    const warnings = [
      `s3://${target.bucket}/${target.key} is readable again as the bucket policy and IAM allow: it was reported as malware`,
      ...(tags === null
        ? [`the object version no longer exists: only the bucket policy statement was removed`]
        : []),
      ...(restored !== null && !sameTags(restored, captured.previousTags)
        ? [
            `the version's tags changed since containment: before ${tagsText(captured.previousTags)}, now ${tagsText(restored)}`,
          ]
        : []),
    ];
    return {
      bucketName: target.bucket,
      objectKey: target.key,
      versionId: captured.versionId,
      accountId: captured.accountId,
      statementSid: captured.statementSid,
      policy,
      restoredTags: restored,
      tagChangedByThisRun: tagChange,
      verification,
      warnings,
    };
  },
});

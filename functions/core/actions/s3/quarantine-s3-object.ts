import { PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { s3Service } from '../services/s3.ts';
import { type ActionEnv, defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyObjectQuarantine } from '../verify/s3-object.ts';
import { type BucketRef, readTags } from './shared/bucket.ts';
import {
  describeObject,
  OBJECT_TAG_LIMIT,
  ObjectInputSchema,
  type ObjectRef,
  ObjectTagLimitError,
  objectOf,
  objectRef,
  ownerAccount,
  QUARANTINE_TAG_KEY,
  readObjectTags,
  type S3ObjectTarget,
  type Tags,
  withoutQuarantineTag,
  writeObjectTags,
} from './shared/object.ts';
import {
  otherStatements,
  quarantineSid,
  quarantineStatement,
  readPolicy,
  withStatement,
} from './shared/policy.ts';
import {
  parseQuarantineCapture,
  type QuarantineCapture,
  quarantineKey,
} from './shared/quarantine-capture.ts';

export const QuarantineS3ObjectInputSchema = ObjectInputSchema;

export const QuarantineS3ObjectOutputSchema = z.object({
  bucketName: z.string(),
  objectKey: z.string(),
  /** The version tagged; null: an unversioned bucket (the current object). */
  versionId: z.string().nullable(),
  accountId: z.string(),
  /** The `Sid` of Riposte's Deny statement in the bucket policy. */
  statementSid: z.string(),
  /** The statement's `Resource`: every version of the key. */
  deniedResource: z.string(),
  policyChangedByThisRun: z.boolean(),
  tagChangedByThisRun: z.boolean(),
  /** The version's tags before containment (first capture of the incident), Riposte's excluded. */
  previousTags: z.record(z.string(), z.string()),
  /** `GetBucketPolicy` and `GetObjectTagging` read back after the change. */
  verification: VerificationSchema,
  notes: z.array(z.string()),
});
export type QuarantineS3ObjectOutput = z.infer<typeof QuarantineS3ObjectOutputSchema>;

/** What the action found before changing anything. */
interface Found {
  readonly bucketTags: Tags;
  readonly tags: Tags;
  readonly policy: string | null;
}

async function readCurrent(s3: S3Client, bucket: BucketRef, ref: ObjectRef): Promise<Found> {
  const bucketTags = await readTags(s3, bucket);
  const tags = await readObjectTags(s3, ref);
  const policy = await readPolicy(s3, bucket);
  return { bucketTags, tags, policy };
}

/** Saves the version's tags and the policy's presence before any change; the first capture wins. */
async function capture(env: ActionEnv, capture: QuarantineCapture): Promise<QuarantineCapture> {
  const key = quarantineKey(capture);
  const saved = await env.state.load(key);
  if (saved === undefined) {
    await env.state.save(key, capture);
    return capture;
  }
  return parseQuarantineCapture(key, saved);
}

/** The tag set with Riposte's tag; {@link ObjectTagLimitError} when S3's 10 tags are taken. */
function taggedSet(target: S3ObjectTarget, tags: Tags, incidentId: string): Tags {
  const next = { ...withoutQuarantineTag(tags), [QUARANTINE_TAG_KEY]: incidentId };
  if (Object.keys(next).length > OBJECT_TAG_LIMIT) {
    throw new ObjectTagLimitError(
      `${describeObject(target)} was not tagged ${QUARANTINE_TAG_KEY}: it already has ${OBJECT_TAG_LIMIT} tags, S3's limit; its reads are denied by the bucket policy statement`,
    );
  }
  return next;
}

/**
 * Quarantines the S3 object a GuardDuty Malware Protection for S3 scan found malicious: a Deny of
 * its reads in the bucket policy, and Riposte's tag on the scanned version. Nothing is deleted.
 *
 * Why a tag and a bucket-policy statement, not a copy to a quarantine bucket: AWS's guidance for
 * scanned objects is tag-based access control, a bucket policy deciding reads from the object's
 * tags (https://docs.aws.amazon.com/guardduty/latest/ug/tag-based-access-s3-malware-protection.html).
 * GuardDuty's own `GuardDutyMalwareScanStatus` tag exists only when tagging is enabled on the
 * protection plan, cannot be added to an object that already has 10 tags, and only protects
 * buckets whose policy already denies on it; and a tag condition lifts when anyone with
 * `s3:PutObjectTagging` rewrites the tag. So Riposte's statement names the object's ARN and
 * denies `s3:GetObject` and `s3:GetObjectVersion` to every principal with no condition, and its
 * tag (value: the incident) marks the exact version. A copy would read the malware, put a second
 * copy in another bucket (its own encryption and access to get right) and leave the original
 * readable until deleted, which Riposte never does without a person.
 *
 * Calls, in order, each with `ExpectedBucketOwner` (the incident's account: a bucket of another
 * account answers 403): `GetBucketTagging` (the rails judge the **bucket's** tags; the object's
 * own tags are the uploader's to set and are not trusted), `GetObjectTagging` with `VersionId`
 * (a missing version is a `ResourceNotFoundError`), `GetBucketPolicy` (`NoSuchBucketPolicy`: a
 * new policy); the capture (prior tags, first capture wins); the rails; then `PutBucketPolicy`
 * with the statement spliced in (every other statement kept byte for byte; over 20 KB is a
 * `BucketPolicyTooLargeError`, an unreadable policy a `BucketPolicyUnreadableError`, both before
 * any write), `PutObjectTagging` with `VersionId` and the existing tags plus Riposte's (PutObjectTagging
 * replaces the set; 10 tags already: `ObjectTagLimitError` once the Deny is read back), and last
 * `GetBucketPolicy` and `GetObjectTagging` read back as `verification`.
 * APIs: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectTagging.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectTagging.html.
 *
 * @example
 * const { output } = await runAction(quarantineS3ObjectAction, { resources: alert.resources }, env);
 * output.statementSid; // 'RiposteQuarantineinc…'
 * output.verification.verified; // true: the Deny and the tag read back
 */
export const quarantineS3ObjectAction = defineAction({
  id: 'quarantine-s3-object',
  family: 'contain',
  services: s3Service,
  description:
    'Denies every read of a malicious S3 object with one bucket-policy statement and tags its scanned version; prior tags saved, nothing deleted.',
  input: QuarantineS3ObjectInputSchema,
  output: QuarantineS3ObjectOutputSchema,
  iamActions: [
    's3:GetBucketTagging',
    's3:GetObjectTagging',
    // A call naming a VersionId needs the version action too (API reference of each call).
    's3:GetObjectVersionTagging',
    's3:GetBucketPolicy',
    's3:PutBucketPolicy',
    's3:PutObjectTagging',
    's3:PutObjectVersionTagging',
  ],
  target: (input) => input.resources.find((r) => r.type === 'AWS::S3::Object')?.uid ?? 'no S3 object',
  async run(input, env): Promise<QuarantineS3ObjectOutput> {
    const { s3 } = env.clients;
    const target = objectOf(input.resources);
    const owner = ownerAccount(env);
    const bucket: BucketRef = { Bucket: target.bucket, ExpectedBucketOwner: owner };
    const ref = objectRef(target, owner);
    const found = await readCurrent(s3, bucket, ref);
    const saved = await capture(env, {
      kind: 's3-object-quarantine',
      bucketName: target.bucket,
      objectKey: target.key,
      versionId: target.versionId ?? null,
      objectArn: target.arn,
      accountId: owner,
      statementSid: quarantineSid(env.execution.incidentId, target.arn),
      previousTags: withoutQuarantineTag(found.tags),
      hadPolicy: found.policy !== null,
      capturedAt: new Date(env.now()).toISOString(),
    });
    await env.safety.assertContainable({ resource: target.arn, tags: found.bucketTags });

    const statement = quarantineStatement(saved.statementSid, target);
    const nextPolicy = withStatement(found.policy, statement, target.bucket);
    if (nextPolicy !== null) await s3.send(new PutBucketPolicyCommand({ ...bucket, Policy: nextPolicy }));
    const tagValue = env.execution.incidentId;
    let nextTags: Tags | undefined;
    let tagError: ObjectTagLimitError | undefined;
    try {
      nextTags = taggedSet(target, found.tags, tagValue);
    } catch (error) {
      if (!(error instanceof ObjectTagLimitError)) throw error;
      tagError = error;
    }
    const tagChange = nextTags !== undefined && found.tags[QUARANTINE_TAG_KEY] !== tagValue;
    if (tagChange && nextTags !== undefined) await writeObjectTags(s3, ref, nextTags);

    const expected = {
      sid: saved.statementSid,
      statement,
      others: otherStatements(found.policy, saved.statementSid, target.bucket),
      otherTags: withoutQuarantineTag(found.tags),
      tagValue,
    };
    const verification = await verifyObjectQuarantine(s3, ref, expected, env, {
      tags: tagError === undefined,
    });
    // The Deny is the containment: a version that cannot take the tag fails loudly only once the
    // Deny is in place (read back); an unverified Deny is reported as such, below.
    if (tagError !== undefined && verification.verified) throw tagError;
    return {
      bucketName: target.bucket,
      objectKey: target.key,
      versionId: target.versionId ?? null,
      accountId: owner,
      statementSid: saved.statementSid,
      deniedResource: String(statement.Resource),
      policyChangedByThisRun: nextPolicy !== null,
      tagChangedByThisRun: tagChange,
      previousTags: saved.previousTags,
      verification,
      notes: notesFor(target, tagError),
    };
  },
});

function notesFor(target: S3ObjectTarget, tagError: ObjectTagLimitError | undefined): string[] {
  return [
    `reads of every version of s3://${target.bucket}/${target.key} are denied to every principal: a clean object uploaded later under the same key stays unreadable until release`,
    'the object is not deleted: delete it by hand once the investigation no longer needs it (s3-malware-release does not restore a deleted object)',
    ...(tagError === undefined ? [] : [tagError.message]),
  ];
}

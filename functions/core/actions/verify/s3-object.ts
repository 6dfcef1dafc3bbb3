import type { S3Client } from '@aws-sdk/client-s3';
import type { BucketRef } from '../s3/shared/bucket.ts';
import {
  type ObjectRef,
  QUARANTINE_TAG_KEY,
  readObjectTags,
  type Tags,
  tagsText,
  withoutQuarantineTag,
} from '../s3/shared/object.ts';
import { otherStatements, readPolicy, statementOf } from '../s3/shared/policy.ts';
import type { ActionEnv } from '../types.ts';
import { check, readChecks, type Verification, type VerificationCheck, verification } from './check.ts';

/**
 * Read-backs of the S3 object quarantine and its release: `GetBucketPolicy` (Riposte's statement
 * by `Sid`, and every other statement as the exact text it had before) and `GetObjectTagging` on
 * the quarantined version (Riposte's tag, and the other tags).
 */

/** What the policy and the version should read after the change. */
export interface ObjectQuarantineExpectation {
  readonly sid: string;
  /** Riposte's statement (contain), or null: none (release). */
  readonly statement: Record<string, unknown> | null;
  /** The other statements, as their exact text before the change. */
  readonly others: readonly string[];
  /** The version's tags other than Riposte's. */
  readonly otherTags: Tags;
  /** The quarantine tag's value (the incident id), or null: no quarantine tag (release). */
  readonly tagValue: string | null;
}

async function policyChecks(
  s3: S3Client,
  ref: BucketRef,
  expected: ObjectQuarantineExpectation,
): Promise<VerificationCheck[]> {
  const text = await readPolicy(s3, ref);
  const read = statementOf(text, expected.sid, ref.Bucket);
  return [
    check(
      `bucket ${ref.Bucket} policy statement ${expected.sid}`,
      expected.statement === null ? 'none' : JSON.stringify(expected.statement),
      read === undefined ? 'none' : JSON.stringify(read),
    ),
    check(
      `bucket ${ref.Bucket} other policy statements`,
      JSON.stringify(expected.others),
      JSON.stringify(otherStatements(text, expected.sid, ref.Bucket)),
    ),
  ];
}

async function tagChecks(
  s3: S3Client,
  ref: ObjectRef,
  expected: ObjectQuarantineExpectation,
): Promise<VerificationCheck[]> {
  const tags = await readObjectTags(s3, ref);
  const ours = Object.entries(tags).find(([k]) => k.trim().toLowerCase() === QUARANTINE_TAG_KEY)?.[1];
  const what = `object ${ref.Key}${ref.VersionId === undefined ? '' : ` version ${ref.VersionId}`}`;
  return [
    check(`${what} tag ${QUARANTINE_TAG_KEY}`, expected.tagValue ?? 'none', ours ?? 'none'),
    check(`${what} other tags`, tagsText(expected.otherTags), tagsText(withoutQuarantineTag(tags))),
  ];
}

/**
 * Reads the bucket policy and the version's tags back: verified when both read as `expected`.
 * `tags: false` skips the tag read (the version was not tagged, or is gone).
 *
 * @example
 * const v = await verifyObjectQuarantine(s3, ref, { sid, statement, others: [], otherTags: {}, tagValue: 'inc-1' }, env);
 * v.verified; // true: the Deny statement and the tag read back
 */
export async function verifyObjectQuarantine(
  s3: S3Client,
  ref: ObjectRef,
  expected: ObjectQuarantineExpectation,
  env: ActionEnv,
  options: { readonly tags: boolean } = { tags: true },
): Promise<Verification> {
  const bucket: BucketRef = { Bucket: ref.Bucket, ExpectedBucketOwner: ref.ExpectedBucketOwner };
  const checks = await readChecks(`bucket ${ref.Bucket} GetBucketPolicy`, () =>
    policyChecks(s3, bucket, expected),
  );
  if (options.tags) {
    checks.push(
      ...(await readChecks(`object ${ref.Key} GetObjectTagging`, () => tagChecks(s3, ref, expected))),
    );
  }
  return verification(checks, env);
}

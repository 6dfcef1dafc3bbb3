import type { S3Client } from '@aws-sdk/client-s3';
import { type BucketRef, readSettings, type Settings } from '../s3/shared/bucket.ts';
import type { ActionEnv } from '../types.ts';
import { check, readChecks, type Verification, type VerificationCheck, verification } from './check.ts';

/**
 * Read-backs of the S3 Block Public Access actions: `GetPublicAccessBlock` on the bucket (with
 * its `ExpectedBucketOwner`), the same call the actions read with.
 */

const NAMES = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

function settingsText(settings: Settings | null, name: (typeof NAMES)[number]): string {
  return settings === null ? 'no configuration' : String(settings[name]);
}

/**
 * One check per setting: the bucket's settings as read against `expected` (null: the bucket
 * has no configuration).
 *
 * @example
 * settingsChecks('payments-exports', { BlockPublicAcls: true, … }, null); // four failed checks
 */
export function settingsChecks(
  bucket: string,
  expected: Settings | null,
  read: Settings | null,
): VerificationCheck[] {
  if (expected === null || read === null) {
    return [
      check(
        `bucket ${bucket} Block Public Access configuration`,
        expected === null ? 'none' : JSON.stringify(expected),
        read === null ? 'none' : JSON.stringify(read),
      ),
    ];
  }
  return NAMES.map((name) =>
    check(`bucket ${bucket} ${name}`, settingsText(expected, name), settingsText(read, name)),
  );
}

/**
 * Reads the bucket's Block Public Access back after block-bucket-public-access: verified when
 * `GetPublicAccessBlock` answers the four settings true.
 *
 * @example
 * const v = await verifyBucketBlocked(env.clients.s3, { Bucket: 'payments-exports', ExpectedBucketOwner: '111122223333' }, env);
 * v.verified; // true
 */
export async function verifyBucketBlocked(
  s3: S3Client,
  ref: BucketRef,
  env: ActionEnv,
): Promise<Verification> {
  const all: Settings = {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  };
  const checks = await readChecks(`bucket ${ref.Bucket} GetPublicAccessBlock`, async () =>
    settingsChecks(ref.Bucket, all, await readSettings(s3, ref)),
  );
  return verification(checks, env);
}

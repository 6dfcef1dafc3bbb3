import { z } from 'zod';
import { InvalidInputError } from '../../../errors.ts';

/**
 * What quarantine-s3-object saves before its first change, under
 * `s3-object-quarantine:<bucket>/<key>#<version>`, and its release reads back.
 */
export const QuarantineCaptureSchema = z.object({
  kind: z.literal('s3-object-quarantine'),
  bucketName: z.string(),
  objectKey: z.string(),
  /** Null: an unversioned bucket. */
  versionId: z.string().nullable(),
  objectArn: z.string(),
  /** The bucket owner, sent as `ExpectedBucketOwner` by the release too. */
  accountId: z.string(),
  /** The `Sid` of Riposte's statement in the bucket policy. */
  statementSid: z.string(),
  /** The version's tags before containment, Riposte's excluded. */
  previousTags: z.record(z.string(), z.string()),
  /** Whether the bucket had a policy before containment. */
  hadPolicy: z.boolean(),
  capturedAt: z.string(),
});
export type QuarantineCapture = z.infer<typeof QuarantineCaptureSchema>;

/** Where the capture of one object version is saved. */
export function quarantineKey(object: {
  readonly bucketName: string;
  readonly objectKey: string;
  readonly versionId: string | null;
}): string {
  return `s3-object-quarantine:${object.bucketName}/${object.objectKey}#${object.versionId ?? 'null'}`;
}

/** The capture saved under `key`, parsed ({@link InvalidInputError} when unreadable). */
export function parseQuarantineCapture(key: string, saved: Record<string, unknown>): QuarantineCapture {
  const parsed = QuarantineCaptureSchema.safeParse(saved);
  if (!parsed.success) {
    throw new InvalidInputError(`the state saved for ${key} is not readable: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

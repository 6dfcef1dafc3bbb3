import {
  DescribeKeyCommand,
  type KMSClient,
  ListResourceTagsCommand,
  type ListResourceTagsCommandOutput,
} from '@aws-sdk/client-kms';
import { z } from 'zod';
import { InvalidInputError } from '../../../errors.ts';
import { hasErrorCode, NotAllowedError, ResourceNotFoundError } from '../../errors.ts';

/**
 * Reads of one KMS key shared by the KMS actions: `DescribeKey` (state, manager, deletion date)
 * and `ListResourceTags` (every page), both naming the key by its key ARN.
 */

/** A key as the actions read it. */
export const KeySnapshotSchema = z.object({
  keyId: z.string(),
  arn: z.string(),
  /** `Enabled`, `Disabled`, `PendingDeletion`, `PendingReplicaDeletion`, `PendingImport`, `Unavailable`… */
  keyState: z.string(),
  /** `CUSTOMER` or `AWS`: an AWS managed key is AWS's to manage, never Riposte's. */
  keyManager: z.string(),
  /** When KMS deletes the key (ISO 8601); null unless the key is pending deletion. */
  deletionDate: z.string().nullable(),
  description: z.string(),
  multiRegion: z.boolean(),
});
export type KeySnapshot = z.infer<typeof KeySnapshotSchema>;

/** A key id (`1234abcd-…`) or key ARN; aliases are not accepted (an alias can be repointed). */
export const KeyIdSchema = z
  .string()
  .min(1)
  .max(2048)
  .regex(
    /^(?:arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\/)?(?:mrk-)?[A-Za-z0-9-]+$/,
    'must be a key id or key ARN',
  );

/** A missing key becomes {@link ResourceNotFoundError}; other errors pass unchanged. */
function notFound(error: unknown, keyId: string): unknown {
  return hasErrorCode(error, 'NotFoundException')
    ? new ResourceNotFoundError(`KMS key ${keyId} does not exist`, { cause: error })
    : error;
}

/** `DescribeKey` of `keyId`. */
export async function readKey(kms: KMSClient, keyId: string): Promise<KeySnapshot> {
  try {
    const out = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    const meta = out.KeyMetadata;
    if (meta?.KeyId === undefined || meta.Arn === undefined) {
      throw new InvalidInputError(`DescribeKey ${keyId} answered no key metadata`);
    }
    return {
      keyId: meta.KeyId,
      arn: meta.Arn,
      keyState: meta.KeyState ?? 'Unknown',
      keyManager: meta.KeyManager ?? 'Unknown',
      deletionDate: meta.DeletionDate === undefined ? null : new Date(meta.DeletionDate).toISOString(),
      description: meta.Description ?? '',
      multiRegion: meta.MultiRegion === true,
    };
  } catch (error) {
    throw notFound(error, keyId);
  }
}

/** Every tag of the key (`ListResourceTags`, following `NextMarker` while `Truncated`). */
export async function readKeyTags(kms: KMSClient, keyId: string): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  let marker: string | undefined;
  // Bounded: 50 tags per key at most on AWS, 50 per page by default.
  for (let page = 0; page < 20; page += 1) {
    let out: ListResourceTagsCommandOutput;
    try {
      out = await kms.send(
        new ListResourceTagsCommand({ KeyId: keyId, ...(marker === undefined ? {} : { Marker: marker }) }),
      );
    } catch (error) {
      throw notFound(error, keyId);
    }
    for (const tag of out.Tags ?? []) {
      if (tag.TagKey !== undefined) tags[tag.TagKey] = tag.TagValue ?? '';
    }
    if (out.Truncated !== true || out.NextMarker === undefined) break;
    marker = out.NextMarker;
  }
  return tags;
}

/**
 * Refuses an AWS managed key: AWS rotates, enables and deletes those keys itself, and no one
 * can change their state ({@link NotAllowedError}). Only a `CUSTOMER` key passes.
 */
export function assertCustomerManaged(key: KeySnapshot): void {
  if (key.keyManager !== 'CUSTOMER') {
    throw new NotAllowedError(
      `KMS key ${key.arn} is managed by ${key.keyManager === 'AWS' ? 'AWS' : `"${key.keyManager}"`}: Riposte changes customer managed keys only`,
    );
  }
}

/** Key states in which a deletion is scheduled (`CancelKeyDeletion` applies). */
export const PENDING_DELETION_STATES: ReadonlySet<string> = new Set([
  'PendingDeletion',
  'PendingReplicaDeletion',
]);

import {
  GetAccessKeyLastUsedCommand,
  GetUserCommand,
  type IAMClient,
  ListAttachedUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { z } from 'zod';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.ts';
import { collect, iso, markerParam, next, tagRecord } from './items.ts';
import { AWS_QUARANTINE_PREFIX } from './policies.ts';
import { listAccessKeys } from './users.ts';

/**
 * Finding the IAM user that owns a long-term access key, in the incident's account, and failing
 * closed when there is none.
 */

/** A long-term access key id: `AKIA` and 16 upper-case letters or digits. */
export const LongTermAccessKeyIdSchema = z
  .string()
  .regex(/^AKIA[A-Z0-9]{16}$/, 'a long-term access key id (AKIA…, 20 characters)');

/**
 * The key cannot be tied to an IAM user of the incident's account: IAM does not know it, its
 * owner is gone, or the owner is in another account. Nothing is changed.
 */
export class AccessKeyNotFoundError extends ResourceNotFoundError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AccessKeyNotFoundError';
  }
}

export const KeyLastUseSchema = z.object({
  /** Null when the key was never used (IAM then answers `N/A` for service and Region). */
  date: z.string().nullable(),
  serviceName: z.string(),
  region: z.string(),
});
export type KeyLastUse = z.infer<typeof KeyLastUseSchema>;

/** The owner of a key, read with the key's own status. */
export interface KeyOwner {
  readonly accessKeyId: string;
  readonly userName: string;
  readonly userArn: string;
  /** The account in the user's ARN. */
  readonly account: string;
  readonly tags: Record<string, string>;
  readonly status: 'Active' | 'Inactive';
  readonly createDate: string | null;
  readonly lastUsed: KeyLastUse;
  /** `AWSCompromisedKeyQuarantine*` policies AWS attached to the user (AWS managed ARNs only). */
  readonly awsQuarantinePolicies: string[];
}

/** `GetAccessKeyLastUsed`: the owner's name and the key's last use; NoSuchEntity fails closed. */
async function lastUseOf(
  iam: IAMClient,
  accessKeyId: string,
): Promise<{ userName: string; lastUsed: KeyLastUse }> {
  try {
    const out = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }));
    if (out.UserName === undefined || out.UserName === '') {
      throw new AccessKeyNotFoundError(`IAM names no user owning access key ${accessKeyId} in this account`);
    }
    return {
      userName: out.UserName,
      lastUsed: {
        date: iso(out.AccessKeyLastUsed?.LastUsedDate),
        serviceName: out.AccessKeyLastUsed?.ServiceName ?? 'N/A',
        region: out.AccessKeyLastUsed?.Region ?? 'N/A',
      },
    };
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchEntity')) {
      throw new AccessKeyNotFoundError(`access key ${accessKeyId} does not exist in this account`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** `GetUser`: the owner's ARN and tags; NoSuchEntity fails closed. */
async function ownerOf(iam: IAMClient, userName: string, accessKeyId: string) {
  try {
    const user = (await iam.send(new GetUserCommand({ UserName: userName }))).User;
    return { arn: user?.Arn ?? '', tags: tagRecord(user?.Tags) };
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchEntity')) {
      throw new AccessKeyNotFoundError(
        `access key ${accessKeyId} names user ${userName}, who does not exist`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}

/** The AWS managed `AWSCompromisedKeyQuarantine*` policies attached to the user (never a customer policy of that name). */
async function quarantinePolicies(iam: IAMClient, userName: string): Promise<string[]> {
  const attached = await collect(async (m) => {
    const out = await iam.send(
      new ListAttachedUserPoliciesCommand({ UserName: userName, ...markerParam(m) }),
    );
    return { items: out.AttachedPolicies, next: next(out) };
  });
  const awsManaged = new RegExp(`^arn:aws[a-z-]*:iam::aws:policy/${AWS_QUARANTINE_PREFIX}[A-Za-z0-9]*$`);
  return attached.flatMap((p) =>
    p.PolicyName !== undefined && awsManaged.test(p.PolicyArn ?? '') ? [p.PolicyName] : [],
  );
}

/**
 * The user owning `accessKeyId` in `account` (the incident's), proven three ways: IAM names the
 * owner (`GetAccessKeyLastUsed`), the owner exists with an ARN in `account` (`GetUser`), and the
 * key is among the owner's keys (`ListAccessKeys`, every page). Then `ListAttachedUserPolicies`
 * for AWS's quarantine policies. Reads only.
 *
 * @throws AccessKeyNotFoundError when any of the three fails, or `account` is unknown
 *
 * @example
 * const owner = await resolveKeyOwner(env.clients.iam, 'AKIAEXAMPLEEXPOSED01', '111122223333');
 * owner.userName; // 'ci-deployer'
 */
export async function resolveKeyOwner(
  iam: IAMClient,
  accessKeyId: string,
  account: string | undefined,
): Promise<KeyOwner> {
  if (account === undefined || account === '') {
    throw new AccessKeyNotFoundError(
      `the incident names no account: access key ${accessKeyId} cannot be tied to a user of it`,
    );
  }
  const { userName, lastUsed } = await lastUseOf(iam, accessKeyId);
  const user = await ownerOf(iam, userName, accessKeyId);
  const userAccount = user.arn.split(':')[4] ?? '';
  if (userAccount !== account) {
    throw new AccessKeyNotFoundError(
      `access key ${accessKeyId} belongs to ${user.arn || userName}, not to a user of the incident's account ${account}`,
    );
  }
  const key = (await listAccessKeys(iam, userName)).find((k) => k.accessKeyId === accessKeyId);
  if (key === undefined) {
    throw new AccessKeyNotFoundError(`access key ${accessKeyId} is not among the keys of user ${userName}`);
  }
  return {
    accessKeyId,
    userName,
    userArn: user.arn,
    account: userAccount,
    tags: user.tags,
    status: key.status,
    createDate: key.createDate,
    lastUsed,
    awsQuarantinePolicies: await quarantinePolicies(iam, userName),
  };
}

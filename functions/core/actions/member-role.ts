import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { declares } from '../permissions.ts';
import { MemberRoleMissingError } from './errors.ts';

/** {@link memberCredentials}: AssumeRole of the member role in the incident's account. */
export const MEMBER_ROLE_CALLS = declares({
  service: 'sts',
  actions: ['sts:AssumeRole'],
  resource: 'member-role',
  why: 'acts in a member account through its member role',
});

/**
 * Credentials for acting in a member account: Riposte's action roles assume the narrowly
 * scoped member role (deployed by the member-account stack) in the alert's account. In the
 * account Riposte runs in, the function's own role is used.
 */
export interface MemberRoleOptions {
  /** The member role's name in every member account. Without it, Riposte acts only in its own account. */
  readonly roleName?: string;
  /** The external id the member role's trust policy requires. */
  readonly externalId?: string;
  readonly sts?: STSClient;
  /** The account the function runs in. @default from the function's own identity */
  readonly ownAccount?: string;
}

const sts = new STSClient({});
const cache = new Map<string, { readonly credentials: AwsCredentialIdentity; readonly until: number }>();

/**
 * Credentials for `account`, or undefined to use the function's own (same account, or no
 * account known).
 *
 * @throws MemberRoleMissingError when the account is another one and the role cannot be assumed
 */
export async function memberCredentials(
  account: string | undefined,
  options: MemberRoleOptions,
): Promise<AwsCredentialIdentity | undefined> {
  if (account === undefined) return undefined;
  const own = options.ownAccount ?? process.env.AWS_ACCOUNT_ID;
  if (own === undefined || account === own) return undefined;
  if (options.roleName === undefined) {
    throw new MemberRoleMissingError(
      `the alert is in account ${account}, and no member role is configured (riposte.memberRoleName)`,
    );
  }
  const key = `${account}/${options.roleName}`;
  const hit = cache.get(key);
  if (hit !== undefined && hit.until > Date.now() + 60_000) return hit.credentials;
  const partition = process.env.AWS_PARTITION ?? 'aws';
  try {
    const out = await (options.sts ?? sts).send(
      new AssumeRoleCommand({
        RoleArn: `arn:${partition}:iam::${account}:role/${options.roleName}`,
        RoleSessionName: 'riposte-response',
        DurationSeconds: 900,
        ...(options.externalId === undefined ? {} : { ExternalId: options.externalId }),
      }),
    );
    const c = out.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) {
      throw new Error('AssumeRole returned no credentials');
    }
    const credentials: AwsCredentialIdentity = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken === undefined ? {} : { sessionToken: c.SessionToken }),
      ...(c.Expiration === undefined ? {} : { expiration: c.Expiration }),
    };
    cache.set(key, { credentials, until: c.Expiration?.getTime() ?? Date.now() + 900_000 });
    return credentials;
  } catch (error) {
    throw new MemberRoleMissingError(
      `cannot assume ${options.roleName} in account ${account}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

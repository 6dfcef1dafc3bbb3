import { GetUserCommand } from '@aws-sdk/client-iam';
import { hasErrorCode, ProtectedResourceError, ResourceNotFoundError } from '../../errors.ts';
import type { ActionEnv } from '../../types.ts';
import { tagRecord } from './items.ts';
import { readRole } from './roles.ts';

/**
 * The release rail on IAM principals: Riposte changes no protected resource, release included.
 * A role or user tagged protected since its containment (protected tag compared trimmed and
 * case-insensitively, as every rail does) is refused with {@link ProtectedResourceError} before
 * anything is changed; its revocation or deny policy stays until someone removes it by hand.
 */

/**
 * `GetRole`, then refuses a role that carries the protected tag.
 *
 * @example
 * await assertRoleReleasable('payments-app-role', env); // throws ProtectedResourceError when tagged protected
 */
export async function assertRoleReleasable(roleName: string, env: ActionEnv): Promise<void> {
  const role = await readRole(env.clients.iam, roleName);
  if (env.safety.standing(role.tags).protected) {
    throw new ProtectedResourceError(
      `release of IAM role ${roleName} refused: it now carries the protected tag; remove riposte-revoke-older-sessions by hand if its sessions may be trusted again`,
    );
  }
}

/**
 * `GetUser`, then refuses a user that carries the protected tag.
 *
 * @example
 * await assertUserReleasable('payments-deployer', env); // throws ProtectedResourceError when tagged protected
 */
export async function assertUserReleasable(userName: string, env: ActionEnv): Promise<void> {
  let tags: Record<string, string>;
  try {
    const out = await env.clients.iam.send(new GetUserCommand({ UserName: userName }));
    tags = tagRecord(out.User?.Tags);
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchEntity')) {
      throw new ResourceNotFoundError(`IAM user ${userName} does not exist`, { cause: error });
    }
    throw error;
  }
  if (env.safety.standing(tags).protected) {
    throw new ProtectedResourceError(
      `release of IAM user ${userName} refused: it now carries the protected tag; reactivate its keys and remove riposte-deny-all by hand if it may be trusted again`,
    );
  }
}

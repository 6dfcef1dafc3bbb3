import { NothingToReleaseError, ResourceNotFoundError } from '../../errors.ts';
import { REVOKE_SESSIONS_POLICY_NAME } from '../../iam/shared/policies.ts';
import { restoreRoleSessions } from '../../iam/shared/role-sessions.ts';
import type { ReleaseInstanceOutput } from '../release-instance.ts';
import { collect } from '../shared/items.ts';
import type { ReleaseContext } from './context.ts';

/**
 * Step "role sessions": the instance role through {@link restoreRoleSessions}
 * (`ListRolePolicies`, then `DeleteRolePolicy riposte-revoke-older-sessions` or `PutRolePolicy`
 * of the document that was there before; a role already restored by release-role-sessions is
 * left as is).
 */
export async function restoreInstanceRoleSessions(
  ctx: ReleaseContext,
): Promise<ReleaseInstanceOutput['roleSessions']> {
  const { saved } = ctx;
  const roleName = saved.instanceProfile?.roleName ?? null;
  if (roleName === null) return null;
  const base = { roleName, policyName: REVOKE_SESSIONS_POLICY_NAME };
  if (!saved.revokeRoleSessions) return { ...base, action: 'not-revoked', error: null };
  try {
    // The role's shared capture (a release-role-sessions of the same role then finds it as before).
    const legacy = saved.previousRevokePolicy;
    const action = await restoreRoleSessions(
      roleName,
      ctx.env,
      legacy === undefined ? undefined : { previousRevokePolicy: legacy ?? undefined },
    );
    if (action === 'removed') {
      ctx.notes.push(
        `sessions of ${roleName} issued before the revocation that have not expired yet are valid again`,
      );
    }
    return { ...base, action, error: null };
  } catch (error) {
    if (error instanceof ResourceNotFoundError || error instanceof NothingToReleaseError) {
      // The role no longer exists, or nothing of it was captured: nothing to put back.
      return { ...base, action: 'absent', error: null };
    }
    const message = collect(ctx.failures, roleName, error);
    return { ...base, action: 'failed', error: message };
  }
}

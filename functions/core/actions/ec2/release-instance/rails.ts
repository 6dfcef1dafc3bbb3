import { ProtectedResourceError, ResourceNotFoundError } from '../../errors.ts';
import { assertRoleReleasable } from '../../iam/shared/release-rails.ts';
import type { ReleaseContext } from './context.ts';

/**
 * Step "rails": Riposte changes no protected resource, release included. Before any change, an
 * instance that now carries the protected tag (read by `DescribeInstances` in the capture,
 * compared trimmed and case-insensitively) is refused with {@link ProtectedResourceError}; so is
 * an instance role whose sessions the isolation revoked and that carries the tag now (`GetRole`
 * through {@link assertRoleReleasable}): the whole release is left to a person, since putting
 * the instance back on the network with its role's old sessions still revoked, or the other way
 * round, is not what was contained. A role that no longer exists has nothing to release.
 *
 * @example
 * await assertInstanceReleasable(ctx); // throws ProtectedResourceError when either is tagged protected
 */
export async function assertInstanceReleasable(ctx: ReleaseContext): Promise<void> {
  const { env, instanceId, saved } = ctx;
  if (env.safety.standing(ctx.current.tags).protected) {
    throw new ProtectedResourceError(
      `release of EC2 instance ${instanceId} refused: it now carries the protected tag; restore its security groups, instance profile and network by hand from the saved state`,
    );
  }
  const roleName = saved.instanceProfile?.roleName ?? null;
  if (roleName === null || !saved.revokeRoleSessions) return;
  try {
    await assertRoleReleasable(roleName, env);
  } catch (error) {
    if (error instanceof ProtectedResourceError) {
      throw new ProtectedResourceError(`release of EC2 instance ${instanceId} refused: ${error.message}`);
    }
    if (error instanceof ResourceNotFoundError) return;
    throw error;
  }
}

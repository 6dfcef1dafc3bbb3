import { indirectRoleRefusal } from '../../iam/shared/role-sessions.ts';
import type { IsolationContext } from './context.ts';

/**
 * Step "rails", before the first state-changing call: the instance (with the environment
 * approval: production, unknown or untagged instances need this execution's approval), then the
 * instance role whose sessions isolation revokes: a change too, so it passes the rails and counts
 * in the blast radius ({@link indirectRoleRefusal}). Returns why the role was refused, or null: a
 * protected role is reported, not revoked.
 */
export async function passRails(ctx: IsolationContext): Promise<string | null> {
  const { env, current, roleName, input } = ctx;
  await env.safety.assertContainable({
    resource: ctx.instanceId,
    tags: current.tags,
    environmentApproval: true,
  });
  return roleName !== null && input.revokeRoleSessions ? await indirectRoleRefusal(roleName, env) : null;
}

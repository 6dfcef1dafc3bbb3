import { DescribeIamInstanceProfileAssociationsCommand } from '@aws-sdk/client-ec2';
import { REVOKE_SESSIONS_POLICY_NAME } from '../../iam/shared/policies.ts';
import { revokeRoleSessions } from '../../iam/shared/role-sessions.ts';
import type { ActionEnv } from '../../types.ts';
import type { IsolateInstanceOutput } from '../isolate-instance.ts';
import { SHARED_ROLE_WARNING } from '../shared/constants.ts';
import { collect } from '../shared/items.ts';
import type { IsolationContext } from './context.ts';

type RoleSessionsOutput = NonNullable<IsolateInstanceOutput['roleSessions']>;

/**
 * Step "role sessions": the instance role's older sessions, through {@link revokeRoleSessions}
 * (once per role and incident, shared with revoke-role-sessions): `GetRolePolicy`,
 * `DescribeIamInstanceProfileAssociations` (siblings) and `PutRolePolicy
 * riposte-revoke-older-sessions` (unless this incident's is already in place). A role the rails
 * refused, or a run asked not to revoke, is reported with a note and left alone.
 */
export async function revokeInstanceRoleSessions(
  ctx: IsolationContext,
  roleRefusal: string | null,
): Promise<RoleSessionsOutput | null> {
  const { roleName, notes } = ctx;
  if (roleName === null) return null;
  const base = { roleName, policyName: REVOKE_SESSIONS_POLICY_NAME, warning: SHARED_ROLE_WARNING };
  if (roleRefusal !== null) {
    notes.push(
      `the sessions of ${roleName} were not revoked (${roleRefusal}): credentials the instance already obtained stay valid until they expire; revoke them by hand if the role may be touched`,
    );
    return { ...base, action: 'refused', revokedBefore: null, siblingInstanceIds: [], error: roleRefusal };
  }
  if (!ctx.input.revokeRoleSessions) {
    notes.push(
      `the sessions of ${roleName} were not revoked: credentials the instance already obtained stay valid until they expire`,
    );
    return { ...base, action: 'not-requested', revokedBefore: null, siblingInstanceIds: [], error: null };
  }
  try {
    return { ...base, ...(await revoke(ctx, roleName)) };
  } catch (error) {
    const message = collect(ctx.failures, roleName, error);
    return { ...base, action: 'failed', revokedBefore: null, siblingInstanceIds: [], error: message };
  }
}

/** Records the decision in the saved state if an earlier run chose otherwise, then revokes. */
async function revoke(
  ctx: IsolationContext,
  roleName: string,
): Promise<Omit<RoleSessionsOutput, 'roleName' | 'policyName' | 'warning'>> {
  const { env, instanceId } = ctx;
  if (!ctx.saved.revokeRoleSessions) {
    // An earlier run of this incident chose not to revoke and this one does: release must know.
    ctx.saved = { ...ctx.saved, revokeRoleSessions: true };
    await env.state.save(ctx.key, ctx.saved);
  }
  // Shared with revoke-role-sessions: revoked once per incident, whichever action comes first.
  let siblingInstanceIds: string[] = [];
  const profileArn = ctx.current.instanceProfile?.arn ?? ctx.saved.instanceProfile?.arn ?? null;
  const { revokedBefore, appliedByThisRun } = await revokeRoleSessions(roleName, env, {
    details: ctx.roleDetails,
    beforeRevoke: async () => {
      if (profileArn !== null) siblingInstanceIds = await instancesUsingProfile(env, profileArn, instanceId);
    },
  });
  if (!appliedByThisRun) {
    return { action: 'already-revoked', revokedBefore, siblingInstanceIds: [], error: null };
  }
  if (siblingInstanceIds.length > 0) {
    ctx.notes.push(
      `${siblingInstanceIds.length} other instance(s) use the same instance profile and lose their current credentials: ${siblingInstanceIds.join(', ')}`,
    );
  }
  return { action: 'revoked', revokedBefore, siblingInstanceIds, error: null };
}

/** Instances other than `self` associated with `profileArn` in the region (every page). */
async function instancesUsingProfile(env: ActionEnv, profileArn: string, self: string): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const out = await env.clients.ec2.send(
      new DescribeIamInstanceProfileAssociationsCommand({
        Filters: [{ Name: 'state', Values: ['associated'] }],
        ...(token === undefined ? {} : { NextToken: token }),
      }),
    );
    for (const association of out.IamInstanceProfileAssociations ?? []) {
      if (association.IamInstanceProfile?.Arn === profileArn && association.InstanceId !== undefined) {
        if (association.InstanceId !== self) ids.push(association.InstanceId);
      }
    }
    token = out.NextToken;
  } while (token !== undefined);
  return ids;
}

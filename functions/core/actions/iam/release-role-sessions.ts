import { z } from 'zod';
import { iamService } from '../services/iam.ts';
import { defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyRoleReleased } from '../verify/iam.ts';
import { REVOKE_SESSIONS_POLICY_NAME } from './shared/policies.ts';
import { restoreRoleSessions } from './shared/role-sessions.ts';

export const ReleaseRoleSessionsInputSchema = z.object({ roleName: z.string().min(1) });

export const ReleaseRoleSessionsOutputSchema = z.object({
  roleName: z.string(),
  policyName: z.string(),
  /** `removed`: deleted; `restored`: the pre-incident document put back; `absent`: nothing to do. */
  outcome: z.enum(['removed', 'restored', 'absent']),
  /** Read back: the revoke policy gone, or the pre-incident document back. */
  verification: VerificationSchema,
  warnings: z.array(z.string()),
});
export type ReleaseRoleSessionsOutput = z.infer<typeof ReleaseRoleSessionsOutputSchema>;

/**
 * Undoes {@link revokeRoleSessionsAction}, or the revocation isolate-instance made on its
 * instance role (one capture per role: {@link restoreRoleSessions}): `ListRolePolicies` (and
 * `GetRolePolicy` when a pre-incident document must be restored), then `DeleteRolePolicy
 * riposte-revoke-older-sessions` (or `PutRolePolicy` of the previous document), only when the
 * role is not already as before: a role released by release-instance is not changed again.
 * Throws {@link NothingToReleaseError} when nothing was captured.
 *
 * @example
 * await runAction(releaseRoleSessionsAction, { roleName: 'payments-app-role' }, env);
 */
export const releaseRoleSessionsAction = defineAction({
  id: 'release-role-sessions',
  family: 'release',
  undoes: ['revoke-role-sessions'],
  services: iamService,
  description: 'Removes the riposte-revoke-older-sessions policy that revoke-role-sessions attached.',
  input: ReleaseRoleSessionsInputSchema,
  output: ReleaseRoleSessionsOutputSchema,
  iamActions: ['iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy', 'iam:PutRolePolicy'],
  target: (input) => input.roleName,
  async run(input, env): Promise<ReleaseRoleSessionsOutput> {
    const outcome = await restoreRoleSessions(input.roleName, env);
    return {
      roleName: input.roleName,
      policyName: REVOKE_SESSIONS_POLICY_NAME,
      outcome,
      verification: await verifyRoleReleased(env, input.roleName),
      warnings:
        outcome === 'absent'
          ? []
          : [
              "sessions issued before the revocation that have not expired yet (up to the role's maximum session duration) are valid again",
            ],
    };
  },
});

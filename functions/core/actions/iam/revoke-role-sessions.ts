import { z } from 'zod';
import { iamService } from '../services/iam.ts';
import { defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyRoleRevoked } from '../verify/iam.ts';
import { REVOKE_SESSIONS_POLICY_NAME } from './shared/policies.ts';
import {
  captureRoleSessions,
  type RevokePolicyReading,
  type RoleCaptureDetails,
  revokeRoleSessions,
} from './shared/role-sessions.ts';
import {
  assertRevocable,
  getRolePolicy,
  listAttachedRolePolicies,
  listRolePolicies,
  readRole,
} from './shared/roles.ts';

export const RevokeRoleSessionsInputSchema = z.object({ roleName: z.string().min(1) });

export const RevokeRoleSessionsOutputSchema = z.object({
  roleName: z.string(),
  arn: z.string(),
  policyName: z.string(),
  /** Sessions issued before this instant are denied everything. */
  revokedBefore: z.string(),
  appliedByThisRun: z.boolean(),
  /** Read back: the revoke policy on the role, its aws:TokenIssueTime condition revokedBefore. */
  verification: VerificationSchema,
  notes: z.array(z.string()),
});
export type RevokeRoleSessionsOutput = z.infer<typeof RevokeRoleSessionsOutputSchema>;

/**
 * Revokes a role's active sessions the way the IAM console does (CONTAINMENT.md, "IAM role").
 *
 * Calls, in order: `GetRole` (service-linked → {@link NotAllowedError}; Identity Center
 * `AWSReservedSSO_*` → {@link NotAllowedError} pointing to Identity Center), `ListRolePolicies`,
 * `ListAttachedRolePolicies`, `GetRolePolicy riposte-revoke-older-sessions` when present;
 * `state.save('iam-role:<name>')` unless the incident has a capture of the role (made by this
 * action or by isolate-instance for its instance role: {@link captureRoleSessions});
 * `safety.assertContainable`; then `PutRolePolicy riposte-revoke-older-sessions`
 * ({@link revokeOlderSessionsPolicy} with now) unless this incident's policy is already in
 * place, by whichever action ({@link revokeRoleSessions}): the first revocation instant is kept
 * and a second run changes nothing.
 *
 * @example
 * const { output } = await runAction(revokeRoleSessionsAction, { roleName: 'payments-app-role' }, env);
 * output.revokedBefore; // '2025-06-01T12:00:00.000Z'
 */
export const revokeRoleSessionsAction = defineAction({
  id: 'revoke-role-sessions',
  family: 'contain',
  services: iamService,
  description:
    'Denies everything to the role\'s sessions issued before now (the console\'s "Revoke active sessions").',
  input: RevokeRoleSessionsInputSchema,
  output: RevokeRoleSessionsOutputSchema,
  iamActions: [
    'iam:GetRole',
    'iam:ListRolePolicies',
    'iam:ListAttachedRolePolicies',
    'iam:GetRolePolicy',
    'iam:PutRolePolicy',
  ],
  target: (input) => input.roleName,
  async run(input, env): Promise<RevokeRoleSessionsOutput> {
    const { iam } = env.clients;
    const role = await readRole(iam, input.roleName);
    assertRevocable(role);
    const inlinePolicies = await listRolePolicies(iam, input.roleName);
    const attachedPolicies = await listAttachedRolePolicies(iam, input.roleName);
    const inPlace = inlinePolicies.includes(REVOKE_SESSIONS_POLICY_NAME)
      ? await getRolePolicy(iam, input.roleName, REVOKE_SESSIONS_POLICY_NAME)
      : undefined;

    const details: RoleCaptureDetails = {
      capturedBy: 'revoke-role-sessions',
      arn: role.arn,
      tags: role.tags,
      inlinePolicies,
      attachedPolicies,
    };
    const reading: RevokePolicyReading = { document: inPlace };
    await captureRoleSessions(input.roleName, env, details, reading);

    await env.safety.assertContainable({ resource: input.roleName, tags: role.tags });

    const { revokedBefore, appliedByThisRun } = await revokeRoleSessions(input.roleName, env, {
      details,
      reading,
    });

    return {
      roleName: input.roleName,
      arn: role.arn,
      policyName: REVOKE_SESSIONS_POLICY_NAME,
      revokedBefore,
      appliedByThisRun,
      verification: await verifyRoleRevoked(env, { roleName: input.roleName, revokedBefore }),
      notes: [
        'every session of the role issued before revokedBefore is denied, including legitimate ones (other instances or services sharing the role must obtain new credentials); policy changes take effect within minutes',
        'this does not stop anyone from assuming the role again: change its trust policy or its permissions for that',
      ],
    };
  },
});

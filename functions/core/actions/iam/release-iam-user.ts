import { z } from 'zod';
import { iamService } from '../services/iam.ts';
import { defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyUserReleased } from '../verify/iam.ts';
import { restoreDenyPolicy } from './release-iam-user/deny-policy.ts';
import { load } from './release-iam-user/load.ts';
import { reactivateKeys } from './release-iam-user/reactivate-keys.ts';
import { passwordActionOf, warningsOf } from './release-iam-user/warnings.ts';
import { AccessKeyIdSchema, rotateKeyInstruction } from './shared/attacker-keys.ts';
import { DENY_ALL_POLICY_NAME } from './shared/policies.ts';

export const ReleaseUserInputSchema = z.object({
  userName: z.string().min(1),
  /** Keys the finding names as used by the attacker: never reactivated, their rotation asked. @default none */
  attackerAccessKeyIds: z.array(AccessKeyIdSchema).optional(),
});

export type ReleaseUserInput = z.infer<typeof ReleaseUserInputSchema>;

export const ReleaseUserOutputSchema = z.object({
  userName: z.string(),
  /** Keys Active before containment that this run set back to Active. */
  reactivatedAccessKeys: z.array(z.string()),
  /** Keys Active before containment that no longer exist (deleted meanwhile). */
  missingAccessKeys: z.array(z.string()),
  /** Keys of the user the finding names as the attacker's: left inactive, to be rotated. */
  keptInactiveAccessKeys: z.array(z.string()),
  denyPolicy: z.object({
    policyName: z.string(),
    /** `removed`: deleted; `restored`: put back as it was before; `absent`: nothing to do. */
    outcome: z.enum(['removed', 'restored', 'absent']),
  }),
  loginProfile: z.object({
    existedBeforeContainment: z.boolean(),
    /** Always false: the old password is unknown and cannot be restored. */
    restored: z.literal(false),
    /** What the operator must do, or null when the user had no console password. */
    operatorAction: z.string().nullable(),
  }),
  /** What an operator must do by hand (rotate the attacker's keys, set a new password), for the notification. */
  operatorActions: z.array(z.string()),
  /** Read back: the keys restored Active, the attacker's Inactive, the deny policy gone (or restored). */
  verification: VerificationSchema,
  warnings: z.array(z.string()),
});
export type ReleaseUserOutput = z.infer<typeof ReleaseUserOutputSchema>;

/**
 * Undoes {@link containUserAction} from the state it captured.
 *
 * Calls, in order: `ListAccessKeys`, `ListUserPolicies` (and `GetUserPolicy` when a previous
 * `riposte-deny-all` must be restored); then `UpdateAccessKey Status=Active` for each key that
 * was Active before and is Inactive now, except the keys the finding names as used by the
 * attacker (`attackerAccessKeyIds`: they stay inactive and `operatorActions` asks to rotate
 * them), and last `DeleteUserPolicy riposte-deny-all` (or
 * `PutUserPolicy` of the previous document), so that a failure part-way leaves the user denied.
 * The console password cannot be restored (it is unknown): the output says the operator must
 * set a new one. Throws {@link NothingToReleaseError} when nothing was captured.
 *
 * @example
 * const { output } = await runAction(releaseUserAction, { userName: 'payments-deployer' }, env);
 * output.loginProfile.operatorAction; // 'set a new console password …'
 */
export const releaseUserAction = defineAction({
  id: 'release-iam-user',
  family: 'release',
  undoes: ['contain-iam-user'],
  services: iamService,
  description:
    'Reactivates the keys that were active, removes riposte-deny-all; the console password must be reset by an operator.',
  input: ReleaseUserInputSchema,
  output: ReleaseUserOutputSchema,
  iamActions: [
    'iam:ListAccessKeys',
    'iam:ListUserPolicies',
    'iam:GetUserPolicy',
    'iam:UpdateAccessKey',
    'iam:DeleteUserPolicy',
    'iam:PutUserPolicy',
  ],
  target: (input) => input.userName,
  async run(input, env): Promise<ReleaseUserOutput> {
    const ctx = await load(env, input);
    const { capture, currentKeys, attackerKeys } = ctx;
    const { reactivated, missing } = await reactivateKeys(ctx);
    const outcome = await restoreDenyPolicy(ctx);
    const passwordAction = passwordActionOf(ctx);
    const warnings = warningsOf(ctx, reactivated, missing);
    return {
      userName: input.userName,
      reactivatedAccessKeys: reactivated,
      missingAccessKeys: missing,
      keptInactiveAccessKeys: attackerKeys.filter(
        (id) => currentKeys.find((k) => k.accessKeyId === id)?.status === 'Inactive',
      ),
      denyPolicy: { policyName: DENY_ALL_POLICY_NAME, outcome },
      loginProfile: {
        existedBeforeContainment: capture.loginProfile !== null,
        restored: false,
        operatorAction: passwordAction,
      },
      operatorActions: [
        ...attackerKeys.map((id) => rotateKeyInstruction(input.userName, id)),
        ...(passwordAction === null ? [] : [passwordAction]),
      ],
      verification: await verifyUserReleased(env, {
        userName: input.userName,
        activeKeys: capture.accessKeys
          .filter((k) => k.status === 'Active' && !attackerKeys.includes(k.accessKeyId))
          .map((k) => k.accessKeyId)
          .filter((id) => !missing.includes(id)),
        inactiveKeys: attackerKeys.filter((id) => currentKeys.some((k) => k.accessKeyId === id)),
        policyName: DENY_ALL_POLICY_NAME,
        previousDocument: capture.previousDenyPolicy,
      }),
      warnings,
    };
  },
});

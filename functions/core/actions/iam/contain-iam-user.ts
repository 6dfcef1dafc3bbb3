import { z } from 'zod';
import { iamService } from '../services/iam.ts';
import { defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyUserContained } from '../verify/iam.ts';
import { capture } from './contain-iam-user/capture.ts';
import { deactivateKeys } from './contain-iam-user/deactivate-keys.ts';
import { attachDenyAll } from './contain-iam-user/deny-all.ts';
import { flagRecent } from './contain-iam-user/flags.ts';
import { deleteLoginProfile } from './contain-iam-user/login-profile.ts';
import { DENY_ALL_POLICY, DENY_ALL_POLICY_NAME } from './shared/policies.ts';

export const ContainUserInputSchema = z.object({
  userName: z.string().min(1),
  /** Start of the incident window: keys and MFA devices created since are flagged. @default 24 h before now */
  windowStart: z.iso.datetime({ offset: true }).optional(),
});

export type ContainUserInput = z.infer<typeof ContainUserInputSchema>;

export const ContainUserOutputSchema = z.object({
  userName: z.string(),
  arn: z.string(),
  windowStart: z.string(),
  /** Keys this run set to Inactive. */
  deactivatedAccessKeys: z.array(z.string()),
  /** Every key with its status before containment (from the first capture) and now. */
  accessKeys: z.array(
    z.object({
      accessKeyId: z.string(),
      statusBefore: z.enum(['Active', 'Inactive']).nullable(),
      status: z.literal('Inactive'),
      createDate: z.string().nullable(),
      createdDuringWindow: z.boolean(),
    }),
  ),
  /** Keys created in the incident window: likely created by the attacker. */
  flaggedAccessKeys: z.array(z.object({ accessKeyId: z.string(), createDate: z.string() })),
  denyPolicy: z.object({ policyName: z.string(), attachedByThisRun: z.boolean() }),
  loginProfile: z.object({
    existedBeforeContainment: z.boolean(),
    createDate: z.string().nullable(),
    deletedByThisRun: z.boolean(),
  }),
  mfaDevices: z.array(
    z.object({
      serialNumber: z.string(),
      enableDate: z.string().nullable(),
      createdDuringWindow: z.boolean(),
    }),
  ),
  /** MFA devices enabled in the incident window: possibly registered by the attacker. */
  flaggedMfaDevices: z.array(z.object({ serialNumber: z.string(), enableDate: z.string() })),
  /** `AWSCompromisedKeyQuarantine*` policies AWS attached; left in place. */
  awsQuarantinePolicies: z.array(z.string()),
  /** Read back: every key Inactive, the deny policy attached, no login profile. */
  verification: VerificationSchema,
  notes: z.array(z.string()),
});
export type ContainUserOutput = z.infer<typeof ContainUserOutputSchema>;

/**
 * Contains an IAM user with long-term credentials (CONTAINMENT.md, "IAM user").
 *
 * Calls, in order: the reads of {@link enrichPrincipalAction} for a user (without last use)
 * plus `GetUserPolicy riposte-deny-all` when that policy exists; then `state.save('iam-user:<name>')`
 * unless a capture exists (the first one is kept) and `safety.assertContainable`; then
 * 1. `UpdateAccessKey Status=Inactive` for every Active key (never `DeleteAccessKey`),
 * 2. `PutUserPolicy riposte-deny-all` ({@link DENY_ALL_POLICY}) unless already in place,
 * 3. `DeleteLoginProfile` when the user has a console password (the capture records it existed).
 * MFA devices and keys created since `windowStart` are flagged in the output, not changed;
 * `AWSCompromisedKeyQuarantineV2` stays attached. A second run makes no state-changing call.
 *
 * @example
 * const { output } = await runAction(containUserAction, { userName: 'payments-deployer' }, env);
 * output.flaggedAccessKeys; // [{ accessKeyId: 'AKIA…', createDate: '…' }]
 */
export const containUserAction = defineAction({
  id: 'contain-iam-user',
  family: 'contain',
  services: iamService,
  description:
    "Deactivates the user's access keys, attaches the riposte-deny-all inline policy, deletes its console password; flags recent keys and MFA devices.",
  input: ContainUserInputSchema,
  output: ContainUserOutputSchema,
  iamActions: [
    'iam:GetUser',
    'iam:ListAccessKeys',
    'iam:ListUserPolicies',
    'iam:GetUserPolicy',
    'iam:ListAttachedUserPolicies',
    'iam:GetLoginProfile',
    'iam:ListMFADevices',
    'iam:UpdateAccessKey',
    'iam:PutUserPolicy',
    'iam:DeleteLoginProfile',
  ],
  target: (input) => input.userName,
  async run(input, env): Promise<ContainUserOutput> {
    const ctx = await capture(env, input);
    await env.safety.assertContainable({ resource: input.userName, tags: ctx.current.tags });
    const deactivated = await deactivateKeys(ctx);
    const attachDeny = await attachDenyAll(ctx);
    const deleteProfile = await deleteLoginProfile(ctx);
    const flags = flagRecent(ctx);
    return {
      userName: input.userName,
      arn: ctx.current.arn,
      windowStart: ctx.windowStart,
      deactivatedAccessKeys: deactivated,
      accessKeys: flags.accessKeys,
      flaggedAccessKeys: flags.flaggedAccessKeys,
      denyPolicy: { policyName: DENY_ALL_POLICY_NAME, attachedByThisRun: attachDeny },
      loginProfile: {
        existedBeforeContainment: ctx.capture.loginProfile !== null,
        createDate: ctx.capture.loginProfile?.createDate ?? null,
        deletedByThisRun: deleteProfile,
      },
      mfaDevices: flags.mfaDevices,
      flaggedMfaDevices: flags.flaggedMfaDevices,
      awsQuarantinePolicies: flags.awsQuarantinePolicies,
      verification: await verifyUserContained(env, {
        userName: input.userName,
        policyName: DENY_ALL_POLICY_NAME,
        document: DENY_ALL_POLICY,
      }),
      notes: flags.notes,
    };
  },
});

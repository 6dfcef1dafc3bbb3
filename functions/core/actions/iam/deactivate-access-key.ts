import { UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { z } from 'zod';
import { iamService } from '../services/iam.ts';
import { type ActionEnv, defineAction } from '../types.ts';
import { verifyAccessKeyInactive } from '../verify/access-key.ts';
import { VerificationSchema } from '../verify/check.ts';
import {
  KeyLastUseSchema,
  type KeyOwner,
  LongTermAccessKeyIdSchema,
  resolveKeyOwner,
} from './shared/access-key.ts';
import { parseSaved } from './shared/items.ts';

export const DeactivateAccessKeyInputSchema = z.object({
  /** The long-term key AWS named (`AKIA…`). A temporary key (`ASIA…`) cannot be deactivated. */
  accessKeyId: LongTermAccessKeyIdSchema,
});
export type DeactivateAccessKeyInput = z.infer<typeof DeactivateAccessKeyInputSchema>;

/** What deactivate-access-key saves under `iam-access-key:<id>` before its change (the first capture is kept). */
export const AccessKeyCaptureSchema = z.object({
  kind: z.literal('iam-access-key'),
  accessKeyId: z.string(),
  userName: z.string(),
  userArn: z.string(),
  status: z.enum(['Active', 'Inactive']),
  lastUsed: KeyLastUseSchema,
  capturedAt: z.string(),
});
type AccessKeyCapture = z.infer<typeof AccessKeyCaptureSchema>;

export const DeactivateAccessKeyOutputSchema = z.object({
  accessKeyId: z.string(),
  /** The IAM user owning the key, in the incident's account. */
  userName: z.string(),
  userArn: z.string(),
  account: z.string(),
  /** The key's status before Riposte changed anything (from the first capture). */
  statusBefore: z.enum(['Active', 'Inactive']),
  deactivatedByThisRun: z.boolean(),
  /** `GetAccessKeyLastUsed` before the change: date (null if never used), service, Region. */
  lastUsed: KeyLastUseSchema,
  /** AWS managed `AWSCompromisedKeyQuarantine*` policies on the user: reported, never detached. */
  awsQuarantinePolicies: z.array(z.string()),
  awsQuarantined: z.boolean(),
  /** Read back with `ListAccessKeys`: the key is Inactive. */
  verification: VerificationSchema,
  notes: z.array(z.string()),
  timeline: z.object({
    before: z.record(z.string(), z.unknown()),
    after: z.record(z.string(), z.unknown()),
  }),
});
export type DeactivateAccessKeyOutput = z.infer<typeof DeactivateAccessKeyOutputSchema>;

export const accessKeyStateKey = (accessKeyId: string): string => `iam-access-key:${accessKeyId}`;

/** Step "capture": saves the key's status and last use unless this incident saved them already. */
async function capture(env: ActionEnv, owner: KeyOwner): Promise<AccessKeyCapture> {
  const key = accessKeyStateKey(owner.accessKeyId);
  const saved = await env.state.load(key);
  if (saved !== undefined) return parseSaved(AccessKeyCaptureSchema, key, saved);
  const fresh: AccessKeyCapture = {
    kind: 'iam-access-key',
    accessKeyId: owner.accessKeyId,
    userName: owner.userName,
    userArn: owner.userArn,
    status: owner.status,
    lastUsed: owner.lastUsed,
    capturedAt: new Date(env.now()).toISOString(),
  };
  await env.state.save(key, fresh);
  return fresh;
}

/** Step "deactivate": `UpdateAccessKey Status=Inactive` for exactly this key, when it is Active. */
async function deactivate(env: ActionEnv, owner: KeyOwner): Promise<boolean> {
  if (owner.status !== 'Active') return false;
  await env.clients.iam.send(
    new UpdateAccessKeyCommand({
      UserName: owner.userName,
      AccessKeyId: owner.accessKeyId,
      Status: 'Inactive',
    }),
  );
  return true;
}

function notesOf(owner: KeyOwner, saved: AccessKeyCapture): string[] {
  return [
    saved.status === 'Inactive'
      ? `access key ${owner.accessKeyId} was already Inactive: nothing to change`
      : `access key ${owner.accessKeyId} deactivated (not deleted: the key id stays searchable in CloudTrail; rotate it, then delete it once the investigation is over)`,
    saved.lastUsed.date === null
      ? 'IAM records no use of the key'
      : `last used ${saved.lastUsed.date} with ${saved.lastUsed.serviceName} in ${saved.lastUsed.region}`,
    ...owner.awsQuarantinePolicies.map(
      (name) =>
        `${name} was attached by AWS to ${owner.userName}: left in place; follow the AWS Support case`,
    ),
  ];
}

/**
 * Deactivates the one access key AWS reported exposed or compromised, as AWS asks of an account
 * whose credentials may be compromised (https://repost.aws/knowledge-center/potential-account-compromise,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html,
 * https://docs.aws.amazon.com/guardduty/latest/ug/compromised-creds.html): deactivate, never
 * delete, so the key id stays searchable and the owner can rotate it. AWS's own quarantine
 * policy (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCompromisedKeyQuarantineV3.html)
 * says not to remove it: it is reported, never detached.
 *
 * Calls, in order: `GetAccessKeyLastUsed` (the owner and the key's last use, the evidence),
 * `GetUser` (the owner's ARN must be in the incident's account; its tags), `ListAccessKeys`
 * (the key must be the owner's; its status), `ListAttachedUserPolicies` (AWS's
 * `AWSCompromisedKeyQuarantine*`, reported, never detached); `state.save('iam-access-key:<id>')`
 * unless saved already; `safety.assertContainable` on the owner; then `UpdateAccessKey
 * UserName=<owner> AccessKeyId=<key> Status=Inactive`
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html) when the key
 * is Active; then `ListAccessKeys` again to read the key back as Inactive. Never `DeleteAccessKey`.
 *
 * @throws AccessKeyNotFoundError (nothing changed) when the key cannot be tied to a user of the incident's account
 *
 * @example
 * const { output } = await runAction(deactivateAccessKeyAction, { accessKeyId: 'AKIAEXAMPLEEXPOSED01' }, env);
 * output.userName; // 'ci-deployer'
 * output.verification.verified; // true
 */
export const deactivateAccessKeyAction = defineAction({
  id: 'deactivate-access-key',
  family: 'contain',
  services: iamService,
  description:
    'Deactivates exactly the named access key (never deletes it) after tying it to a user of the account; records its last use and AWS quarantine policies.',
  input: DeactivateAccessKeyInputSchema,
  output: DeactivateAccessKeyOutputSchema,
  iamActions: [
    'iam:GetAccessKeyLastUsed',
    'iam:GetUser',
    'iam:ListAccessKeys',
    'iam:ListAttachedUserPolicies',
    'iam:UpdateAccessKey',
  ],
  target: (input) => input.accessKeyId,
  async run(input, env): Promise<DeactivateAccessKeyOutput> {
    const owner = await resolveKeyOwner(env.clients.iam, input.accessKeyId, env.execution.account);
    const saved = await capture(env, owner);
    await env.safety.assertContainable({ resource: owner.userName, tags: owner.tags });
    const deactivated = await deactivate(env, owner);
    const verification = await verifyAccessKeyInactive(env, owner);
    return {
      accessKeyId: owner.accessKeyId,
      userName: owner.userName,
      userArn: owner.userArn,
      account: owner.account,
      statusBefore: saved.status,
      deactivatedByThisRun: deactivated,
      lastUsed: saved.lastUsed,
      awsQuarantinePolicies: owner.awsQuarantinePolicies,
      awsQuarantined: owner.awsQuarantinePolicies.length > 0,
      verification,
      notes: notesOf(owner, saved),
      timeline: {
        before: {
          accessKeyId: owner.accessKeyId,
          userName: owner.userName,
          status: saved.status,
          lastUsed: saved.lastUsed,
        },
        after: {
          status: 'Inactive',
          deactivatedByThisRun: deactivated,
          awsQuarantinePolicies: owner.awsQuarantinePolicies,
        },
      },
    };
  },
});

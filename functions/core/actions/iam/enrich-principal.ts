import { GetAccessKeyLastUsedCommand, type IAMClient } from '@aws-sdk/client-iam';
import { z } from 'zod';
import { InvalidInputError } from '../../errors.ts';
import { ResourceNotFoundError } from '../errors.ts';
import { iamService } from '../services/iam.ts';
import { defineAction } from '../types.ts';
import { iso, tagValue } from './shared/items.ts';
import {
  AWS_QUARANTINE_PREFIX,
  DENY_ALL_POLICY_NAME,
  REVOKE_SESSIONS_POLICY_NAME,
} from './shared/policies.ts';
import { listAttachedRolePolicies, listRolePolicies, readRole } from './shared/roles.ts';
import { AttachedPolicySchema, MfaDeviceSchema, readUser } from './shared/users.ts';

export const AccessKeyOutputSchema = z.object({
  accessKeyId: z.string(),
  status: z.enum(['Active', 'Inactive']),
  createDate: z.string().nullable(),
  /** `date` is null and service/region `N/A` when the key was never used. */
  lastUsed: z.object({ date: z.string().nullable(), serviceName: z.string(), region: z.string() }),
});

export const PrincipalCommonSchema = {
  name: z.string(),
  arn: z.string(),
  id: z.string(),
  path: z.string(),
  createDate: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  /** From the `owner` tag (any case). */
  owner: z.string().nullable(),
  /** From the `environment` or `env` tag (any case). */
  environment: z.string().nullable(),
  attachedPolicies: z.array(AttachedPolicySchema),
  inlinePolicies: z.array(z.string()),
};

export const UserPrincipalSchema = z.object({
  principalType: z.literal('user'),
  ...PrincipalCommonSchema,
  /** The access key id the principal was resolved from, when the input was a key. */
  resolvedFromAccessKeyId: z.string().nullable(),
  accessKeys: z.array(AccessKeyOutputSchema),
  mfaDevices: z.array(MfaDeviceSchema),
  loginProfile: z.object({ present: z.boolean(), createDate: z.string().nullable() }),
  passwordLastUsed: z.string().nullable(),
  /** Whether AWS attached `AWSCompromisedKeyQuarantine*` (exposed key found by AWS). */
  awsQuarantinePolicyAttached: z.boolean(),
  /** Whether Riposte's `riposte-deny-all` is in place (the user is contained). */
  contained: z.boolean(),
});

export const RolePrincipalSchema = z.object({
  principalType: z.literal('role'),
  ...PrincipalCommonSchema,
  serviceLinked: z.boolean(),
  /** An IAM Identity Center permission-set role: its sessions are revoked in Identity Center. */
  identityCenter: z.boolean(),
  maxSessionDuration: z.number().nullable(),
  lastUsed: z.object({ date: z.string().nullable(), region: z.string().nullable() }).nullable(),
  /** Whether Riposte's `riposte-revoke-older-sessions` is in place. */
  sessionsRevoked: z.boolean(),
});

export const EnrichPrincipalOutputSchema = z.discriminatedUnion('principalType', [
  UserPrincipalSchema,
  RolePrincipalSchema,
]);
export type EnrichPrincipalOutput = z.infer<typeof EnrichPrincipalOutputSchema>;

export const EnrichPrincipalInputSchema = z
  .object({
    userName: z.string().min(1).optional(),
    roleName: z.string().min(1).optional(),
    /** A long-term key id (`AKIA…`): resolved to its user with GetAccessKeyLastUsed. */
    accessKeyId: z.string().min(16).optional(),
  })
  .refine((i) => [i.userName ?? i.accessKeyId, i.roleName].filter((v) => v !== undefined).length === 1, {
    message: 'give userName and/or accessKeyId, or roleName',
  });

export type EnrichPrincipalInput = z.infer<typeof EnrichPrincipalInputSchema>;

export async function lastUsed(iam: IAMClient, accessKeyId: string) {
  const out = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }));
  return {
    userName: out.UserName,
    lastUsed: {
      date: iso(out.AccessKeyLastUsed?.LastUsedDate),
      serviceName: out.AccessKeyLastUsed?.ServiceName ?? 'N/A',
      region: out.AccessKeyLastUsed?.Region ?? 'N/A',
    },
  };
}

/**
 * Describes an IAM user or role for the playbook: identity, owner and environment tags,
 * policies, and for a user its keys (with last use), MFA devices and console access.
 *
 * Calls, in order: for an access key id, `GetAccessKeyLastUsed` (its `UserName` is the user);
 * for a user `GetUser`, `ListAccessKeys`, `ListUserPolicies`, `ListAttachedUserPolicies`,
 * `GetLoginProfile`, `ListMFADevices`, then `GetAccessKeyLastUsed` per key; for a role
 * `GetRole`, `ListRolePolicies`, `ListAttachedRolePolicies`. Reads only.
 *
 * @example
 * const { output } = await runAction(enrichPrincipalAction, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }, env);
 * if (output.principalType === 'user') output.accessKeys.filter((k) => k.status === 'Active');
 */
export const enrichPrincipalAction = defineAction({
  id: 'enrich-principal',
  family: 'enrich',
  services: iamService,
  description:
    'Describes an IAM user (from its name or an access key id) or role: tags, keys, policies, MFA, console.',
  input: EnrichPrincipalInputSchema,
  output: EnrichPrincipalOutputSchema,
  iamActions: [
    'iam:GetAccessKeyLastUsed',
    'iam:GetUser',
    'iam:ListAccessKeys',
    'iam:ListUserPolicies',
    'iam:ListAttachedUserPolicies',
    'iam:GetLoginProfile',
    'iam:ListMFADevices',
    'iam:GetRole',
    'iam:ListRolePolicies',
    'iam:ListAttachedRolePolicies',
  ],
  target: (input) => input.userName ?? input.roleName ?? input.accessKeyId ?? '',
  async run(input, env): Promise<EnrichPrincipalOutput> {
    const { iam } = env.clients;
    if (input.roleName !== undefined) return enrichRole(iam, input.roleName);
    return enrichUser(iam, input);
  },
});

type LastUse = Awaited<ReturnType<typeof lastUsed>>['lastUsed'];

/** A role: `GetRole`, `ListRolePolicies`, `ListAttachedRolePolicies`. */
async function enrichRole(iam: IAMClient, roleName: string): Promise<EnrichPrincipalOutput> {
  const role = await readRole(iam, roleName);
  const inlinePolicies = await listRolePolicies(iam, roleName);
  const attachedPolicies = await listAttachedRolePolicies(iam, roleName);
  return {
    principalType: 'role',
    name: role.roleName,
    arn: role.arn,
    id: role.roleId,
    path: role.path,
    createDate: role.createDate,
    tags: role.tags,
    owner: tagValue(role.tags, ['owner']),
    environment: tagValue(role.tags, ['environment', 'env']),
    attachedPolicies,
    inlinePolicies,
    serviceLinked: role.serviceLinked,
    identityCenter: role.identityCenter,
    maxSessionDuration: role.maxSessionDuration,
    lastUsed: role.lastUsed,
    sessionsRevoked: inlinePolicies.includes(REVOKE_SESSIONS_POLICY_NAME),
  };
}

/** The user of `input`: from its name, or from its access key (`GetAccessKeyLastUsed`), with the key's last use. */
async function resolveUser(
  iam: IAMClient,
  input: EnrichPrincipalInput,
): Promise<{ userName: string; known: Map<string, LastUse> }> {
  const known = new Map<string, LastUse>();
  let userName = input.userName;
  if (input.accessKeyId !== undefined) {
    if (input.accessKeyId.startsWith('ASIA')) {
      throw new InvalidInputError(
        `${input.accessKeyId} is a temporary key (ASIA…): IAM cannot resolve it; take the role from the event's session context and pass roleName`,
      );
    }
    const resolved = await lastUsed(iam, input.accessKeyId);
    if (resolved.userName === undefined) {
      throw new ResourceNotFoundError(`no IAM user owns access key ${input.accessKeyId} in this account`);
    }
    if (userName !== undefined && userName !== resolved.userName) {
      throw new InvalidInputError(
        `access key ${input.accessKeyId} belongs to ${resolved.userName}, not ${userName}`,
      );
    }
    userName = resolved.userName;
    known.set(input.accessKeyId, resolved.lastUsed);
  }
  if (userName === undefined) throw new InvalidInputError('give userName, accessKeyId or roleName');
  return { userName, known };
}

/** A user: the reads of {@link readUser}, then `GetAccessKeyLastUsed` per key not known yet. */
async function enrichUser(iam: IAMClient, input: EnrichPrincipalInput): Promise<EnrichPrincipalOutput> {
  const { userName, known } = await resolveUser(iam, input);
  const user = await readUser(iam, userName);
  const accessKeys = [];
  for (const key of user.accessKeys) {
    const used = known.get(key.accessKeyId) ?? (await lastUsed(iam, key.accessKeyId)).lastUsed;
    accessKeys.push({ ...key, lastUsed: used });
  }
  return {
    principalType: 'user',
    name: user.userName,
    arn: user.arn,
    id: user.userId,
    path: user.path,
    createDate: user.createDate,
    tags: user.tags,
    owner: tagValue(user.tags, ['owner']),
    environment: tagValue(user.tags, ['environment', 'env']),
    attachedPolicies: user.attachedPolicies,
    inlinePolicies: user.inlinePolicies,
    resolvedFromAccessKeyId: input.accessKeyId ?? null,
    accessKeys,
    mfaDevices: user.mfaDevices,
    loginProfile: {
      present: user.loginProfile !== null,
      createDate: user.loginProfile?.createDate ?? null,
    },
    passwordLastUsed: user.passwordLastUsed,
    awsQuarantinePolicyAttached: user.attachedPolicies.some((p) => p.name.startsWith(AWS_QUARANTINE_PREFIX)),
    contained: user.inlinePolicies.includes(DENY_ALL_POLICY_NAME),
  };
}

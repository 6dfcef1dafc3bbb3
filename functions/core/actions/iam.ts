import {
  DeleteLoginProfileCommand,
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetAccessKeyLastUsedCommand,
  GetLoginProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListMFADevicesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  type Tag,
  UpdateAccessKeyCommand,
  type User,
} from '@aws-sdk/client-iam';
import { z } from 'zod';
import { InvalidInputError } from '../errors.ts';
import {
  hasErrorCode,
  NotAllowedError,
  NothingToReleaseError,
  ProtectedResourceError,
  ResourceNotFoundError,
} from './errors.ts';
import { AccessKeyIdSchema, attackerKeysOf, rotateKeyInstruction } from './iam-attacker-keys.ts';
import { iamService } from './services/iam.ts';
import { tagValueOf } from './tags.ts';
import { type ActionEnv, defineAction } from './types.ts';
import { VerificationSchema } from './verify/check.ts';
import {
  verifyRoleReleased,
  verifyRoleRevoked,
  verifyUserContained,
  verifyUserReleased,
} from './verify/iam.ts';

/**
 * IAM actions: enrich a principal, contain a user (keys, deny-all, console), revoke a role's
 * sessions, and release both. They follow "Revoking compromised IAM credentials" in
 * CONTAINMENT.md: capture first, rails, then reversible changes only (keys are deactivated,
 * never deleted), and every containment can be undone from the captured state.
 */

/** The inline policy that denies everything to a contained user. */
export const DENY_ALL_POLICY_NAME = 'riposte-deny-all';
/** The inline policy that revokes a role's sessions issued before the containment. */
export const REVOKE_SESSIONS_POLICY_NAME = 'riposte-revoke-older-sessions';
/** Managed policies AWS attaches to a user whose key it found exposed; Riposte never detaches them. */
const AWS_QUARANTINE_PREFIX = 'AWSCompromisedKeyQuarantine';
const DAY_MS = 24 * 3_600_000;

/**
 * The user deny policy: one unconditional `Deny *` on `*`.
 *
 * CONTAINMENT.md asks for a deny that also kills temporary credentials minted from the keys
 * (`GetSessionToken` / `GetFederationToken`). Those credentials can never have more
 * permissions than the user, and this deny applies to the user itself, so it blocks them
 * whatever their `aws:TokenIssueTime`: a second statement conditioned on
 * `aws:TokenIssueTime` would be redundant while this one is attached.
 */
export const DENY_ALL_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'RiposteContainment', Effect: 'Deny', Action: '*', Resource: '*' }],
} as const;

/**
 * The policy the IAM console's "Revoke active sessions" attaches (there named
 * `AWSRevokeOlderSessions`): deny everything to sessions issued before `issuedBefore`.
 * Riposte uses its own policy name so that its release never removes a revocation an operator
 * made in the console.
 *
 * @example
 * revokeOlderSessionsPolicy('2025-06-01T12:00:00.000Z').Statement[0].Condition;
 * // { DateLessThan: { 'aws:TokenIssueTime': '2025-06-01T12:00:00.000Z' } }
 */
export function revokeOlderSessionsPolicy(issuedBefore: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Action: ['*'],
        Resource: ['*'],
        Condition: { DateLessThan: { 'aws:TokenIssueTime': issuedBefore } },
      },
    ],
  } as const;
}

// ---------------------------------------------------------------------------------------------
// Reading principals

function tagRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  return Object.fromEntries(
    (tags ?? []).flatMap((t) => (t.Key === undefined ? [] : [[t.Key, t.Value ?? '']])),
  );
}

function iso(date: Date | undefined): string | null {
  return date === undefined ? null : date.toISOString();
}

/** IAM answers policy documents URL-encoded (RFC 3986); the SDK leaves them encoded. */
function decodePolicyDocument(document: string | undefined): unknown {
  if (document === undefined) return undefined;
  const text = document.trimStart().startsWith('{') ? document : decodeURIComponent(document);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function sameDocument(current: unknown, wanted: unknown): boolean {
  return JSON.stringify(current) === JSON.stringify(wanted);
}

/** Every page of an IAM list operation (`Marker` / `IsTruncated`). */
async function collect<T>(
  fetch: (
    marker: string | undefined,
  ) => Promise<{ items: readonly T[] | undefined; next: string | undefined }>,
): Promise<T[]> {
  const all: T[] = [];
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    all.push(...(page.items ?? []));
    marker = page.next;
  } while (marker !== undefined);
  return all;
}

const next = (out: { IsTruncated?: boolean | undefined; Marker?: string | undefined }): string | undefined =>
  out.IsTruncated === true ? out.Marker : undefined;
const markerParam = (value: string | undefined): { Marker?: string } =>
  value === undefined ? {} : { Marker: value };

const AccessKeyStateSchema = z.object({
  accessKeyId: z.string(),
  status: z.enum(['Active', 'Inactive']),
  createDate: z.string().nullable(),
});
const AttachedPolicySchema = z.object({ name: z.string(), arn: z.string() });
const MfaDeviceSchema = z.object({ serialNumber: z.string(), enableDate: z.string().nullable() });
const LoginProfileStateSchema = z.object({
  createDate: z.string().nullable(),
  passwordResetRequired: z.boolean(),
});

interface UserSnapshot {
  readonly userName: string;
  readonly arn: string;
  readonly userId: string;
  readonly path: string;
  readonly createDate: string | null;
  readonly passwordLastUsed: string | null;
  readonly tags: Record<string, string>;
  readonly accessKeys: z.infer<typeof AccessKeyStateSchema>[];
  readonly inlinePolicies: string[];
  readonly attachedPolicies: z.infer<typeof AttachedPolicySchema>[];
  readonly loginProfile: z.infer<typeof LoginProfileStateSchema> | null;
  readonly mfaDevices: z.infer<typeof MfaDeviceSchema>[];
}

async function listAccessKeys(iam: IAMClient, userName: string): Promise<UserSnapshot['accessKeys']> {
  const keys = await collect(async (m) => {
    const out = await iam.send(new ListAccessKeysCommand({ UserName: userName, ...markerParam(m) }));
    return { items: out.AccessKeyMetadata, next: next(out) };
  });
  return keys.flatMap((k) =>
    k.AccessKeyId === undefined
      ? []
      : [
          {
            accessKeyId: k.AccessKeyId,
            status: k.Status === 'Active' ? 'Active' : 'Inactive',
            createDate: iso(k.CreateDate),
          },
        ],
  );
}

async function listUserPolicies(iam: IAMClient, userName: string): Promise<string[]> {
  return collect(async (m) => {
    const out = await iam.send(new ListUserPoliciesCommand({ UserName: userName, ...markerParam(m) }));
    return { items: out.PolicyNames, next: next(out) };
  });
}

async function getLoginProfile(iam: IAMClient, userName: string): Promise<UserSnapshot['loginProfile']> {
  try {
    const out = await iam.send(new GetLoginProfileCommand({ UserName: userName }));
    return {
      createDate: iso(out.LoginProfile?.CreateDate),
      passwordResetRequired: out.LoginProfile?.PasswordResetRequired === true,
    };
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchEntity')) return null;
    throw error;
  }
}

/**
 * Reads a user: GetUser, ListAccessKeys, ListUserPolicies, ListAttachedUserPolicies,
 * GetLoginProfile, ListMFADevices (in this order, every page).
 */
async function readUser(iam: IAMClient, userName: string): Promise<UserSnapshot> {
  let user: User | undefined;
  try {
    user = (await iam.send(new GetUserCommand({ UserName: userName }))).User;
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchEntity')) {
      throw new ResourceNotFoundError(`IAM user ${userName} does not exist`, { cause: error });
    }
    throw error;
  }
  const accessKeys = await listAccessKeys(iam, userName);
  const inlinePolicies = await listUserPolicies(iam, userName);
  const attached = await collect(async (m) => {
    const out = await iam.send(
      new ListAttachedUserPoliciesCommand({ UserName: userName, ...markerParam(m) }),
    );
    return { items: out.AttachedPolicies, next: next(out) };
  });
  const loginProfile = await getLoginProfile(iam, userName);
  const mfa = await collect(async (m) => {
    const out = await iam.send(new ListMFADevicesCommand({ UserName: userName, ...markerParam(m) }));
    return { items: out.MFADevices, next: next(out) };
  });
  return {
    userName,
    arn: user?.Arn ?? '',
    userId: user?.UserId ?? '',
    path: user?.Path ?? '/',
    createDate: iso(user?.CreateDate),
    passwordLastUsed: iso(user?.PasswordLastUsed),
    tags: tagRecord(user?.Tags),
    accessKeys,
    inlinePolicies,
    attachedPolicies: attached.map((p) => ({ name: p.PolicyName ?? '', arn: p.PolicyArn ?? '' })),
    loginProfile,
    mfaDevices: mfa.map((d) => ({ serialNumber: d.SerialNumber ?? '', enableDate: iso(d.EnableDate) })),
  };
}

interface RoleSnapshot {
  readonly roleName: string;
  readonly arn: string;
  readonly roleId: string;
  readonly path: string;
  readonly createDate: string | null;
  readonly maxSessionDuration: number | null;
  readonly lastUsed: { readonly date: string | null; readonly region: string | null } | null;
  readonly tags: Record<string, string>;
  readonly serviceLinked: boolean;
  readonly identityCenter: boolean;
}

/** GetRole; a missing role is a {@link ResourceNotFoundError}. */
async function readRole(iam: IAMClient, roleName: string): Promise<RoleSnapshot> {
  try {
    const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
    const path = role?.Path ?? '/';
    const lastUsed = role?.RoleLastUsed;
    return {
      roleName,
      arn: role?.Arn ?? '',
      roleId: role?.RoleId ?? '',
      path,
      createDate: iso(role?.CreateDate),
      maxSessionDuration: role?.MaxSessionDuration ?? null,
      lastUsed:
        lastUsed?.LastUsedDate === undefined
          ? null
          : { date: iso(lastUsed.LastUsedDate), region: lastUsed.Region ?? null },
      tags: tagRecord(role?.Tags),
      // Service-linked roles live under /aws-service-role/; Identity Center roles under
      // /aws-reserved/sso.amazonaws.com/ and are named AWSReservedSSO_<permission set>_<id>.
      serviceLinked: path.startsWith('/aws-service-role/'),
      identityCenter:
        roleName.startsWith('AWSReservedSSO_') || path.startsWith('/aws-reserved/sso.amazonaws.com/'),
    };
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchEntity')) {
      throw new ResourceNotFoundError(`IAM role ${roleName} does not exist`, { cause: error });
    }
    throw error;
  }
}

async function listRolePolicies(iam: IAMClient, roleName: string): Promise<string[]> {
  return collect(async (m) => {
    const out = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName, ...markerParam(m) }));
    return { items: out.PolicyNames, next: next(out) };
  });
}

async function listAttachedRolePolicies(
  iam: IAMClient,
  roleName: string,
): Promise<{ name: string; arn: string }[]> {
  const attached = await collect(async (m) => {
    const out = await iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: roleName, ...markerParam(m) }),
    );
    return { items: out.AttachedPolicies, next: next(out) };
  });
  return attached.map((p) => ({ name: p.PolicyName ?? '', arn: p.PolicyArn ?? '' }));
}

async function getUserPolicy(iam: IAMClient, userName: string, policyName: string): Promise<unknown> {
  const out = await iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: policyName }));
  return decodePolicyDocument(out.PolicyDocument);
}

async function getRolePolicy(iam: IAMClient, roleName: string, policyName: string): Promise<unknown> {
  const out = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
  return decodePolicyDocument(out.PolicyDocument);
}

/** The tag value for any of `keys`, compared case-insensitively. */
function tagValue(tags: Readonly<Record<string, string>>, keys: readonly string[]): string | null {
  return tagValueOf(tags, keys);
}

function parseSaved<T extends z.ZodType>(schema: T, key: string, saved: Record<string, unknown>): z.infer<T> {
  const parsed = schema.safeParse(saved);
  if (!parsed.success) {
    throw new InvalidInputError(`the state saved for ${key} is not readable: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// enrich-principal

const AccessKeyOutputSchema = z.object({
  accessKeyId: z.string(),
  status: z.enum(['Active', 'Inactive']),
  createDate: z.string().nullable(),
  /** `date` is null and service/region `N/A` when the key was never used. */
  lastUsed: z.object({ date: z.string().nullable(), serviceName: z.string(), region: z.string() }),
});

const PrincipalCommonSchema = {
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

async function lastUsed(iam: IAMClient, accessKeyId: string) {
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
    if (input.roleName !== undefined) {
      const role = await readRole(iam, input.roleName);
      const inlinePolicies = await listRolePolicies(iam, input.roleName);
      const attachedPolicies = await listAttachedRolePolicies(iam, input.roleName);
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

    const known = new Map<string, Awaited<ReturnType<typeof lastUsed>>['lastUsed']>();
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
      awsQuarantinePolicyAttached: user.attachedPolicies.some((p) =>
        p.name.startsWith(AWS_QUARANTINE_PREFIX),
      ),
      contained: user.inlinePolicies.includes(DENY_ALL_POLICY_NAME),
    };
  },
});

// ---------------------------------------------------------------------------------------------
// contain-iam-user / release-iam-user

/** What contain-iam-user saves under `iam-user:<name>` before its first change. */
const UserCaptureSchema = z.object({
  kind: z.literal('iam-user'),
  userName: z.string(),
  arn: z.string(),
  tags: z.record(z.string(), z.string()),
  capturedAt: z.string(),
  windowStart: z.string(),
  accessKeys: z.array(AccessKeyStateSchema),
  inlinePolicies: z.array(z.string()),
  attachedPolicies: z.array(AttachedPolicySchema),
  /** The `riposte-deny-all` document in place before containment (a previous incident), if any. */
  previousDenyPolicy: z.unknown().optional(),
  loginProfile: LoginProfileStateSchema.nullable(),
  mfaDevices: z.array(MfaDeviceSchema),
});
type UserCapture = z.infer<typeof UserCaptureSchema>;

const userStateKey = (userName: string): string => `iam-user:${userName}`;

function inWindow(date: string | null, windowStart: string): boolean {
  return date !== null && Date.parse(date) >= Date.parse(windowStart);
}

export const ContainUserInputSchema = z.object({
  userName: z.string().min(1),
  /** Start of the incident window: keys and MFA devices created since are flagged. @default 24 h before now */
  windowStart: z.iso.datetime({ offset: true }).optional(),
});

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
    const { iam } = env.clients;
    const now = env.now();
    const current = await readUser(iam, input.userName);
    const denyInPlace = current.inlinePolicies.includes(DENY_ALL_POLICY_NAME)
      ? await getUserPolicy(iam, input.userName, DENY_ALL_POLICY_NAME)
      : undefined;

    const key = userStateKey(input.userName);
    const saved = await env.state.load(key);
    let capture: UserCapture;
    if (saved === undefined) {
      capture = {
        kind: 'iam-user',
        userName: current.userName,
        arn: current.arn,
        tags: current.tags,
        capturedAt: new Date(now).toISOString(),
        windowStart: new Date(input.windowStart ?? now - DAY_MS).toISOString(),
        accessKeys: current.accessKeys,
        inlinePolicies: current.inlinePolicies,
        attachedPolicies: current.attachedPolicies,
        ...(denyInPlace === undefined ? {} : { previousDenyPolicy: denyInPlace }),
        loginProfile: current.loginProfile,
        mfaDevices: current.mfaDevices,
      };
      await env.state.save(key, capture);
    } else {
      capture = parseSaved(UserCaptureSchema, key, saved);
    }
    const windowStart =
      input.windowStart === undefined ? capture.windowStart : new Date(input.windowStart).toISOString();

    await env.safety.assertContainable({ resource: input.userName, tags: current.tags });

    // 1. Deactivate, never delete: reversible, and the key id stays searchable in CloudTrail.
    const deactivated: string[] = [];
    for (const accessKey of current.accessKeys) {
      if (accessKey.status !== 'Active') continue;
      await iam.send(
        new UpdateAccessKeyCommand({
          UserName: input.userName,
          AccessKeyId: accessKey.accessKeyId,
          Status: 'Inactive',
        }),
      );
      deactivated.push(accessKey.accessKeyId);
    }

    // 2. Deny everything, including temporary credentials minted from the keys.
    const attachDeny = denyInPlace === undefined || !sameDocument(denyInPlace, DENY_ALL_POLICY);
    if (attachDeny) {
      await iam.send(
        new PutUserPolicyCommand({
          UserName: input.userName,
          PolicyName: DENY_ALL_POLICY_NAME,
          PolicyDocument: JSON.stringify(DENY_ALL_POLICY),
        }),
      );
    }

    // 3. Passwords cannot be deactivated: delete the login profile (the capture says it existed).
    const deleteProfile = current.loginProfile !== null;
    if (deleteProfile) await iam.send(new DeleteLoginProfileCommand({ UserName: input.userName }));

    const statusBefore = new Map(capture.accessKeys.map((k) => [k.accessKeyId, k.status]));
    const accessKeys = current.accessKeys.map((k) => ({
      accessKeyId: k.accessKeyId,
      statusBefore: statusBefore.get(k.accessKeyId) ?? null,
      status: 'Inactive' as const,
      createDate: k.createDate,
      createdDuringWindow: inWindow(k.createDate, windowStart),
    }));
    const flaggedAccessKeys = accessKeys.flatMap((k) =>
      k.createdDuringWindow && k.createDate !== null
        ? [{ accessKeyId: k.accessKeyId, createDate: k.createDate }]
        : [],
    );
    const mfaDevices = current.mfaDevices.map((d) => ({
      ...d,
      createdDuringWindow: inWindow(d.enableDate, windowStart),
    }));
    const flaggedMfaDevices = mfaDevices.flatMap((d) =>
      d.createdDuringWindow && d.enableDate !== null
        ? [{ serialNumber: d.serialNumber, enableDate: d.enableDate }]
        : [],
    );
    const awsQuarantinePolicies = current.attachedPolicies
      .filter((p) => p.name.startsWith(AWS_QUARANTINE_PREFIX))
      .map((p) => p.name);

    const notes = [
      `${DENY_ALL_POLICY_NAME} denies * on * without condition: it blocks the user's keys, console and every temporary credential minted from them (GetSessionToken/GetFederationToken), so no separate aws:TokenIssueTime statement is needed. Policy changes take effect within minutes.`,
      ...flaggedAccessKeys.map(
        (k) =>
          `access key ${k.accessKeyId} was created during the incident window (${k.createDate}): likely the attacker's; it is inactive, delete it once the investigation is over`,
      ),
      ...flaggedMfaDevices.map(
        (d) =>
          `MFA device ${d.serialNumber} was enabled during the incident window (${d.enableDate}): check whether the attacker registered it`,
      ),
      ...awsQuarantinePolicies.map((name) => `${name} was attached by AWS and is left in place`),
      'hunt: search CloudTrail for the key ids; look for new access keys on other users, new roles with external trust, new Lambda functions',
    ];

    return {
      userName: input.userName,
      arn: current.arn,
      windowStart,
      deactivatedAccessKeys: deactivated,
      accessKeys,
      flaggedAccessKeys,
      denyPolicy: { policyName: DENY_ALL_POLICY_NAME, attachedByThisRun: attachDeny },
      loginProfile: {
        existedBeforeContainment: capture.loginProfile !== null,
        createDate: capture.loginProfile?.createDate ?? null,
        deletedByThisRun: deleteProfile,
      },
      mfaDevices,
      flaggedMfaDevices,
      awsQuarantinePolicies,
      verification: await verifyUserContained(env, {
        userName: input.userName,
        policyName: DENY_ALL_POLICY_NAME,
        document: DENY_ALL_POLICY,
      }),
      notes,
    };
  },
});

export const ReleaseUserInputSchema = z.object({
  userName: z.string().min(1),
  /** Keys the finding names as used by the attacker: never reactivated, their rotation asked. @default none */
  attackerAccessKeyIds: z.array(AccessKeyIdSchema).optional(),
});

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
    const { iam } = env.clients;
    const key = userStateKey(input.userName);
    const saved = await env.state.load(key);
    if (saved === undefined) {
      throw new NothingToReleaseError(
        `no containment of IAM user ${input.userName} was recorded in this incident`,
      );
    }
    const capture = parseSaved(UserCaptureSchema, key, saved);

    let currentKeys: UserSnapshot['accessKeys'];
    try {
      currentKeys = await listAccessKeys(iam, input.userName);
    } catch (error) {
      if (hasErrorCode(error, 'NoSuchEntity')) {
        throw new ResourceNotFoundError(`IAM user ${input.userName} does not exist`, { cause: error });
      }
      throw error;
    }
    const inline = await listUserPolicies(iam, input.userName);
    const restorePrevious = capture.previousDenyPolicy !== undefined;
    const denyNow =
      restorePrevious && inline.includes(DENY_ALL_POLICY_NAME)
        ? await getUserPolicy(iam, input.userName, DENY_ALL_POLICY_NAME)
        : undefined;

    const attackerKeys = attackerKeysOf(input.attackerAccessKeyIds ?? [], [
      ...capture.accessKeys.map((k) => k.accessKeyId),
      ...currentKeys.map((k) => k.accessKeyId),
    ]);
    const reactivated: string[] = [];
    const missing: string[] = [];
    for (const before of capture.accessKeys) {
      if (before.status !== 'Active' || attackerKeys.includes(before.accessKeyId)) continue;
      const now = currentKeys.find((k) => k.accessKeyId === before.accessKeyId);
      if (now === undefined) {
        missing.push(before.accessKeyId);
        continue;
      }
      if (now.status === 'Active') continue;
      await iam.send(
        new UpdateAccessKeyCommand({
          UserName: input.userName,
          AccessKeyId: before.accessKeyId,
          Status: 'Active',
        }),
      );
      reactivated.push(before.accessKeyId);
    }

    let outcome: 'removed' | 'restored' | 'absent' = 'absent';
    if (restorePrevious) {
      if (denyNow === undefined || !sameDocument(denyNow, capture.previousDenyPolicy)) {
        await iam.send(
          new PutUserPolicyCommand({
            UserName: input.userName,
            PolicyName: DENY_ALL_POLICY_NAME,
            PolicyDocument: JSON.stringify(capture.previousDenyPolicy),
          }),
        );
        outcome = 'restored';
      }
    } else if (inline.includes(DENY_ALL_POLICY_NAME)) {
      await iam.send(
        new DeleteUserPolicyCommand({ UserName: input.userName, PolicyName: DENY_ALL_POLICY_NAME }),
      );
      outcome = 'removed';
    }

    const hadProfile = capture.loginProfile !== null;
    const passwordAction = hadProfile
      ? `the console password of ${input.userName} was deleted and cannot be restored (it is unknown): set a new one (CreateLoginProfile with PasswordResetRequired=true) and give it to the user out of band`
      : null;
    const warnings = [
      ...reactivated
        .filter((id) =>
          inWindow(
            capture.accessKeys.find((k) => k.accessKeyId === id)?.createDate ?? null,
            capture.windowStart,
          ),
        )
        .map(
          (id) =>
            `access key ${id} was created during the incident window and is active again: if the attacker created it, deactivate and delete it`,
        ),
      ...missing.map((id) => `access key ${id} was active before containment and no longer exists`),
      'temporary credentials minted from the keys before containment (GetSessionToken/GetFederationToken, up to 36 h) are valid again until they expire',
    ];
    return {
      userName: input.userName,
      reactivatedAccessKeys: reactivated,
      missingAccessKeys: missing,
      keptInactiveAccessKeys: attackerKeys.filter(
        (id) => currentKeys.find((k) => k.accessKeyId === id)?.status === 'Inactive',
      ),
      denyPolicy: { policyName: DENY_ALL_POLICY_NAME, outcome },
      loginProfile: {
        existedBeforeContainment: hadProfile,
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

// ---------------------------------------------------------------------------------------------
// Role sessions: one capture per role, shared by revoke-role-sessions and isolate-instance

/**
 * What is saved under `iam-role:<name>` by the first action of the incident that revokes the
 * role's sessions: revoke-role-sessions, or isolate-instance for its instance role. Both go
 * through {@link revokeRoleSessions} and {@link restoreRoleSessions}, so the role has one
 * pre-revocation state and one revocation instant per incident, whichever path comes first.
 */
const RoleCaptureSchema = z.object({
  kind: z.literal('iam-role'),
  roleName: z.string(),
  /** The action that captured first (`revoke-role-sessions`, `isolate-instance:<id>`). */
  capturedBy: z.string().optional(),
  capturedAt: z.string(),
  /** The role as revoke-role-sessions read it; isolate-instance knows the ARN only. */
  arn: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  inlinePolicies: z.array(z.string()).optional(),
  attachedPolicies: z.array(AttachedPolicySchema).optional(),
  /** The `riposte-revoke-older-sessions` document in place before this incident, if any. */
  previousRevokePolicy: z.unknown().optional(),
  /** The revocation instant this incident applied (set after the first PutRolePolicy). */
  revokedBefore: z.string().nullable(),
});
type RoleCapture = z.infer<typeof RoleCaptureSchema>;

const roleStateKey = (roleName: string): string => `iam-role:${roleName}`;

/** Who captures the role, and what it already knows of it (saved with a first capture only). */
export interface RoleCaptureDetails {
  /** `revoke-role-sessions`, `isolate-instance:<id>`... */
  readonly capturedBy: string;
  readonly arn?: string | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
  readonly inlinePolicies?: readonly string[] | undefined;
  readonly attachedPolicies?: readonly { readonly name: string; readonly arn: string }[] | undefined;
}

/** The role's `riposte-revoke-older-sessions` document as just read; `document` undefined: none. */
export interface RevokePolicyReading {
  readonly document: unknown;
}

/** `GetRolePolicy riposte-revoke-older-sessions`; `NoSuchEntity` (no such policy) reads as none. */
async function readRevokePolicy(iam: IAMClient, roleName: string): Promise<RevokePolicyReading> {
  try {
    return { document: await getRolePolicy(iam, roleName, REVOKE_SESSIONS_POLICY_NAME) };
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchEntity')) return { document: undefined };
    throw error;
  }
}

/**
 * The role's pre-revocation state for this incident: the capture saved under
 * `iam-role:<name>` when there is one (the first capture wins, whoever made it), otherwise a new
 * one, saved now, with the revoke policy in place (`reading`, or `GetRolePolicy` when not given).
 * Call it before the safety rails, like every capture.
 *
 * @example
 * await captureRoleSessions('payments-app-role', env, { capturedBy: 'isolate-instance:i-0a1b2c3d4e5f60718' });
 */
export async function captureRoleSessions(
  roleName: string,
  env: ActionEnv,
  details: RoleCaptureDetails,
  reading?: RevokePolicyReading,
): Promise<RoleCapture> {
  const key = roleStateKey(roleName);
  const saved = await env.state.load(key);
  if (saved !== undefined) return parseSaved(RoleCaptureSchema, key, saved);
  const { document } = reading ?? (await readRevokePolicy(env.clients.iam, roleName));
  const capture: RoleCapture = {
    kind: 'iam-role',
    roleName,
    capturedBy: details.capturedBy,
    capturedAt: new Date(env.now()).toISOString(),
    ...(details.arn === undefined ? {} : { arn: details.arn }),
    ...(details.tags === undefined ? {} : { tags: { ...details.tags } }),
    ...(details.inlinePolicies === undefined ? {} : { inlinePolicies: [...details.inlinePolicies] }),
    ...(details.attachedPolicies === undefined
      ? {}
      : { attachedPolicies: details.attachedPolicies.map((p) => ({ name: p.name, arn: p.arn })) }),
    ...(document === undefined ? {} : { previousRevokePolicy: document }),
    revokedBefore: null,
  };
  await env.state.save(key, capture);
  return capture;
}

/**
 * Puts a role whose sessions an action revokes *indirectly* (isolate-instance and the instance
 * role) through the same rails as the resource itself: `GetRole`, then
 * `safety.assertContainable` with the role's tags, so the revocation counts in the blast radius
 * and a protected role is never touched. Returns why the sessions must not be revoked
 * (protected, service-linked, IAM Identity Center, no longer exists), or null when they may;
 * a blast-radius refusal and AWS errors are thrown, before anything was changed.
 *
 * @example
 * const refusal = await indirectRoleRefusal('payments-app-role', env); // null, or 'protected: …'
 */
export async function indirectRoleRefusal(roleName: string, env: ActionEnv): Promise<string | null> {
  let role: RoleSnapshot;
  try {
    role = await readRole(env.clients.iam, roleName);
  } catch (error) {
    if (error instanceof ResourceNotFoundError) return `${roleName} no longer exists`;
    throw error;
  }
  try {
    assertRevocable(role);
    await env.safety.assertContainable({ resource: roleName, tags: role.tags });
  } catch (error) {
    if (error instanceof ProtectedResourceError || error instanceof NotAllowedError) return error.message;
    throw error;
  }
  return null;
}

export interface RoleSessionsRevocation {
  /** Sessions issued before this instant are denied everything. */
  readonly revokedBefore: string;
  /** False when this incident's revocation was already in place: nothing was changed. */
  readonly appliedByThisRun: boolean;
}

/**
 * Revokes a role's sessions issued before now, once per incident, whichever action asks:
 * `GetRolePolicy riposte-revoke-older-sessions` (unless `reading` is given), the capture
 * ({@link captureRoleSessions}, normally made earlier, before the rails), then, unless this
 * incident's policy is already in place, `beforeRevoke`, `PutRolePolicy` with
 * {@link revokeOlderSessionsPolicy} of now, and the instant saved in the capture. The first
 * revocation instant is kept: a second call, from the same action or the other one, changes
 * nothing. The caller has passed the safety rails.
 *
 * @example
 * const { revokedBefore } = await revokeRoleSessions('payments-app-role', env, { details: { capturedBy: 'revoke-role-sessions' } });
 */
export async function revokeRoleSessions(
  roleName: string,
  env: ActionEnv,
  options: {
    readonly details: RoleCaptureDetails;
    readonly reading?: RevokePolicyReading;
    /** Runs only when this call is about to put the policy (isolate-instance lists the instances sharing the role). */
    readonly beforeRevoke?: () => Promise<void>;
  },
): Promise<RoleSessionsRevocation> {
  const { iam } = env.clients;
  const reading = options.reading ?? (await readRevokePolicy(iam, roleName));
  const capture = await captureRoleSessions(roleName, env, options.details, reading);
  if (
    capture.revokedBefore !== null &&
    reading.document !== undefined &&
    sameDocument(reading.document, revokeOlderSessionsPolicy(capture.revokedBefore))
  ) {
    return { revokedBefore: capture.revokedBefore, appliedByThisRun: false };
  }
  // Not in place for this incident (first revocation, or removed meanwhile): revoke as of now.
  await options.beforeRevoke?.();
  const revokedBefore = new Date(env.now()).toISOString();
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: REVOKE_SESSIONS_POLICY_NAME,
      PolicyDocument: JSON.stringify(revokeOlderSessionsPolicy(revokedBefore)),
    }),
  );
  await env.state.save(roleStateKey(roleName), { ...capture, revokedBefore });
  return { revokedBefore, appliedByThisRun: true };
}

/** `removed`: deleted; `restored`: the pre-incident document put back; `absent`: nothing to do. */
export type RoleSessionsRestoreOutcome = 'removed' | 'restored' | 'absent';

/**
 * Puts a role's `riposte-revoke-older-sessions` back as captured, whichever action revoked it:
 * `ListRolePolicies` (a missing role is a {@link ResourceNotFoundError}), `GetRolePolicy` when a
 * pre-incident document must be compared, then `DeleteRolePolicy`, or `PutRolePolicy` of the
 * pre-incident document, only when the role differs from it. The role is restored once: after
 * the first release, by either action, a second one finds it as before and changes nothing.
 * Throws {@link NothingToReleaseError} when the incident has no capture of the role and no
 * `fallback` is given (`fallback`: the pre-incident document, undefined for none, from a state
 * saved before captures were shared).
 *
 * @example
 * await restoreRoleSessions('payments-app-role', env); // 'removed'
 */
export async function restoreRoleSessions(
  roleName: string,
  env: ActionEnv,
  fallback?: { readonly previousRevokePolicy: unknown },
): Promise<RoleSessionsRestoreOutcome> {
  const { iam } = env.clients;
  const key = roleStateKey(roleName);
  const saved = await env.state.load(key);
  let previous: unknown;
  if (saved !== undefined) previous = parseSaved(RoleCaptureSchema, key, saved).previousRevokePolicy;
  else if (fallback !== undefined) previous = fallback.previousRevokePolicy;
  else throw new NothingToReleaseError(`no revocation of IAM role ${roleName} was recorded in this incident`);

  let inline: string[];
  try {
    inline = await listRolePolicies(iam, roleName);
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchEntity')) {
      throw new ResourceNotFoundError(`IAM role ${roleName} does not exist`, { cause: error });
    }
    throw error;
  }
  const present = inline.includes(REVOKE_SESSIONS_POLICY_NAME);
  if (previous !== undefined) {
    const current = present ? await getRolePolicy(iam, roleName, REVOKE_SESSIONS_POLICY_NAME) : undefined;
    if (current !== undefined && sameDocument(current, previous)) return 'absent';
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: REVOKE_SESSIONS_POLICY_NAME,
        PolicyDocument: JSON.stringify(previous),
      }),
    );
    return 'restored';
  }
  if (!present) return 'absent';
  await iam.send(
    new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: REVOKE_SESSIONS_POLICY_NAME }),
  );
  return 'removed';
}

// ---------------------------------------------------------------------------------------------
// revoke-role-sessions / release-role-sessions

function assertRevocable(role: RoleSnapshot): void {
  if (role.serviceLinked) {
    throw new NotAllowedError(
      `${role.roleName} is a service-linked role: IAM does not allow revoking its sessions (its policies are managed by AWS)`,
    );
  }
  if (role.identityCenter) {
    throw new NotAllowedError(
      `${role.roleName} is an IAM Identity Center role: IAM cannot change it; revoke the permission set's active sessions in IAM Identity Center`,
    );
  }
}

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

import {
  GetLoginProfileCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { z } from 'zod';
import { hasErrorCode } from '../errors.ts';
import { REVOKE_SESSIONS_POLICY_NAME, revokeOlderSessionsPolicy } from '../iam/shared/policies.ts';
import type { ActionEnv } from '../types.ts';
import { check, readChecks, type Verification, type VerificationCheck, verification } from './check.ts';

/**
 * Read-backs of the IAM containment actions: `ListAccessKeys`, `GetUserPolicy`,
 * `GetLoginProfile` for a user; `GetRolePolicy` / `ListRolePolicies` for a role. IAM is
 * eventually consistent: a read right after a write normally sees it, and a read-back that does
 * not is recorded as not verified, never retried here.
 */

/** IAM answers policy documents URL-encoded (RFC 3986); compared as parsed JSON. */
function documentText(document: string | undefined): string {
  if (document === undefined) return 'absent';
  const text = document.trimStart().startsWith('{') ? document : decodeURIComponent(document);
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

const expectedText = (document: unknown): string =>
  document === undefined ? 'absent' : JSON.stringify(document);

/** The inline policy's document as text, `absent` when the user or role has none of that name. */
async function inlinePolicy(read: () => Promise<{ PolicyDocument?: string | undefined }>): Promise<string> {
  try {
    return documentText((await read()).PolicyDocument);
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchEntity')) return 'absent';
    throw error;
  }
}

/** Every access key of the user with its status (every page). */
async function accessKeyStatuses(iam: IAMClient, userName: string): Promise<Map<string, string>> {
  const statuses = new Map<string, string>();
  let marker: string | undefined;
  do {
    const out = await iam.send(
      new ListAccessKeysCommand({ UserName: userName, ...(marker === undefined ? {} : { Marker: marker }) }),
    );
    for (const key of out.AccessKeyMetadata ?? []) {
      if (key.AccessKeyId !== undefined) statuses.set(key.AccessKeyId, key.Status ?? 'unknown');
    }
    marker = out.IsTruncated === true ? out.Marker : undefined;
  } while (marker !== undefined);
  return statuses;
}

function keyChecks(
  statuses: ReadonlyMap<string, string>,
  wanted: ReadonlyMap<string, string>,
): VerificationCheck[] {
  return [...wanted].map(([id, status]) =>
    check(`access key ${id} status`, status, statuses.get(id) ?? 'absent'),
  );
}

export interface UserContainment {
  readonly userName: string;
  /** The deny policy's name and the document contain-iam-user wrote. */
  readonly policyName: string;
  readonly document: unknown;
}

/**
 * Reads a contained user back: every access key Inactive, the deny policy attached with the
 * document written, no console login profile (containment deletes any).
 *
 * @example
 * const v = await verifyUserContained(env, { userName: 'payments-deployer', policyName: 'riposte-deny-all', document: DENY_ALL_POLICY });
 * v.evidence.map((c) => c.check); // ['access key AKIA… status', 'inline policy riposte-deny-all', 'console login profile']
 */
export async function verifyUserContained(env: ActionEnv, user: UserContainment): Promise<Verification> {
  const { iam } = env.clients;
  const { userName } = user;
  const checks = await readChecks(`${userName} access keys`, async () => {
    const statuses = await accessKeyStatuses(iam, userName);
    if (statuses.size === 0) return [check(`${userName} access keys`, 'none Active', 'none')];
    return keyChecks(statuses, new Map([...statuses.keys()].map((id) => [id, 'Inactive'])));
  });
  checks.push(
    ...(await readChecks(`${userName} inline policy ${user.policyName}`, async () => [
      check(
        `${userName} inline policy ${user.policyName}`,
        expectedText(user.document),
        await inlinePolicy(() =>
          iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: user.policyName })),
        ),
      ),
    ])),
    ...(await readChecks(`${userName} console login profile`, async () => {
      let profile = 'present';
      try {
        await iam.send(new GetLoginProfileCommand({ UserName: userName }));
      } catch (error) {
        if (!hasErrorCode(error, 'NoSuchEntity')) throw error;
        profile = 'none';
      }
      return [check(`${userName} console login profile`, 'none', profile)];
    })),
  );
  return verification(checks, env);
}

export interface UserRelease {
  readonly userName: string;
  /** Keys that must read back Active (active before containment, not the attacker's, still there). */
  readonly activeKeys: readonly string[];
  /** Keys that must stay Inactive (the attacker's). */
  readonly inactiveKeys: readonly string[];
  readonly policyName: string;
  /** The document that must be in place again; undefined: the policy must be gone. */
  readonly previousDocument: unknown;
}

/**
 * Reads a released user back: the keys restored Active, the attacker's still Inactive, the deny
 * policy removed (or the pre-incident document back).
 *
 * @example
 * const v = await verifyUserReleased(env, { userName: 'payments-deployer', activeKeys: ['AKIA…1'], inactiveKeys: [], policyName: 'riposte-deny-all', previousDocument: undefined });
 */
export async function verifyUserReleased(env: ActionEnv, user: UserRelease): Promise<Verification> {
  const { iam } = env.clients;
  const { userName } = user;
  const wanted = new Map<string, string>([
    ...user.activeKeys.map((id): [string, string] => [id, 'Active']),
    ...user.inactiveKeys.map((id): [string, string] => [id, 'Inactive']),
  ]);
  const checks =
    wanted.size === 0
      ? []
      : await readChecks(`${userName} access keys`, async () =>
          keyChecks(await accessKeyStatuses(iam, userName), wanted),
        );
  checks.push(
    ...(await readChecks(`${userName} inline policy ${user.policyName}`, async () => [
      check(
        `${userName} inline policy ${user.policyName}`,
        expectedText(user.previousDocument),
        await inlinePolicy(() =>
          iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: user.policyName })),
        ),
      ),
    ])),
  );
  return verification(checks, env);
}

/** The `aws:TokenIssueTime` bound of a revoke policy's first statement, as read. */
function tokenIssueTime(text: string): string {
  const Schema = z.object({
    Statement: z.array(
      z.object({ Condition: z.object({ DateLessThan: z.record(z.string(), z.string()) }).loose() }).loose(),
    ),
  });
  try {
    const parsed = Schema.safeParse(JSON.parse(text));
    return parsed.success
      ? (parsed.data.Statement[0]?.Condition.DateLessThan['aws:TokenIssueTime'] ?? 'none')
      : 'none';
  } catch {
    return 'none';
  }
}

export interface RoleRevocation {
  readonly roleName: string;
  /** The instant the revoke policy denies sessions issued before. */
  readonly revokedBefore: string;
}

/**
 * Reads a role's revocation back (`GetRolePolicy riposte-revoke-older-sessions`): the policy is
 * on the role as written, its `aws:TokenIssueTime` condition the revocation instant.
 *
 * @example
 * const checks = await roleRevokedChecks(env, { roleName: 'payments-app-role', revokedBefore: '2025-06-01T12:00:00.000Z' });
 */
export async function roleRevokedChecks(env: ActionEnv, role: RoleRevocation): Promise<VerificationCheck[]> {
  const { roleName, revokedBefore } = role;
  const policyName = REVOKE_SESSIONS_POLICY_NAME;
  return readChecks(`${roleName} inline policy ${policyName}`, async () => {
    const text = await inlinePolicy(() =>
      env.clients.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })),
    );
    return [
      check(
        `${roleName} inline policy ${policyName}`,
        expectedText(revokeOlderSessionsPolicy(revokedBefore)),
        text,
      ),
      check(`${roleName} ${policyName} aws:TokenIssueTime DateLessThan`, revokedBefore, tokenIssueTime(text)),
    ];
  });
}

/**
 * {@link roleRevokedChecks} as a verification.
 *
 * @example
 * const v = await verifyRoleRevoked(env, { roleName: 'payments-app-role', revokedBefore: '2025-06-01T12:00:00.000Z' });
 */
export async function verifyRoleRevoked(env: ActionEnv, role: RoleRevocation): Promise<Verification> {
  return verification(await roleRevokedChecks(env, role), env);
}

const RoleCaptureSchema = z.object({ previousRevokePolicy: z.unknown().optional() }).loose();

/**
 * Reads a released role back: the revoke policy gone (`ListRolePolicies`), or, when the role
 * had one before the incident, that document back (`GetRolePolicy`). The pre-incident document
 * comes from the role's capture (`iam-role:<name>`).
 *
 * @example
 * const v = await verifyRoleReleased(env, 'payments-app-role');
 */
export async function verifyRoleReleased(env: ActionEnv, roleName: string): Promise<Verification> {
  const policyName = REVOKE_SESSIONS_POLICY_NAME;
  const saved = RoleCaptureSchema.safeParse((await env.state.load(`iam-role:${roleName}`)) ?? {});
  const previous = saved.success ? saved.data.previousRevokePolicy : undefined;
  const what = `${roleName} inline policy ${policyName}`;
  const checks = await readChecks(what, async () => {
    const { iam } = env.clients;
    if (previous !== undefined) {
      const text = await inlinePolicy(() =>
        iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })),
      );
      return [check(what, expectedText(previous), text)];
    }
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const out = await iam.send(
        new ListRolePoliciesCommand({
          RoleName: roleName,
          ...(marker === undefined ? {} : { Marker: marker }),
        }),
      );
      names.push(...(out.PolicyNames ?? []));
      marker = out.IsTruncated === true ? out.Marker : undefined;
    } while (marker !== undefined);
    return [check(what, 'absent', names.includes(policyName) ? 'present' : 'absent')];
  });
  return verification(checks, env);
}

import { DeleteRolePolicyCommand, type IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { z } from 'zod';
import {
  hasErrorCode,
  NotAllowedError,
  NothingToReleaseError,
  ProtectedResourceError,
  ResourceNotFoundError,
} from '../../errors.ts';
import type { ActionEnv } from '../../types.ts';
import { parseSaved, sameDocument } from './items.ts';
import { REVOKE_SESSIONS_POLICY_NAME, revokeOlderSessionsPolicy } from './policies.ts';
import { assertRevocable, getRolePolicy, listRolePolicies, type RoleSnapshot, readRole } from './roles.ts';
import { AttachedPolicySchema } from './users.ts';

/** Role sessions: one capture per role and incident, shared by revoke-role-sessions and isolate-instance. */

/**
 * What is saved under `iam-role:<name>` by the first action of the incident that revokes the
 * role's sessions: revoke-role-sessions, or isolate-instance for its instance role. Both go
 * through {@link revokeRoleSessions} and {@link restoreRoleSessions}, so the role has one
 * pre-revocation state and one revocation instant per incident, whichever path comes first.
 */
export const RoleCaptureSchema = z.object({
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
export type RoleCapture = z.infer<typeof RoleCaptureSchema>;

export const roleStateKey = (roleName: string): string => `iam-role:${roleName}`;

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
export async function readRevokePolicy(iam: IAMClient, roleName: string): Promise<RevokePolicyReading> {
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
 * saved before captures were shared). `rails`, when given, runs once a capture is found and
 * before the first read of the role's policies: it throws to refuse the release.
 *
 * @example
 * await restoreRoleSessions('payments-app-role', env); // 'removed'
 */
export async function restoreRoleSessions(
  roleName: string,
  env: ActionEnv,
  fallback?: { readonly previousRevokePolicy: unknown },
  rails?: () => Promise<void>,
): Promise<RoleSessionsRestoreOutcome> {
  const { iam } = env.clients;
  const key = roleStateKey(roleName);
  const saved = await env.state.load(key);
  let previous: unknown;
  if (saved !== undefined) previous = parseSaved(RoleCaptureSchema, key, saved).previousRevokePolicy;
  else if (fallback !== undefined) previous = fallback.previousRevokePolicy;
  else throw new NothingToReleaseError(`no revocation of IAM role ${roleName} was recorded in this incident`);
  await rails?.();

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

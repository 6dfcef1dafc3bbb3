import type { ActionEnv } from '../../types.ts';
import type { ContainUserInput } from '../contain-iam-user.ts';
import { parseSaved } from '../shared/items.ts';
import { DAY_MS, DENY_ALL_POLICY_NAME } from '../shared/policies.ts';
import { type UserCapture, UserCaptureSchema, userStateKey } from '../shared/user-capture.ts';
import { getUserPolicy, readUser, type UserSnapshot } from '../shared/users.ts';

/** What the steps of contain-iam-user read. */
export interface UserContainment {
  readonly env: ActionEnv;
  readonly userName: string;
  /** The user as it is now. */
  readonly current: UserSnapshot;
  /** The `riposte-deny-all` document on the user now, if any. */
  readonly denyInPlace: unknown;
  /** The first capture of this incident (this run's, or an earlier run's, kept). */
  readonly capture: UserCapture;
  /** Keys and MFA devices created since are flagged. */
  readonly windowStart: string;
}

/**
 * Step "capture": the reads of enrich-principal for a user (without last use), plus
 * `GetUserPolicy riposte-deny-all` when that policy exists; then `state.save('iam-user:<name>')`
 * unless a capture exists (the first one is kept).
 */
export async function capture(env: ActionEnv, input: ContainUserInput): Promise<UserContainment> {
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
  return { env, userName: input.userName, current, denyInPlace, capture, windowStart };
}

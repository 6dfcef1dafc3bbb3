import { hasErrorCode, NothingToReleaseError, ResourceNotFoundError } from '../../errors.ts';
import type { ActionEnv } from '../../types.ts';
import type { ReleaseUserInput } from '../release-iam-user.ts';
import { attackerKeysOf } from '../shared/attacker-keys.ts';
import { parseSaved } from '../shared/items.ts';
import { DENY_ALL_POLICY_NAME } from '../shared/policies.ts';
import { assertUserReleasable } from '../shared/release-rails.ts';
import { type UserCapture, UserCaptureSchema, userStateKey } from '../shared/user-capture.ts';
import { getUserPolicy, listAccessKeys, listUserPolicies, type UserSnapshot } from '../shared/users.ts';

/** What the steps of release-iam-user read. */
export interface UserRelease {
  readonly env: ActionEnv;
  readonly userName: string;
  /** What contain-iam-user captured before its first change. */
  readonly capture: UserCapture;
  readonly currentKeys: UserSnapshot['accessKeys'];
  /** The user's inline policy names now. */
  readonly inline: readonly string[];
  /** Whether a `riposte-deny-all` from before the incident must be put back (rather than deleted). */
  readonly restorePrevious: boolean;
  /** The `riposte-deny-all` document now, read only when a previous one must be restored. */
  readonly denyNow: unknown;
  /** The keys the finding names as the attacker's, among the user's: never reactivated. */
  readonly attackerKeys: readonly string[];
}

/**
 * Step "load": the capture ({@link NothingToReleaseError} when there is none), the release
 * rail (`GetUser`: a user tagged protected since is refused, {@link assertUserReleasable}), then
 * `ListAccessKeys`, `ListUserPolicies` and, when a previous `riposte-deny-all` must be restored,
 * `GetUserPolicy`.
 */
export async function load(env: ActionEnv, input: ReleaseUserInput): Promise<UserRelease> {
  const { iam } = env.clients;
  const key = userStateKey(input.userName);
  const saved = await env.state.load(key);
  if (saved === undefined) {
    throw new NothingToReleaseError(
      `no containment of IAM user ${input.userName} was recorded in this incident`,
    );
  }
  const capture = parseSaved(UserCaptureSchema, key, saved);
  await assertUserReleasable(input.userName, env);

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
  return {
    env,
    userName: input.userName,
    capture,
    currentKeys,
    inline,
    restorePrevious,
    denyNow,
    attackerKeys,
  };
}

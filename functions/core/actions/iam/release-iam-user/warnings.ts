import { inWindow } from '../shared/user-capture.ts';
import type { UserRelease } from './load.ts';

/** The console password the release cannot restore: what the operator must do, or null without one. */
export function passwordActionOf(ctx: UserRelease): string | null {
  return ctx.capture.loginProfile !== null
    ? `the console password of ${ctx.userName} was deleted and cannot be restored (it is unknown): set a new one (CreateLoginProfile with PasswordResetRequired=true) and give it to the user out of band`
    : null;
}

/** Step "warn" (no call): keys active again that were created in the window, keys gone, temporary credentials. */
export function warningsOf(
  ctx: UserRelease,
  reactivated: readonly string[],
  missing: readonly string[],
): string[] {
  const { capture } = ctx;
  return [
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
}

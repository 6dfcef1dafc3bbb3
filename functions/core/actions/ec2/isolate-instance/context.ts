import type { ItemFailure } from '../../errors.ts';
import { captureRoleSessions, type RoleCaptureDetails } from '../../iam/shared/role-sessions.ts';
import type { ActionEnv } from '../../types.ts';
import type { IsolateInstanceInput } from '../isolate-instance.ts';
import { captureInstance } from '../shared/capture.ts';
import { instanceStateKey } from '../shared/constants.ts';
import { parseSaved } from '../shared/items.ts';
import type { InstanceCapture, SavedIsolation } from '../shared/schemas.ts';

/** What every step of isolate-instance reads: the capture, the saved state, the running tallies. */
export interface IsolationContext {
  readonly env: ActionEnv;
  readonly input: IsolateInstanceInput;
  readonly instanceId: string;
  readonly incidentId: string;
  /** Where the pre-containment state is saved (`ec2:<id>`). */
  readonly key: string;
  /** The instance as it is now. */
  readonly current: InstanceCapture;
  /** True when this run saved the state; false when an earlier run's capture was kept. */
  readonly stateSaved: boolean;
  /** The saved state (the role-sessions step may record the revocation decision in it). */
  saved: SavedIsolation;
  /** The instance role, from the current or the saved instance profile. */
  readonly roleName: string | null;
  readonly roleDetails: RoleCaptureDetails;
  /** Failed items: the action throws {@link partialFailure} of them after the last step. */
  readonly failures: ItemFailure[];
  readonly notes: string[];
}

/**
 * Step "capture": {@link captureInstance}, then `state.save('ec2:<id>')` unless this incident
 * already saved one (the original capture is never overwritten); when revoking, the instance
 * role's capture `iam-role:<name>` shared with revoke-role-sessions ({@link captureRoleSessions}).
 */
export async function capture(env: ActionEnv, input: IsolateInstanceInput): Promise<IsolationContext> {
  const { instanceId } = input;
  const notes: string[] = [];
  const current = await captureInstance(env, instanceId);
  const key = instanceStateKey(instanceId);
  const loaded = await env.state.load(key);
  let saved: SavedIsolation;
  if (loaded === undefined) {
    saved = { kind: 'ec2-instance', ...current, revokeRoleSessions: input.revokeRoleSessions };
    await env.state.save(key, saved);
  } else {
    saved = parseSaved(key, loaded);
    notes.push(`kept the state captured at ${saved.capturedAt} by an earlier run of this incident`);
  }
  // The instance role: one capture per role and incident, shared with revoke-role-sessions
  // (the first capture wins), taken before the rails like the rest.
  const roleProfile = current.instanceProfile ?? saved.instanceProfile;
  const roleName = roleProfile?.roleName ?? null;
  const roleDetails: RoleCaptureDetails = {
    capturedBy: `isolate-instance:${instanceId}`,
    arn: roleProfile?.roleArn ?? undefined,
  };
  if (roleName !== null && input.revokeRoleSessions) await captureRoleSessions(roleName, env, roleDetails);
  return {
    env,
    input,
    instanceId,
    incidentId: env.execution.incidentId,
    key,
    current,
    stateSaved: loaded === undefined,
    saved,
    roleName,
    roleDetails,
    failures: [],
    notes,
  };
}

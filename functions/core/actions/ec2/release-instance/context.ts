import { type ItemFailure, NothingToReleaseError } from '../../errors.ts';
import type { ActionEnv } from '../../types.ts';
import { captureInstance } from '../shared/capture.ts';
import { instanceStateKey } from '../shared/constants.ts';
import { parseSaved } from '../shared/items.ts';
import type { InstanceCapture, SavedIsolation } from '../shared/schemas.ts';

/** What every step of release-instance reads: the saved state, the instance now, the tallies. */
export interface ReleaseContext {
  readonly env: ActionEnv;
  readonly instanceId: string;
  readonly key: string;
  /** What isolate-instance saved before changing anything. */
  readonly saved: SavedIsolation;
  /** The instance as it is now. */
  readonly current: InstanceCapture;
  readonly failures: ItemFailure[];
  readonly notes: string[];
}

/**
 * Step "load": the state isolate-instance saved ({@link NothingToReleaseError} when there is
 * none), then the instance as it is now ({@link captureInstance}).
 */
export async function load(env: ActionEnv, instanceId: string): Promise<ReleaseContext> {
  const key = instanceStateKey(instanceId);
  const loaded = await env.state.load(key);
  if (loaded === undefined) {
    throw new NothingToReleaseError(
      `no isolation of EC2 instance ${instanceId} was recorded in this incident`,
    );
  }
  const saved = parseSaved(key, loaded);
  const current = await captureInstance(env, instanceId);
  return { env, instanceId, key, saved, current, failures: [], notes: [] };
}

import type { ServiceName } from '../../functions/core/actions/clients.ts';
import type { Verification } from '../../functions/core/actions/verify/check.ts';
import { LocalWorld, type WorldData } from '../../functions/core/actions/world/index.ts';
import { actionEnv, PermissiveSafetyRails, type TestActionEnv } from './action-env.ts';

/**
 * The example world, changed by `drift` right after the first `api` call it answers once armed:
 * what a resource changed behind Riposte's back (or a change that did not hold) looks like to
 * the read-back that follows.
 */
export class DriftingWorld extends LocalWorld {
  private armed: { api: string; drift: (state: WorldData) => void } | undefined;

  public constructor(api?: string, drift?: (state: WorldData) => void) {
    super(LocalWorld.fromFile('examples/world.json').state);
    if (api !== undefined && drift !== undefined) this.arm(api, drift);
  }

  /** Drifts after the next `api` call. */
  public arm(api: string, drift: (state: WorldData) => void): void {
    this.armed = { api, drift };
  }

  public override async handle(
    service: ServiceName,
    api: string,
    params: Readonly<Record<string, unknown>>,
  ): Promise<Record<string, unknown>> {
    const out = await super.handle(service, api, params);
    if (this.armed?.api === api) {
      const { drift } = this.armed;
      this.armed = undefined;
      drift(this.state);
    }
    return out;
  }
}

/**
 * A world-mode environment over `world`, rails letting everything through (approval given).
 *
 * @example
 * const env = worldEnv(new DriftingWorld());
 */
export function worldEnv(world: LocalWorld): TestActionEnv {
  return actionEnv({ mode: { kind: 'world', world }, safety: new PermissiveSafetyRails() });
}

/**
 * The checks of a verification that failed, by name.
 *
 * @example
 * failed(output.verification); // ['eni-0a1b2c3d4e5f60002 security groups']
 */
export const failed = (v: Verification): string[] => v.evidence.filter((c) => !c.ok).map((c) => c.check);

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMutating } from '#core/actions/recorder.ts';
import { ACTIONS } from '#core/actions/registry.ts';
import type { ActionDefinition } from '#core/actions/types.ts';
import { LocalWorld, type WorldData } from '#core/actions/world/index.ts';
import { parseConfig, type RiposteConfig } from '#core/config/schema.ts';
import { RecordingDispatcher, type StartRequest } from '#core/intake/dispatch.ts';
import { PLAYBOOKS_DIR } from '#core/playbooks/registry.ts';
import type { Playbook } from '#core/playbooks/sdk.ts';
import { listIncidents } from '#core/store/queries.ts';
import {
  type ApprovalDecider,
  type LocalActionRecord,
  type LocalExecutionResult,
  runPlaybookLocally,
} from './engine.ts';
import { LocalPipeline } from './pipeline.ts';
import { localRunnerDeps } from './response.ts';
import { openLocalStore } from './store.ts';
import { triggersOn } from './triggers.ts';

export { type TriggerVerdict, triggersOn } from './triggers.ts';

/**
 * The playbook author's test kit: given an event and a world (or injected action failures),
 * run the playbook's real compiled state machine locally and look at the path it took and the
 * calls it made. No AWS, no mocks to write: a test reads as the scenario it checks.
 *
 * @example
 * const result = await scenario(playbook)
 *   .event(finding)
 *   .editWorld((w) => { w.ec2.instances[0].tags['riposte:protected'] = 'true'; })
 *   .deny()
 *   .failAction('isolate-instance', 'RequestLimitExceeded', 2)
 *   .run();
 * expect(result.path).toContain('Notify: not contained');
 * expect(result.mutations('isolate-instance')).toEqual([]);
 *
 * The event goes through what the deployment does: a Riposte rule must deliver it, it is
 * normalized, and the playbook starts only if its trigger matches the alert; otherwise `run()`
 * throws a {@link PlaybookNotTriggeredError} naming the clause that failed. A playbook with a
 * `manual` trigger runs on the incident the event opens, as an operator would start it.
 *
 * A two-step scenario (contain, then release) chains playbooks with `.andThen(...)`: each runs
 * after the previous one on the same incident, store and world.
 *
 * @example
 * const result = await scenario(containPlaybook).event(finding).approve().andThen(releasePlaybook).run();
 * result.path; // the release's path; result.executions[0] is the containment
 */

/** Thrown by a scenario whose event does not start the playbook: the message says why. */
export class PlaybookNotTriggeredError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'PlaybookNotTriggeredError';
  }
}

/** The example world shipped in `examples/world.json`. */
export const EXAMPLE_WORLD_FILE = path.resolve(PLAYBOOKS_DIR, '..', 'examples', 'world.json');

export function exampleWorld(): WorldData {
  return new LocalWorld(JSON.parse(readFileSync(EXAMPLE_WORLD_FILE, 'utf8'))).state;
}

/**
 * What a scenario did. The execution fields (`path`, `status`, `actions`, `calls`...) describe the
 * last playbook chained with `.andThen(...)`, or without one the first execution the event started.
 */
export interface ScenarioResult extends LocalExecutionResult {
  /** Every AWS call an action made (or would make), optionally for one action id. */
  calls(action?: string): { api: string; params: Readonly<Record<string, unknown>> }[];
  /** State-changing calls only. */
  mutations(action?: string): { api: string; params: Readonly<Record<string, unknown>> }[];
  /** The action records, in order. */
  readonly actions: readonly LocalActionRecord[];
  /** The world after the run (writes applied). */
  readonly world: WorldData;
  /** Every execution in order: those the event dispatched (usually one), then the chained ones. */
  readonly executions: readonly LocalExecutionResult[];
}

class Scenario {
  private eventBody: unknown;
  private worldData: WorldData = exampleWorld();
  private decide: ApprovalDecider = async () => true;
  private config: RiposteConfig = parseConfig({});
  private readonly failures = new Map<string, { name: string; times: number }>();
  private readonly chained: { readonly playbook: Playbook; readonly before?: (world: WorldData) => void }[] =
    [];

  public constructor(private readonly playbook: Playbook) {}

  /** The event to send (an EventBridge event object). */
  public event(event: unknown): this {
    this.eventBody = event;
    return this;
  }

  /** Replace the world. */
  public world(world: WorldData): this {
    this.worldData = structuredClone(world);
    return this;
  }

  /** Change the world before the run (tag an instance protected, remove a key...). */
  public editWorld(edit: (world: WorldData) => void): this {
    edit(this.worldData);
    return this;
  }

  /** Deployment configuration (as in cdk.json `riposte`). */
  public configure(config: unknown): this {
    this.config = parseConfig(config);
    return this;
  }

  /** Approve every approval the playbook asks for (the default). */
  public approve(): this {
    this.decide = async () => true;
    return this;
  }

  /** Deny every approval the playbook asks for. */
  public deny(): this {
    this.decide = async () => false;
    return this;
  }

  /**
   * Decide each approval by what the approver reads: approve containing the caller, deny going
   * past the containment limit...
   *
   * @example
   * scenario(playbook).event(event).decideBy((message) => !message.includes('containment limit'))
   */
  public decideBy(decide: (message: string) => boolean): this {
    this.decide = async (request) => decide(request.message);
    return this;
  }

  /** Make an action fail with an error of this name the first `times` calls (throttling, access denied...). */
  public failAction(actionId: string, errorName: string, times = Number.POSITIVE_INFINITY): this {
    this.failures.set(actionId, { name: errorName, times });
    return this;
  }

  /**
   * Runs `next` after the playbooks before it, on the same incident (same alert and mode), store
   * and world: what the first saved (containment state, approvals) the next one reads. Named
   * `andThen`, not `then`: a `then` method would make the scenario a thenable that `await` calls.
   * `before` edits the world as the previous playbooks left it, just before `next` starts (a
   * resource tagged protected since its containment...).
   *
   * @example
   * scenario(contain).event(finding).andThen(release, (w) => { w.lambda.functions.f.tags.team = 'x'; });
   */
  public andThen(next: Playbook, before?: (world: WorldData) => void): this {
    this.chained.push(before === undefined ? { playbook: next } : { playbook: next, before });
    return this;
  }

  public async run(): Promise<ScenarioResult> {
    if (this.eventBody === undefined) throw new Error('scenario: give an event with .event(...)');
    const store = await openLocalStore();
    try {
      const dispatcher = new RecordingDispatcher();
      const manual = 'manual' in this.playbook.trigger;
      const route = {
        id: this.playbook.id,
        version: this.playbook.version,
        target: this.playbook.id,
        trigger: manual ? {} : this.playbook.trigger,
      };
      const pipeline = new LocalPipeline({ store, config: this.config, dispatcher, routes: [route] });
      await pipeline.replay([{ input: 'scenario', body: JSON.stringify(this.eventBody) }]);
      if (dispatcher.started.length === 0) {
        const verdict = triggersOn(this.playbook, this.eventBody, this.config);
        if (!verdict.triggers) throw new PlaybookNotTriggeredError(`scenario: ${verdict.reason}`);
        const incidents = await listIncidents(store.db, store.tableName);
        throw new Error(
          `scenario: the event started no execution (${incidents.length} incident(s)); does it match a Riposte rule?`,
        );
      }
      const world = new LocalWorld(this.worldData);
      const runner = localRunnerDeps({
        store,
        config: this.config,
        world,
        approve: this.decide,
      });
      const actions = new Map<string, ActionDefinition>(
        ACTIONS.map((action) => [action.id, this.withFailures(action)]),
      );
      const executions: LocalExecutionResult[] = [];
      for (const request of dispatcher.started) {
        executions.push(
          await runPlaybookLocally(this.playbook, request.input, {
            runner: { ...runner, actions },
            approve: this.decide,
          }),
        );
      }
      const { input } = dispatcher.started[0] as StartRequest;
      for (const { playbook: next, before } of this.chained) {
        before?.(world.state);
        executions.push(
          await runPlaybookLocally(
            next,
            { ...input, playbook: { id: next.id, version: next.version } },
            { runner: { ...runner, actions }, approve: this.decide },
          ),
        );
      }
      const shown = (this.chained.length > 0 ? executions.at(-1) : executions[0]) as LocalExecutionResult;
      const pick = (action?: string) =>
        shown.actions.filter((a) => action === undefined || a.action === action);
      return {
        ...shown,
        executions,
        world: world.state,
        calls: (action) =>
          pick(action).flatMap((a) => a.calls.map((c) => ({ api: c.api, params: c.params }))),
        mutations: (action) =>
          pick(action).flatMap((a) =>
            a.calls.filter((c) => isMutating(c.api)).map((c) => ({ api: c.api, params: c.params })),
          ),
      };
    } finally {
      await store.close();
    }
  }

  private withFailures(action: ActionDefinition): ActionDefinition {
    const failure = this.failures.get(action.id);
    if (failure === undefined) return action;
    let left = failure.times;
    return {
      ...action,
      run: async (input, env) => {
        if (left > 0) {
          left -= 1;
          const error = new Error(`injected ${failure.name}`);
          error.name = failure.name;
          throw error;
        }
        return action.run(input, env);
      },
    };
  }
}

/** Starts a scenario for a playbook. */
export function scenario(playbook: Playbook): Scenario {
  return new Scenario(playbook);
}

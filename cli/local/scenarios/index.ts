import type { LocalEvent } from '../pipeline.ts';
import { compromiseScenario } from './compromise.ts';
import { libraryScenario } from './library.ts';

/** One step of a demo scenario: what happened, and the events AWS would deliver for it. */
export interface ScenarioStep {
  readonly title: string;
  readonly events: () => LocalEvent[];
}

/** What a scenario is built from: the time it starts at, and the storm size asked for. */
export interface ScenarioOptions {
  readonly now: number;
  readonly stormSize: number;
}

/**
 * A demo scenario: a story told as the events AWS would deliver, played through the local runtime
 * by `riposte demo --scenario <name>` against `examples/world.json`.
 *
 * @example
 * const steps = SCENARIOS.compromise.steps({ now: Date.now(), stormSize: 500 });
 */
export interface Scenario {
  readonly name: string;
  readonly summary: string;
  readonly steps: (options: ScenarioOptions) => ScenarioStep[];
}

/** The scenarios `riposte demo` plays, by name; `compromise` is what `npm start` runs. */
export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  compromise: compromiseScenario,
  library: libraryScenario,
};

/** The scenario `riposte demo` plays without `--scenario`. */
export const DEFAULT_SCENARIO = 'compromise';

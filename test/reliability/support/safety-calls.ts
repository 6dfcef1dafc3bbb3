import type { LocalExecutionResult } from '../../../cli/local/engine.ts';
import { isMutating } from '../../../functions/core/actions/recorder.ts';
import { ACTIONS } from '../../../functions/core/actions/registry.ts';

const RESOURCE_FAMILIES = new Set(['enrich', 'contain', 'release']);
const FAMILY = new Map(ACTIONS.map((a) => [a.id, a.family]));

/** A state-changing AWS call an action made. */
export interface Mutation {
  readonly action: string;
  readonly api: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/**
 * State-changing AWS calls of these executions (an action's, not the store's or a notification's).
 *
 * @example
 * expect(mutations(result.executions)).toEqual([]);
 */
export function mutations(executions: readonly LocalExecutionResult[]): Mutation[] {
  return executions.flatMap((execution) =>
    execution.actions
      .filter((a) => RESOURCE_FAMILIES.has(FAMILY.get(a.action) ?? 'contain'))
      .flatMap((a) =>
        a.calls
          .filter((c) => isMutating(c.api))
          .map((c) => ({ action: a.action, api: c.api, params: c.params })),
      ),
  );
}

import { RiposteError } from '../errors.ts';
import type { ActionDefinition, ActionFamily } from './types.ts';

/**
 * The actions one family's function hosts (see `families/`). A family's handler imports its
 * registry only, so its bundle holds its own actions and the SDK clients they use, not every
 * family's. The global registry (`registry.ts`) lists the same actions for the local engine,
 * the CLI and the IAM policies.
 */
export interface FamilyRegistry {
  readonly family: ActionFamily;
  readonly actions: readonly ActionDefinition[];
}

/** Thrown when a family's registry lists an action of another family, or one action twice. */
export class FamilyRegistryError extends RiposteError {
  public constructor(message: string) {
    super(message);
    this.name = 'FamilyRegistryError';
  }
}

/**
 * The registry of `family`: checks that every action belongs to it and that ids are unique.
 *
 * @example
 * export const releaseFamily = defineFamily('release', [releaseInstanceAction, releaseUserAction]);
 * createActionHandler(releaseFamily);
 */
export function defineFamily(family: ActionFamily, actions: readonly ActionDefinition[]): FamilyRegistry {
  const ids = new Set<string>();
  for (const action of actions) {
    if (action.family !== family) {
      throw new FamilyRegistryError(`action "${action.id}" is of the ${action.family} family, not ${family}`);
    }
    if (ids.has(action.id))
      throw new FamilyRegistryError(`action "${action.id}" is listed twice in ${family}`);
    ids.add(action.id);
  }
  return { family, actions: [...actions] };
}

import { consoleSignIn, guardDutyRootCredentialUsage } from '../../support/events.ts';
import type { TargetModel } from './safety-model.ts';

/**
 * The root user (root-credential-use): nothing is ever contained, so there is nothing to tag;
 * the property is that no condition (nor none: see the suite's control) makes it change
 * anything. A root console sign-in for a user pick, GuardDuty's RootCredentialUsage for a role
 * pick and for the sample (GuardDuty rates it Low: the floor is lowered).
 */
export const rootModel: TargetModel = {
  playbooks: { 'root-credential-use': {} },
  config: { sources: { guardduty: { minSeverity: 2 } } },
  build: (pick) => ({
    event:
      pick.condition === 'sample' || pick.principal === 'role'
        ? guardDutyRootCredentialUsage({ sample: pick.condition === 'sample' })
        : consoleSignIn({ root: true }),
    prepare: () => undefined,
    protect: () => undefined,
  }),
};

import { exampleWorld } from '../../../cli/local/testkit.ts';
import type { WorldData } from '../../../functions/core/actions/world/index.ts';
import { guardDutyLambdaFinding } from '../../support/events.ts';
import {
  at,
  namesPrincipal,
  protectRole,
  protectTags,
  roleNameOf,
  type TargetModel,
} from './safety-model.ts';

/** Unprotected functions of the example world, with and without reserved concurrency. */
const FUNCTIONS = ['thumbnail-builder', 'payments-webhook', 'ledger-sync'] as const;

/**
 * Lambda functions (lambda-function-compromise and its release): the function is throttled, and
 * its execution role's sessions revoked (the indirect resource).
 */
export const lambdaModel: TargetModel = {
  playbooks: {
    'lambda-function-compromise': {},
    'lambda-function-release': { containedBy: 'lambda-function-compromise' },
  },
  build: (pick) => {
    const name = at(FUNCTIONS, pick.variant);
    const arn = exampleWorld().lambda.functions[name]?.role ?? '';
    const role = { kind: 'role' as const, name: roleNameOf(arn) };
    const fn = (world: WorldData) => world.lambda.functions[name];
    return {
      event: guardDutyLambdaFinding({ functionName: name, sample: pick.condition === 'sample' }),
      prepare: (world) => {
        const tags = fn(world)?.tags;
        if (tags !== undefined) tags.environment = pick.staging ? 'staging' : 'production';
      },
      protect: (world) => {
        const tags = fn(world)?.tags;
        if (tags !== undefined) protectTags(tags, pick.tagValue);
        protectRole(world, role.name, pick.tagValue);
      },
      protectIndirect: (world) => protectRole(world, role.name, pick.tagValue),
      touchesIndirect: (params) => namesPrincipal(params, role),
    };
  },
};

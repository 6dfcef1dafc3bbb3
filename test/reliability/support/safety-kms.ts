import type { WorldData } from '../../../functions/core/actions/world/index.ts';
import { type FixtureEvent, loadFixture } from '../../support/fixtures.ts';
import {
  at,
  namesPrincipal,
  protectRole,
  protectTags,
  protectUser,
  type TargetModel,
} from './safety-model.ts';

/** Customer managed keys of the example world pending deletion, neither protected. */
const KEYS = ['1234abcd-12ab-34cd-56ef-1234567890ab', '5d6e7f80-91a2-4b3c-8d4e-5f6071829304'] as const;

/** The callers of the two fixtures: DisableKey by a user, ScheduleKeyDeletion by an assumed role. */
const CALLERS = {
  user: { kind: 'user', name: 'payments-deployer' },
  role: { kind: 'role', name: 'ci-deployer' },
} as const;

/** The CloudTrail record of the change, by the picked kind of caller, on `keyId`. */
function keyChange(principal: 'user' | 'role', keyId: string): FixtureEvent {
  const event = loadFixture(
    principal === 'user'
      ? 'cloudtrail/api-call-kms-disablekey.json'
      : 'cloudtrail/api-call-kms-schedulekeydeletion.json',
  );
  const detail = event.detail as Record<string, unknown>;
  const arn = `arn:aws:kms:eu-west-1:111122223333:key/${keyId}`;
  detail.requestParameters = principal === 'user' ? { keyId: arn } : { keyId, pendingWindowInDays: 7 };
  detail.resources = [{ accountId: '111122223333', type: 'AWS::KMS::Key', ARN: arn }];
  return event;
}

/** Tags the caller of a CloudTrail event protected (a user or an assumed role's role). */
export function protectCaller(
  world: WorldData,
  caller: { readonly kind: 'user' | 'role'; readonly name: string },
  value: string,
): void {
  if (caller.kind === 'user') protectUser(world, caller.name, value);
  else protectRole(world, caller.name, value);
}

/**
 * KMS keys (kms-key-deletion-scheduled and its release): the key's deletion is cancelled, and
 * the caller of the CloudTrail event (the indirect resource) contained, then released. CloudTrail
 * records are never provider samples: the `sample` condition cannot arise.
 */
export const kmsModel: TargetModel = {
  playbooks: {
    'kms-key-deletion-scheduled': {},
    'kms-key-deletion-release': { containedBy: 'kms-key-deletion-scheduled' },
  },
  build: (pick) => {
    if (pick.condition === 'sample') return undefined;
    const keyId = at(KEYS, pick.variant);
    const caller = CALLERS[pick.principal];
    return {
      event: keyChange(pick.principal, keyId),
      prepare: () => undefined,
      protect: (world) => {
        const key = world.kms.keys[keyId];
        if (key !== undefined) protectTags(key.tags, pick.tagValue);
        protectCaller(world, caller, pick.tagValue);
      },
      protectIndirect: (world) => protectCaller(world, caller, pick.tagValue),
      touchesIndirect: (params) => namesPrincipal(params, caller),
    };
  },
};

import { type FixtureEvent, loadFixture } from '../../support/fixtures.ts';
import { protectCaller } from './safety-kms.ts';
import { namesPrincipal, protectTags, type TargetModel } from './safety-model.ts';

/** The example world's trail of this account and Region (the others are organization trails). */
const TRAIL = 'main-trail';

/** The callers of the two fixtures: StopLogging by a user, PutEventSelectors by an assumed role. */
const CALLERS = {
  user: { kind: 'user', name: 'mallory' },
  role: { kind: 'role', name: 'ci-deployer' },
} as const;

/** The CloudTrail record of the change on the trail, by the picked kind of caller. */
function trailChange(principal: 'user' | 'role'): FixtureEvent {
  if (principal === 'role') return loadFixture('cloudtrail/api-call-cloudtrail-puteventselectors.json');
  const event = loadFixture('cloudtrail/api-call-cloudtrail-stoplogging.json');
  const detail = event.detail as Record<string, unknown>;
  event.region = 'eu-west-1';
  detail.awsRegion = 'eu-west-1';
  detail.requestParameters = { name: `arn:aws:cloudtrail:eu-west-1:111122223333:trail/${TRAIL}` };
  return event;
}

/** GuardDuty's Stealth:IAMUser/CloudTrailLoggingDisabled, as a provider sample. */
function sampleFinding(): FixtureEvent {
  const event = loadFixture('guardduty/iam-stealth-cloudtrail-logging-disabled.json');
  const service = (event.detail as { service: Record<string, unknown> }).service;
  service.additionalInfo = { sample: true };
  return event;
}

/**
 * CloudTrail trails (cloudtrail-logging-disabled): logging restarted (or selectors restored) on
 * the trail, and the caller (the indirect resource) contained. GuardDuty rates its finding Low:
 * the floor is lowered so that the sample is delivered.
 */
export const cloudTrailModel: TargetModel = {
  playbooks: { 'cloudtrail-logging-disabled': {} },
  config: { sources: { guardduty: { minSeverity: 2 } } },
  build: (pick) => {
    const caller = pick.condition === 'sample' ? CALLERS.user : CALLERS[pick.principal];
    return {
      event: pick.condition === 'sample' ? sampleFinding() : trailChange(pick.principal),
      prepare: (world) => {
        const trail = world.cloudtrail.trails[TRAIL];
        if (trail !== undefined && pick.principal === 'user') trail.isLogging = false;
      },
      protect: (world) => {
        const trail = world.cloudtrail.trails[TRAIL];
        if (trail !== undefined) protectTags(trail.tags, pick.tagValue);
        protectCaller(world, caller, pick.tagValue);
      },
      protectIndirect: (world) => protectCaller(world, caller, pick.tagValue),
      touchesIndirect: (params) => namesPrincipal(params, caller),
    };
  },
};

import type { WorldData } from '../../../functions/core/actions/world/index.ts';
import { type FixtureEvent, loadFixture } from '../../support/fixtures.ts';
import { protectCaller } from './safety-kms.ts';
import { namesPrincipal, protectTags, type TargetModel } from './safety-model.ts';

/** The example world's group with SSH open to the world (the fixtures' group). */
const GROUP = 'sg-0c4e6a8b2d1f3e5a7';

/** The callers: the IAM user payments-deployer (long-term key), the role ci-deployer (a session). */
const CALLERS = {
  user: { kind: 'user', name: 'payments-deployer' },
  role: { kind: 'role', name: 'ci-deployer' },
} as const;

/** CloudTrail's AuthorizeSecurityGroupIngress from 0.0.0.0/0 on the group, by the picked caller. */
function worldOpened(principal: 'user' | 'role'): FixtureEvent {
  const event = loadFixture('cloudtrail/api-call-ec2-authorize-sg-ingress-world-open.json');
  const detail = event.detail as Record<string, unknown>;
  detail.userIdentity =
    principal === 'role'
      ? JSON.parse(JSON.stringify(detail.userIdentity).replaceAll('Developer', CALLERS.role.name))
      : (loadFixture('cloudtrail/api-call-kms-disablekey.json').detail as Record<string, unknown>)
          .userIdentity;
  return event;
}

/** Security Hub's EC2.19 control finding on the group, as a provider sample (it names no caller). */
function sampleFinding(): FixtureEvent {
  const event = loadFixture('securityhub/imported-control-ec2-19-security-group-high-risk-ports.json');
  const [finding] = (event.detail as { findings: Record<string, unknown>[] }).findings;
  if (finding !== undefined) finding.Sample = true;
  return event;
}

const groupOf = (world: WorldData) => world.ec2.securityGroups.find((g) => g.groupId === GROUP);

/**
 * Security groups open to the world (security-group-open-to-world and its release): the
 * world-open SSH/RDP rules revoked, and the CloudTrail caller (the indirect resource) contained,
 * then released. The group's environment decides the first approval.
 */
export const securityGroupModel: TargetModel = {
  playbooks: {
    'security-group-open-to-world': {},
    'security-group-release': { containedBy: 'security-group-open-to-world' },
  },
  build: (pick) => {
    const caller = CALLERS[pick.principal];
    return {
      event: pick.condition === 'sample' ? sampleFinding() : worldOpened(pick.principal),
      prepare: (world) => {
        const group = groupOf(world);
        if (group !== undefined) group.tags.environment = pick.staging ? 'staging' : 'production';
      },
      protect: (world) => {
        const group = groupOf(world);
        if (group !== undefined) protectTags(group.tags, pick.tagValue);
        protectCaller(world, caller, pick.tagValue);
      },
      protectIndirect: (world) => protectCaller(world, caller, pick.tagValue),
      touchesIndirect: (params) => namesPrincipal(params, caller),
    };
  },
};

import { type FixtureEvent, loadFixture } from '../../support/fixtures.ts';
import { at, namesPrincipal, protectRole, type TargetModel, tagInstance } from './safety-model.ts';

/** The example world's instances with the payments-app-profile (role payments-app-role). */
const INSTANCES = ['i-0a1b2c3d4e5f60718', 'i-0a1b2c3d4e5f60719'] as const;
const ROLE = { kind: 'role', name: 'payments-app-role' } as const;
const FIXTURE_INSTANCE = 'i-0a1b2c3d4e5f60718';

/**
 * GuardDuty's InstanceCredentialExfiltration (the leaked role's key, for a role pick) or
 * MetadataDNSRebind (the instance, for a user pick), on `instanceId`.
 */
function finding(principal: 'user' | 'role', instanceId: string, sample: boolean): FixtureEvent {
  const fixture =
    principal === 'role'
      ? 'guardduty/accesskey-instance-credential-exfiltration-inside-aws.json'
      : 'guardduty/instance-metadata-dns-rebind.json';
  const event = JSON.parse(
    JSON.stringify(loadFixture(fixture)).replaceAll(FIXTURE_INSTANCE, instanceId),
  ) as FixtureEvent;
  if (sample)
    (event.detail as { service: Record<string, unknown> }).service.additionalInfo = { sample: true };
  return event;
}

/**
 * Instances whose role credentials were stolen (instance-credential-exfiltration and its
 * release): the instance is made to require IMDSv2, and the role's sessions revoked (the leaked
 * role, or the instance profile's role after a DNS rebinding: the indirect resource).
 */
export const instanceCredentialModel: TargetModel = {
  playbooks: {
    'instance-credential-exfiltration': {},
    'instance-credential-release': { containedBy: 'instance-credential-exfiltration' },
  },
  build: (pick) => {
    const instanceId = at(INSTANCES, pick.variant);
    return {
      event: finding(pick.principal, instanceId, pick.condition === 'sample'),
      prepare: (world) =>
        tagInstance(world, instanceId, 'environment', pick.staging ? 'staging' : 'production'),
      protect: (world) => {
        tagInstance(world, instanceId, 'riposte:protected', pick.tagValue);
        protectRole(world, ROLE.name, pick.tagValue);
      },
      protectIndirect: (world) => protectRole(world, ROLE.name, pick.tagValue),
      touchesIndirect: (params) => namesPrincipal(params, ROLE),
    };
  },
};

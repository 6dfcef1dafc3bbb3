import { describe, expect, it } from 'vitest';
import { exampleWorld, scenario } from '../../cli/local/testkit.ts';
import type { WorldData } from '../../functions/core/actions/world/index.ts';
import ec2Compromise from '../../playbooks/ec2-instance-compromise.ts';
import ec2Release from '../../playbooks/ec2-instance-release.ts';
import iamCompromise from '../../playbooks/iam-credential-compromise.ts';
import iamRelease from '../../playbooks/iam-credential-release.ts';
import { guardDutyAccessKeyFinding, guardDutyInstanceFinding } from '../support/events.ts';

const INSTANCE = 'i-0a1b2c3d4e5f60718';
const USER = 'payments-deployer';
const ROLE = 'payments-app-role';
/** A session key: a finding naming it names none of the user's long-term keys. */
const SESSION_KEY = 'ASIAPAYMENTSSESSION1';

/**
 * What a release must put back for the instance: security groups per ENI, instance profile,
 * Elastic IP association, Auto Scaling membership, target registrations, termination settings,
 * and no session revocation left on the instance's role. (Association ids are new after a
 * re-association; snapshots and the isolation group stay as evidence.)
 */
function restorable(world: WorldData) {
  const instance = world.ec2.instances.find((i) => i.instanceId === INSTANCE);
  return {
    enis: world.ec2.networkInterfaces
      .filter((n) => n.attachment?.instanceId === INSTANCE)
      .map((n) => ({ eni: n.networkInterfaceId, groups: n.groups })),
    profile: instance?.iamInstanceProfile?.arn,
    disableApiTermination: instance?.disableApiTermination,
    blockDevices: instance?.blockDevices,
    addresses: world.ec2.addresses.map((a) => ({
      allocationId: a.allocationId,
      eni: a.networkInterfaceId,
      privateIp: a.privateIpAddress,
    })),
    autoScaling: world.ec2.autoScalingGroups.map((g) => ({
      name: g.name,
      desiredCapacity: g.desiredCapacity,
      instances: g.instances.map((i) => `${i.instanceId}:${i.lifecycleState}`),
    })),
    targets: world.ec2.targetGroups.map((tg) => tg.targets.map((t) => `${t.id}:${t.port}`).sort()),
    roleInlinePolicies: Object.keys(world.iam.roles[ROLE]?.inlinePolicies ?? {}).sort(),
  };
}

describe('release playbooks', () => {
  it('ec2-instance-release after ec2-instance-compromise puts the instance back as it was', async () => {
    // Prepare
    const before = exampleWorld();

    // Act
    const result = await scenario(ec2Compromise)
      .event(guardDutyInstanceFinding({ instanceId: INSTANCE }))
      .approve()
      .andThen(ec2Release)
      .run();

    // Assess
    const [containment, release] = result.executions;
    expect(containment?.playbook).toBe('ec2-instance-compromise');
    expect(containment?.status).toBe('SUCCEEDED');
    expect(containment?.path).toContain('Isolate and snapshot');
    const isolationCalls = containment?.actions.find((a) => a.action === 'isolate-instance')?.calls ?? [];
    expect(isolationCalls.some((c) => c.api === 'ModifyNetworkInterfaceAttribute')).toBe(true);
    expect(release?.playbook).toBe('ec2-instance-release');
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Restore instance');
    expect(result.path).toContain('Notify: released');
    expect(result.mutations('release-instance').map((c) => c.api)).toEqual(
      expect.arrayContaining(['ModifyNetworkInterfaceAttribute', 'ExitStandby', 'RegisterTargets']),
    );
    expect(restorable(result.world)).toEqual(restorable(before));
    // The evidence stays: one snapshot per volume of the instance.
    // The two the isolation took (the world's public snapshot of a deleted volume aside).
    expect(result.world.ec2.snapshots.filter((s) => s.tags['riposte:incident'] !== undefined)).toHaveLength(
      2,
    );
  });

  it('ec2-instance-release without a prior containment says there is nothing to release', async () => {
    // Prepare
    const before = exampleWorld();

    // Act
    const result = await scenario(ec2Release)
      .event(guardDutyInstanceFinding({ instanceId: INSTANCE }))
      .run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: nothing to release');
    expect(result.path).not.toContain('Notify: released');
    expect(result.actions.find((a) => a.action === 'release-instance')?.error).toMatch(
      /^NothingToReleaseError/,
    );
    expect(result.mutations()).toEqual([]);
    expect(result.world).toEqual(before);
  });

  it('iam-credential-release after containment reactivates exactly the keys that were active', async () => {
    // Prepare: one key already inactive before the incident must stay inactive; the finding
    // names a session key, none of the user's (the attacker's key is kept: iam-credential-release.test.ts).
    const s = scenario(iamCompromise)
      .event(guardDutyAccessKeyFinding({ userName: USER, accessKeyId: SESSION_KEY }))
      .editWorld((world) => {
        const key = world.iam.users[USER]?.accessKeys.find((k) => k.accessKeyId === 'AKIAPAYMENTSDEPLOY01');
        if (key !== undefined) key.status = 'Inactive';
      })
      .andThen(iamRelease);

    // Act
    const result = await s.run();

    // Assess
    const [containment] = result.executions;
    expect(containment?.status).toBe('SUCCEEDED');
    expect(containment?.path).toContain('Deactivate keys and console access');
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Restore user');
    const reactivations = result.mutations('release-iam-user').filter((c) => c.api === 'UpdateAccessKey');
    expect(reactivations.map((c) => c.params)).toEqual([
      { UserName: USER, AccessKeyId: 'AKIAPAYMENTSATTACK02', Status: 'Active' },
    ]);
    const keys = result.world.iam.users[USER]?.accessKeys.map((k) => [k.accessKeyId, k.status]);
    expect(keys).toEqual([
      ['AKIAPAYMENTSDEPLOY01', 'Inactive'],
      ['AKIAPAYMENTSATTACK02', 'Active'],
    ]);
    expect(Object.keys(result.world.iam.users[USER]?.inlinePolicies ?? {})).not.toContain('riposte-deny-all');
  });

  it('iam-credential-release reactivates every key of the example user, all of which were active, when the finding names none of them', async () => {
    // Prepare
    const active = (exampleWorld().iam.users[USER]?.accessKeys ?? [])
      .filter((k) => k.status === 'Active')
      .map((k) => k.accessKeyId);

    // Act
    const result = await scenario(iamCompromise)
      .event(guardDutyAccessKeyFinding({ userName: USER, accessKeyId: SESSION_KEY }))
      .andThen(iamRelease)
      .run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const reactivated = result.mutations('release-iam-user').filter((c) => c.api === 'UpdateAccessKey');
    expect(reactivated.map((c) => c.params.AccessKeyId)).toEqual(active);
    expect(
      result.world.iam.users[USER]?.accessKeys.filter((k) => k.status === 'Active').map((k) => k.accessKeyId),
    ).toEqual(active);
  });
});

import { describe, expect, it } from 'vitest';
import { isolateInstanceAction } from '../../../../functions/core/actions/ec2/isolate-instance.ts';
import { releaseInstanceAction } from '../../../../functions/core/actions/ec2/release-instance.ts';
import { captureInstance } from '../../../../functions/core/actions/ec2/shared/capture.ts';
import { NothingToReleaseError, ProtectedResourceError } from '../../../../functions/core/actions/errors.ts';
import { revokeOlderSessionsPolicy } from '../../../../functions/core/actions/iam/shared/policies.ts';
import { StaticSafetyRails } from '../../../support/action-env.ts';
import {
  ALLOCATION,
  ASG,
  comparable,
  ENI_1,
  ENI_2,
  INCIDENT,
  INSTANCE,
  ISOLATION_NAME,
  NOW_ISO,
  networkView,
  PROFILE_ARN,
  PROTECTED,
  ROLE,
  SG_API,
  SG_DB,
  SIBLING,
  TG,
  UNTRACK_NAME,
  VOL_1,
  VOL_2,
  VPC,
  worldSetup,
} from './support.ts';

describe('isolate-instance and release-instance (world)', () => {
  it('isolates i-0a1b2c3d4e5f60718: ENIs in the empty isolation group, out of ASG and target group, no EIP or profile', async () => {
    // Prepare
    const { world, env } = worldSetup();

    // Act
    const output = await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);

    // Assess
    const { ec2, iam } = world.state;
    const isolation = ec2.securityGroups.find((g) => g.groupName === ISOLATION_NAME);
    const untrack = ec2.securityGroups.find((g) => g.groupName === UNTRACK_NAME);
    expect(isolation).toMatchObject({ vpcId: VPC, ingress: [], egress: [] });
    expect(untrack).toMatchObject({
      ingress: [{ protocol: '-1', cidr: '0.0.0.0/0' }],
      egress: [{ protocol: '-1', cidr: '0.0.0.0/0' }],
    });
    expect(networkView(world)).toMatchObject({
      eniGroups: [
        [ENI_1, [isolation?.groupId]],
        [ENI_2, [isolation?.groupId]],
      ],
      profile: undefined,
      asg: [
        [
          ASG,
          1,
          [
            [INSTANCE, 'Standby'],
            [SIBLING, 'InService'],
          ],
        ],
      ],
      targets: [[TG, [[SIBLING, 8080]]]],
      eips: [[ALLOCATION, undefined, undefined]],
      rolePolicies: ['read-payments-exports', 'riposte-revoke-older-sessions'],
    });
    expect(ec2.instances.find((i) => i.instanceId === INSTANCE)).toMatchObject({
      disableApiTermination: true,
      instanceInitiatedShutdownBehavior: 'stop',
      blockDevices: [{ deleteOnTermination: false }, { deleteOnTermination: false }],
      tags: { 'riposte:status': 'quarantined', 'riposte:incident': INCIDENT },
    });
    expect(
      ec2.snapshots
        .filter((s) => s.volumeId === VOL_1 || s.volumeId === VOL_2)
        .map((s) => [s.volumeId, s.tags['riposte:incident'], s.tags['riposte:account']]),
    ).toEqual([
      [VOL_1, INCIDENT, '111122223333'],
      [VOL_2, INCIDENT, '111122223333'],
    ]);
    expect(JSON.parse(String(iam.roles[ROLE]?.inlinePolicies['riposte-revoke-older-sessions']))).toEqual(
      revokeOlderSessionsPolicy(NOW_ISO),
    );
    expect(output.roleSessions?.siblingInstanceIds).toEqual([SIBLING]);
  });

  it('a second isolation makes no state-changing call and keeps the original saved state', async () => {
    // Prepare
    const { world, env } = worldSetup();
    await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);
    const savedFirst = await env.state.load(`ec2:${INSTANCE}`);
    const worldFirst = structuredClone(world.state);
    const mark = env.recorder.calls.length;

    // Act
    const again = await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);

    // Assess
    expect(env.recorder.calls.slice(mark).filter((c) => c.mutating)).toEqual([]);
    expect(world.state).toEqual(worldFirst);
    expect(await env.state.load(`ec2:${INSTANCE}`)).toEqual(savedFirst);
    expect(savedFirst).toMatchObject({
      networkInterfaces: [
        { groups: [{ groupId: SG_API }] },
        { groups: [{ groupId: SG_DB }, { groupId: SG_API }] },
      ],
      autoScalingGroup: { groupName: ASG, lifecycleState: 'InService' },
    });
    expect(again).toMatchObject({
      stateSaved: false,
      evidence: {
        terminationProtection: 'already-enabled',
        shutdownBehavior: 'already-stop',
        deleteOnTerminationDisabled: [],
      },
      autoScaling: { action: 'already-standby' },
      targetGroups: [],
      networkInterfaces: [{ action: 'already-isolated' }, { action: 'already-isolated' }],
      elasticIps: [],
      instanceProfile: null,
      roleSessions: { action: 'already-revoked', revokedBefore: NOW_ISO },
      snapshots: [{ action: 'existing' }, { action: 'existing' }],
      tags: { action: 'already-tagged' },
    });
  });

  it('release after isolate restores the captured state, keeps the snapshots, and a second release changes nothing', async () => {
    // Prepare
    const { world, env } = worldSetup();
    const viewBefore = networkView(world);
    const captureBefore = await captureInstance(env, INSTANCE);
    await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);
    const viewIsolated = networkView(world);

    // Act
    const released = await releaseInstanceAction.run({ instanceId: INSTANCE }, env);
    const mark = env.recorder.calls.length;
    const again = await releaseInstanceAction.run({ instanceId: INSTANCE }, env);

    // Assess
    expect(viewIsolated).not.toEqual(viewBefore);
    expect(networkView(world)).toEqual(viewBefore);
    expect(comparable(await captureInstance(env, INSTANCE))).toEqual(comparable(captureBefore));
    expect(
      world.state.ec2.snapshots.filter((s) => s.volumeId === VOL_1 || s.volumeId === VOL_2),
    ).toHaveLength(2);
    expect(world.state.ec2.instances.find((i) => i.instanceId === INSTANCE)?.tags).toMatchObject({
      'riposte:status': 'released',
      'riposte:incident': INCIDENT,
    });
    expect(released).toMatchObject({
      networkInterfaces: [{ action: 'restored' }, { action: 'restored' }],
      instanceProfile: { arn: PROFILE_ARN, action: 'associated' },
      roleSessions: { roleName: ROLE, action: 'removed' },
      elasticIps: [{ allocationId: ALLOCATION, action: 'associated' }],
      autoScaling: { groupName: ASG, action: 'exited-standby' },
      evidence: {
        terminationProtection: 'restored',
        shutdownBehavior: 'unchanged',
        deleteOnTerminationRestored: [VOL_1, VOL_2],
      },
      tags: { action: 'tagged' },
      snapshotsKept: true,
    });
    expect(env.recorder.calls.slice(mark).filter((c) => c.mutating)).toEqual([]);
    expect(again.networkInterfaces.map((e) => e.action)).toEqual(['unchanged', 'unchanged']);
    expect(releaseInstanceAction.output.parse(released)).toEqual(released);
  });

  it('refuses the protected instance with ProtectedResourceError and zero state-changing calls', async () => {
    // Prepare
    const { world, env } = worldSetup();
    const safety = new StaticSafetyRails(env.execution);
    const before = structuredClone(world.state);

    // Act
    const run = isolateInstanceAction.run(
      { instanceId: PROTECTED, revokeRoleSessions: true },
      { ...env, safety },
    );

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    expect(safety.checked).toEqual([
      {
        resource: PROTECTED,
        tags: {
          Name: 'security-bastion',
          owner: 'security',
          environment: 'production',
          'riposte:protected': 'true',
        },
      },
    ]);
    expect(env.recorder.mutations).toEqual([]);
    expect(world.state).toEqual(before);
  });

  it('release without a saved isolation throws NothingToReleaseError', async () => {
    // Prepare
    const { env } = worldSetup();

    // Act
    const run = releaseInstanceAction.run({ instanceId: INSTANCE }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(NothingToReleaseError);
    expect(env.recorder.calls).toEqual([]);
  });

  it('leaves the role alone when the incident decided not to revoke its sessions', async () => {
    // Prepare
    const { world, env } = worldSetup();

    // Act
    const output = await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: false }, env);
    const released = await releaseInstanceAction.run({ instanceId: INSTANCE }, env);

    // Assess
    expect(output.roleSessions).toMatchObject({
      roleName: ROLE,
      action: 'not-requested',
      revokedBefore: null,
    });
    expect(env.recorder.mutations.filter((c) => c.service === 'iam')).toEqual([]);
    expect(released.roleSessions).toMatchObject({ action: 'not-revoked' });
    expect(Object.keys(world.state.iam.roles[ROLE]?.inlinePolicies ?? {})).toEqual(['read-payments-exports']);
  });
});

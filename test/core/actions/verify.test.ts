import { describe, expect, it } from 'vitest';
import { isolateInstanceAction } from '../../../functions/core/actions/ec2/isolate-instance.ts';
import { releaseInstanceAction } from '../../../functions/core/actions/ec2/release-instance.ts';
import { containUserAction } from '../../../functions/core/actions/iam/contain-iam-user.ts';
import { releaseUserAction } from '../../../functions/core/actions/iam/release-iam-user.ts';
import { releaseRoleSessionsAction } from '../../../functions/core/actions/iam/release-role-sessions.ts';
import { revokeRoleSessionsAction } from '../../../functions/core/actions/iam/revoke-role-sessions.ts';
import {
  DENY_ALL_POLICY,
  revokeOlderSessionsPolicy,
} from '../../../functions/core/actions/iam/shared/policies.ts';
import { DriftingWorld, failed, worldEnv } from '../../support/drifting-world.ts';

const INSTANCE = 'i-0a1b2c3d4e5f60718';
const ENI_1 = 'eni-0a1b2c3d4e5f60001';
const ENI_2 = 'eni-0a1b2c3d4e5f60002';
const USER = 'payments-deployer';
const OLD_KEY = 'AKIAPAYMENTSDEPLOY01';
const ATTACKER_KEY = 'AKIAPAYMENTSATTACK02';
const ROLE = 'payments-app-role';
const REVOKE_POLICY = 'riposte-revoke-older-sessions';

describe('isolate-instance and release-instance read back their effect', () => {
  it('verifies an isolation on the example world: every ENI in the isolation group, no profile, sessions revoked', async () => {
    // Prepare
    const env = worldEnv(new DriftingWorld());

    // Act
    const output = await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);

    // Assess
    const isolation = output.securityGroups[0]?.isolationGroupId;
    expect(output.verification).toMatchObject({ verified: true, basis: 'read-back' });
    expect(output.verification.evidence.map((c) => [c.check, c.actual])).toEqual([
      [`${ENI_1} security groups`, isolation],
      [`${ENI_2} security groups`, isolation],
      [`${INSTANCE} instance profile`, 'none'],
      [
        `${ROLE} inline policy ${REVOKE_POLICY}`,
        JSON.stringify(revokeOlderSessionsPolicy(output.roleSessions?.revokedBefore ?? '')),
      ],
      [`${ROLE} ${REVOKE_POLICY} aws:TokenIssueTime DateLessThan`, output.roleSessions?.revokedBefore],
    ]);
    // The read-back only reads, after every change.
    const calls = env.recorder.calls;
    const lastChange = calls.findLastIndex((c) => c.mutating);
    expect(calls.slice(lastChange + 1).map((c) => c.api)).toEqual([
      'DescribeNetworkInterfaces',
      'DescribeIamInstanceProfileAssociations',
      'GetRolePolicy',
    ]);
  });

  it('is NOT VERIFIED, without throwing, when a second security group is left on an interface', async () => {
    // Prepare
    const world = new DriftingWorld('CreateTags', (state) => {
      const eni = state.ec2.networkInterfaces.find((e) => e.networkInterfaceId === ENI_2);
      eni?.groups.push('sg-0a1b2c3d4e5f60001');
    });
    const env = worldEnv(world);

    // Act
    const output = await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);

    // Assess
    expect(output.networkInterfaces.map((e) => e.action)).toEqual(['isolated', 'isolated']);
    expect(output.verification.verified).toBe(false);
    expect(failed(output.verification)).toEqual([`${ENI_2} security groups`]);
    expect(output.verification.evidence[1]?.actual).toContain('sg-0a1b2c3d4e5f60001');
  });

  it('verifies a release (original groups and profile back) and is NOT VERIFIED when an ENI stays isolated', async () => {
    // Prepare
    const clean = worldEnv(new DriftingWorld());
    await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, clean);
    const drifting = new DriftingWorld();
    const driftEnv = worldEnv(drifting);
    const isolated = await isolateInstanceAction.run(
      { instanceId: INSTANCE, revokeRoleSessions: true },
      driftEnv,
    );
    const isolation = isolated.securityGroups[0]?.isolationGroupId ?? '';
    drifting.arm('CreateTags', (state) => {
      const eni = state.ec2.networkInterfaces.find((e) => e.networkInterfaceId === ENI_1);
      if (eni !== undefined) eni.groups = [isolation];
    });

    // Act
    const released = await releaseInstanceAction.run({ instanceId: INSTANCE }, clean);
    const notReleased = await releaseInstanceAction.run({ instanceId: INSTANCE }, driftEnv);

    // Assess
    expect(released.verification).toMatchObject({ verified: true, basis: 'read-back' });
    expect(released.verification.evidence.map((c) => c.check)).toEqual([
      `${ENI_1} security groups`,
      `${ENI_2} security groups`,
      `${INSTANCE} instance profile`,
    ]);
    expect(notReleased.verification.verified).toBe(false);
    expect(failed(notReleased.verification)).toEqual([`${ENI_1} security groups`]);
  });
});

describe('contain-iam-user and release-iam-user read back their effect', () => {
  it('verifies a containment: keys Inactive, riposte-deny-all attached, no login profile', async () => {
    // Prepare
    const env = worldEnv(new DriftingWorld());

    // Act
    const output = await containUserAction.run({ userName: USER }, env);

    // Assess
    expect(output.verification.verified).toBe(true);
    expect(output.verification.evidence.map((c) => [c.check, c.actual])).toEqual([
      [`access key ${OLD_KEY} status`, 'Inactive'],
      [`access key ${ATTACKER_KEY} status`, 'Inactive'],
      [`${USER} inline policy riposte-deny-all`, JSON.stringify(DENY_ALL_POLICY)],
      [`${USER} console login profile`, 'none'],
    ]);
  });

  it('is NOT VERIFIED when a key is still Active after the containment', async () => {
    // Prepare
    const world = new DriftingWorld('DeleteLoginProfile', (state) => {
      const key = state.iam.users[USER]?.accessKeys.find((k) => k.accessKeyId === ATTACKER_KEY);
      if (key !== undefined) key.status = 'Active';
    });

    // Act
    const output = await containUserAction.run({ userName: USER }, worldEnv(world));

    // Assess
    expect(output.deactivatedAccessKeys).toEqual([OLD_KEY, ATTACKER_KEY]);
    expect(output.verification.verified).toBe(false);
    expect(output.verification.evidence.find((c) => !c.ok)).toEqual({
      check: `access key ${ATTACKER_KEY} status`,
      expected: 'Inactive',
      actual: 'Active',
      ok: false,
    });
  });

  it("verifies a release (keys back, the attacker's kept Inactive, policy gone) and is NOT VERIFIED when the policy is back", async () => {
    // Prepare
    const clean = worldEnv(new DriftingWorld());
    const drifting = worldEnv(
      new DriftingWorld('DeleteUserPolicy', (state) => {
        const user = state.iam.users[USER];
        if (user !== undefined)
          user.inlinePolicies['riposte-deny-all'] = { Version: '2012-10-17', Statement: [] };
      }),
    );
    await containUserAction.run({ userName: USER }, clean);
    await containUserAction.run({ userName: USER }, drifting);
    const input = { userName: USER, attackerAccessKeyIds: [ATTACKER_KEY] };

    // Act
    const released = await releaseUserAction.run(input, clean);
    const notReleased = await releaseUserAction.run(input, drifting);

    // Assess
    expect(released.verification.verified).toBe(true);
    expect(released.verification.evidence.map((c) => [c.check, c.expected, c.actual])).toEqual([
      [`access key ${OLD_KEY} status`, 'Active', 'Active'],
      [`access key ${ATTACKER_KEY} status`, 'Inactive', 'Inactive'],
      [`${USER} inline policy riposte-deny-all`, 'absent', 'absent'],
    ]);
    expect(failed(notReleased.verification)).toEqual([`${USER} inline policy riposte-deny-all`]);
  });
});

describe('revoke-role-sessions and release-role-sessions read back their effect', () => {
  it('verifies the revoke policy and its aws:TokenIssueTime, and is NOT VERIFIED when the condition differs', async () => {
    // Prepare
    const clean = worldEnv(new DriftingWorld());
    const drifting = worldEnv(
      new DriftingWorld('PutRolePolicy', (state) => {
        const role = state.iam.roles[ROLE];
        if (role !== undefined)
          role.inlinePolicies[REVOKE_POLICY] = revokeOlderSessionsPolicy('2020-01-01T00:00:00.000Z');
      }),
    );

    // Act
    const revoked = await revokeRoleSessionsAction.run({ roleName: ROLE }, clean);
    const drifted = await revokeRoleSessionsAction.run({ roleName: ROLE }, drifting);

    // Assess
    expect(revoked.verification).toMatchObject({ verified: true, basis: 'read-back' });
    expect(revoked.verification.evidence[1]).toMatchObject({ actual: revoked.revokedBefore, ok: true });
    expect(drifted.verification.verified).toBe(false);
    expect(drifted.verification.evidence[1]).toEqual({
      check: `${ROLE} ${REVOKE_POLICY} aws:TokenIssueTime DateLessThan`,
      expected: drifted.revokedBefore,
      actual: '2020-01-01T00:00:00.000Z',
      ok: false,
    });
  });

  it('verifies the policy is gone after release, and is NOT VERIFIED when it is back', async () => {
    // Prepare
    const clean = worldEnv(new DriftingWorld());
    const drifting = worldEnv(
      new DriftingWorld('DeleteRolePolicy', (state) => {
        const role = state.iam.roles[ROLE];
        if (role !== undefined)
          role.inlinePolicies[REVOKE_POLICY] = revokeOlderSessionsPolicy('2030-01-01T00:00:00.000Z');
      }),
    );
    await revokeRoleSessionsAction.run({ roleName: ROLE }, clean);
    await revokeRoleSessionsAction.run({ roleName: ROLE }, drifting);

    // Act
    const released = await releaseRoleSessionsAction.run({ roleName: ROLE }, clean);
    const notReleased = await releaseRoleSessionsAction.run({ roleName: ROLE }, drifting);

    // Assess
    expect(released.verification.evidence).toEqual([
      { check: `${ROLE} inline policy ${REVOKE_POLICY}`, expected: 'absent', actual: 'absent', ok: true },
    ]);
    expect(notReleased.verification).toMatchObject({ verified: false, basis: 'read-back' });
  });
});

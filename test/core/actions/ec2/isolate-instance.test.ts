import { DescribeAutoScalingGroupsCommand, EnterStandbyCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstancesCommand,
  EC2ServiceException,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { isolateInstanceAction } from '../../../../functions/core/actions/ec2/isolate-instance.ts';
import { releaseInstanceAction } from '../../../../functions/core/actions/ec2/release-instance.ts';
import {
  AwsAccessDeniedError,
  PartialFailureError,
  ProtectedResourceError,
  ResourceNotFoundError,
  TransientAwsError,
} from '../../../../functions/core/actions/errors.ts';
import { releaseRoleSessionsAction } from '../../../../functions/core/actions/iam/release-role-sessions.ts';
import { revokeRoleSessionsAction } from '../../../../functions/core/actions/iam/revoke-role-sessions.ts';
import { PermissiveSafetyRails } from '../../../support/action-env.ts';
import {
  ALL_TRAFFIC,
  ALLOCATION,
  ASG,
  CAPTURE_READS,
  type Call,
  ENI_1,
  ENI_2,
  ec2Error,
  GET_REVOKE_POLICY,
  GET_ROLE,
  INSTANCE,
  ISOLATION,
  ISOLATION_CALLS,
  ISOLATION_NAME,
  ISOLATION_READ_BACK,
  liveSetup,
  modifyEni,
  NOW_ISO,
  onWire,
  PROFILE_ARN,
  PROFILE_ASSOCIATION,
  ROLE,
  recorded,
  SG_API,
  SG_DB,
  SIBLING,
  TG,
  UNTRACK,
  UNTRACK_NAME,
  uncontained,
  VOL_1,
  VOL_2,
  VPC,
  worldSetup,
} from './support.ts';

describe('isolate-instance (live, aws-sdk-client-mock behind the middleware)', () => {
  it('captures, saves, passes the rails, then isolates in the documented order with exact parameters', async () => {
    // Prepare
    const safety = new PermissiveSafetyRails();
    const { env, wire } = liveSetup({ safety });
    uncontained(wire);
    let atRails: { calls: Call[]; saved: unknown; role: unknown } | undefined;
    const spying = {
      ...env,
      safety: {
        async assertContainable(target: { resource: string; tags: Readonly<Record<string, string>> }) {
          // The instance's rails (the first call; the instance role's follow).
          atRails ??= {
            calls: recorded(env),
            saved: await env.state.load(`ec2:${INSTANCE}`),
            role: await env.state.load(`iam-role:${ROLE}`),
          };
          await safety.assertContainable(target);
        },
        standing: (tags: Readonly<Record<string, string>>) => safety.standing(tags),
      },
    };

    // Act
    const output = await isolateInstanceAction.run(
      { instanceId: INSTANCE, revokeRoleSessions: true },
      spying,
    );

    // Assess
    expect(recorded(env)).toEqual([
      ...CAPTURE_READS,
      GET_REVOKE_POLICY,
      GET_ROLE,
      ...ISOLATION_CALLS,
      ...ISOLATION_READ_BACK,
    ]);
    for (const service of ['ec2', 'iam', 'autoScaling', 'elbv2'] as const) {
      expect(onWire(wire, service)).toEqual(recorded(env).filter(([s]) => s === service));
    }
    expect(env.recorder.calls.every((c) => !c.dryRun)).toBe(true);
    expect(atRails?.calls).toEqual([...CAPTURE_READS, GET_REVOKE_POLICY]);
    expect(atRails?.saved).toMatchObject({
      kind: 'ec2-instance',
      instanceId: INSTANCE,
      revokeRoleSessions: true,
      networkInterfaces: [
        { networkInterfaceId: ENI_1, groups: [{ groupId: SG_API, groupName: 'payments-api-sg' }] },
        { networkInterfaceId: ENI_2, groups: [{ groupId: SG_DB }, { groupId: SG_API }] },
      ],
    });
    // The role's pre-revocation state: the capture shared with revoke-role-sessions (none in place).
    expect(atRails?.role).toEqual({
      kind: 'iam-role',
      roleName: ROLE,
      capturedBy: `isolate-instance:${INSTANCE}`,
      capturedAt: NOW_ISO,
      arn: `arn:aws:iam::111122223333:role/${ROLE}`,
      revokedBefore: null,
    });
    // The instance, then the role whose sessions are revoked (an indirect change, counted too).
    expect(safety.checked).toEqual([
      { resource: INSTANCE, tags: { owner: 'payments-team', environment: 'production' } },
      { resource: ROLE, tags: {} },
    ]);
    expect(output).toMatchObject({
      stateKey: `ec2:${INSTANCE}`,
      stateSaved: true,
      evidence: {
        terminationProtection: 'enabled',
        shutdownBehavior: 'set-to-stop',
        deleteOnTerminationDisabled: [VOL_1, VOL_2],
      },
      autoScaling: {
        groupName: ASG,
        action: 'entered-standby',
        desiredCapacityDecremented: true,
        replacementExpected: false,
      },
      targetGroups: [
        { targetGroupArn: TG, deregistered: [{ id: INSTANCE, port: 8080, availabilityZone: null }] },
      ],
      securityGroups: [{ vpcId: VPC, untrackGroupId: UNTRACK, isolationGroupId: ISOLATION }],
      networkInterfaces: [
        { networkInterfaceId: ENI_1, previousGroups: [SG_API], action: 'isolated', error: null },
        { networkInterfaceId: ENI_2, previousGroups: [SG_DB, SG_API], action: 'isolated', error: null },
      ],
      elasticIps: [{ allocationId: ALLOCATION, publicIp: '203.0.113.10', action: 'disassociated' }],
      instanceProfile: { arn: PROFILE_ARN, associationId: PROFILE_ASSOCIATION, action: 'disassociated' },
      roleSessions: {
        roleName: ROLE,
        action: 'revoked',
        revokedBefore: NOW_ISO,
        siblingInstanceIds: [SIBLING],
      },
      snapshots: [
        { volumeId: VOL_1, snapshotId: 'snap-0000000000000001', action: 'created' },
        { volumeId: VOL_2, snapshotId: 'snap-0000000000000002', action: 'created' },
      ],
      tags: { action: 'tagged' },
    });
    expect(output.roleSessions?.warning).toMatch(/sharing the role/);
    expect(isolateInstanceAction.output.parse(output)).toEqual(output);
  });

  it('lets the SDK retry a throttled call (RequestLimitExceeded) and records it once', async () => {
    // Prepare
    const { env, wire } = liveSetup();
    uncontained(wire);
    wire.ec2
      .on(ModifyNetworkInterfaceAttributeCommand, { NetworkInterfaceId: ENI_1, Groups: [UNTRACK] })
      .rejectsOnce(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503))
      .resolves({});

    // Act
    const output = await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);

    // Assess
    const wireModifies = onWire(wire, 'ec2').filter(([, api]) => api === 'ModifyNetworkInterfaceAttribute');
    expect(wireModifies).toEqual([
      modifyEni(ENI_1, [UNTRACK]),
      modifyEni(ENI_1, [UNTRACK]),
      modifyEni(ENI_1, [ISOLATION]),
      modifyEni(ENI_2, [UNTRACK]),
      modifyEni(ENI_2, [ISOLATION]),
    ]);
    expect(recorded(env)).toEqual([
      ...CAPTURE_READS,
      GET_REVOKE_POLICY,
      GET_ROLE,
      ...ISOLATION_CALLS,
      ...ISOLATION_READ_BACK,
    ]);
    expect(output.networkInterfaces.map((e) => e.action)).toEqual(['isolated', 'isolated']);
  });

  it('surfaces UnauthorizedOperation as AwsAccessDeniedError and stops before the security groups', async () => {
    // Prepare
    const { env, wire } = liveSetup();
    uncontained(wire);
    wire.ec2
      .on(ModifyInstanceAttributeCommand)
      .rejects(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));

    // Act
    const run = isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(AwsAccessDeniedError);
    await expect(run).rejects.toThrow(/ec2:ModifyInstanceAttribute was denied/);
    expect(env.recorder.mutations.map((c) => c.api)).toEqual(['ModifyInstanceAttribute']);
    expect(onWire(wire, 'ec2').filter(([, api]) => api === 'ModifyInstanceAttribute')).toHaveLength(1);
    expect(await env.state.load(`ec2:${INSTANCE}`)).toMatchObject({ instanceId: INSTANCE });
  });

  it('isolates the other ENI when one fails, puts the failed one back from the untrack group, and throws PartialFailureError', async () => {
    // Prepare
    const { env, wire } = liveSetup();
    uncontained(wire);
    wire.ec2
      .on(ModifyNetworkInterfaceAttributeCommand, { NetworkInterfaceId: ENI_1, Groups: [ISOLATION] })
      .rejects(
        ec2Error('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${ENI_1}' does not exist`),
      );

    // Act
    const run = isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);

    // Assess
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialFailureError);
    expect((error as PartialFailureError).failures).toEqual([
      {
        target: ENI_1,
        error: `InvalidNetworkInterfaceID.NotFound: The networkInterface ID '${ENI_1}' does not exist`,
        transient: false,
      },
    ]);
    expect(recorded(env).filter(([, api]) => api === 'ModifyNetworkInterfaceAttribute')).toEqual([
      modifyEni(ENI_1, [UNTRACK]),
      modifyEni(ENI_1, [ISOLATION]),
      modifyEni(ENI_1, [SG_API]),
      modifyEni(ENI_2, [UNTRACK]),
      modifyEni(ENI_2, [ISOLATION]),
    ]);
    // The steps after the ENIs still ran.
    expect(env.recorder.mutations.slice(-6).map((c) => c.api)).toEqual([
      'DisassociateAddress',
      'DisassociateIamInstanceProfile',
      'PutRolePolicy',
      'CreateSnapshot',
      'CreateSnapshot',
      'CreateTags',
    ]);
  });

  it('throws TransientAwsError when the only failures are throttling past the SDK, and a second run finishes the isolation', async () => {
    // Prepare: one attempt per call, as when the SDK has used up its own
    const { env, wire } = liveSetup({ maxAttempts: 1 });
    uncontained(wire);
    wire.ec2
      .on(ModifyNetworkInterfaceAttributeCommand, { NetworkInterfaceId: ENI_1, Groups: [ISOLATION] })
      .rejectsOnce(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503));

    // Act
    const first = await isolateInstanceAction
      .run({ instanceId: INSTANCE, revokeRoleSessions: true }, env)
      .catch((e: unknown) => e);
    const second = await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);

    // Assess
    expect(first).toBeInstanceOf(TransientAwsError);
    expect(first).toMatchObject({ name: 'TransientAwsError' });
    expect((first as TransientAwsError).failures).toEqual([
      { target: ENI_1, error: 'RequestLimitExceeded: Request limit exceeded.', transient: true },
    ]);
    // The throttled ENI was put back from the untrack group, then isolated by the second run.
    expect(recorded(env).filter(([, api]) => api === 'ModifyNetworkInterfaceAttribute')).toEqual([
      modifyEni(ENI_1, [UNTRACK]),
      modifyEni(ENI_1, [ISOLATION]),
      modifyEni(ENI_1, [SG_API]),
      modifyEni(ENI_2, [UNTRACK]),
      modifyEni(ENI_2, [ISOLATION]),
      modifyEni(ENI_1, [UNTRACK]),
      modifyEni(ENI_1, [ISOLATION]),
      modifyEni(ENI_2, [UNTRACK]),
      modifyEni(ENI_2, [ISOLATION]),
    ]);
    expect(second.networkInterfaces.map((e) => e.action)).toEqual(['isolated', 'isolated']);
  });

  it('throws PartialFailureError, not TransientAwsError, when one failure of several is lasting', async () => {
    // Prepare
    const { env, wire } = liveSetup({ maxAttempts: 1 });
    uncontained(wire);
    wire.ec2
      .on(ModifyNetworkInterfaceAttributeCommand, { NetworkInterfaceId: ENI_1, Groups: [ISOLATION] })
      .rejects(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503))
      .on(ModifyNetworkInterfaceAttributeCommand, { NetworkInterfaceId: ENI_2, Groups: [ISOLATION] })
      .rejects(
        ec2Error('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${ENI_2}' does not exist`),
      );

    // Act
    const error = await isolateInstanceAction
      .run({ instanceId: INSTANCE, revokeRoleSessions: true }, env)
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(PartialFailureError);
    expect(error).toMatchObject({ name: 'PartialFailureError' });
    expect((error as PartialFailureError).failures.map((f) => [f.target, f.transient])).toEqual([
      [ENI_1, true],
      [ENI_2, false],
    ]);
  });

  it('never leaves an ENI in the untrack group, even when the isolation step is denied', async () => {
    // Prepare
    const { env, wire } = liveSetup();
    uncontained(wire);
    wire.ec2
      .on(ModifyNetworkInterfaceAttributeCommand, { NetworkInterfaceId: ENI_1, Groups: [ISOLATION] })
      .rejects(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));

    // Act
    const run = isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(AwsAccessDeniedError);
    expect(recorded(env).filter(([, api]) => api === 'ModifyNetworkInterfaceAttribute')).toEqual([
      modifyEni(ENI_1, [UNTRACK]),
      modifyEni(ENI_1, [ISOLATION]),
      modifyEni(ENI_1, [SG_API]),
    ]);
  });

  it('falls back to DetachInstances when standby is refused, without going below the minimum size', async () => {
    // Prepare
    const { env, wire } = liveSetup();
    uncontained(wire);
    wire.autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: ASG,
          MinSize: 1,
          MaxSize: 1,
          DesiredCapacity: 1,
          DefaultCooldown: 300,
          AvailabilityZones: ['eu-west-1a'],
          HealthCheckType: 'ELB',
          CreatedTime: new Date('2025-01-01T00:00:00Z'),
        },
      ],
    });
    wire.autoScaling.on(EnterStandbyCommand).rejects(
      new EC2ServiceException({
        name: 'ValidationError',
        message: 'below min-size',
        $fault: 'client',
        $metadata: {},
      }),
    );

    // Act
    const output = await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);

    // Assess
    expect(
      recorded(env)
        .filter(([service]) => service === 'autoScaling')
        .slice(2),
    ).toEqual([
      [
        'autoScaling',
        'EnterStandby',
        { AutoScalingGroupName: ASG, InstanceIds: [INSTANCE], ShouldDecrementDesiredCapacity: true },
      ],
      [
        'autoScaling',
        'DetachInstances',
        { AutoScalingGroupName: ASG, InstanceIds: [INSTANCE], ShouldDecrementDesiredCapacity: false },
      ],
    ]);
    expect(output.autoScaling).toMatchObject({
      action: 'detached',
      desiredCapacityDecremented: false,
      replacementExpected: true,
    });
    const detachAt = recorded(env).findIndex(([, api]) => api === 'DetachInstances');
    const firstEniChange = recorded(env).findIndex(([, api]) => api === 'ModifyNetworkInterfaceAttribute');
    expect(detachAt).toBeLessThan(firstEniChange);
  });

  it('in dry-run records every state-changing call and sends none', async () => {
    // Prepare
    const { env, wire } = liveSetup({ mode: { kind: 'dry-run' } });
    uncontained(wire);

    // Act
    const output = await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);

    // Assess
    const placeholders = { [UNTRACK]: `dry-run:${UNTRACK_NAME}`, [ISOLATION]: `dry-run:${ISOLATION_NAME}` };
    const expected = ISOLATION_CALLS.map(
      ([service, api, params]): Call => [
        service,
        api,
        JSON.parse(
          JSON.stringify(params)
            .replaceAll(UNTRACK, placeholders[UNTRACK])
            .replaceAll(ISOLATION, placeholders[ISOLATION]),
        ),
      ],
    );
    expect(recorded(env)).toEqual([
      ...CAPTURE_READS,
      GET_REVOKE_POLICY,
      GET_ROLE,
      ...expected,
      ...ISOLATION_READ_BACK,
    ]);
    expect(env.recorder.mutations.every((c) => c.dryRun)).toBe(true);
    expect(env.recorder.mutations).toHaveLength(
      expected.filter(([, api]) => !/^(Describe|Get)/.test(api)).length,
    );
    const reachedWire = [
      ...onWire(wire, 'ec2'),
      ...onWire(wire, 'iam'),
      ...onWire(wire, 'autoScaling'),
      ...onWire(wire, 'elbv2'),
    ];
    expect(reachedWire.filter(([, api]) => !/^(Describe|Get)/.test(api))).toEqual([]);
    expect(reachedWire).toHaveLength(CAPTURE_READS.length + 6 + ISOLATION_READ_BACK.length);
    expect(output.snapshots.map((s) => s.snapshotId)).toEqual([null, null]);
    // Nothing was sent: the read-back shows the instance as it was.
    expect(output.verification).toMatchObject({ verified: false, basis: 'dry-run' });
  });

  it('refuses a protected instance with ProtectedResourceError and sends no state-changing call', async () => {
    // Prepare
    const { env, wire } = liveSetup();
    uncontained(wire, { 'riposte:protected': 'true', owner: 'security' });

    // Act
    const run = isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    expect(env.recorder.mutations).toEqual([]);
    expect(recorded(env)).toEqual([...CAPTURE_READS, GET_REVOKE_POLICY]);
  });

  it('turns an unknown instance into ResourceNotFoundError', async () => {
    // Prepare
    const { env, wire } = liveSetup();
    wire.ec2
      .on(DescribeInstancesCommand)
      .rejects(ec2Error('InvalidInstanceID.NotFound', `The instance ID '${INSTANCE}' does not exist`));

    // Act
    const run = isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ResourceNotFoundError);
    expect(env.recorder.mutations).toEqual([]);
  });
});
describe('isolate-instance: the per-VPC security groups (world)', () => {
  it('reuses the pair for the next instance of the VPC', async () => {
    // Prepare
    const { world, env } = worldSetup();
    await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);
    const groupsBefore = structuredClone(world.state.ec2.securityGroups);
    const mark = env.recorder.calls.length;

    // Act
    const output = await isolateInstanceAction.run({ instanceId: SIBLING, revokeRoleSessions: true }, env);

    // Assess
    const isolation = groupsBefore.find((g) => g.groupName === ISOLATION_NAME)?.groupId ?? '';
    const untrack = groupsBefore.find((g) => g.groupName === UNTRACK_NAME)?.groupId ?? '';
    const changes = env.recorder.calls.slice(mark).filter((c) => c.mutating && c.service === 'ec2');
    expect(changes.filter((c) => /SecurityGroup/.test(c.api))).toEqual([]);
    expect(changes.filter((c) => c.api === 'ModifyNetworkInterfaceAttribute').map((c) => c.params)).toEqual([
      { NetworkInterfaceId: 'eni-0a1b2c3d4e5f60003', Groups: [untrack] },
      { NetworkInterfaceId: 'eni-0a1b2c3d4e5f60003', Groups: [isolation] },
    ]);
    expect(world.state.ec2.securityGroups).toEqual(groupsBefore);
    expect(output.securityGroups).toEqual([
      { vpcId: VPC, untrackGroupId: untrack, isolationGroupId: isolation, changes: [] },
    ]);
  });

  it('removes rules someone added to the isolation group, and only that, on the next run', async () => {
    // Prepare
    const { world, env } = worldSetup();
    await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);
    const isolation = world.state.ec2.securityGroups.find((g) => g.groupName === ISOLATION_NAME);
    if (isolation === undefined) throw new Error('no isolation group');
    isolation.ingress.push({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' });
    const mark = env.recorder.calls.length;

    // Act
    const output = await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);

    // Assess
    expect(
      env.recorder.calls
        .slice(mark)
        .filter((c) => c.mutating)
        .map((c) => [c.api, c.params]),
    ).toEqual([
      [
        'RevokeSecurityGroupIngress',
        {
          GroupId: isolation.groupId,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          ],
        },
      ],
    ]);
    expect(isolation.ingress).toEqual([]);
    expect(output.securityGroups[0]?.changes).toEqual([
      `revoked 1 inbound rule(s) found on ${ISOLATION_NAME}`,
    ]);
  });

  it('opens and closes IPv6 too when an ENI has IPv6 addresses', async () => {
    // Prepare
    const { world, env } = worldSetup();
    const eni = world.state.ec2.networkInterfaces.find((e) => e.networkInterfaceId === ENI_1);
    if (eni === undefined) throw new Error('no ENI');
    eni.ipv6Addresses = ['2001:db8::15'];

    // Act
    await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);

    // Assess
    const groupCalls = env.recorder.calls
      .filter((c) => c.mutating && /SecurityGroup(Ingress|Egress)$/.test(c.api))
      .map((c) => [c.api, c.params.IpPermissions]);
    const allIpv6 = [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }];
    expect(groupCalls).toEqual([
      ['AuthorizeSecurityGroupIngress', ALL_TRAFFIC],
      ['AuthorizeSecurityGroupIngress', allIpv6],
      ['AuthorizeSecurityGroupEgress', allIpv6],
      ['RevokeSecurityGroupEgress', ALL_TRAFFIC],
      ['RevokeSecurityGroupEgress', allIpv6],
    ]);
    const groups = world.state.ec2.securityGroups;
    expect(groups.find((g) => g.groupName === UNTRACK_NAME)).toMatchObject({
      ingress: [
        { protocol: '-1', cidr: '0.0.0.0/0' },
        { protocol: '-1', cidrIpv6: '::/0' },
      ],
      egress: [
        { protocol: '-1', cidr: '0.0.0.0/0' },
        { protocol: '-1', cidrIpv6: '::/0' },
      ],
    });
    expect(groups.find((g) => g.groupName === ISOLATION_NAME)).toMatchObject({ ingress: [], egress: [] });
  });
});

describe('the instance role shared with revoke-role-sessions (world)', () => {
  it.each([
    ['isolate first, release the instance first', 'isolate', 'instance'],
    ['isolate first, release the role first', 'isolate', 'role'],
    ['revoke first, release the instance first', 'revoke', 'instance'],
    ['revoke first, release the role first', 'revoke', 'role'],
  ] as const)(
    '%s: one capture, one PutRolePolicy, and the role ends exactly as before',
    async (_name, containFirst, releaseFirst) => {
      // Prepare
      const { world, env } = worldSetup();
      const roleBefore = structuredClone(world.state.iam.roles[ROLE]);
      const isolate = () =>
        isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);
      const revoke = () => revokeRoleSessionsAction.run({ roleName: ROLE }, env);
      const releaseInstance = () => releaseInstanceAction.run({ instanceId: INSTANCE }, env);
      const releaseRole = () => releaseRoleSessionsAction.run({ roleName: ROLE }, env);

      // Act
      const [isolated, revoked] =
        containFirst === 'isolate'
          ? [await isolate(), await revoke()]
          : await revoke().then(async (r) => [await isolate(), r] as const);
      const capture = await env.state.load(`iam-role:${ROLE}`);
      const whileContained = Object.keys(world.state.iam.roles[ROLE]?.inlinePolicies ?? {});
      const [instanceReleased, roleReleased] =
        releaseFirst === 'instance'
          ? [await releaseInstance(), await releaseRole()]
          : await releaseRole().then(async (r) => [await releaseInstance(), r] as const);

      // Assess
      const roleWrites = env.recorder.mutations
        .filter((c) => c.service === 'iam' && c.params.RoleName === ROLE)
        .map((c) => [c.api, c.params.PolicyName]);
      expect(roleWrites).toEqual([
        ['PutRolePolicy', 'riposte-revoke-older-sessions'],
        ['DeleteRolePolicy', 'riposte-revoke-older-sessions'],
      ]);
      expect(whileContained).toEqual(['read-payments-exports', 'riposte-revoke-older-sessions']);
      expect(world.state.iam.roles[ROLE]).toEqual(roleBefore);
      expect(capture).toMatchObject({
        kind: 'iam-role',
        capturedBy: containFirst === 'isolate' ? `isolate-instance:${INSTANCE}` : 'revoke-role-sessions',
        revokedBefore: NOW_ISO,
      });
      expect(capture).not.toHaveProperty('previousRevokePolicy');
      expect(await env.state.load(`ec2:${INSTANCE}`)).not.toHaveProperty('previousRevokePolicy');
      expect(revoked).toMatchObject({ revokedBefore: NOW_ISO, appliedByThisRun: containFirst === 'revoke' });
      expect(isolated.roleSessions).toMatchObject({
        revokedBefore: NOW_ISO,
        action: containFirst === 'isolate' ? 'revoked' : 'already-revoked',
      });
      expect([instanceReleased.roleSessions?.action, roleReleased.outcome]).toEqual(
        releaseFirst === 'instance' ? ['removed', 'absent'] : ['absent', 'removed'],
      );
    },
  );
});

describe('isolate-instance: the role-session decision (world)', () => {
  it('a later run that revokes records it, so that release removes the policy', async () => {
    // Prepare
    const { world, env } = worldSetup();
    await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: false }, env);

    // Act
    const revoked = await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions: true }, env);
    const policiesWhileIsolated = Object.keys(world.state.iam.roles[ROLE]?.inlinePolicies ?? {});
    const released = await releaseInstanceAction.run({ instanceId: INSTANCE }, env);

    // Assess
    expect(revoked.roleSessions).toMatchObject({ action: 'revoked', revokedBefore: NOW_ISO });
    expect(policiesWhileIsolated).toEqual(['read-payments-exports', 'riposte-revoke-older-sessions']);
    expect(await env.state.load(`ec2:${INSTANCE}`)).toMatchObject({ revokeRoleSessions: true });
    expect(released.roleSessions).toMatchObject({ action: 'removed' });
    expect(Object.keys(world.state.iam.roles[ROLE]?.inlinePolicies ?? {})).toEqual(['read-payments-exports']);
  });
});

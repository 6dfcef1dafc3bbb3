import {
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DetachInstancesCommand,
  EnterStandbyCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  DescribeAddressesCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  DisassociateAddressCommand,
  DisassociateIamInstanceProfileCommand,
  EC2ServiceException,
  type Instance,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
} from '@aws-sdk/client-ec2';
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetInstanceProfileCommand,
  GetRolePolicyCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import {
  captureInstance,
  enrichInstanceAction,
  type InstanceCapture,
  isolateInstanceAction,
  releaseInstanceAction,
} from '../../../functions/core/actions/ec2.ts';
import {
  AwsAccessDeniedError,
  NothingToReleaseError,
  PartialFailureError,
  ProtectedResourceError,
  ResourceNotFoundError,
  TransientAwsError,
} from '../../../functions/core/actions/errors.ts';
import {
  releaseRoleSessionsAction,
  revokeOlderSessionsPolicy,
  revokeRoleSessionsAction,
} from '../../../functions/core/actions/iam.ts';
import { LocalWorld } from '../../../functions/core/actions/world/index.ts';
import {
  actionEnv,
  PermissiveSafetyRails,
  StaticSafetyRails,
  TEST_NOW,
  type TestActionEnv,
  type WireMocks,
  wireMocks,
} from '../../support/action-env.ts';

const NOW_ISO = new Date(TEST_NOW).toISOString();
const INCIDENT = 'inc-test-1';
const INSTANCE = 'i-0a1b2c3d4e5f60718';
const SIBLING = 'i-0a1b2c3d4e5f60719';
const PROTECTED = 'i-0badc0ffee0000001';
const VPC = 'vpc-0a1b2c3d';
const ENI_1 = 'eni-0a1b2c3d4e5f60001';
const ENI_2 = 'eni-0a1b2c3d4e5f60002';
const SG_API = 'sg-0a1b2c3d4e5f60001';
const SG_DB = 'sg-0a1b2c3d4e5f60002';
const UNTRACK = 'sg-0untrack00000000001';
const ISOLATION = 'sg-0isolation000000001';
const UNTRACK_NAME = `riposte-untrack-${VPC}`;
const ISOLATION_NAME = `riposte-isolation-${VPC}`;
const ALLOCATION = 'eipalloc-0a1b2c3d4e5f60001';
const EIP_ASSOCIATION = 'eipassoc-0a1b2c3d4e5f60001';
const PROFILE_ASSOCIATION = 'iip-assoc-0a1b2c3d4e5f60718';
const PROFILE_ARN = 'arn:aws:iam::111122223333:instance-profile/payments-app-profile';
const ROLE = 'payments-app-role';
const ASG = 'payments-api-asg';
const TG = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/payments-api/0a1b2c3d4e5f6071';
const TG_OTHER_VPC =
  'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/other-vpc/0f0f0f0f0f0f0f0f';
const VOL_1 = 'vol-0a1b2c3d4e5f60001';
const VOL_2 = 'vol-0a1b2c3d4e5f60002';
const ALL_TRAFFIC = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];

type Call = [service: string, api: string, params: unknown];

function ec2Error(name: string, message: string, status = 400): EC2ServiceException {
  return new EC2ServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: status } });
}

// ---------------------------------------------------------------------------------------------
// Live mode: aws-sdk-client-mock behind the clients' middleware

function liveInstance(tags: Record<string, string>): Instance {
  return {
    InstanceId: INSTANCE,
    InstanceType: 'm5.large',
    ImageId: 'ami-0a1b2c3d4e5f60718',
    State: { Code: 16, Name: 'running' },
    LaunchTime: new Date('2025-05-01T08:00:00Z'),
    Placement: { AvailabilityZone: 'eu-west-1a' },
    VpcId: VPC,
    SubnetId: 'subnet-0a1b2c3d4e5f60001',
    PrivateIpAddress: '10.0.1.15',
    PublicIpAddress: '203.0.113.10',
    IamInstanceProfile: { Arn: PROFILE_ARN, Id: 'AIPAPAYMENTSAPPPROF1' },
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    BlockDeviceMappings: [
      { DeviceName: '/dev/xvda', Ebs: { VolumeId: VOL_1, DeleteOnTermination: true, Status: 'attached' } },
      { DeviceName: '/dev/sdf', Ebs: { VolumeId: VOL_2, DeleteOnTermination: true, Status: 'attached' } },
    ],
    NetworkInterfaces: [
      {
        NetworkInterfaceId: ENI_2,
        Attachment: { DeviceIndex: 1, Status: 'attached' },
        VpcId: VPC,
        SubnetId: 'subnet-0a1b2c3d4e5f60002',
        Groups: [
          { GroupId: SG_DB, GroupName: 'payments-db-client-sg' },
          { GroupId: SG_API, GroupName: 'payments-api-sg' },
        ],
        PrivateIpAddress: '10.0.2.15',
        PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: '10.0.2.15' }],
      },
      {
        NetworkInterfaceId: ENI_1,
        Attachment: { DeviceIndex: 0, Status: 'attached' },
        VpcId: VPC,
        SubnetId: 'subnet-0a1b2c3d4e5f60001',
        Groups: [{ GroupId: SG_API, GroupName: 'payments-api-sg' }],
        PrivateIpAddress: '10.0.1.15',
        PrivateIpAddresses: [
          {
            Primary: true,
            PrivateIpAddress: '10.0.1.15',
            Association: { PublicIp: '203.0.113.10', IpOwnerId: '111122223333' },
          },
        ],
      },
    ],
  };
}

/**
 * AWS as it looks before containment: the instance with two ENIs (listed out of device order),
 * an Elastic IP, an instance profile shared with a sibling, an Auto Scaling group, two target
 * groups over two pages (one in another VPC), no Riposte security group yet.
 */
function uncontained(
  wire: WireMocks,
  tags: Record<string, string> = { owner: 'payments-team', environment: 'production' },
): void {
  wire.ec2.on(DescribeInstancesCommand).resolves({
    Reservations: [{ ReservationId: 'r-0a1b2c3d', OwnerId: '111122223333', Instances: [liveInstance(tags)] }],
  });
  wire.ec2.on(DescribeInstanceAttributeCommand).rejects(new Error('unexpected attribute'));
  wire.ec2
    .on(DescribeInstanceAttributeCommand, { Attribute: 'disableApiTermination' })
    .resolves({ InstanceId: INSTANCE, DisableApiTermination: { Value: false } });
  wire.ec2
    .on(DescribeInstanceAttributeCommand, { Attribute: 'instanceInitiatedShutdownBehavior' })
    .resolves({ InstanceId: INSTANCE, InstanceInitiatedShutdownBehavior: { Value: 'terminate' } });
  wire.ec2.on(DescribeVolumesCommand).resolves({
    Volumes: [
      { VolumeId: VOL_1, Size: 16, VolumeType: 'gp3', Encrypted: true },
      { VolumeId: VOL_2, Size: 100, VolumeType: 'gp3', Encrypted: true },
    ],
  });
  wire.ec2.on(DescribeAddressesCommand).resolves({
    Addresses: [
      {
        AllocationId: ALLOCATION,
        AssociationId: EIP_ASSOCIATION,
        PublicIp: '203.0.113.10',
        NetworkInterfaceId: ENI_1,
        PrivateIpAddress: '10.0.1.15',
        InstanceId: INSTANCE,
        Domain: 'vpc',
      },
    ],
  });
  wire.ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({
    IamInstanceProfileAssociations: [
      {
        AssociationId: 'iip-assoc-sibling',
        InstanceId: SIBLING,
        IamInstanceProfile: { Arn: PROFILE_ARN },
        State: 'associated',
      },
      {
        AssociationId: 'iip-assoc-other',
        InstanceId: 'i-0f0f0f0f0f0f0f0f0',
        IamInstanceProfile: { Arn: 'arn:aws:iam::111122223333:instance-profile/other' },
        State: 'associated',
      },
    ],
  });
  wire.ec2
    .on(DescribeIamInstanceProfileAssociationsCommand, {
      Filters: [{ Name: 'instance-id', Values: [INSTANCE] }],
    })
    .resolves({
      IamInstanceProfileAssociations: [
        {
          AssociationId: PROFILE_ASSOCIATION,
          InstanceId: INSTANCE,
          IamInstanceProfile: { Arn: PROFILE_ARN },
          State: 'associated',
        },
      ],
    });
  wire.iam.on(GetInstanceProfileCommand).resolves({
    InstanceProfile: {
      InstanceProfileName: 'payments-app-profile',
      InstanceProfileId: 'AIPAPAYMENTSAPPPROF1',
      Arn: PROFILE_ARN,
      Path: '/',
      CreateDate: new Date('2024-03-04T09:21:00Z'),
      Roles: [
        {
          RoleName: ROLE,
          RoleId: 'AROAPAYMENTSAPPROLE1',
          Arn: `arn:aws:iam::111122223333:role/${ROLE}`,
          Path: '/',
          CreateDate: new Date('2024-03-04T09:20:00Z'),
        },
      ],
    },
  });
  wire.iam
    .on(GetRolePolicyCommand)
    .rejects(new NoSuchEntityException({ message: 'The role policy cannot be found.', $metadata: {} }));
  wire.autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({
    AutoScalingInstances: [
      {
        InstanceId: INSTANCE,
        AutoScalingGroupName: ASG,
        AvailabilityZone: 'eu-west-1a',
        LifecycleState: 'InService',
        HealthStatus: 'HEALTHY',
        ProtectedFromScaleIn: false,
      },
    ],
  });
  wire.autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: ASG,
        MinSize: 1,
        MaxSize: 4,
        DesiredCapacity: 2,
        DefaultCooldown: 300,
        AvailabilityZones: ['eu-west-1a'],
        HealthCheckType: 'ELB',
        CreatedTime: new Date('2025-01-01T00:00:00Z'),
      },
    ],
  });
  wire.elbv2.on(DescribeTargetGroupsCommand).resolves({
    TargetGroups: [{ TargetGroupArn: TG_OTHER_VPC, VpcId: 'vpc-0f0f0f0f', TargetType: 'instance', Port: 80 }],
    NextMarker: 'page-2',
  });
  wire.elbv2
    .on(DescribeTargetGroupsCommand, { Marker: 'page-2' })
    .resolves({ TargetGroups: [{ TargetGroupArn: TG, VpcId: VPC, TargetType: 'instance', Port: 8080 }] });
  wire.elbv2.on(DescribeTargetHealthCommand).resolves({
    TargetHealthDescriptions: [
      { Target: { Id: INSTANCE, Port: 8080 }, TargetHealth: { State: 'healthy' } },
      { Target: { Id: SIBLING, Port: 8080 }, TargetHealth: { State: 'healthy' } },
    ],
  });
  wire.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
  wire.ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
  // Writes.
  wire.ec2.on(CreateSecurityGroupCommand).rejects(new Error('unexpected group'));
  wire.ec2.on(CreateSecurityGroupCommand, { GroupName: UNTRACK_NAME }).resolves({ GroupId: UNTRACK });
  wire.ec2.on(CreateSecurityGroupCommand, { GroupName: ISOLATION_NAME }).resolves({ GroupId: ISOLATION });
  wire.ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
  wire.ec2.on(RevokeSecurityGroupEgressCommand).resolves({ Return: true });
  wire.ec2.on(ModifyInstanceAttributeCommand).resolves({});
  wire.ec2.on(ModifyNetworkInterfaceAttributeCommand).resolves({});
  wire.ec2.on(DisassociateAddressCommand).resolves({});
  wire.ec2.on(DisassociateIamInstanceProfileCommand).resolves({
    IamInstanceProfileAssociation: { AssociationId: PROFILE_ASSOCIATION, State: 'disassociating' },
  });
  wire.ec2.on(CreateSnapshotCommand).rejects(new Error('unexpected volume'));
  wire.ec2
    .on(CreateSnapshotCommand, { VolumeId: VOL_1 })
    .resolves({ SnapshotId: 'snap-0000000000000001', State: 'pending' });
  wire.ec2
    .on(CreateSnapshotCommand, { VolumeId: VOL_2 })
    .resolves({ SnapshotId: 'snap-0000000000000002', State: 'pending' });
  wire.ec2.on(CreateTagsCommand).resolves({});
  wire.iam.on(PutRolePolicyCommand).resolves({});
  wire.autoScaling.on(EnterStandbyCommand).resolves({ Activities: [] });
  wire.autoScaling.on(DetachInstancesCommand).resolves({ Activities: [] });
  wire.elbv2.on(DeregisterTargetsCommand).resolves({});
}

function liveSetup(overrides: Parameters<typeof actionEnv>[0] = {}): { env: TestActionEnv; wire: WireMocks } {
  const env = actionEnv({ mode: { kind: 'live' }, ...overrides });
  return { env, wire: wireMocks(env.clients) };
}

/** What the clients sent (live) or recorded (dry-run), in order. */
function recorded(env: TestActionEnv): Call[] {
  return env.recorder.calls.map((c) => [c.service, c.api, c.params]);
}

/** What reached the wire stubs, by service, in order. */
function onWire(wire: WireMocks, service: keyof WireMocks): Call[] {
  return wire[service].calls().map((call) => {
    const command = call.args[0];
    return [service, command.constructor.name.replace(/Command$/, ''), command.input];
  });
}

const CAPTURE_READS: Call[] = [
  ['ec2', 'DescribeInstances', { InstanceIds: [INSTANCE] }],
  ['ec2', 'DescribeInstanceAttribute', { InstanceId: INSTANCE, Attribute: 'disableApiTermination' }],
  [
    'ec2',
    'DescribeInstanceAttribute',
    { InstanceId: INSTANCE, Attribute: 'instanceInitiatedShutdownBehavior' },
  ],
  ['ec2', 'DescribeVolumes', { VolumeIds: [VOL_1, VOL_2] }],
  ['ec2', 'DescribeAddresses', { Filters: [{ Name: 'network-interface-id', Values: [ENI_1, ENI_2] }] }],
  [
    'ec2',
    'DescribeIamInstanceProfileAssociations',
    { Filters: [{ Name: 'instance-id', Values: [INSTANCE] }] },
  ],
  ['iam', 'GetInstanceProfile', { InstanceProfileName: 'payments-app-profile' }],
  ['autoScaling', 'DescribeAutoScalingInstances', { InstanceIds: [INSTANCE] }],
  ['autoScaling', 'DescribeAutoScalingGroups', { AutoScalingGroupNames: [ASG] }],
  ['elbv2', 'DescribeTargetGroups', {}],
  ['elbv2', 'DescribeTargetGroups', { Marker: 'page-2' }],
  ['elbv2', 'DescribeTargetHealth', { TargetGroupArn: TG }],
];

const GET_REVOKE_POLICY: Call = [
  'iam',
  'GetRolePolicy',
  { RoleName: ROLE, PolicyName: 'riposte-revoke-older-sessions' },
];
/** The instance role read for the rails (protected tag, blast radius) before revoking its sessions. */
const GET_ROLE: Call = ['iam', 'GetRole', { RoleName: ROLE }];

function snapshotCall(volumeId: string, device: string): Call {
  return [
    'ec2',
    'CreateSnapshot',
    {
      VolumeId: volumeId,
      Description: `Riposte evidence of ${INSTANCE} ${device} for incident ${INCIDENT}`,
      TagSpecifications: [
        {
          ResourceType: 'snapshot',
          Tags: [
            { Key: 'Name', Value: `riposte-${INCIDENT}-${volumeId}` },
            { Key: 'riposte:incident', Value: INCIDENT },
            { Key: 'riposte:account', Value: '111122223333' },
            { Key: 'riposte:region', Value: 'eu-west-1' },
            { Key: 'riposte:captured-at', Value: NOW_ISO },
            { Key: 'riposte:instance', Value: INSTANCE },
            { Key: 'riposte:device', Value: device },
          ],
        },
      ],
    },
  ];
}

function groupCreation(name: string, purpose: string, description: string): Call {
  return [
    'ec2',
    'CreateSecurityGroup',
    {
      GroupName: name,
      Description: description,
      VpcId: VPC,
      TagSpecifications: [
        {
          ResourceType: 'security-group',
          Tags: [
            { Key: 'Name', Value: name },
            { Key: 'riposte:managed', Value: 'true' },
            { Key: 'riposte:purpose', Value: purpose },
          ],
        },
      ],
    },
  ];
}

const modifyEni = (eni: string, groups: string[]): Call => [
  'ec2',
  'ModifyNetworkInterfaceAttribute',
  { NetworkInterfaceId: eni, Groups: groups },
];

/** The whole isolation of the uncontained instance, after the capture reads. */
const ISOLATION_CALLS: Call[] = [
  ['ec2', 'ModifyInstanceAttribute', { InstanceId: INSTANCE, DisableApiTermination: { Value: true } }],
  [
    'ec2',
    'ModifyInstanceAttribute',
    { InstanceId: INSTANCE, InstanceInitiatedShutdownBehavior: { Value: 'stop' } },
  ],
  [
    'ec2',
    'ModifyInstanceAttribute',
    {
      InstanceId: INSTANCE,
      BlockDeviceMappings: [
        { DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: false } },
        { DeviceName: '/dev/sdf', Ebs: { DeleteOnTermination: false } },
      ],
    },
  ],
  [
    'autoScaling',
    'EnterStandby',
    { AutoScalingGroupName: ASG, InstanceIds: [INSTANCE], ShouldDecrementDesiredCapacity: true },
  ],
  ['elbv2', 'DeregisterTargets', { TargetGroupArn: TG, Targets: [{ Id: INSTANCE, Port: 8080 }] }],
  [
    'ec2',
    'DescribeSecurityGroups',
    {
      Filters: [
        { Name: 'vpc-id', Values: [VPC] },
        { Name: 'group-name', Values: [UNTRACK_NAME, ISOLATION_NAME] },
      ],
    },
  ],
  groupCreation(
    UNTRACK_NAME,
    'untrack',
    'Riposte isolation step 1: allows all traffic so that tracked connections become untracked',
  ),
  ['ec2', 'AuthorizeSecurityGroupIngress', { GroupId: UNTRACK, IpPermissions: ALL_TRAFFIC }],
  groupCreation(ISOLATION_NAME, 'isolation', 'Riposte isolation step 2: no inbound and no outbound rule'),
  ['ec2', 'RevokeSecurityGroupEgress', { GroupId: ISOLATION, IpPermissions: ALL_TRAFFIC }],
  modifyEni(ENI_1, [UNTRACK]),
  modifyEni(ENI_1, [ISOLATION]),
  modifyEni(ENI_2, [UNTRACK]),
  modifyEni(ENI_2, [ISOLATION]),
  ['ec2', 'DisassociateAddress', { AssociationId: EIP_ASSOCIATION }],
  ['ec2', 'DisassociateIamInstanceProfile', { AssociationId: PROFILE_ASSOCIATION }],
  GET_REVOKE_POLICY,
  ['ec2', 'DescribeIamInstanceProfileAssociations', { Filters: [{ Name: 'state', Values: ['associated'] }] }],
  [
    'iam',
    'PutRolePolicy',
    {
      RoleName: ROLE,
      PolicyName: 'riposte-revoke-older-sessions',
      PolicyDocument: JSON.stringify(revokeOlderSessionsPolicy(NOW_ISO)),
    },
  ],
  [
    'ec2',
    'DescribeSnapshots',
    {
      OwnerIds: ['self'],
      Filters: [
        { Name: 'volume-id', Values: [VOL_1, VOL_2] },
        { Name: 'tag:riposte:incident', Values: [INCIDENT] },
      ],
    },
  ],
  snapshotCall(VOL_1, '/dev/xvda'),
  snapshotCall(VOL_2, '/dev/sdf'),
  [
    'ec2',
    'CreateTags',
    {
      Resources: [INSTANCE],
      Tags: [
        { Key: 'riposte:status', Value: 'quarantined' },
        { Key: 'riposte:incident', Value: INCIDENT },
      ],
    },
  ],
];

/** The read-back after the isolation: the instance's ENIs, its profile, the role's revocation. */
const ISOLATION_READ_BACK: Call[] = [
  ['ec2', 'DescribeNetworkInterfaces', { Filters: [{ Name: 'attachment.instance-id', Values: [INSTANCE] }] }],
  [
    'ec2',
    'DescribeIamInstanceProfileAssociations',
    { Filters: [{ Name: 'instance-id', Values: [INSTANCE] }] },
  ],
  GET_REVOKE_POLICY,
];

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

// ---------------------------------------------------------------------------------------------
// World mode: examples/world.json

function worldSetup(): { world: LocalWorld; env: TestActionEnv } {
  const world = LocalWorld.fromFile('examples/world.json');
  return { world, env: actionEnv({ mode: { kind: 'world', world } }) };
}

/** What isolation changes and release must restore, read from the world itself. */
function networkView(world: LocalWorld): Record<string, unknown> {
  const { ec2, iam } = world.state;
  const instance = ec2.instances.find((i) => i.instanceId === INSTANCE);
  return {
    eniGroups: ec2.networkInterfaces
      .filter((e) => e.attachment?.instanceId === INSTANCE)
      .map((e) => [e.networkInterfaceId, e.groups]),
    profile: instance?.iamInstanceProfile?.arn,
    asg: ec2.autoScalingGroups.map((g) => [
      g.name,
      g.desiredCapacity,
      g.instances.map((m) => [m.instanceId, m.lifecycleState]),
    ]),
    targets: ec2.targetGroups.map((t) => [t.targetGroupArn, t.targets.map((x) => [x.id, x.port]).sort()]),
    eips: ec2.addresses.map((a) => [a.allocationId, a.networkInterfaceId, a.privateIpAddress]),
    protection: [
      instance?.disableApiTermination,
      instance?.instanceInitiatedShutdownBehavior,
      instance?.blockDevices,
    ],
    rolePolicies: Object.keys(iam.roles[ROLE]?.inlinePolicies ?? {}),
  };
}

/** A capture without what legitimately changes across isolate + release (ids of new associations, time, tags). */
function comparable(capture: InstanceCapture): Record<string, unknown> {
  const { capturedAt: _at, tags: _tags, instanceProfile, elasticIps, targetGroups, ...rest } = capture;
  return {
    ...rest,
    instanceProfile: instanceProfile === null ? null : { ...instanceProfile, associationId: 'x' },
    elasticIps: elasticIps.map((a) => ({ ...a, associationId: 'x' })),
    targetGroups: targetGroups.map((t) => ({
      ...t,
      targets: [...t.targets].sort((a, b) => a.id.localeCompare(b.id)),
    })),
  };
}

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
      ec2.snapshots.map((s) => [s.volumeId, s.tags['riposte:incident'], s.tags['riposte:account']]),
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
    expect(world.state.ec2.snapshots).toHaveLength(2);
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

describe('enrich-instance', () => {
  it('describes the payments instance from the world', async () => {
    // Prepare
    const { env } = worldSetup();

    // Act
    const output = await enrichInstanceAction.run({ instanceId: INSTANCE }, env);

    // Assess
    expect(output).toMatchObject({
      instanceId: INSTANCE,
      instanceType: 'm5.large',
      state: 'running',
      vpcId: VPC,
      subnetId: 'subnet-0a1b2c3d4e5f60001',
      launchTime: '2025-05-01T08:00:00.000Z',
      account: '111122223333',
      region: 'eu-west-1',
      owner: 'payments-team',
      environment: 'production',
      protected: false,
      disableApiTermination: false,
      shutdownBehavior: 'stop',
      networkInterfaces: [
        {
          networkInterfaceId: ENI_1,
          deviceIndex: 0,
          groups: [{ groupId: SG_API, groupName: 'payments-api-sg' }],
          publicIps: ['203.0.113.10'],
        },
        { networkInterfaceId: ENI_2, deviceIndex: 1, groups: [{ groupId: SG_DB }, { groupId: SG_API }] },
      ],
      elasticIps: [{ allocationId: ALLOCATION, publicIp: '203.0.113.10', networkInterfaceId: ENI_1 }],
      instanceProfile: {
        arn: PROFILE_ARN,
        name: 'payments-app-profile',
        roleName: ROLE,
        roleArn: `arn:aws:iam::111122223333:role/${ROLE}`,
      },
      autoScalingGroup: {
        groupName: ASG,
        lifecycleState: 'InService',
        minSize: 1,
        maxSize: 4,
        desiredCapacity: 2,
      },
      targetGroups: [{ targetGroupArn: TG, targetType: 'instance', targets: [{ id: INSTANCE, port: 8080 }] }],
      volumes: [
        { volumeId: VOL_1, deviceName: '/dev/xvda', deleteOnTermination: true, sizeGiB: 16, encrypted: true },
        { volumeId: VOL_2, deviceName: '/dev/sdf', deleteOnTermination: true, sizeGiB: 100, encrypted: true },
      ],
    });
    expect(env.recorder.mutations).toEqual([]);
    expect(enrichInstanceAction.output.parse(output)).toEqual(output);
  });

  it('flags the protected tag given as key=value, case-insensitively, and reads Owner / env keys', async () => {
    // Prepare
    const { world, env } = worldSetup();
    const bastion = world.state.ec2.instances.find((i) => i.instanceId === PROTECTED);
    if (bastion === undefined) throw new Error('no bastion');
    bastion.tags = { Owner: 'security', env: 'prod', 'riposte:protected': 'TRUE' };
    const input = enrichInstanceAction.input.parse({ instanceId: PROTECTED });

    // Act
    const output = await enrichInstanceAction.run(input, env);

    // Assess
    expect(output).toMatchObject({
      owner: 'security',
      environment: 'prod',
      protected: true,
      autoScalingGroup: null,
      elasticIps: [],
    });
  });
});

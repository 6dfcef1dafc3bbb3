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
import type { InstanceCapture } from '../../../../functions/core/actions/ec2/shared/schemas.ts';
import { revokeOlderSessionsPolicy } from '../../../../functions/core/actions/iam/shared/policies.ts';
import { LocalWorld } from '../../../../functions/core/actions/world/index.ts';
import {
  actionEnv,
  TEST_NOW,
  type TestActionEnv,
  type WireMocks,
  wireMocks,
} from '../../../support/action-env.ts';

/** The EC2 actions' test fixtures: the instance, its live mocks and the calls isolation makes. */

export const NOW_ISO = new Date(TEST_NOW).toISOString();
export const INCIDENT = 'inc-test-1';
export const INSTANCE = 'i-0a1b2c3d4e5f60718';
export const SIBLING = 'i-0a1b2c3d4e5f60719';
export const PROTECTED = 'i-0badc0ffee0000001';
export const VPC = 'vpc-0a1b2c3d';
export const ENI_1 = 'eni-0a1b2c3d4e5f60001';
export const ENI_2 = 'eni-0a1b2c3d4e5f60002';
export const SG_API = 'sg-0a1b2c3d4e5f60001';
export const SG_DB = 'sg-0a1b2c3d4e5f60002';
export const UNTRACK = 'sg-0untrack00000000001';
export const ISOLATION = 'sg-0isolation000000001';
export const UNTRACK_NAME = `riposte-untrack-${VPC}`;
export const ISOLATION_NAME = `riposte-isolation-${VPC}`;
export const ALLOCATION = 'eipalloc-0a1b2c3d4e5f60001';
export const EIP_ASSOCIATION = 'eipassoc-0a1b2c3d4e5f60001';
export const PROFILE_ASSOCIATION = 'iip-assoc-0a1b2c3d4e5f60718';
export const PROFILE_ARN = 'arn:aws:iam::111122223333:instance-profile/payments-app-profile';
export const ROLE = 'payments-app-role';
export const ASG = 'payments-api-asg';
export const TG =
  'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/payments-api/0a1b2c3d4e5f6071';
export const TG_OTHER_VPC =
  'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/other-vpc/0f0f0f0f0f0f0f0f';
export const VOL_1 = 'vol-0a1b2c3d4e5f60001';
export const VOL_2 = 'vol-0a1b2c3d4e5f60002';
export const ALL_TRAFFIC = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];

export type Call = [service: string, api: string, params: unknown];

export function ec2Error(name: string, message: string, status = 400): EC2ServiceException {
  return new EC2ServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: status } });
}

// ---------------------------------------------------------------------------------------------
// Live mode: aws-sdk-client-mock behind the clients' middleware

export function liveInstance(tags: Record<string, string>): Instance {
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
export function uncontained(
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

export function liveSetup(overrides: Parameters<typeof actionEnv>[0] = {}): {
  env: TestActionEnv;
  wire: WireMocks;
} {
  const env = actionEnv({ mode: { kind: 'live' }, ...overrides });
  return { env, wire: wireMocks(env.clients) };
}

/** What the clients sent (live) or recorded (dry-run), in order. */
export function recorded(env: TestActionEnv): Call[] {
  return env.recorder.calls.map((c) => [c.service, c.api, c.params]);
}

/** What reached the wire stubs, by service, in order. */
export function onWire(wire: WireMocks, service: keyof WireMocks): Call[] {
  return wire[service].calls().map((call) => {
    const command = call.args[0];
    return [service, command.constructor.name.replace(/Command$/, ''), command.input];
  });
}

export const CAPTURE_READS: Call[] = [
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

export const GET_REVOKE_POLICY: Call = [
  'iam',
  'GetRolePolicy',
  { RoleName: ROLE, PolicyName: 'riposte-revoke-older-sessions' },
];
/** The instance role read for the rails (protected tag, blast radius) before revoking its sessions. */
export const GET_ROLE: Call = ['iam', 'GetRole', { RoleName: ROLE }];

export function snapshotCall(volumeId: string, device: string): Call {
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

export function groupCreation(name: string, purpose: string, description: string): Call {
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

export const modifyEni = (eni: string, groups: string[]): Call => [
  'ec2',
  'ModifyNetworkInterfaceAttribute',
  { NetworkInterfaceId: eni, Groups: groups },
];

/** The whole isolation of the uncontained instance, after the capture reads. */
export const ISOLATION_CALLS: Call[] = [
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
export const ISOLATION_READ_BACK: Call[] = [
  ['ec2', 'DescribeNetworkInterfaces', { Filters: [{ Name: 'attachment.instance-id', Values: [INSTANCE] }] }],
  [
    'ec2',
    'DescribeIamInstanceProfileAssociations',
    { Filters: [{ Name: 'instance-id', Values: [INSTANCE] }] },
  ],
  GET_REVOKE_POLICY,
];

// ---------------------------------------------------------------------------------------------
// World mode: examples/world.json

export function worldSetup(): { world: LocalWorld; env: TestActionEnv } {
  const world = LocalWorld.fromFile('examples/world.json');
  return { world, env: actionEnv({ mode: { kind: 'world', world } }) };
}

/** What isolation changes and release must restore, read from the world itself. */
export function networkView(world: LocalWorld): Record<string, unknown> {
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
export function comparable(capture: InstanceCapture): Record<string, unknown> {
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

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handleEc2 } from '../../../../functions/core/actions/world/ec2/index.ts';
import { type Ec2World, Ec2WorldSchema } from '../../../../functions/core/actions/world/ec2/world.ts';
import { UnsupportedWorldCallError, WorldApiError } from '../../../../functions/core/actions/world/errors.ts';
import { InvalidWorldError, LocalWorld } from '../../../../functions/core/actions/world/index.ts';

const VPC = 'vpc-0a1b2c3d';
const OTHER_VPC = 'vpc-0f0f0f0f';
const INSTANCE = 'i-0a1b2c3d4e5f60718';
const ENI_PRIMARY = 'eni-0a1b2c3d4e5f60001';
const ENI_SECONDARY = 'eni-0a1b2c3d4e5f60002';
const SG_API = 'sg-0a1b2c3d4e5f60001';
const SG_DB = 'sg-0a1b2c3d4e5f60002';
const SG_OTHER_VPC = 'sg-0f0f0f0f0f0f0f0f1';
const ALLOCATION = 'eipalloc-0a1b2c3d4e5f60001';
const ASSOCIATION = 'eipassoc-0a1b2c3d4e5f60001';
const PROFILE_ARN = 'arn:aws:iam::111122223333:instance-profile/payments-app-profile';
const TG = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/payments-api/0a1b2c3d4e5f6071';
const ASG = 'payments-api-asg';

/** A small world: one instance with two ENIs, an EIP, a profile, two volumes, an ASG and a target group. */
function world(): Ec2World {
  return Ec2WorldSchema.parse({
    accountId: '111122223333',
    region: 'eu-west-1',
    instances: [
      {
        instanceId: INSTANCE,
        instanceType: 'm5.large',
        vpcId: VPC,
        subnetId: 'subnet-0a1b2c3d4e5f60001',
        tags: { Name: 'payments-api-1' },
        iamInstanceProfile: { arn: PROFILE_ARN, associationId: 'iip-assoc-0a1b2c3d4e5f60718' },
        blockDevices: [
          { deviceName: '/dev/xvda', volumeId: 'vol-0a1b2c3d4e5f60001' },
          { deviceName: '/dev/sdf', volumeId: 'vol-0a1b2c3d4e5f60002' },
        ],
      },
    ],
    networkInterfaces: [
      {
        networkInterfaceId: ENI_PRIMARY,
        vpcId: VPC,
        subnetId: 'subnet-0a1b2c3d4e5f60001',
        privateIpAddress: '10.0.1.15',
        groups: [SG_API],
        attachment: { instanceId: INSTANCE, deviceIndex: 0 },
      },
      {
        networkInterfaceId: ENI_SECONDARY,
        vpcId: VPC,
        subnetId: 'subnet-0a1b2c3d4e5f60002',
        privateIpAddress: '10.0.2.15',
        groups: [SG_DB],
        attachment: { instanceId: INSTANCE, deviceIndex: 1 },
      },
    ],
    securityGroups: [
      {
        groupId: SG_API,
        groupName: 'payments-api-sg',
        vpcId: VPC,
        ingress: [{ protocol: 'tcp', fromPort: 8080, toPort: 8080, cidr: '10.0.0.0/16' }],
        egress: [{ protocol: '-1', cidr: '0.0.0.0/0' }],
      },
      { groupId: SG_DB, groupName: 'payments-db-client-sg', vpcId: VPC },
      { groupId: SG_OTHER_VPC, groupName: 'elsewhere', vpcId: OTHER_VPC },
    ],
    addresses: [
      {
        allocationId: ALLOCATION,
        publicIp: '203.0.113.10',
        associationId: ASSOCIATION,
        networkInterfaceId: ENI_PRIMARY,
        privateIpAddress: '10.0.1.15',
      },
    ],
    volumes: [
      { volumeId: 'vol-0a1b2c3d4e5f60001', size: 16 },
      { volumeId: 'vol-0a1b2c3d4e5f60002', size: 100, encrypted: true },
    ],
    autoScalingGroups: [
      {
        name: ASG,
        minSize: 0,
        maxSize: 2,
        desiredCapacity: 1,
        targetGroupArns: [TG],
        instances: [{ instanceId: INSTANCE }],
      },
    ],
    targetGroups: [{ targetGroupArn: TG, port: 8080, vpcId: VPC, targets: [{ id: INSTANCE }] }],
  });
}

/** The error `fn` throws, for asserting its AWS code. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`threw a non-error: ${String(error)}`);
  }
  throw new Error('did not throw');
}

function instanceOf(state: Ec2World): Record<string, unknown> {
  const out = handleEc2(state, 'ec2', 'DescribeInstances', { InstanceIds: [INSTANCE] }) as {
    Reservations: { Instances: Record<string, unknown>[] }[];
  };
  const instance = out.Reservations[0]?.Instances[0];
  if (instance === undefined) throw new Error('no instance');
  return instance;
}

describe('Ec2WorldSchema', () => {
  it('parses {} as an empty world', () => {
    // Act
    const empty = Ec2WorldSchema.parse({});

    // Assess
    expect(empty).toEqual({
      accountId: '123456789012',
      region: 'us-east-1',
      instances: [],
      networkInterfaces: [],
      securityGroups: [],
      addresses: [],
      volumes: [],
      snapshots: [],
      images: [],
      snapshotBlockPublicAccess: 'unblocked',
      imageBlockPublicAccess: 'unblocked',
      autoScalingGroups: [],
      targetGroups: [],
      sequence: 0,
    });
  });

  it('rejects references to resources the world does not have', () => {
    // Prepare
    const broken = {
      instances: [
        {
          instanceId: INSTANCE,
          vpcId: VPC,
          subnetId: 'subnet-0a1b2c3d',
          blockDevices: [{ deviceName: '/dev/xvda', volumeId: 'vol-0missing' }],
        },
      ],
      networkInterfaces: [
        {
          networkInterfaceId: ENI_PRIMARY,
          vpcId: VPC,
          subnetId: 'subnet-0a1b2c3d',
          privateIpAddress: '10.0.0.5',
          groups: ['sg-0missing'],
          attachment: { instanceId: INSTANCE, deviceIndex: 0 },
        },
      ],
    };

    // Act
    const result = Ec2WorldSchema.safeParse(broken);

    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual(
      expect.arrayContaining(['unknown security group sg-0missing', 'unknown volume vol-0missing']),
    );
    expect(() => new LocalWorld({ ec2: broken })).toThrow(InvalidWorldError);
  });
});

describe('examples/world.json', () => {
  it('loads as a LocalWorld with the payments instance and the protected bastion', async () => {
    // Prepare
    const json: unknown = JSON.parse(readFileSync('examples/world.json', 'utf8'));

    // Act
    const local = new LocalWorld(json);
    const instances = (await local.handle('ec2', 'DescribeInstances', {
      InstanceIds: ['i-0a1b2c3d4e5f60718', 'i-0badc0ffee0000001'],
    })) as {
      Reservations: {
        OwnerId: string;
        Instances: {
          InstanceId: string;
          VpcId: string;
          Tags: { Key: string; Value: string }[];
          NetworkInterfaces: unknown[];
          BlockDeviceMappings: unknown[];
          IamInstanceProfile?: { Arn: string };
        }[];
      }[];
    };
    const [payments, bastion] = instances.Reservations.map((r) => r.Instances[0]);
    const profileName = payments?.IamInstanceProfile?.Arn.split('/').pop() ?? '';
    const profile = (await local.handle('iam', 'GetInstanceProfile', {
      InstanceProfileName: profileName,
    })) as {
      InstanceProfile: { Roles: { RoleName: string }[] };
    };
    const member = (await local.handle('autoScaling', 'DescribeAutoScalingInstances', {
      InstanceIds: [INSTANCE],
    })) as {
      AutoScalingInstances: { AutoScalingGroupName: string }[];
    };
    const addresses = (await local.handle('ec2', 'DescribeAddresses', {
      Filters: [{ Name: 'instance-id', Values: [INSTANCE] }],
    })) as { Addresses: unknown[] };
    const health = (await local.handle('elbv2', 'DescribeTargetHealth', { TargetGroupArn: TG })) as {
      TargetHealthDescriptions: { Target: { Id: string } }[];
    };

    // Assess
    expect(local.state.ec2.accountId).toBe('111122223333');
    expect(local.state.ec2.region).toBe('eu-west-1');
    expect(instances.Reservations.map((r) => r.OwnerId)).toEqual(['111122223333', '111122223333']);
    expect(payments?.VpcId).toBe(VPC);
    expect(payments?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'environment', Value: 'production' },
        { Key: 'owner', Value: 'payments-team' },
      ]),
    );
    expect(payments?.NetworkInterfaces).toHaveLength(2);
    expect(payments?.BlockDeviceMappings).toHaveLength(2);
    expect(profile.InstanceProfile.Roles.map((r) => r.RoleName)).toEqual(['payments-app-role']);
    expect(member.AutoScalingInstances.map((m) => m.AutoScalingGroupName)).toEqual([ASG]);
    expect(addresses.Addresses).toHaveLength(1);
    expect(health.TargetHealthDescriptions.map((d) => d.Target.Id)).toContain(INSTANCE);
    expect(bastion?.VpcId).toBe(VPC);
    expect(bastion?.Tags).toContainEqual({ Key: 'riposte:protected', Value: 'true' });
  });
});

describe('handleEc2: instances and network interfaces', () => {
  it('answers DescribeInstances in the SDK shape, with the EIP as the public address', () => {
    // Prepare
    const state = world();

    // Act
    const instance = instanceOf(state);

    // Assess
    expect(instance).toMatchObject({
      InstanceId: INSTANCE,
      State: { Code: 16, Name: 'running' },
      VpcId: VPC,
      PrivateIpAddress: '10.0.1.15',
      PublicIpAddress: '203.0.113.10',
      IamInstanceProfile: { Arn: PROFILE_ARN },
      SecurityGroups: [{ GroupId: SG_API, GroupName: 'payments-api-sg' }],
      BlockDeviceMappings: [
        {
          DeviceName: '/dev/xvda',
          Ebs: { VolumeId: 'vol-0a1b2c3d4e5f60001', DeleteOnTermination: true, Status: 'attached' },
        },
        {
          DeviceName: '/dev/sdf',
          Ebs: { VolumeId: 'vol-0a1b2c3d4e5f60002', DeleteOnTermination: true, Status: 'attached' },
        },
      ],
      Tags: [{ Key: 'Name', Value: 'payments-api-1' }],
    });
    expect(instance.LaunchTime).toBeInstanceOf(Date);
    expect(instance.NetworkInterfaces).toMatchObject([
      {
        NetworkInterfaceId: ENI_PRIMARY,
        Attachment: { DeviceIndex: 0 },
        Association: { PublicIp: '203.0.113.10' },
      },
      { NetworkInterfaceId: ENI_SECONDARY, Attachment: { DeviceIndex: 1 }, Groups: [{ GroupId: SG_DB }] },
    ]);
  });

  it('throws AWS error codes for unknown and malformed instance ids', () => {
    // Prepare
    const state = world();

    // Act
    const missing = thrown(() =>
      handleEc2(state, 'ec2', 'DescribeInstances', { InstanceIds: ['i-0123456789abcdef0'] }),
    );
    const malformed = thrown(() => handleEc2(state, 'ec2', 'DescribeInstances', { InstanceIds: ['i-nope'] }));

    // Assess
    expect(missing).toBeInstanceOf(WorldApiError);
    expect(missing.name).toBe('InvalidInstanceID.NotFound');
    expect(missing.message).toBe("The instance ID 'i-0123456789abcdef0' does not exist");
    expect(malformed.name).toBe('InvalidInstanceID.Malformed');
  });

  it('ModifyNetworkInterfaceAttribute replaces the groups of that ENI only, and checks ids and VPC', () => {
    // Prepare
    const state = world();

    // Act
    handleEc2(state, 'ec2', 'ModifyNetworkInterfaceAttribute', {
      NetworkInterfaceId: ENI_SECONDARY,
      Groups: [SG_API],
    });
    const unknownEni = thrown(() =>
      handleEc2(state, 'ec2', 'ModifyNetworkInterfaceAttribute', {
        NetworkInterfaceId: 'eni-0missing',
        Groups: [SG_API],
      }),
    );
    const unknownGroup = thrown(() =>
      handleEc2(state, 'ec2', 'ModifyNetworkInterfaceAttribute', {
        NetworkInterfaceId: ENI_PRIMARY,
        Groups: ['sg-0missing'],
      }),
    );
    const otherVpc = thrown(() =>
      handleEc2(state, 'ec2', 'ModifyNetworkInterfaceAttribute', {
        NetworkInterfaceId: ENI_PRIMARY,
        Groups: [SG_OTHER_VPC],
      }),
    );

    // Assess
    expect(state.networkInterfaces.map((e) => e.groups)).toEqual([[SG_API], [SG_API]]);
    expect(unknownEni.name).toBe('InvalidNetworkInterfaceID.NotFound');
    expect(unknownGroup.name).toBe('InvalidGroup.NotFound');
    expect(otherVpc.name).toBe('InvalidGroup.NotFound');
    expect(otherVpc.message).toContain(VPC);
  });

  it('ModifyInstanceAttribute --groups changes only the primary ENI, like AWS', () => {
    // Prepare
    const state = world();

    // Act
    handleEc2(state, 'ec2', 'ModifyInstanceAttribute', { InstanceId: INSTANCE, Groups: [SG_DB] });

    // Assess
    expect(state.networkInterfaces.map((e) => [e.networkInterfaceId, e.groups])).toEqual([
      [ENI_PRIMARY, [SG_DB]],
      [ENI_SECONDARY, [SG_DB]],
    ]);
  });

  it('ModifyInstanceAttribute sets one attribute per call and DescribeInstanceAttribute reads it back', () => {
    // Prepare
    const state = world();

    // Act
    handleEc2(state, 'ec2', 'ModifyInstanceAttribute', {
      InstanceId: INSTANCE,
      DisableApiTermination: { Value: true },
    });
    handleEc2(state, 'ec2', 'ModifyInstanceAttribute', {
      InstanceId: INSTANCE,
      InstanceInitiatedShutdownBehavior: { Value: 'terminate' },
    });
    handleEc2(state, 'ec2', 'ModifyInstanceAttribute', {
      InstanceId: INSTANCE,
      BlockDeviceMappings: [{ DeviceName: '/dev/sdf', Ebs: { DeleteOnTermination: false } }],
    });
    const both = thrown(() =>
      handleEc2(state, 'ec2', 'ModifyInstanceAttribute', {
        InstanceId: INSTANCE,
        DisableApiTermination: { Value: false },
        InstanceInitiatedShutdownBehavior: { Value: 'stop' },
      }),
    );
    const noDevice = thrown(() =>
      handleEc2(state, 'ec2', 'ModifyInstanceAttribute', {
        InstanceId: INSTANCE,
        BlockDeviceMappings: [{ DeviceName: '/dev/sdz', Ebs: { DeleteOnTermination: false } }],
      }),
    );

    // Assess
    expect(
      handleEc2(state, 'ec2', 'DescribeInstanceAttribute', {
        InstanceId: INSTANCE,
        Attribute: 'disableApiTermination',
      }),
    ).toEqual({ InstanceId: INSTANCE, DisableApiTermination: { Value: true } });
    expect(
      handleEc2(state, 'ec2', 'DescribeInstanceAttribute', {
        InstanceId: INSTANCE,
        Attribute: 'instanceInitiatedShutdownBehavior',
      }),
    ).toEqual({ InstanceId: INSTANCE, InstanceInitiatedShutdownBehavior: { Value: 'terminate' } });
    expect(state.instances[0]?.blockDevices.map((d) => d.deleteOnTermination)).toEqual([true, false]);
    expect(both.name).toBe('InvalidParameterCombination');
    expect(noDevice.name).toBe('InvalidInstanceAttributeValue');
  });
});

describe('handleEc2: security groups', () => {
  it('creates groups with deterministic ids and a default allow-all egress rule, and refuses duplicates', () => {
    // Prepare
    const first = world();
    const second = world();
    const create = { GroupName: 'riposte-isolation-vpc-0a1b2c3d', Description: 'isolation', VpcId: VPC };

    // Act
    const created = handleEc2(first, 'ec2', 'CreateSecurityGroup', create);
    const again = handleEc2(second, 'ec2', 'CreateSecurityGroup', create);
    const duplicate = thrown(() => handleEc2(first, 'ec2', 'CreateSecurityGroup', create));
    const noVpc = thrown(() =>
      handleEc2(first, 'ec2', 'CreateSecurityGroup', { ...create, VpcId: 'vpc-0missing' }),
    );
    const described = handleEc2(first, 'ec2', 'DescribeSecurityGroups', {
      Filters: [
        { Name: 'vpc-id', Values: [VPC] },
        { Name: 'group-name', Values: ['riposte-isolation-vpc-0a1b2c3d'] },
      ],
    });

    // Assess
    expect(created).toEqual({
      GroupId: 'sg-riposte00000001',
      SecurityGroupArn: 'arn:aws:ec2:eu-west-1:111122223333:security-group/sg-riposte00000001',
    });
    expect(again).toEqual(created);
    expect(duplicate.name).toBe('InvalidGroup.Duplicate');
    expect(noVpc.name).toBe('InvalidVpcID.NotFound');
    expect(described.SecurityGroups).toEqual([
      expect.objectContaining({
        GroupId: 'sg-riposte00000001',
        IpPermissions: [],
        IpPermissionsEgress: [
          {
            IpProtocol: '-1',
            IpRanges: [{ CidrIp: '0.0.0.0/0' }],
            Ipv6Ranges: [],
            PrefixListIds: [],
            UserIdGroupPairs: [],
          },
        ],
      }),
    ]);
  });

  it('authorizes and revokes rules, with AWS errors for duplicates and unknown rules', () => {
    // Prepare
    const state = world();
    const { GroupId } = handleEc2(state, 'ec2', 'CreateSecurityGroup', {
      GroupName: 'riposte-untrack-vpc-0a1b2c3d',
      Description: 'untrack',
      VpcId: VPC,
    }) as { GroupId: string };
    const all = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];

    // Act
    const authorized = handleEc2(state, 'ec2', 'AuthorizeSecurityGroupIngress', {
      GroupId,
      IpPermissions: all,
    });
    const duplicate = thrown(() =>
      handleEc2(state, 'ec2', 'AuthorizeSecurityGroupIngress', { GroupId, IpPermissions: all }),
    );
    handleEc2(state, 'ec2', 'RevokeSecurityGroupEgress', { GroupId, IpPermissions: all });
    const unknown = thrown(() =>
      handleEc2(state, 'ec2', 'RevokeSecurityGroupEgress', { GroupId, IpPermissions: all }),
    );

    // Assess
    expect(authorized).toEqual({
      Return: true,
      SecurityGroupRules: [
        {
          SecurityGroupRuleId: 'sgr-riposte00000002',
          GroupId,
          GroupOwnerId: '111122223333',
          IsEgress: false,
          IpProtocol: '-1',
          FromPort: -1,
          ToPort: -1,
          CidrIpv4: '0.0.0.0/0',
          Tags: [],
          SecurityGroupRuleArn: 'arn:aws:ec2:eu-west-1:111122223333:security-group-rule/sgr-riposte00000002',
        },
      ],
    });
    expect(duplicate.name).toBe('InvalidPermission.Duplicate');
    expect(unknown.name).toBe('InvalidPermission.NotFound');
    const group = state.securityGroups.find((g) => g.groupId === GroupId);
    expect(group?.ingress).toEqual([{ ruleId: 'sgr-riposte00000002', protocol: '-1', cidr: '0.0.0.0/0' }]);
    expect(group?.egress).toEqual([]);
  });

  it('rejects a filter it does not know like AWS', () => {
    // Act
    const error = thrown(() =>
      handleEc2(world(), 'ec2', 'DescribeSecurityGroups', { Filters: [{ Name: 'colour', Values: ['red'] }] }),
    );

    // Assess
    expect(error.name).toBe('InvalidParameterValue');
  });
});

describe('handleEc2: Elastic IPs, instance profiles, snapshots, tags', () => {
  it('disassociates and re-associates an Elastic IP', () => {
    // Prepare
    const state = world();

    // Act
    handleEc2(state, 'ec2', 'DisassociateAddress', { AssociationId: ASSOCIATION });
    const gone = thrown(() => handleEc2(state, 'ec2', 'DisassociateAddress', { AssociationId: ASSOCIATION }));
    const publicAfter = instanceOf(state).PublicIpAddress;
    const ambiguous = thrown(() =>
      handleEc2(state, 'ec2', 'AssociateAddress', { AllocationId: ALLOCATION, InstanceId: INSTANCE }),
    );
    const associated = handleEc2(state, 'ec2', 'AssociateAddress', {
      AllocationId: ALLOCATION,
      NetworkInterfaceId: ENI_PRIMARY,
      PrivateIpAddress: '10.0.1.15',
      AllowReassociation: false,
    });
    const taken = thrown(() =>
      handleEc2(state, 'ec2', 'AssociateAddress', {
        AllocationId: ALLOCATION,
        NetworkInterfaceId: ENI_SECONDARY,
      }),
    );

    // Assess
    expect(gone.name).toBe('InvalidAssociationID.NotFound');
    expect(publicAfter).toBeUndefined();
    expect(ambiguous.name).toBe('InvalidInstanceID');
    expect(associated).toEqual({ AssociationId: 'eipassoc-riposte00000001' });
    expect(taken.name).toBe('Resource.AlreadyAssociated');
    expect(
      handleEc2(state, 'ec2', 'DescribeAddresses', {
        Filters: [{ Name: 'instance-id', Values: [INSTANCE] }],
      }),
    ).toEqual({
      Addresses: [
        {
          AllocationId: ALLOCATION,
          PublicIp: '203.0.113.10',
          Domain: 'vpc',
          PublicIpv4Pool: 'amazon',
          NetworkBorderGroup: 'eu-west-1',
          AssociationId: 'eipassoc-riposte00000001',
          NetworkInterfaceId: ENI_PRIMARY,
          NetworkInterfaceOwnerId: '111122223333',
          PrivateIpAddress: '10.0.1.15',
          InstanceId: INSTANCE,
        },
      ],
    });
  });

  it('disassociates and re-associates an instance profile; a second association is refused', () => {
    // Prepare
    const state = world();

    // Act
    const disassociated = handleEc2(state, 'ec2', 'DisassociateIamInstanceProfile', {
      AssociationId: 'iip-assoc-0a1b2c3d4e5f60718',
    });
    const none = handleEc2(state, 'ec2', 'DescribeIamInstanceProfileAssociations', {
      Filters: [{ Name: 'instance-id', Values: [INSTANCE] }],
    });
    const associated = handleEc2(state, 'ec2', 'AssociateIamInstanceProfile', {
      IamInstanceProfile: { Arn: PROFILE_ARN },
      InstanceId: INSTANCE,
    });
    const twice = thrown(() =>
      handleEc2(state, 'ec2', 'AssociateIamInstanceProfile', {
        IamInstanceProfile: { Arn: PROFILE_ARN },
        InstanceId: INSTANCE,
      }),
    );

    // Assess
    expect(disassociated).toMatchObject({
      IamInstanceProfileAssociation: { InstanceId: INSTANCE, State: 'disassociating' },
    });
    expect(none).toEqual({ IamInstanceProfileAssociations: [] });
    expect(associated).toMatchObject({
      IamInstanceProfileAssociation: {
        AssociationId: 'iip-assoc-riposte00000001',
        InstanceId: INSTANCE,
        IamInstanceProfile: { Arn: PROFILE_ARN },
        State: 'associating',
      },
    });
    expect(twice.name).toBe('IncorrectState');
  });

  it('creates tagged snapshots that DescribeSnapshots finds by tag', () => {
    // Prepare
    const state = world();

    // Act
    const created = handleEc2(state, 'ec2', 'CreateSnapshot', {
      VolumeId: 'vol-0a1b2c3d4e5f60002',
      Description: 'evidence',
      TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'riposte:incident', Value: 'inc-1' }] }],
    });
    const found = handleEc2(state, 'ec2', 'DescribeSnapshots', {
      OwnerIds: ['self'],
      Filters: [{ Name: 'tag:riposte:incident', Values: ['inc-1'] }],
    });
    const otherIncident = handleEc2(state, 'ec2', 'DescribeSnapshots', {
      OwnerIds: ['self'],
      Filters: [{ Name: 'tag:riposte:incident', Values: ['inc-2'] }],
    });
    const unknownVolume = thrown(() =>
      handleEc2(state, 'ec2', 'CreateSnapshot', { VolumeId: 'vol-0missing' }),
    );

    // Assess
    expect(created).toMatchObject({
      SnapshotId: 'snap-riposte00000001',
      VolumeId: 'vol-0a1b2c3d4e5f60002',
      State: 'pending',
      VolumeSize: 100,
      Encrypted: true,
      Tags: [{ Key: 'riposte:incident', Value: 'inc-1' }],
    });
    expect(found.Snapshots).toMatchObject([{ SnapshotId: 'snap-riposte00000001', State: 'completed' }]);
    expect(otherIncident.Snapshots).toEqual([]);
    expect(unknownVolume.name).toBe('InvalidVolume.NotFound');
  });

  it('CreateTags tags all resources or none', () => {
    // Prepare
    const state = world();

    // Act
    const error = thrown(() =>
      handleEc2(state, 'ec2', 'CreateTags', {
        Resources: [INSTANCE, 'i-0123456789abcdef0'],
        Tags: [{ Key: 'riposte:status', Value: 'quarantined' }],
      }),
    );
    handleEc2(state, 'ec2', 'CreateTags', {
      Resources: [INSTANCE],
      Tags: [{ Key: 'riposte:status', Value: 'quarantined' }],
    });

    // Assess
    expect(error.name).toBe('InvalidInstanceID.NotFound');
    expect(state.instances[0]?.tags).toEqual({ Name: 'payments-api-1', 'riposte:status': 'quarantined' });
  });
});

describe('handleEc2: Auto Scaling and target groups', () => {
  it('EnterStandby decrements the capacity and leaves the group target groups; ExitStandby undoes both', () => {
    // Prepare
    const state = world();
    const standby = {
      AutoScalingGroupName: ASG,
      InstanceIds: [INSTANCE],
      ShouldDecrementDesiredCapacity: true,
    };

    // Act
    const entered = handleEc2(state, 'autoScaling', 'EnterStandby', standby);
    const inStandby = structuredClone(state.autoScalingGroups[0]);
    const targetsInStandby = structuredClone(state.targetGroups[0]?.targets);
    const twice = thrown(() => handleEc2(state, 'autoScaling', 'EnterStandby', standby));
    handleEc2(state, 'autoScaling', 'ExitStandby', { AutoScalingGroupName: ASG, InstanceIds: [INSTANCE] });

    // Assess
    expect(entered).toMatchObject({ Activities: [{ AutoScalingGroupName: ASG, StatusCode: 'InProgress' }] });
    expect(inStandby?.desiredCapacity).toBe(0);
    expect(inStandby?.instances.map((m) => m.lifecycleState)).toEqual(['Standby']);
    expect(targetsInStandby).toEqual([]);
    expect(twice.name).toBe('ValidationError');
    expect(state.autoScalingGroups[0]?.desiredCapacity).toBe(1);
    expect(state.autoScalingGroups[0]?.instances.map((m) => m.lifecycleState)).toEqual(['InService']);
    expect(state.targetGroups[0]?.targets).toEqual([{ id: INSTANCE, port: 8080, state: 'initial' }]);
  });

  it('refuses to go below the minimum size, detaches and re-attaches', () => {
    // Prepare
    const state = world();
    const group = state.autoScalingGroups[0];
    if (group === undefined) throw new Error('no group');
    group.minSize = 1;

    // Act
    const belowMin = thrown(() =>
      handleEc2(state, 'autoScaling', 'EnterStandby', {
        AutoScalingGroupName: ASG,
        InstanceIds: [INSTANCE],
        ShouldDecrementDesiredCapacity: true,
      }),
    );
    handleEc2(state, 'autoScaling', 'DetachInstances', {
      AutoScalingGroupName: ASG,
      InstanceIds: [INSTANCE],
      ShouldDecrementDesiredCapacity: false,
    });
    const detached = handleEc2(state, 'autoScaling', 'DescribeAutoScalingInstances', {
      InstanceIds: [INSTANCE],
    });
    group.maxSize = 2;
    handleEc2(state, 'autoScaling', 'AttachInstances', {
      AutoScalingGroupName: ASG,
      InstanceIds: [INSTANCE],
    });

    // Assess
    expect(belowMin.name).toBe('ValidationError');
    expect(detached).toEqual({ AutoScalingInstances: [] });
    expect(group.desiredCapacity).toBe(2);
    expect(group.instances).toEqual([
      {
        instanceId: INSTANCE,
        lifecycleState: 'InService',
        healthStatus: 'Healthy',
        protectedFromScaleIn: false,
      },
    ]);
  });

  it('answers target health, registers and deregisters targets with their ports', () => {
    // Prepare
    const state = world();

    // Act
    handleEc2(state, 'elbv2', 'DeregisterTargets', {
      TargetGroupArn: TG,
      Targets: [{ Id: INSTANCE, Port: 8080 }],
    });
    const after = handleEc2(state, 'elbv2', 'DescribeTargetHealth', {
      TargetGroupArn: TG,
      Targets: [{ Id: INSTANCE }],
    });
    handleEc2(state, 'elbv2', 'RegisterTargets', {
      TargetGroupArn: TG,
      Targets: [{ Id: INSTANCE, Port: 9090 }],
    });
    const unknownGroup = thrown(() =>
      handleEc2(state, 'elbv2', 'DescribeTargetHealth', { TargetGroupArn: `${TG.slice(0, -1)}0` }),
    );

    // Assess
    expect(after).toEqual({
      TargetHealthDescriptions: [
        {
          Target: { Id: INSTANCE, Port: 8080 },
          HealthCheckPort: '8080',
          TargetHealth: {
            State: 'unused',
            Reason: 'Target.NotRegistered',
            Description: 'Target is not registered to the target group',
          },
        },
      ],
    });
    expect(state.targetGroups[0]?.targets).toEqual([{ id: INSTANCE, port: 9090, state: 'initial' }]);
    expect(unknownGroup.name).toBe('TargetGroupNotFound');
  });

  it('pages DescribeTargetGroups with Marker / NextMarker', () => {
    // Prepare
    const state = world();
    const base = state.targetGroups[0];
    if (base === undefined) throw new Error('no target group');
    state.targetGroups.push({ ...structuredClone(base), targetGroupArn: `${TG.slice(0, -1)}2` });

    // Act
    const first = handleEc2(state, 'elbv2', 'DescribeTargetGroups', { PageSize: 1 });
    const second = handleEc2(state, 'elbv2', 'DescribeTargetGroups', {
      PageSize: 1,
      Marker: first.NextMarker,
    });

    // Assess
    expect(first).toMatchObject({
      TargetGroups: [{ TargetGroupArn: TG, TargetGroupName: 'payments-api' }],
      NextMarker: '1',
    });
    expect(second.NextMarker).toBeUndefined();
    expect(second.TargetGroups).toMatchObject([{ TargetGroupArn: `${TG.slice(0, -1)}2` }]);
  });
});

describe('handleEc2: what it does not model', () => {
  it('throws UnsupportedWorldCallError for an unmodelled operation and DryRunOperation for DryRun', () => {
    // Prepare
    const state = world();

    // Act
    const unsupported = thrown(() =>
      handleEc2(state, 'ec2', 'TerminateInstances', { InstanceIds: [INSTANCE] }),
    );
    const dryRun = thrown(() => handleEc2(state, 'ec2', 'DescribeInstances', { DryRun: true }));

    // Assess
    expect(unsupported).toBeInstanceOf(UnsupportedWorldCallError);
    expect(unsupported.message).toBe('the local world does not model ec2:TerminateInstances');
    expect(dryRun.name).toBe('DryRunOperation');
  });
});

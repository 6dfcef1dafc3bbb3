import {
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  type Address,
  DescribeAddressesCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeVolumesCommand,
  type Instance as Ec2Instance,
} from '@aws-sdk/client-ec2';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetInstanceProfileCommand } from '@aws-sdk/client-iam';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.ts';
import type { ActionEnv } from '../../types.ts';
import { devicesOf, elasticIpsOf, networkInterfacesOf, volumesOf } from './capture-shapes.ts';
import { iso, tagRecord } from './items.ts';
import type { InstanceCapture, NetworkInterfaceState } from './schemas.ts';

type Clients = ActionEnv['clients'];

/**
 * Reads everything about an instance, in this order: `DescribeInstances`,
 * `DescribeInstanceAttribute` (disableApiTermination, instanceInitiatedShutdownBehavior),
 * `DescribeVolumes`, `DescribeAddresses` (by ENI), `DescribeIamInstanceProfileAssociations`,
 * IAM `GetInstanceProfile`, `DescribeAutoScalingInstances` (+ `DescribeAutoScalingGroups`),
 * `DescribeTargetGroups` (every page) and `DescribeTargetHealth` for each target group of the
 * instance's VPCs. A missing or terminated instance is a {@link ResourceNotFoundError}.
 *
 * @example
 * const capture = await captureInstance(env, 'i-0a1b2c3d4e5f60718');
 * capture.networkInterfaces.map((eni) => eni.groups);
 */
export async function captureInstance(env: ActionEnv, instanceId: string): Promise<InstanceCapture> {
  const { ec2, iam, autoScaling, elbv2 } = env.clients;
  const { instance, owner } = await describeInstance(ec2, instanceId);
  const termination = await ec2.send(
    new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' }),
  );
  const shutdown = await ec2.send(
    new DescribeInstanceAttributeCommand({
      InstanceId: instanceId,
      Attribute: 'instanceInitiatedShutdownBehavior',
    }),
  );
  const devices = devicesOf(instance);
  const volumeDetails =
    devices.length === 0
      ? []
      : ((await ec2.send(new DescribeVolumesCommand({ VolumeIds: devices.map((d) => d.volumeId) })))
          .Volumes ?? []);
  const networkInterfaces = networkInterfacesOf(instance);
  const addresses = await addressesOf(ec2, networkInterfaces);
  const instanceProfile = await instanceProfileOf(ec2, iam, instanceId);
  const autoScalingGroup = await autoScalingGroupOf(autoScaling, instanceId);
  const targetGroups = await captureTargetGroups(elbv2, instanceId, networkInterfaces);
  const region = env.execution.region ?? (await ec2.config.region());
  return {
    instanceId,
    capturedAt: new Date(env.now()).toISOString(),
    account: owner,
    region,
    instanceType: instance.InstanceType ?? null,
    imageId: instance.ImageId ?? null,
    state: instance.State?.Name ?? null,
    launchTime: iso(instance.LaunchTime),
    vpcId: instance.VpcId ?? null,
    subnetId: instance.SubnetId ?? null,
    availabilityZone: instance.Placement?.AvailabilityZone ?? null,
    privateIpAddress: instance.PrivateIpAddress ?? null,
    publicIpAddress: instance.PublicIpAddress ?? null,
    tags: tagRecord(instance.Tags),
    disableApiTermination: termination.DisableApiTermination?.Value === true,
    shutdownBehavior: shutdown.InstanceInitiatedShutdownBehavior?.Value ?? 'stop',
    networkInterfaces,
    elasticIps: elasticIpsOf(addresses),
    instanceProfile,
    autoScalingGroup,
    targetGroups,
    volumes: volumesOf(devices, volumeDetails),
  };
}

/** `DescribeInstances`: the instance and its owner; missing or terminated is {@link ResourceNotFoundError}. */
export async function describeInstance(
  ec2: Clients['ec2'],
  instanceId: string,
): Promise<{ instance: Ec2Instance; owner: string | null }> {
  let instance: Ec2Instance | undefined;
  let owner: string | null = null;
  try {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    for (const reservation of out.Reservations ?? []) {
      const found = reservation.Instances?.find((i) => i.InstanceId === instanceId);
      if (found !== undefined) {
        instance = found;
        owner = reservation.OwnerId ?? null;
      }
    }
  } catch (error) {
    if (hasErrorCode(error, 'InvalidInstanceID.NotFound')) {
      throw new ResourceNotFoundError(`EC2 instance ${instanceId} does not exist`, { cause: error });
    }
    throw error;
  }
  if (instance === undefined) throw new ResourceNotFoundError(`EC2 instance ${instanceId} does not exist`);
  if (instance.State?.Name === 'terminated') {
    throw new ResourceNotFoundError(`EC2 instance ${instanceId} is terminated`);
  }
  return { instance, owner };
}

/** `DescribeAddresses` of the ENIs (none when there is no ENI). */
async function addressesOf(
  ec2: Clients['ec2'],
  networkInterfaces: readonly NetworkInterfaceState[],
): Promise<Address[]> {
  if (networkInterfaces.length === 0) return [];
  const out = await ec2.send(
    new DescribeAddressesCommand({
      Filters: [{ Name: 'network-interface-id', Values: networkInterfaces.map((e) => e.networkInterfaceId) }],
    }),
  );
  return out.Addresses ?? [];
}

/** `DescribeIamInstanceProfileAssociations`, then IAM `GetInstanceProfile` for the role. */
async function instanceProfileOf(
  ec2: Clients['ec2'],
  iam: Clients['iam'],
  instanceId: string,
): Promise<InstanceCapture['instanceProfile']> {
  const associations =
    (
      await ec2.send(
        new DescribeIamInstanceProfileAssociationsCommand({
          Filters: [{ Name: 'instance-id', Values: [instanceId] }],
        }),
      )
    ).IamInstanceProfileAssociations ?? [];
  const association = associations.find((a) => a.State === 'associated' || a.State === 'associating');
  if (association?.AssociationId === undefined || association.IamInstanceProfile?.Arn === undefined)
    return null;
  const arn = association.IamInstanceProfile.Arn;
  const name = arn.slice(arn.lastIndexOf('/') + 1);
  let roleName: string | null = null;
  let roleArn: string | null = null;
  try {
    const profile = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }));
    const role = profile.InstanceProfile?.Roles?.[0];
    roleName = role?.RoleName ?? null;
    roleArn = role?.Arn ?? null;
  } catch (error) {
    if (!hasErrorCode(error, 'NoSuchEntity')) throw error;
  }
  return { associationId: association.AssociationId, arn, name, roleName, roleArn };
}

/** `DescribeAutoScalingInstances`, then `DescribeAutoScalingGroups` of the instance's group. */
async function autoScalingGroupOf(
  autoScaling: Clients['autoScaling'],
  instanceId: string,
): Promise<InstanceCapture['autoScalingGroup']> {
  const member = (
    await autoScaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }))
  ).AutoScalingInstances?.find((i) => i.InstanceId === instanceId);
  if (member?.AutoScalingGroupName === undefined) return null;
  const group = (
    await autoScaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [member.AutoScalingGroupName] }),
    )
  ).AutoScalingGroups?.[0];
  return {
    groupName: member.AutoScalingGroupName,
    lifecycleState: member.LifecycleState ?? 'Unknown',
    minSize: group?.MinSize ?? null,
    maxSize: group?.MaxSize ?? null,
    desiredCapacity: group?.DesiredCapacity ?? null,
  };
}

/** Target groups (instance or ip type, in the instance's VPCs) where the instance is registered. */
async function captureTargetGroups(
  elbv2: Clients['elbv2'],
  instanceId: string,
  networkInterfaces: readonly NetworkInterfaceState[],
): Promise<InstanceCapture['targetGroups']> {
  const vpcs = new Set(networkInterfaces.map((e) => e.vpcId));
  const ips = new Set(networkInterfaces.flatMap((e) => [...e.privateIpAddresses, ...e.ipv6Addresses]));
  const groups: TargetGroup[] = [];
  let marker: string | undefined;
  do {
    const out = await elbv2.send(
      new DescribeTargetGroupsCommand(marker === undefined ? {} : { Marker: marker }),
    );
    groups.push(...(out.TargetGroups ?? []));
    marker = out.NextMarker;
  } while (marker !== undefined);
  const memberships: InstanceCapture['targetGroups'] = [];
  for (const group of groups) {
    const type = group.TargetType ?? 'instance';
    if (group.TargetGroupArn === undefined || (type !== 'instance' && type !== 'ip')) continue;
    if (group.VpcId !== undefined && !vpcs.has(group.VpcId)) continue;
    const health = await elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }),
    );
    const targets = (health.TargetHealthDescriptions ?? []).flatMap((d) => {
      const id = d.Target?.Id;
      if (id === undefined) return [];
      if (type === 'instance' ? id !== instanceId : !ips.has(id)) return [];
      // Draining targets are being deregistered; `unused` + NotRegistered means not registered.
      const state = d.TargetHealth?.State;
      if (state === 'draining' || (state === 'unused' && d.TargetHealth?.Reason === 'Target.NotRegistered'))
        return [];
      return [{ id, port: d.Target?.Port ?? null, availabilityZone: d.Target?.AvailabilityZone ?? null }];
    });
    if (targets.length > 0)
      memberships.push({ targetGroupArn: group.TargetGroupArn, targetType: type, targets });
  }
  return memberships;
}

import { z } from 'zod';
import { WorldApiError } from '../errors.ts';
import {
  addressFor,
  attachedEnis,
  findInstances,
  groupIdentifiers,
  primaryEni,
  privateIps,
  profileId,
} from './lookups.ts';
import { metadataOptionsOf, settleMetadataOptions } from './metadata-options.ts';
import { applyFilters, digest, FiltersSchema, paginate, parse, tagList, zoneOf } from './shared.ts';
import type { Ec2World, Instance, NetworkInterface, Output, Params } from './world.ts';

/** Instances: DescribeInstances and the instance response shape. */

export const STATE_CODES: Record<Instance['state'], number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export function publicAssociation(
  state: Ec2World,
  eni: NetworkInterface,
  privateIp: string,
): Output | undefined {
  const address = addressFor(state, eni, privateIp);
  if (address !== undefined) return { PublicIp: address.publicIp, IpOwnerId: state.accountId };
  if (privateIp === eni.privateIpAddress && eni.publicIp !== undefined) {
    return { PublicIp: eni.publicIp, IpOwnerId: 'amazon' };
  }
  return undefined;
}

export function instanceNetworkInterface(state: Ec2World, instance: Instance, eni: NetworkInterface): Output {
  const association = publicAssociation(state, eni, eni.privateIpAddress);
  return {
    NetworkInterfaceId: eni.networkInterfaceId,
    Attachment: {
      AttachmentId: eni.attachment?.attachmentId ?? `eni-attach-${digest(eni.networkInterfaceId, 17)}`,
      AttachTime: new Date(instance.launchTime),
      DeleteOnTermination: eni.attachment?.deleteOnTermination ?? true,
      DeviceIndex: eni.attachment?.deviceIndex ?? 0,
      NetworkCardIndex: 0,
      Status: 'attached',
    },
    Description: eni.description,
    Groups: groupIdentifiers(state, eni.groups),
    Ipv6Addresses: eni.ipv6Addresses.map((Ipv6Address) => ({ Ipv6Address })),
    MacAddress:
      eni.macAddress ?? `02:00:00:${digest(eni.networkInterfaceId, 6).replace(/(..)(?!$)/g, '$1:')}`,
    OwnerId: state.accountId,
    PrivateIpAddress: eni.privateIpAddress,
    PrivateIpAddresses: privateIps(eni).map((ip) => {
      const ipAssociation = publicAssociation(state, eni, ip);
      return {
        ...(ipAssociation === undefined ? {} : { Association: ipAssociation }),
        Primary: ip === eni.privateIpAddress,
        PrivateIpAddress: ip,
      };
    }),
    SourceDestCheck: true,
    Status: 'in-use',
    SubnetId: eni.subnetId,
    VpcId: eni.vpcId,
    InterfaceType: 'interface',
    ...(association === undefined ? {} : { Association: association }),
  };
}

export function describeInstance(state: Ec2World, instance: Instance): Output {
  const enis = attachedEnis(state, instance.instanceId);
  const primary = primaryEni(state, instance);
  const publicIp =
    primary === undefined ? undefined : publicAssociation(state, primary, primary.privateIpAddress);
  const profile = instance.iamInstanceProfile;
  return {
    InstanceId: instance.instanceId,
    ImageId: instance.imageId,
    InstanceType: instance.instanceType,
    State: { Code: STATE_CODES[instance.state], Name: instance.state },
    LaunchTime: new Date(instance.launchTime),
    Placement: { AvailabilityZone: zoneOf(state, instance), GroupName: '', Tenancy: 'default' },
    VpcId: instance.vpcId,
    SubnetId: instance.subnetId,
    ...(primary === undefined ? {} : { PrivateIpAddress: primary.privateIpAddress }),
    ...(publicIp === undefined ? {} : { PublicIpAddress: publicIp.PublicIp }),
    ...(instance.keyName === undefined ? {} : { KeyName: instance.keyName }),
    ...(profile === undefined
      ? {}
      : { IamInstanceProfile: { Arn: profile.arn, Id: profileId(profile.arn, profile.id) } }),
    NetworkInterfaces: enis.map((eni) => instanceNetworkInterface(state, instance, eni)),
    SecurityGroups: groupIdentifiers(state, primary?.groups ?? []),
    RootDeviceName: instance.rootDeviceName,
    RootDeviceType: 'ebs',
    BlockDeviceMappings: instance.blockDevices.map((device) => ({
      DeviceName: device.deviceName,
      Ebs: {
        AttachTime: new Date(instance.launchTime),
        DeleteOnTermination: device.deleteOnTermination,
        Status: 'attached',
        VolumeId: device.volumeId,
      },
    })),
    ...(Object.keys(instance.tags).length === 0 ? {} : { Tags: tagList(instance.tags) }),
    MetadataOptions: metadataOptionsOf(instance),
  };
}

export function describeInstances(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeInstances',
    z.object({
      InstanceIds: z.array(z.string()).optional(),
      Filters: FiltersSchema,
      MaxResults: z.number().int().min(5).max(1000).optional(),
      NextToken: z.string().optional(),
    }),
    params,
  );
  if (input.InstanceIds !== undefined && input.MaxResults !== undefined) {
    throw new WorldApiError(
      'InvalidParameterCombination',
      'The parameter instancesSet cannot be used with the parameter maxResults',
    );
  }
  const selected =
    input.InstanceIds === undefined || input.InstanceIds.length === 0
      ? state.instances
      : findInstances(state, input.InstanceIds);
  const filtered = applyFilters(
    selected,
    input.Filters,
    (instance, name) => {
      switch (name) {
        case 'instance-id':
          return [instance.instanceId];
        case 'instance-state-name':
          return [instance.state];
        case 'instance-type':
          return [instance.instanceType];
        case 'vpc-id':
          return [instance.vpcId];
        case 'subnet-id':
          return [instance.subnetId];
        case 'iam-instance-profile.arn':
          return instance.iamInstanceProfile === undefined ? [] : [instance.iamInstanceProfile.arn];
        case 'network-interface.network-interface-id':
          return attachedEnis(state, instance.instanceId).map((e) => e.networkInterfaceId);
        default:
          return undefined;
      }
    },
    (instance) => instance.tags,
  );
  const [page, next] = paginate(filtered, input.NextToken, input.MaxResults);
  const reservations = {
    Reservations: page.map((instance) => ({
      ReservationId: `r-${digest(instance.instanceId, 17)}`,
      OwnerId: state.accountId,
      Groups: [],
      Instances: [describeInstance(state, instance)],
    })),
    ...(next === undefined ? {} : { NextToken: next }),
  };
  // A metadata options change read once as pending has been applied by the next read.
  for (const instance of page) settleMetadataOptions(instance);
  return reservations;
}

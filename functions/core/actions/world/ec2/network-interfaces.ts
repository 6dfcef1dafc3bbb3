import { z } from 'zod';
import { UnsupportedWorldCallError, WorldApiError } from '../errors.ts';
import { setEniGroups } from './instance-attributes.ts';
import { publicAssociation } from './instances.ts';
import { addressFor, findNetworkInterface, groupIdentifiers, privateIps } from './lookups.ts';
import { applyFilters, digest, FiltersSchema, parse, tagList, zoneOf } from './shared.ts';
import type { Ec2World, NetworkInterface, Output, Params } from './world.ts';

/** Network interfaces: DescribeNetworkInterfaces and ModifyNetworkInterfaceAttribute. */

export function describeNetworkInterface(state: Ec2World, eni: NetworkInterface): Output {
  const attachment = eni.attachment;
  const instance =
    attachment === undefined
      ? undefined
      : state.instances.find((i) => i.instanceId === attachment.instanceId);
  const address = addressFor(state, eni, eni.privateIpAddress);
  const association = publicAssociation(state, eni, eni.privateIpAddress);
  return {
    NetworkInterfaceId: eni.networkInterfaceId,
    AvailabilityZone: instance === undefined ? `${state.region}a` : zoneOf(state, instance),
    Description: eni.description,
    Groups: groupIdentifiers(state, eni.groups),
    InterfaceType: 'interface',
    Ipv6Addresses: eni.ipv6Addresses.map((Ipv6Address) => ({ Ipv6Address })),
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
    RequesterManaged: false,
    SourceDestCheck: true,
    Status: attachment === undefined ? 'available' : 'in-use',
    SubnetId: eni.subnetId,
    VpcId: eni.vpcId,
    TagSet: tagList(eni.tags),
    ...(attachment === undefined
      ? {}
      : {
          Attachment: {
            AttachmentId: attachment.attachmentId ?? `eni-attach-${digest(eni.networkInterfaceId, 17)}`,
            DeleteOnTermination: attachment.deleteOnTermination,
            DeviceIndex: attachment.deviceIndex,
            NetworkCardIndex: 0,
            InstanceId: attachment.instanceId,
            InstanceOwnerId: state.accountId,
            Status: 'attached',
          },
        }),
    ...(association === undefined
      ? {}
      : {
          Association: {
            ...association,
            ...(address === undefined
              ? {}
              : { AllocationId: address.allocationId, AssociationId: address.associationId }),
          },
        }),
  };
}

export function describeNetworkInterfaces(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeNetworkInterfaces',
    z.object({ NetworkInterfaceIds: z.array(z.string()).optional(), Filters: FiltersSchema }),
    params,
  );
  const ids = input.NetworkInterfaceIds ?? [];
  const selected =
    ids.length === 0 ? state.networkInterfaces : ids.map((id) => findNetworkInterface(state, id));
  const filtered = applyFilters(
    selected,
    input.Filters,
    (eni, name) => {
      switch (name) {
        case 'network-interface-id':
          return [eni.networkInterfaceId];
        case 'attachment.instance-id':
          return eni.attachment === undefined ? [] : [eni.attachment.instanceId];
        case 'attachment.device-index':
          return eni.attachment === undefined ? [] : [String(eni.attachment.deviceIndex)];
        case 'vpc-id':
          return [eni.vpcId];
        case 'subnet-id':
          return [eni.subnetId];
        case 'group-id':
          return eni.groups;
        case 'private-ip-address':
          return privateIps(eni);
        case 'status':
          return [eni.attachment === undefined ? 'available' : 'in-use'];
        default:
          return undefined;
      }
    },
    (eni) => eni.tags,
  );
  return { NetworkInterfaces: filtered.map((eni) => describeNetworkInterface(state, eni)) };
}

export function modifyNetworkInterfaceAttribute(state: Ec2World, params: Params): Output {
  const input = parse(
    'ModifyNetworkInterfaceAttribute',
    z.object({ NetworkInterfaceId: z.string(), Groups: z.array(z.string()).optional() }),
    params,
  );
  const others = Object.keys(params).filter(
    (key) => params[key] !== undefined && !['NetworkInterfaceId', 'Groups', 'DryRun'].includes(key),
  );
  if (others.length > 0) {
    throw new UnsupportedWorldCallError('ec2', `ModifyNetworkInterfaceAttribute(${others.join(', ')})`);
  }
  const eni = findNetworkInterface(state, input.NetworkInterfaceId);
  if (input.Groups === undefined) throw new WorldApiError('MissingParameter', 'No attributes specified.');
  setEniGroups(state, eni, input.Groups);
  return {};
}

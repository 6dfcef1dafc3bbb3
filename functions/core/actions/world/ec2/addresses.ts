import { z } from 'zod';
import { WorldApiError } from '../errors.ts';
import {
  addressFor,
  attachedEnis,
  findInstance,
  findNetworkInterface,
  instanceOfAddress,
  privateIps,
} from './lookups.ts';
import { applyFilters, FiltersSchema, nextId, parse, tagList } from './shared.ts';
import type { Address, Ec2World, NetworkInterface, Output, Params } from './world.ts';

/** Elastic IPs: DescribeAddresses, AssociateAddress, DisassociateAddress. */

export function describeAddress(state: Ec2World, address: Address): Output {
  const instanceId = instanceOfAddress(state, address);
  const eni =
    address.networkInterfaceId === undefined
      ? undefined
      : state.networkInterfaces.find((e) => e.networkInterfaceId === address.networkInterfaceId);
  return {
    AllocationId: address.allocationId,
    PublicIp: address.publicIp,
    Domain: 'vpc',
    PublicIpv4Pool: 'amazon',
    NetworkBorderGroup: state.region,
    ...(address.associationId === undefined
      ? {}
      : {
          AssociationId: address.associationId,
          NetworkInterfaceId: address.networkInterfaceId,
          NetworkInterfaceOwnerId: state.accountId,
          PrivateIpAddress: address.privateIpAddress ?? eni?.privateIpAddress,
          ...(instanceId === undefined ? {} : { InstanceId: instanceId }),
        }),
    ...(Object.keys(address.tags).length === 0 ? {} : { Tags: tagList(address.tags) }),
  };
}

export function describeAddresses(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeAddresses',
    z.object({
      AllocationIds: z.array(z.string()).optional(),
      PublicIps: z.array(z.string()).optional(),
      Filters: FiltersSchema,
    }),
    params,
  );
  let selected = state.addresses;
  if (input.AllocationIds !== undefined && input.AllocationIds.length > 0) {
    selected = input.AllocationIds.map((id) => findAddressByAllocation(state, id));
  }
  if (input.PublicIps !== undefined && input.PublicIps.length > 0) {
    selected = input.PublicIps.map((ip) => {
      const address = selected.find((a) => a.publicIp === ip);
      if (address === undefined)
        throw new WorldApiError('InvalidAddress.NotFound', `Address '${ip}' not found.`);
      return address;
    });
  }
  const filtered = applyFilters(
    selected,
    input.Filters,
    (address, name) => {
      const instanceId = instanceOfAddress(state, address);
      switch (name) {
        case 'allocation-id':
          return [address.allocationId];
        case 'association-id':
          return address.associationId === undefined ? [] : [address.associationId];
        case 'public-ip':
          return [address.publicIp];
        case 'domain':
          return ['vpc'];
        case 'instance-id':
          return instanceId === undefined ? [] : [instanceId];
        case 'network-interface-id':
          return address.networkInterfaceId === undefined ? [] : [address.networkInterfaceId];
        case 'network-interface-owner-id':
          return address.networkInterfaceId === undefined ? [] : [state.accountId];
        case 'private-ip-address': {
          const described = describeAddress(state, address).PrivateIpAddress;
          return typeof described === 'string' ? [described] : [];
        }
        default:
          return undefined;
      }
    },
    (address) => address.tags,
  );
  return { Addresses: filtered.map((address) => describeAddress(state, address)) };
}

export function findAddressByAllocation(state: Ec2World, allocationId: string): Address {
  const address = state.addresses.find((a) => a.allocationId === allocationId);
  if (address === undefined) {
    throw new WorldApiError(
      'InvalidAllocationID.NotFound',
      `The allocation ID '${allocationId}' does not exist`,
    );
  }
  return address;
}

export function associateAddress(state: Ec2World, params: Params): Output {
  const input = parse(
    'AssociateAddress',
    z.object({
      AllocationId: z.string().optional(),
      PublicIp: z.string().optional(),
      InstanceId: z.string().optional(),
      NetworkInterfaceId: z.string().optional(),
      PrivateIpAddress: z.string().optional(),
      AllowReassociation: z.boolean().optional(),
    }),
    params,
  );
  let address: Address;
  if (input.AllocationId !== undefined) address = findAddressByAllocation(state, input.AllocationId);
  else if (input.PublicIp !== undefined) {
    const found = state.addresses.find((a) => a.publicIp === input.PublicIp);
    if (found === undefined)
      throw new WorldApiError('InvalidAddress.NotFound', `Address '${input.PublicIp}' not found.`);
    address = found;
  } else throw new WorldApiError('MissingParameter', 'Either public IP or allocation id must be specified');
  let eni: NetworkInterface;
  if (input.NetworkInterfaceId !== undefined) eni = findNetworkInterface(state, input.NetworkInterfaceId);
  else if (input.InstanceId !== undefined) {
    const instance = findInstance(state, input.InstanceId);
    const enis = attachedEnis(state, instance.instanceId);
    if (enis.length > 1) {
      throw new WorldApiError(
        'InvalidInstanceID',
        `There are multiple interfaces attached to instance '${instance.instanceId}'. Please specify an interface ID for the operation instead.`,
      );
    }
    const only = enis[0];
    if (only === undefined)
      throw new WorldApiError('InvalidInstanceID', 'The instance has no network interface');
    eni = only;
  } else
    throw new WorldApiError(
      'MissingParameter',
      'Either instance id or network interface id must be specified',
    );
  const privateIp = input.PrivateIpAddress ?? eni.privateIpAddress;
  if (!privateIps(eni).includes(privateIp)) {
    throw new WorldApiError(
      'InvalidParameterValue',
      `The specified private IP address ${privateIp} is not associated with ${eni.networkInterfaceId}`,
    );
  }
  const occupant = addressFor(state, eni, privateIp);
  if (input.AllowReassociation !== true) {
    if (address.associationId !== undefined) {
      throw new WorldApiError(
        'Resource.AlreadyAssociated',
        `resource ${address.allocationId} is already associated with associate-id ${address.associationId}`,
      );
    }
    if (occupant !== undefined && occupant !== address) {
      throw new WorldApiError(
        'Resource.AlreadyAssociated',
        `resource ${eni.networkInterfaceId} is already associated with associate-id ${occupant.associationId ?? ''}`,
      );
    }
  }
  if (occupant !== undefined && occupant !== address) dissociate(occupant);
  const associationId = nextId(state, 'eipassoc');
  address.associationId = associationId;
  address.networkInterfaceId = eni.networkInterfaceId;
  address.privateIpAddress = privateIp;
  return { AssociationId: associationId };
}

export function dissociate(address: Address): void {
  delete address.associationId;
  delete address.networkInterfaceId;
  delete address.privateIpAddress;
}

export function disassociateAddress(state: Ec2World, params: Params): Output {
  const input = parse(
    'DisassociateAddress',
    z.object({ AssociationId: z.string().optional(), PublicIp: z.string().optional() }),
    params,
  );
  const address =
    input.AssociationId !== undefined
      ? state.addresses.find((a) => a.associationId === input.AssociationId)
      : state.addresses.find((a) => a.publicIp === input.PublicIp && a.associationId !== undefined);
  if (address === undefined) {
    throw new WorldApiError(
      'InvalidAssociationID.NotFound',
      `The association ID '${input.AssociationId ?? input.PublicIp ?? ''}' does not exist`,
    );
  }
  dissociate(address);
  return {};
}

import { WorldApiError } from '../errors.ts';
import { INSTANCE_ID } from './schema.ts';
import { digest, notFoundList } from './shared.ts';
import type {
  Address,
  AutoScalingGroup,
  Ec2World,
  Instance,
  NetworkInterface,
  SecurityGroup,
  TargetGroup,
  Volume,
} from './world.ts';

/** Finding resources in the EC2 world by id, with AWS's error for a missing one. */

export function findInstance(state: Ec2World, instanceId: string): Instance {
  if (!INSTANCE_ID.test(instanceId)) {
    throw new WorldApiError('InvalidInstanceID.Malformed', `Invalid id: "${instanceId}"`);
  }
  const instance = state.instances.find((i) => i.instanceId === instanceId);
  if (instance === undefined) throw notFoundList('InvalidInstanceID.NotFound', 'instance ID', [instanceId]);
  return instance;
}

export function findInstances(state: Ec2World, ids: readonly string[]): Instance[] {
  for (const id of ids) {
    if (!INSTANCE_ID.test(id)) throw new WorldApiError('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
  }
  const missing = ids.filter((id) => !state.instances.some((i) => i.instanceId === id));
  if (missing.length > 0) throw notFoundList('InvalidInstanceID.NotFound', 'instance ID', missing);
  return state.instances.filter((i) => ids.includes(i.instanceId));
}

export function findNetworkInterface(state: Ec2World, id: string): NetworkInterface {
  const eni = state.networkInterfaces.find((e) => e.networkInterfaceId === id);
  if (eni === undefined)
    throw notFoundList('InvalidNetworkInterfaceID.NotFound', 'networkInterface ID', [id]);
  return eni;
}

export function findGroup(state: Ec2World, id: string): SecurityGroup {
  const group = state.securityGroups.find((g) => g.groupId === id);
  if (group === undefined) {
    throw new WorldApiError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
  }
  return group;
}

export function findVolume(state: Ec2World, id: string): Volume {
  const volume = state.volumes.find((v) => v.volumeId === id);
  if (volume === undefined)
    throw new WorldApiError('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
  return volume;
}

export function findTargetGroup(state: Ec2World, arn: string): TargetGroup {
  const group = state.targetGroups.find((t) => t.targetGroupArn === arn);
  if (group === undefined)
    throw new WorldApiError('TargetGroupNotFound', 'One or more target groups not found');
  return group;
}

export function findAutoScalingGroup(state: Ec2World, name: string): AutoScalingGroup {
  const group = state.autoScalingGroups.find((g) => g.name === name);
  if (group === undefined) {
    throw new WorldApiError(
      'ValidationError',
      `AutoScalingGroup name not found - AutoScalingGroup ${name} not found`,
    );
  }
  return group;
}

export function attachedEnis(state: Ec2World, instanceId: string): NetworkInterface[] {
  return state.networkInterfaces
    .filter((e) => e.attachment?.instanceId === instanceId)
    .sort((a, b) => (a.attachment?.deviceIndex ?? 0) - (b.attachment?.deviceIndex ?? 0));
}

export function primaryEni(state: Ec2World, instance: Instance): NetworkInterface | undefined {
  return attachedEnis(state, instance.instanceId).find((e) => e.attachment?.deviceIndex === 0);
}

export function privateIps(eni: NetworkInterface): string[] {
  return [eni.privateIpAddress, ...eni.secondaryPrivateIpAddresses];
}

export function addressFor(state: Ec2World, eni: NetworkInterface, privateIp: string): Address | undefined {
  return state.addresses.find(
    (a) =>
      a.networkInterfaceId === eni.networkInterfaceId &&
      (a.privateIpAddress ?? eni.privateIpAddress) === privateIp,
  );
}

export function instanceOfAddress(state: Ec2World, address: Address): string | undefined {
  if (address.networkInterfaceId === undefined) return undefined;
  return state.networkInterfaces.find((e) => e.networkInterfaceId === address.networkInterfaceId)?.attachment
    ?.instanceId;
}

export function profileAssociationId(instance: Instance): string | undefined {
  const profile = instance.iamInstanceProfile;
  if (profile === undefined) return undefined;
  return profile.associationId ?? `iip-assoc-${digest(`${instance.instanceId}|${profile.arn}`, 17)}`;
}

export function profileId(arn: string, id: string | undefined): string {
  return id ?? `AIPA${digest(arn, 17).toUpperCase()}`;
}

export function groupIdentifiers(
  state: Ec2World,
  ids: readonly string[],
): { GroupId: string; GroupName: string }[] {
  return ids.map((id) => ({
    GroupId: id,
    GroupName: state.securityGroups.find((g) => g.groupId === id)?.groupName ?? id,
  }));
}

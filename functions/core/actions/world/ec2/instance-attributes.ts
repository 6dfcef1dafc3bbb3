import { z } from 'zod';
import { UnsupportedWorldCallError, WorldApiError } from '../errors.ts';
import { describeInstance } from './instances.ts';
import { findGroup, findInstance, groupIdentifiers, primaryEni } from './lookups.ts';
import { parse } from './shared.ts';
import type { Ec2World, Instance, NetworkInterface, Output, Params } from './world.ts';

/** Instance attributes: DescribeInstanceAttribute and ModifyInstanceAttribute. */

export function describeInstanceAttribute(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeInstanceAttribute',
    z.object({ InstanceId: z.string(), Attribute: z.string() }),
    params,
  );
  const instance = findInstance(state, input.InstanceId);
  const base = { InstanceId: instance.instanceId };
  switch (input.Attribute) {
    case 'disableApiTermination':
      return { ...base, DisableApiTermination: { Value: instance.disableApiTermination } };
    case 'instanceInitiatedShutdownBehavior':
      return {
        ...base,
        InstanceInitiatedShutdownBehavior: { Value: instance.instanceInitiatedShutdownBehavior },
      };
    case 'instanceType':
      return { ...base, InstanceType: { Value: instance.instanceType } };
    case 'groupSet':
      return { ...base, Groups: groupIdentifiers(state, primaryEni(state, instance)?.groups ?? []) };
    case 'blockDeviceMapping':
      return { ...base, BlockDeviceMappings: describeInstance(state, instance).BlockDeviceMappings };
    case 'rootDeviceName':
      return { ...base, RootDeviceName: { Value: instance.rootDeviceName } };
    default:
      throw new UnsupportedWorldCallError('ec2', `DescribeInstanceAttribute(${input.Attribute})`);
  }
}

export const AttributeBoolean = z.object({ Value: z.boolean() });
export const AttributeString = z.object({ Value: z.string() });

export function assertModifiable(instance: Instance): void {
  if (instance.state === 'terminated' || instance.state === 'shutting-down') {
    throw new WorldApiError(
      'IncorrectInstanceState',
      `The instance '${instance.instanceId}' is not in a state from which it can be modified.`,
    );
  }
}

export function setEniGroups(state: Ec2World, eni: NetworkInterface, groupIds: readonly string[]): void {
  if (groupIds.length === 0) {
    throw new WorldApiError(
      'InvalidParameterValue',
      'A network interface must have at least one security group',
    );
  }
  const unique = [...new Set(groupIds)];
  if (unique.length > 5) {
    throw new WorldApiError(
      'SecurityGroupsPerInterfaceLimitExceeded',
      'The maximum number of security groups per interface has been reached.',
    );
  }
  for (const groupId of unique) {
    const group = findGroup(state, groupId);
    if (group.vpcId !== eni.vpcId) {
      throw new WorldApiError(
        'InvalidGroup.NotFound',
        `The security group '${groupId}' does not exist in VPC '${eni.vpcId}'`,
      );
    }
  }
  eni.groups = unique;
}

export function modifyInstanceAttribute(state: Ec2World, params: Params): Output {
  const input = parse(
    'ModifyInstanceAttribute',
    z.object({
      InstanceId: z.string(),
      DisableApiTermination: AttributeBoolean.optional(),
      InstanceInitiatedShutdownBehavior: AttributeString.optional(),
      BlockDeviceMappings: z
        .array(
          z.object({
            DeviceName: z.string(),
            Ebs: z
              .object({ VolumeId: z.string().optional(), DeleteOnTermination: z.boolean().optional() })
              .optional(),
          }),
        )
        .optional(),
      Groups: z.array(z.string()).optional(),
      Attribute: z.string().optional(),
      Value: z.string().optional(),
    }),
    params,
  );
  const instance = findInstance(state, input.InstanceId);
  assertModifiable(instance);
  const given = (
    [
      'DisableApiTermination',
      'InstanceInitiatedShutdownBehavior',
      'BlockDeviceMappings',
      'Groups',
      'Attribute',
    ] as const
  ).filter((key) => input[key] !== undefined);
  const otherAttributes = Object.keys(params).filter(
    (key) => params[key] !== undefined && !['InstanceId', 'DryRun', 'Value', ...given].includes(key),
  );
  if (otherAttributes.length > 0) {
    throw new UnsupportedWorldCallError('ec2', `ModifyInstanceAttribute(${otherAttributes.join(', ')})`);
  }
  if (given.length !== 1) {
    throw new WorldApiError(
      'InvalidParameterCombination',
      given.length === 0
        ? 'No attributes specified.'
        : `Fields for multiple attribute types specified: ${given.join(', ')}`,
    );
  }
  if (input.DisableApiTermination !== undefined) {
    instance.disableApiTermination = input.DisableApiTermination.Value;
  } else if (input.InstanceInitiatedShutdownBehavior !== undefined) {
    setShutdownBehavior(instance, input.InstanceInitiatedShutdownBehavior.Value);
  } else if (input.BlockDeviceMappings !== undefined) {
    setDeleteOnTermination(instance, input.BlockDeviceMappings);
  } else if (input.Groups !== undefined) {
    // Like AWS: the instance-level attribute is the primary ENI's groups only.
    const primary = primaryEni(state, instance);
    if (primary === undefined)
      throw new WorldApiError('InvalidInstanceID', 'The instance has no primary interface');
    setEniGroups(state, primary, input.Groups);
  } else if (input.Attribute === 'disableApiTermination') {
    instance.disableApiTermination = input.Value === 'true';
  } else if (input.Attribute === 'instanceInitiatedShutdownBehavior') {
    setShutdownBehavior(instance, input.Value ?? '');
  } else {
    throw new UnsupportedWorldCallError('ec2', `ModifyInstanceAttribute(${input.Attribute ?? ''})`);
  }
  return {};
}

export function setShutdownBehavior(instance: Instance, value: string): void {
  if (value !== 'stop' && value !== 'terminate') {
    throw new WorldApiError(
      'InvalidParameterValue',
      `Value (${value}) for parameter instanceInitiatedShutdownBehavior is invalid.`,
    );
  }
  instance.instanceInitiatedShutdownBehavior = value;
}

/** BlockDeviceMappings: DeleteOnTermination of mapped devices (an unmapped device is AWS's error). */
function setDeleteOnTermination(
  instance: Instance,
  mappings: readonly { DeviceName: string; Ebs?: { VolumeId?: string; DeleteOnTermination?: boolean } }[],
): void {
  for (const mapping of mappings) {
    const device = instance.blockDevices.find((d) => d.deviceName === mapping.DeviceName);
    if (
      device === undefined ||
      (mapping.Ebs?.VolumeId !== undefined && mapping.Ebs.VolumeId !== device.volumeId)
    ) {
      throw new WorldApiError(
        'InvalidInstanceAttributeValue',
        `No device is currently mapped at ${mapping.DeviceName}`,
      );
    }
    if (mapping.Ebs?.DeleteOnTermination !== undefined)
      device.deleteOnTermination = mapping.Ebs.DeleteOnTermination;
  }
}

import { z } from 'zod';
import { WorldApiError } from '../errors.ts';
import { findAutoScalingGroup, findInstances } from './lookups.ts';
import { nextActivityId, parse } from './shared.ts';
import type { AutoScalingGroup, Ec2World, Output, Params } from './world.ts';

export const AsgMembershipSchema = z.object({
  AutoScalingGroupName: z.string(),
  InstanceIds: z.array(z.string()).min(1),
  ShouldDecrementDesiredCapacity: z.boolean().optional(),
});

export function membersOf(
  group: AutoScalingGroup,
  instanceIds: readonly string[],
): AutoScalingGroup['instances'] {
  return instanceIds.map((id) => {
    const member = group.instances.find((m) => m.instanceId === id);
    if (member === undefined) {
      throw new WorldApiError(
        'ValidationError',
        `The instance ${id} is not part of Auto Scaling group ${group.name}.`,
      );
    }
    return member;
  });
}

export function checkCapacity(group: AutoScalingGroup, desired: number): void {
  if (desired < group.minSize) {
    throw new WorldApiError(
      'ValidationError',
      `AutoScalingGroup ${group.name} has min-size=${group.minSize}, max-size=${group.maxSize}, and desired-size=${group.desiredCapacity}. Decrementing the desired capacity would go below the min-size.`,
    );
  }
  if (desired > group.maxSize) {
    throw new WorldApiError(
      'ValidationError',
      `AutoScalingGroup ${group.name} has min-size=${group.minSize}, max-size=${group.maxSize}, and desired-size=${group.desiredCapacity}. Incrementing the desired capacity would go above the max-size.`,
    );
  }
}

/** What the group does to its target groups when an instance leaves or (re)joins it. */
export function syncGroupTargets(
  state: Ec2World,
  group: AutoScalingGroup,
  instanceId: string,
  registered: boolean,
): void {
  for (const arn of group.targetGroupArns) {
    const targetGroup = state.targetGroups.find((t) => t.targetGroupArn === arn);
    if (targetGroup === undefined || targetGroup.targetType !== 'instance') continue;
    if (registered) {
      if (!targetGroup.targets.some((t) => t.id === instanceId && t.port === targetGroup.port)) {
        targetGroup.targets.push({ id: instanceId, port: targetGroup.port, state: 'initial' });
      }
    } else {
      targetGroup.targets = targetGroup.targets.filter((t) => t.id !== instanceId);
    }
  }
}

export function activities(
  state: Ec2World,
  group: AutoScalingGroup,
  ids: readonly string[],
  verb: string,
  cause: string,
): Output {
  return {
    Activities: ids.map((id) => ({
      ActivityId: nextActivityId(state),
      AutoScalingGroupName: group.name,
      Description: `${verb}: ${id}`,
      Cause: `At ${new Date().toISOString()} ${cause}`,
      StartTime: new Date(),
      StatusCode: 'InProgress',
      Progress: 50,
      Details: JSON.stringify({ 'Availability Zone': group.availabilityZones[0] ?? `${state.region}a` }),
    })),
  };
}

export function enterStandby(state: Ec2World, params: Params): Output {
  const input = parse('EnterStandby', AsgMembershipSchema, params);
  if (input.ShouldDecrementDesiredCapacity === undefined) {
    throw new WorldApiError('ValidationError', 'ShouldDecrementDesiredCapacity is required');
  }
  const group = findAutoScalingGroup(state, input.AutoScalingGroupName);
  const members = membersOf(group, input.InstanceIds);
  for (const member of members) {
    if (member.lifecycleState !== 'InService') {
      throw new WorldApiError('ValidationError', `The instance ${member.instanceId} is not in InService.`);
    }
  }
  const desired = group.desiredCapacity - (input.ShouldDecrementDesiredCapacity ? members.length : 0);
  checkCapacity(group, desired);
  group.desiredCapacity = desired;
  for (const member of members) {
    // AWS passes through EnteringStandby within seconds; the world lands in Standby at once.
    member.lifecycleState = 'Standby';
    syncGroupTargets(state, group, member.instanceId, false);
  }
  return activities(
    state,
    group,
    input.InstanceIds,
    'Moving EC2 instance to Standby',
    'an instance was moved to standby in response to a user request.',
  );
}

export function exitStandby(state: Ec2World, params: Params): Output {
  const input = parse(
    'ExitStandby',
    AsgMembershipSchema.omit({ ShouldDecrementDesiredCapacity: true }),
    params,
  );
  const group = findAutoScalingGroup(state, input.AutoScalingGroupName);
  const members = membersOf(group, input.InstanceIds);
  for (const member of members) {
    if (member.lifecycleState !== 'Standby') {
      throw new WorldApiError('ValidationError', `The instance ${member.instanceId} is not in Standby.`);
    }
  }
  const desired = group.desiredCapacity + members.length;
  checkCapacity(group, desired);
  group.desiredCapacity = desired;
  for (const member of members) {
    member.lifecycleState = 'InService';
    syncGroupTargets(state, group, member.instanceId, true);
  }
  return activities(
    state,
    group,
    input.InstanceIds,
    'Moving EC2 instance out of Standby',
    'an instance was moved out of standby in response to a user request.',
  );
}

export function detachInstances(state: Ec2World, params: Params): Output {
  const input = parse('DetachInstances', AsgMembershipSchema, params);
  if (input.ShouldDecrementDesiredCapacity === undefined) {
    throw new WorldApiError('ValidationError', 'ShouldDecrementDesiredCapacity is required');
  }
  const group = findAutoScalingGroup(state, input.AutoScalingGroupName);
  const members = membersOf(group, input.InstanceIds);
  for (const member of members) {
    if (member.lifecycleState !== 'InService' && member.lifecycleState !== 'Standby') {
      throw new WorldApiError(
        'ValidationError',
        `The instance ${member.instanceId} is not in InService or Standby.`,
      );
    }
  }
  const desired = group.desiredCapacity - (input.ShouldDecrementDesiredCapacity ? members.length : 0);
  checkCapacity(group, desired);
  group.desiredCapacity = desired;
  group.instances = group.instances.filter((m) => !input.InstanceIds.includes(m.instanceId));
  for (const id of input.InstanceIds) syncGroupTargets(state, group, id, false);
  // Without the decrement AWS launches a replacement; the world does not model launches.
  return activities(
    state,
    group,
    input.InstanceIds,
    'Detaching EC2 instance',
    'an instance was detached in response to a user request.',
  );
}

export function attachInstances(state: Ec2World, params: Params): Output {
  const input = parse(
    'AttachInstances',
    AsgMembershipSchema.omit({ ShouldDecrementDesiredCapacity: true }),
    params,
  );
  const group = findAutoScalingGroup(state, input.AutoScalingGroupName);
  const instances = findInstances(state, input.InstanceIds);
  for (const instance of instances) {
    if (instance.state !== 'running') {
      throw new WorldApiError('ValidationError', `Instance ${instance.instanceId} is not in correct state.`);
    }
    if (state.autoScalingGroups.some((g) => g.instances.some((m) => m.instanceId === instance.instanceId))) {
      throw new WorldApiError(
        'ValidationError',
        `The instance ${instance.instanceId} is already part of an Auto Scaling group.`,
      );
    }
  }
  const desired = group.desiredCapacity + instances.length;
  checkCapacity(group, desired);
  group.desiredCapacity = desired;
  for (const instance of instances) {
    group.instances.push({
      instanceId: instance.instanceId,
      lifecycleState: 'InService',
      healthStatus: 'Healthy',
      protectedFromScaleIn: false,
    });
    syncGroupTargets(state, group, instance.instanceId, true);
  }
  return {};
}

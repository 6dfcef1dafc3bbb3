import { z } from 'zod';
import { UnsupportedWorldCallError } from '../errors.ts';
import { digest, paginate, parse, zoneOf } from './shared.ts';
import type { Ec2World, Output, Params } from './world.ts';

/** Auto Scaling reads: DescribeAutoScalingInstances and DescribeAutoScalingGroups. */

/** Auto Scaling groups: describe, standby, detach and attach. */

export function describeAutoScalingInstances(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeAutoScalingInstances',
    z.object({
      InstanceIds: z.array(z.string()).max(50).optional(),
      MaxRecords: z.number().int().min(1).max(50).optional(),
      NextToken: z.string().optional(),
    }),
    params,
  );
  const members = state.autoScalingGroups.flatMap((group) =>
    group.instances.map((member) => ({ group, member })),
  );
  const wanted = input.InstanceIds ?? [];
  const selected =
    wanted.length === 0 ? members : members.filter(({ member }) => wanted.includes(member.instanceId));
  const [page, next] = paginate(selected, input.NextToken, input.MaxRecords);
  return {
    AutoScalingInstances: page.map(({ group, member }) => {
      const instance = state.instances.find((i) => i.instanceId === member.instanceId);
      return {
        InstanceId: member.instanceId,
        ...(instance === undefined ? {} : { InstanceType: instance.instanceType }),
        AutoScalingGroupName: group.name,
        AvailabilityZone: instance === undefined ? `${state.region}a` : zoneOf(state, instance),
        LifecycleState: member.lifecycleState,
        HealthStatus: member.healthStatus.toUpperCase(),
        ProtectedFromScaleIn: member.protectedFromScaleIn,
      };
    }),
    ...(next === undefined ? {} : { NextToken: next }),
  };
}

export function describeAutoScalingGroups(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeAutoScalingGroups',
    z.object({
      AutoScalingGroupNames: z.array(z.string()).optional(),
      Filters: z.array(z.unknown()).optional(),
      MaxRecords: z.number().int().min(1).max(100).optional(),
      NextToken: z.string().optional(),
    }),
    params,
  );
  if (input.Filters !== undefined && input.Filters.length > 0) {
    throw new UnsupportedWorldCallError('autoScaling', 'DescribeAutoScalingGroups(Filters)');
  }
  const names = input.AutoScalingGroupNames ?? [];
  const selected =
    names.length === 0
      ? state.autoScalingGroups
      : state.autoScalingGroups.filter((g) => names.includes(g.name));
  const [page, next] = paginate(selected, input.NextToken, input.MaxRecords);
  return {
    AutoScalingGroups: page.map((group) => ({
      AutoScalingGroupName: group.name,
      AutoScalingGroupARN: `arn:aws:autoscaling:${state.region}:${state.accountId}:autoScalingGroup:${digest(group.name, 8)}-0000-4000-8000-000000000000:autoScalingGroupName/${group.name}`,
      MinSize: group.minSize,
      MaxSize: group.maxSize,
      DesiredCapacity: group.desiredCapacity,
      DefaultCooldown: 300,
      AvailabilityZones: group.availabilityZones,
      LoadBalancerNames: [],
      TargetGroupARNs: group.targetGroupArns,
      HealthCheckType: group.healthCheckType,
      HealthCheckGracePeriod: 300,
      Instances: group.instances.map((member) => {
        const instance = state.instances.find((i) => i.instanceId === member.instanceId);
        return {
          InstanceId: member.instanceId,
          ...(instance === undefined ? {} : { InstanceType: instance.instanceType }),
          AvailabilityZone: instance === undefined ? `${state.region}a` : zoneOf(state, instance),
          LifecycleState: member.lifecycleState,
          HealthStatus: member.healthStatus,
          ProtectedFromScaleIn: member.protectedFromScaleIn,
        };
      }),
      CreatedTime: new Date('2025-01-01T00:00:00.000Z'),
      SuspendedProcesses: [],
      EnabledMetrics: [],
      Tags: Object.entries(group.tags).map(([Key, Value]) => ({
        ResourceId: group.name,
        ResourceType: 'auto-scaling-group',
        Key,
        Value,
        PropagateAtLaunch: true,
      })),
      TerminationPolicies: ['Default'],
      NewInstancesProtectedFromScaleIn: false,
    })),
    ...(next === undefined ? {} : { NextToken: next }),
  };
}

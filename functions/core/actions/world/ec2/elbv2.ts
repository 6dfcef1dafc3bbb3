import { z } from 'zod';
import { WorldApiError } from '../errors.ts';
import { findTargetGroup } from './lookups.ts';
import type { TARGET_STATES } from './schema.ts';
import { paginate, parse } from './shared.ts';
import type { Ec2World, Output, Params, TargetGroup } from './world.ts';

/** ELBv2 target groups: describe, target health, register and deregister. */

export function describeTargetGroup(group: TargetGroup): Output {
  const name = group.targetGroupArn.split('/')[1] ?? '';
  return {
    TargetGroupArn: group.targetGroupArn,
    TargetGroupName: name,
    Protocol: group.protocol,
    Port: group.port,
    VpcId: group.vpcId,
    HealthCheckProtocol: group.protocol,
    HealthCheckPort: 'traffic-port',
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: 5,
    HealthyThresholdCount: 5,
    UnhealthyThresholdCount: 2,
    HealthCheckPath: group.healthCheckPath,
    Matcher: { HttpCode: '200' },
    LoadBalancerArns: group.loadBalancerArns,
    TargetType: group.targetType,
    ProtocolVersion: 'HTTP1',
    IpAddressType: 'ipv4',
  };
}

export function describeTargetGroups(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeTargetGroups',
    z.object({
      TargetGroupArns: z.array(z.string()).optional(),
      Names: z.array(z.string()).optional(),
      LoadBalancerArn: z.string().optional(),
      Marker: z.string().optional(),
      PageSize: z.number().int().min(1).max(400).optional(),
    }),
    params,
  );
  let selected = state.targetGroups;
  if (input.TargetGroupArns !== undefined && input.TargetGroupArns.length > 0) {
    selected = input.TargetGroupArns.map((arn) => findTargetGroup(state, arn));
  }
  if (input.Names !== undefined && input.Names.length > 0) {
    selected = input.Names.map((name) => {
      const group = selected.find((g) => g.targetGroupArn.split('/')[1] === name);
      if (group === undefined)
        throw new WorldApiError('TargetGroupNotFound', 'One or more target groups not found');
      return group;
    });
  }
  if (input.LoadBalancerArn !== undefined) {
    const lb = input.LoadBalancerArn;
    selected = selected.filter((g) => g.loadBalancerArns.includes(lb));
  }
  const [page, next] = paginate(selected, input.Marker, input.PageSize);
  return { TargetGroups: page.map(describeTargetGroup), ...(next === undefined ? {} : { NextMarker: next }) };
}

export const TargetsSchema = z.array(
  z.object({ Id: z.string(), Port: z.number().int().optional(), AvailabilityZone: z.string().optional() }),
);

export const TARGET_REASONS: Partial<Record<(typeof TARGET_STATES)[number], string>> = {
  initial: 'Elb.RegistrationInProgress',
  unhealthy: 'Target.FailedHealthChecks',
  draining: 'Target.DeregistrationInProgress',
  unused: 'Target.NotInUse',
};

export function describeTargetHealth(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeTargetHealth',
    z.object({ TargetGroupArn: z.string(), Targets: TargetsSchema.optional() }),
    params,
  );
  const group = findTargetGroup(state, input.TargetGroupArn);
  const describe = (target: {
    id: string;
    port: number;
    availabilityZone?: string | undefined;
    state: string;
  }) => {
    const reason = TARGET_REASONS[target.state as (typeof TARGET_STATES)[number]];
    return {
      Target: {
        Id: target.id,
        Port: target.port,
        ...(target.availabilityZone === undefined ? {} : { AvailabilityZone: target.availabilityZone }),
      },
      HealthCheckPort: String(target.port),
      TargetHealth: { State: target.state, ...(reason === undefined ? {} : { Reason: reason }) },
    };
  };
  if (input.Targets === undefined || input.Targets.length === 0) {
    return { TargetHealthDescriptions: group.targets.map(describe) };
  }
  return {
    TargetHealthDescriptions: input.Targets.flatMap((wanted) => {
      const found = group.targets.filter(
        (t) => t.id === wanted.Id && (wanted.Port === undefined || t.port === wanted.Port),
      );
      if (found.length > 0) return found.map(describe);
      return [
        {
          Target: { Id: wanted.Id, Port: wanted.Port ?? group.port },
          HealthCheckPort: String(wanted.Port ?? group.port),
          TargetHealth: {
            State: 'unused',
            Reason: 'Target.NotRegistered',
            Description: 'Target is not registered to the target group',
          },
        },
      ];
    }),
  };
}

export function checkTargets(
  state: Ec2World,
  group: TargetGroup,
  targets: z.infer<typeof TargetsSchema>,
  registering: boolean,
): void {
  if (group.targetType !== 'instance') return;
  const unknown = targets.filter((t) => !state.instances.some((i) => i.instanceId === t.Id));
  if (unknown.length > 0) {
    throw new WorldApiError(
      'InvalidTarget',
      `The following targets are not valid: ${unknown.map((t) => `'${t.Id}'`).join(', ')}`,
    );
  }
  if (!registering) return;
  const stopped = targets.filter(
    (t) => state.instances.find((i) => i.instanceId === t.Id)?.state !== 'running',
  );
  if (stopped.length > 0) {
    throw new WorldApiError(
      'InvalidTarget',
      `The following targets are not in a running state and cannot be registered: ${stopped.map((t) => `'${t.Id}'`).join(', ')}`,
    );
  }
}

export function registerTargets(state: Ec2World, params: Params): Output {
  const input = parse(
    'RegisterTargets',
    z.object({ TargetGroupArn: z.string(), Targets: TargetsSchema.min(1) }),
    params,
  );
  const group = findTargetGroup(state, input.TargetGroupArn);
  checkTargets(state, group, input.Targets, true);
  for (const target of input.Targets) {
    const port = target.Port ?? group.port;
    if (group.targets.some((t) => t.id === target.Id && t.port === port)) continue;
    group.targets.push({
      id: target.Id,
      port,
      ...(target.AvailabilityZone === undefined ? {} : { availabilityZone: target.AvailabilityZone }),
      state: 'initial',
    });
  }
  return {};
}

export function deregisterTargets(state: Ec2World, params: Params): Output {
  const input = parse(
    'DeregisterTargets',
    z.object({ TargetGroupArn: z.string(), Targets: TargetsSchema.min(1) }),
    params,
  );
  const group = findTargetGroup(state, input.TargetGroupArn);
  checkTargets(state, group, input.Targets, false);
  // Deregistration drains for the group's delay on AWS; the world removes the target at once.
  group.targets = group.targets.filter(
    (t) => !input.Targets.some((d) => d.Id === t.id && (d.Port ?? group.port) === t.port),
  );
  return {};
}

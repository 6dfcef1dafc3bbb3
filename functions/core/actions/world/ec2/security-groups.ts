import { z } from 'zod';
import { UnsupportedWorldCallError, WorldApiError } from '../errors.ts';
import { findGroup } from './lookups.ts';
import {
  applyFilters,
  FiltersSchema,
  knownVpcs,
  nextId,
  parse,
  TagSpecificationsSchema,
  tagList,
  tagsFromSpecifications,
} from './shared.ts';
import type { Ec2World, Handler, Output, Params, Rule, SecurityGroup } from './world.ts';

/** Security groups: describe, create, authorize and revoke rules. */

export function ruleKey(rule: Rule): string {
  return [
    rule.protocol,
    rule.fromPort ?? '',
    rule.toPort ?? '',
    rule.cidr ?? '',
    rule.cidrIpv6 ?? '',
    rule.sourceGroupId ?? '',
  ].join('|');
}

/** Rules grouped into AWS `IpPermission`s (one per protocol and port range). */
export function ipPermissions(state: Ec2World, rules: readonly Rule[]): Output[] {
  const byRange = new Map<string, Rule[]>();
  for (const rule of rules) {
    const key = `${rule.protocol}|${rule.fromPort ?? ''}|${rule.toPort ?? ''}`;
    byRange.set(key, [...(byRange.get(key) ?? []), rule]);
  }
  return [...byRange.values()].map((group) => {
    const first = group[0] as Rule;
    const withDescription = (r: Rule): Output =>
      r.description === undefined ? {} : { Description: r.description };
    return {
      IpProtocol: first.protocol,
      ...(first.fromPort === undefined ? {} : { FromPort: first.fromPort }),
      ...(first.toPort === undefined ? {} : { ToPort: first.toPort }),
      IpRanges: group
        .filter((r) => r.cidr !== undefined)
        .map((r) => ({ CidrIp: r.cidr, ...withDescription(r) })),
      Ipv6Ranges: group
        .filter((r) => r.cidrIpv6 !== undefined)
        .map((r) => ({ CidrIpv6: r.cidrIpv6, ...withDescription(r) })),
      PrefixListIds: [],
      UserIdGroupPairs: group
        .filter((r) => r.sourceGroupId !== undefined)
        .map((r) => ({ GroupId: r.sourceGroupId, UserId: state.accountId, ...withDescription(r) })),
    };
  });
}

export function describeSecurityGroup(state: Ec2World, group: SecurityGroup): Output {
  return {
    GroupId: group.groupId,
    GroupName: group.groupName,
    Description: group.description,
    VpcId: group.vpcId,
    OwnerId: state.accountId,
    SecurityGroupArn: `arn:aws:ec2:${state.region}:${state.accountId}:security-group/${group.groupId}`,
    IpPermissions: ipPermissions(state, group.ingress),
    IpPermissionsEgress: ipPermissions(state, group.egress),
    ...(Object.keys(group.tags).length === 0 ? {} : { Tags: tagList(group.tags) }),
  };
}

export function describeSecurityGroups(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeSecurityGroups',
    z.object({
      GroupIds: z.array(z.string()).optional(),
      GroupNames: z.array(z.string()).optional(),
      Filters: FiltersSchema,
    }),
    params,
  );
  let selected = state.securityGroups;
  if (input.GroupIds !== undefined && input.GroupIds.length > 0) {
    selected = input.GroupIds.map((id) => findGroup(state, id));
  }
  if (input.GroupNames !== undefined && input.GroupNames.length > 0) {
    selected = input.GroupNames.map((name) => {
      const group = selected.find((g) => g.groupName === name);
      if (group === undefined) {
        throw new WorldApiError('InvalidGroup.NotFound', `The security group '${name}' does not exist`);
      }
      return group;
    });
  }
  const filtered = applyFilters(
    selected,
    input.Filters,
    (group, name) => {
      switch (name) {
        case 'group-id':
          return [group.groupId];
        case 'group-name':
          return [group.groupName];
        case 'vpc-id':
          return [group.vpcId];
        case 'description':
          return [group.description];
        case 'owner-id':
          return [state.accountId];
        default:
          return undefined;
      }
    },
    (group) => group.tags,
  );
  return { SecurityGroups: filtered.map((group) => describeSecurityGroup(state, group)) };
}

export function createSecurityGroup(state: Ec2World, params: Params): Output {
  const input = parse(
    'CreateSecurityGroup',
    z.object({
      GroupName: z.string().min(1).max(255),
      Description: z.string().min(1).max(255),
      VpcId: z.string().optional(),
      TagSpecifications: TagSpecificationsSchema,
    }),
    params,
  );
  if (input.VpcId === undefined) throw new WorldApiError('VPCIdNotSpecified', 'No default VPC for this user');
  if (!knownVpcs(state).has(input.VpcId)) {
    throw new WorldApiError('InvalidVpcID.NotFound', `The vpc ID '${input.VpcId}' does not exist`);
  }
  if (input.GroupName.toLowerCase().startsWith('sg-')) {
    throw new WorldApiError('InvalidParameterValue', 'Group names may not be in the format sg-*.');
  }
  if (state.securityGroups.some((g) => g.vpcId === input.VpcId && g.groupName === input.GroupName)) {
    throw new WorldApiError(
      'InvalidGroup.Duplicate',
      `The security group '${input.GroupName}' already exists for VPC '${input.VpcId}'`,
    );
  }
  const tags = tagsFromSpecifications('CreateSecurityGroup', 'security-group', input.TagSpecifications);
  const groupId = nextId(state, 'sg');
  // Like AWS: a new group has no inbound rule and one outbound rule allowing everything.
  state.securityGroups.push({
    groupId,
    groupName: input.GroupName,
    description: input.Description,
    vpcId: input.VpcId,
    tags,
    ingress: [],
    egress: [{ protocol: '-1', cidr: '0.0.0.0/0' }],
  });
  return {
    GroupId: groupId,
    SecurityGroupArn: `arn:aws:ec2:${state.region}:${state.accountId}:security-group/${groupId}`,
    ...(Object.keys(tags).length === 0 ? {} : { Tags: tagList(tags) }),
  };
}

export const IpPermissionsSchema = z.array(
  z.object({
    IpProtocol: z.string(),
    FromPort: z.number().int().optional(),
    ToPort: z.number().int().optional(),
    IpRanges: z.array(z.object({ CidrIp: z.string(), Description: z.string().optional() })).optional(),
    Ipv6Ranges: z.array(z.object({ CidrIpv6: z.string(), Description: z.string().optional() })).optional(),
    UserIdGroupPairs: z
      .array(z.object({ GroupId: z.string(), Description: z.string().optional() }))
      .optional(),
    PrefixListIds: z.array(z.object({ PrefixListId: z.string() })).optional(),
  }),
);

export const PROTOCOL_NAMES: Record<string, string> = {
  all: '-1',
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
};

export function rulesOf(state: Ec2World, permissions: z.infer<typeof IpPermissionsSchema>): Rule[] {
  const rules: Rule[] = [];
  for (const permission of permissions) {
    if (permission.PrefixListIds !== undefined && permission.PrefixListIds.length > 0) {
      throw new UnsupportedWorldCallError('ec2', 'security group rules with prefix lists');
    }
    const protocol =
      PROTOCOL_NAMES[permission.IpProtocol.toLowerCase()] ?? permission.IpProtocol.toLowerCase();
    const ranged = protocol !== '-1';
    if (
      (protocol === 'tcp' || protocol === 'udp') &&
      (permission.FromPort === undefined || permission.ToPort === undefined)
    ) {
      throw new WorldApiError(
        'InvalidParameterValue',
        'Invalid value: Must specify both from and to ports with TCP/UDP.',
      );
    }
    const ports = ranged
      ? {
          ...(permission.FromPort === undefined ? {} : { fromPort: permission.FromPort }),
          ...(permission.ToPort === undefined ? {} : { toPort: permission.ToPort }),
        }
      : {};
    const peers: Rule[] = [
      ...(permission.IpRanges ?? []).map((r) => ({
        protocol,
        ...ports,
        cidr: r.CidrIp,
        description: r.Description,
      })),
      ...(permission.Ipv6Ranges ?? []).map((r) => ({
        protocol,
        ...ports,
        cidrIpv6: r.CidrIpv6,
        description: r.Description,
      })),
      ...(permission.UserIdGroupPairs ?? []).map((p) => {
        findGroup(state, p.GroupId);
        return { protocol, ...ports, sourceGroupId: p.GroupId, description: p.Description };
      }),
    ].map((rule) => (rule.description === undefined ? withoutDescription(rule) : rule));
    if (peers.length === 0)
      throw new WorldApiError('MissingParameter', 'No source or destination specified.');
    rules.push(...peers);
  }
  return rules;
}

export function withoutDescription(rule: Rule): Rule {
  const { description: _ignored, ...rest } = rule;
  return rest;
}

export function authorize(direction: 'ingress' | 'egress'): Handler {
  const api = direction === 'ingress' ? 'AuthorizeSecurityGroupIngress' : 'AuthorizeSecurityGroupEgress';
  return (state, params) => {
    const input = parse(
      api,
      z.object({
        GroupId: z.string(),
        IpPermissions: IpPermissionsSchema,
        TagSpecifications: TagSpecificationsSchema,
      }),
      params,
    );
    const group = findGroup(state, input.GroupId);
    const rules = rulesOf(state, input.IpPermissions);
    const existing = new Set(group[direction].map(ruleKey));
    for (const rule of rules) {
      if (existing.has(ruleKey(rule))) {
        const peer = rule.cidr ?? rule.cidrIpv6 ?? rule.sourceGroupId ?? '';
        throw new WorldApiError(
          'InvalidPermission.Duplicate',
          `the specified rule "peer: ${peer}, ${rule.protocol === '-1' ? 'ALL' : rule.protocol.toUpperCase()}, ALLOW" already exists`,
        );
      }
    }
    group[direction].push(...rules);
    return {
      Return: true,
      SecurityGroupRules: rules.map((rule) => ({
        SecurityGroupRuleId: nextId(state, 'sgr'),
        GroupId: group.groupId,
        GroupOwnerId: state.accountId,
        IsEgress: direction === 'egress',
        IpProtocol: rule.protocol,
        FromPort: rule.fromPort ?? -1,
        ToPort: rule.toPort ?? -1,
        ...(rule.cidr === undefined ? {} : { CidrIpv4: rule.cidr }),
        ...(rule.cidrIpv6 === undefined ? {} : { CidrIpv6: rule.cidrIpv6 }),
        ...(rule.sourceGroupId === undefined ? {} : { ReferencedGroupInfo: { GroupId: rule.sourceGroupId } }),
        ...(rule.description === undefined ? {} : { Description: rule.description }),
      })),
    };
  };
}

export function revoke(direction: 'ingress' | 'egress'): Handler {
  const api = direction === 'ingress' ? 'RevokeSecurityGroupIngress' : 'RevokeSecurityGroupEgress';
  return (state, params) => {
    const input = parse(api, z.object({ GroupId: z.string(), IpPermissions: IpPermissionsSchema }), params);
    const group = findGroup(state, input.GroupId);
    const keys = new Set(rulesOf(state, input.IpPermissions).map(ruleKey));
    const present = new Set(group[direction].map(ruleKey));
    // A non-default VPC (the only kind the world has) refuses the whole call on an unknown rule.
    if ([...keys].some((key) => !present.has(key))) {
      throw new WorldApiError(
        'InvalidPermission.NotFound',
        'The specified rule does not exist in this security group.',
      );
    }
    group[direction] = group[direction].filter((rule) => !keys.has(ruleKey(rule)));
    return { Return: true };
  };
}

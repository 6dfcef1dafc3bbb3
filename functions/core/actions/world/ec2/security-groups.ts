import { z } from 'zod';
import { WorldApiError } from '../errors.ts';
import { IpPermissionsSchema, ipPermissions, ruleKey, rulesOf } from './ip-permissions.ts';
import { findGroup } from './lookups.ts';
import { describeRule, revokeRuleIds } from './security-group-rules.ts';
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
import type { Ec2World, Handler, Output, Params, SecurityGroup } from './world.ts';

/**
 * Security groups: describe, create, authorize and revoke rules (by their properties, or by
 * `SecurityGroupRuleIds`).
 */

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
    const rules = rulesOf(state, input.IpPermissions).map((rule) => ({
      ...rule,
      ruleId: nextId(state, 'sgr'),
    }));
    const existing = new Set(group[direction].map(ruleKey));
    for (const rule of rules) {
      if (existing.has(ruleKey(rule))) {
        const peer = rule.cidr ?? rule.cidrIpv6 ?? rule.sourceGroupId ?? rule.prefixListId ?? '';
        throw new WorldApiError(
          'InvalidPermission.Duplicate',
          `the specified rule "peer: ${peer}, ${rule.protocol === '-1' ? 'ALL' : rule.protocol.toUpperCase()}, ALLOW" already exists`,
        );
      }
    }
    group[direction].push(...rules);
    return {
      Return: true,
      SecurityGroupRules: rules.map((rule) => describeRule(state, group, direction, rule)),
    };
  };
}

export function revoke(direction: 'ingress' | 'egress'): Handler {
  const api = direction === 'ingress' ? 'RevokeSecurityGroupIngress' : 'RevokeSecurityGroupEgress';
  return (state, params) => {
    if (params.SecurityGroupRuleIds !== undefined) return revokeRuleIds(state, direction, api, params);
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

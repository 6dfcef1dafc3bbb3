import { z } from 'zod';
import { WorldApiError } from '../errors.ts';
import { ruleIdOf } from './ip-permissions.ts';
import { findGroup } from './lookups.ts';
import { applyFilters, FiltersSchema, paginate, parse } from './shared.ts';
import type { Ec2World, Output, Params, Rule, SecurityGroup } from './world.ts';

/**
 * Security-group rules by id: DescribeSecurityGroupRules, and RevokeSecurityGroupIngress/Egress
 * with `SecurityGroupRuleIds` (the revoke by properties is in `security-groups.ts`).
 */

type Direction = 'ingress' | 'egress';

/** One rule as DescribeSecurityGroupRules (and the Authorize responses) answer it. */
export function describeRule(
  state: Ec2World,
  group: SecurityGroup,
  direction: Direction,
  rule: Rule,
): Output {
  const id = ruleIdOf(group, direction, rule);
  return {
    SecurityGroupRuleId: id,
    GroupId: group.groupId,
    GroupOwnerId: state.accountId,
    IsEgress: direction === 'egress',
    IpProtocol: rule.protocol,
    FromPort: rule.fromPort ?? -1,
    ToPort: rule.toPort ?? -1,
    ...(rule.cidr === undefined ? {} : { CidrIpv4: rule.cidr }),
    ...(rule.cidrIpv6 === undefined ? {} : { CidrIpv6: rule.cidrIpv6 }),
    ...(rule.prefixListId === undefined ? {} : { PrefixListId: rule.prefixListId }),
    ...(rule.sourceGroupId === undefined
      ? {}
      : { ReferencedGroupInfo: { GroupId: rule.sourceGroupId, UserId: state.accountId } }),
    ...(rule.description === undefined ? {} : { Description: rule.description }),
    Tags: [],
    SecurityGroupRuleArn: `arn:aws:ec2:${state.region}:${state.accountId}:security-group-rule/${id}`,
  };
}

interface Located {
  readonly group: SecurityGroup;
  readonly direction: Direction;
  readonly rule: Rule;
  readonly id: string;
}

function allRules(state: Ec2World): Located[] {
  return state.securityGroups.flatMap((group) =>
    (['ingress', 'egress'] as const).flatMap((direction) =>
      group[direction].map((rule) => ({ group, direction, rule, id: ruleIdOf(group, direction, rule) })),
    ),
  );
}

/**
 * DescribeSecurityGroupRules: by `SecurityGroupRuleIds` and/or the filters `group-id` and
 * `security-group-rule-id`, a page at a time (`MaxResults` 5 to 1000, `NextToken`).
 *
 * @example
 * describeSecurityGroupRules(world.ec2, { Filters: [{ Name: 'group-id', Values: ['sg-0c4e6a8b2d1f3e5a7'] }] });
 * // { SecurityGroupRules: [{ SecurityGroupRuleId: 'sgr-…', IsEgress: false, CidrIpv4: '0.0.0.0/0', … }] }
 */
export function describeSecurityGroupRules(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeSecurityGroupRules',
    z.object({
      SecurityGroupRuleIds: z.array(z.string()).optional(),
      Filters: FiltersSchema,
      MaxResults: z.number().int().min(5).max(1000).optional(),
      NextToken: z.string().optional(),
    }),
    params,
  );
  let selected = allRules(state);
  const ids = input.SecurityGroupRuleIds ?? [];
  if (ids.length > 0) {
    const missing = ids.filter((id) => !selected.some((r) => r.id === id));
    if (missing.length > 0) {
      throw new WorldApiError(
        'InvalidSecurityGroupRuleId.NotFound',
        `The security group rule ID '${missing.join("', '")}' does not exist`,
      );
    }
    selected = selected.filter((r) => ids.includes(r.id));
  }
  const filtered = applyFilters(
    selected,
    input.Filters,
    (located, name) => {
      if (name === 'group-id') return [located.group.groupId];
      if (name === 'security-group-rule-id') return [located.id];
      return undefined;
    },
    () => ({}),
  );
  const [page, next] = paginate(filtered, input.NextToken, input.MaxResults);
  return {
    SecurityGroupRules: page.map((r) => describeRule(state, r.group, r.direction, r.rule)),
    ...(next === undefined ? {} : { NextToken: next }),
  };
}

/**
 * RevokeSecurityGroupIngress/Egress with `SecurityGroupRuleIds`: every id must be a rule of the
 * group in that direction, else AWS refuses the whole call and revokes nothing.
 */
export function revokeRuleIds(state: Ec2World, direction: Direction, api: string, params: Params): Output {
  if (params.IpPermissions !== undefined) {
    throw new WorldApiError(
      'InvalidParameterCombination',
      `${api}: IpPermissions cannot be combined with SecurityGroupRuleIds`,
    );
  }
  const input = parse(
    api,
    z.object({ GroupId: z.string(), SecurityGroupRuleIds: z.array(z.string()).min(1) }),
    params,
  );
  const group = findGroup(state, input.GroupId);
  const ids = new Set(input.SecurityGroupRuleIds);
  const present = new Set(group[direction].map((rule) => ruleIdOf(group, direction, rule)));
  const missing = [...ids].filter((id) => !present.has(id));
  if (missing.length > 0) {
    throw new WorldApiError(
      'InvalidSecurityGroupRuleId.NotFound',
      `The security group rule ID '${missing.join("', '")}' does not exist`,
    );
  }
  group[direction] = group[direction].filter((rule) => !ids.has(ruleIdOf(group, direction, rule)));
  return { Return: true };
}

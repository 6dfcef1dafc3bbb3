import { z } from 'zod';
import { WorldApiError } from '../errors.ts';
import { findGroup } from './lookups.ts';
import { digest } from './shared.ts';
import type { Ec2World, Output, Rule, SecurityGroup } from './world.ts';

/**
 * Security-group rules between the world's flat form (one peer per rule) and AWS's shapes: the
 * `IpPermission`s of DescribeSecurityGroups and of the Authorize/Revoke requests, and the rule
 * ids (`sgr-…`) of DescribeSecurityGroupRules.
 */

/** What makes two rules the same rule to AWS: protocol, ports and peer (never the description). */
export function ruleKey(rule: Rule): string {
  return [
    rule.protocol,
    rule.fromPort ?? '',
    rule.toPort ?? '',
    rule.cidr ?? '',
    rule.cidrIpv6 ?? '',
    rule.sourceGroupId ?? '',
    rule.prefixListId ?? '',
  ].join('|');
}

/**
 * The rule's `sgr-` id: the one the file or the world's authorize gave it, else derived from the
 * group, the direction and the rule (stable across runs of the same world).
 */
export function ruleIdOf(group: SecurityGroup, direction: 'ingress' | 'egress', rule: Rule): string {
  return rule.ruleId ?? `sgr-${digest(`${group.groupId}|${direction}|${ruleKey(rule)}`, 17)}`;
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
      PrefixListIds: group
        .filter((r) => r.prefixListId !== undefined)
        .map((r) => ({ PrefixListId: r.prefixListId, ...withDescription(r) })),
      UserIdGroupPairs: group
        .filter((r) => r.sourceGroupId !== undefined)
        .map((r) => ({ GroupId: r.sourceGroupId, UserId: state.accountId, ...withDescription(r) })),
    };
  });
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
    PrefixListIds: z
      .array(z.object({ PrefixListId: z.string(), Description: z.string().optional() }))
      .optional(),
  }),
);

export const PROTOCOL_NAMES: Record<string, string> = {
  all: '-1',
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
};

function portsOf(permission: z.infer<typeof IpPermissionsSchema>[number], protocol: string): Partial<Rule> {
  if (protocol === '-1') return {};
  if (
    (protocol === 'tcp' || protocol === 'udp') &&
    (permission.FromPort === undefined || permission.ToPort === undefined)
  ) {
    throw new WorldApiError(
      'InvalidParameterValue',
      'Invalid value: Must specify both from and to ports with TCP/UDP.',
    );
  }
  return {
    ...(permission.FromPort === undefined ? {} : { fromPort: permission.FromPort }),
    ...(permission.ToPort === undefined ? {} : { toPort: permission.ToPort }),
  };
}

/** The flat rules of a request's `IpPermissions` (AWS's checks on ports and peers). */
export function rulesOf(state: Ec2World, permissions: z.infer<typeof IpPermissionsSchema>): Rule[] {
  const rules: Rule[] = [];
  for (const permission of permissions) {
    const protocol =
      PROTOCOL_NAMES[permission.IpProtocol.toLowerCase()] ?? permission.IpProtocol.toLowerCase();
    const ports = portsOf(permission, protocol);
    const peers: Rule[] = [
      ...(permission.IpRanges ?? []).map((r) => ({ cidr: r.CidrIp, description: r.Description })),
      ...(permission.Ipv6Ranges ?? []).map((r) => ({ cidrIpv6: r.CidrIpv6, description: r.Description })),
      ...(permission.PrefixListIds ?? []).map((r) => ({
        prefixListId: r.PrefixListId,
        description: r.Description,
      })),
      ...(permission.UserIdGroupPairs ?? []).map((p) => {
        findGroup(state, p.GroupId);
        return { sourceGroupId: p.GroupId, description: p.Description };
      }),
    ]
      .map((peer) => ({ protocol, ...ports, ...peer }))
      .map((rule) => (rule.description === undefined ? withoutDescription(rule) : rule));
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

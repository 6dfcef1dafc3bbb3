import type { IpPermission } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { InvalidInputError } from '../../../errors.ts';

/**
 * Which security-group ingress rules are "open to the world", and which of them the
 * security-group actions revoke and restore.
 *
 * A rule is world-open when its peer is `0.0.0.0/0` or `::/0` (the two CIDRs Security Hub's
 * EC2.18, EC2.19, EC2.53 and EC2.54 and CloudTrail's `signal:world-open-ingress` name). Rules
 * whose peer is another security group or a managed prefix list are never world-open here, so
 * never touched.
 */

/**
 * The ports Security Hub control EC2.19 ("Security groups should not allow unrestricted access
 * to ports with high risk") checks: FTP (20, 21), SSH (22), Telnet (23), SMTP (25), POP3 (110),
 * RPC (135), IMAP (143), SMB (445), SQL Server (1433, 1434), 3000, MySQL (3306), RDP (3389),
 * 4333, 5000, PostgreSQL (5432), 5500, Kibana (5601), 8080, 8088, 8888, Elasticsearch (9200,
 * 9300). https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-19
 */
export const HIGH_RISK_PORTS: readonly number[] = [
  20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080,
  8088, 8888, 9200, 9300,
];

export const WORLD_CIDRS = ['0.0.0.0/0', '::/0'] as const;

/** The ports whose world-open rules are revoked: a list, or `all` (every world-open rule). */
export const PortsSchema = z
  .union([z.literal('all'), z.array(z.number().int().min(0).max(65535)).min(1)])
  .default([...HIGH_RISK_PORTS]);
export type Ports = z.infer<typeof PortsSchema>;

export const GroupIdSchema = z
  .string()
  .regex(/^sg-[0-9a-f]{8}(?:[0-9a-f]{9})?$/, 'a security group id (sg-…)');

/** One ingress rule as DescribeSecurityGroupRules reads it (`-1` ports: none). */
export const IngressRuleSchema = z.object({
  ruleId: z.string(),
  /** `-1` (all traffic), `tcp`, `udp`, `icmp`, `icmpv6` or a protocol number. */
  protocol: z.string(),
  fromPort: z.number().int(),
  toPort: z.number().int(),
  cidrIpv4: z.string().optional(),
  cidrIpv6: z.string().optional(),
  prefixListId: z.string().optional(),
  referencedGroupId: z.string().optional(),
  description: z.string().optional(),
});
export type IngressRule = z.infer<typeof IngressRuleSchema>;

/** Whether the rule's peer is the whole internet (`0.0.0.0/0` or `::/0`). */
export function isWorldOpen(rule: IngressRule): boolean {
  return rule.cidrIpv4 === '0.0.0.0/0' || rule.cidrIpv6 === '::/0';
}

const ALL_TRAFFIC = new Set(['-1', 'all']);
const PORTED = new Set(['tcp', 'udp', '6', '17']);

/** Whether traffic to `port` passes the rule: all traffic, or TCP/UDP with the port in range. */
export function coversPort(rule: IngressRule, port: number): boolean {
  const protocol = rule.protocol.toLowerCase();
  if (ALL_TRAFFIC.has(protocol)) return true;
  return PORTED.has(protocol) && rule.fromPort <= port && port <= rule.toPort;
}

/**
 * The world-open rules the actions revoke: on one of `ports`, or all of them (`all`).
 *
 * @example
 * selectWorldOpen(rules, [22, 3389]); // the 0.0.0.0/0 and ::/0 rules reaching SSH or RDP
 */
export function selectWorldOpen(rules: readonly IngressRule[], ports: Ports): IngressRule[] {
  return rules.filter(
    (rule) => isWorldOpen(rule) && (ports === 'all' || ports.some((port) => coversPort(rule, port))),
  );
}

/** A short line for a rule, for notes and checks: `tcp 22 from 0.0.0.0/0 (sgr-…)`. */
export function ruleText(rule: IngressRule): string {
  const protocol = ALL_TRAFFIC.has(rule.protocol) ? 'all traffic' : rule.protocol;
  const ports =
    ALL_TRAFFIC.has(rule.protocol) || rule.fromPort === -1
      ? ''
      : rule.fromPort === rule.toPort
        ? ` ${rule.fromPort}`
        : ` ${rule.fromPort}-${rule.toPort}`;
  const peer = rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.prefixListId ?? rule.referencedGroupId ?? '?';
  return `${protocol}${ports} from ${peer} (${rule.ruleId})`;
}

/**
 * The `IpPermission` that re-authorizes a saved world-open rule exactly: protocol, ports (none
 * for all traffic), the CIDR and its description.
 *
 * @example
 * permissionOf({ ruleId: 'sgr-…', protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' });
 * // { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }
 */
export function permissionOf(rule: IngressRule): IpPermission {
  const description = rule.description === undefined ? {} : { Description: rule.description };
  const ports = ALL_TRAFFIC.has(rule.protocol) ? {} : { FromPort: rule.fromPort, ToPort: rule.toPort };
  if (rule.cidrIpv4 !== undefined) {
    return { IpProtocol: rule.protocol, ...ports, IpRanges: [{ CidrIp: rule.cidrIpv4, ...description }] };
  }
  if (rule.cidrIpv6 !== undefined) {
    return { IpProtocol: rule.protocol, ...ports, Ipv6Ranges: [{ CidrIpv6: rule.cidrIpv6, ...description }] };
  }
  throw new InvalidInputError(
    `rule ${rule.ruleId} has no CIDR: only world-open rules are saved and restored`,
  );
}

/** Whether two rules are the same rule to AWS (protocol, ports, CIDR; ids and descriptions aside). */
export function sameRule(a: IngressRule, b: IngressRule): boolean {
  const ports = (r: IngressRule) => (ALL_TRAFFIC.has(r.protocol) ? '' : `${r.fromPort}-${r.toPort}`);
  return (
    a.protocol === b.protocol &&
    ports(a) === ports(b) &&
    a.cidrIpv4 === b.cidrIpv4 &&
    a.cidrIpv6 === b.cidrIpv6
  );
}

import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { InvalidInputError } from '../../../errors.ts';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.ts';
import type { ActionEnv } from '../../types.ts';
import { tagRecord } from './items.ts';
import { type IngressRule, IngressRuleSchema, PortsSchema } from './world-open.ts';

/**
 * What the security-group actions read about a group (DescribeSecurityGroups, its ingress rules
 * by id with DescribeSecurityGroupRules, the network interfaces and instances that use it) and
 * what revoke-world-open-ingress saves for its release.
 */

type Ec2 = ActionEnv['clients']['ec2'];

export interface GroupFacts {
  readonly groupId: string;
  readonly groupName: string;
  readonly vpcId: string | null;
  readonly ownerId: string | null;
  readonly tags: Record<string, string>;
}

/** `DescribeSecurityGroups` of one group; a missing one is a {@link ResourceNotFoundError}. */
export async function readGroup(ec2: Ec2, groupId: string): Promise<GroupFacts> {
  try {
    const out = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    const group = out.SecurityGroups?.find((g) => g.GroupId === groupId);
    if (group === undefined) throw new ResourceNotFoundError(`security group ${groupId} does not exist`);
    return {
      groupId,
      groupName: group.GroupName ?? groupId,
      vpcId: group.VpcId ?? null,
      ownerId: group.OwnerId ?? null,
      tags: tagRecord(group.Tags),
    };
  } catch (error) {
    if (hasErrorCode(error, 'InvalidGroup.NotFound') || hasErrorCode(error, 'InvalidGroupId.Malformed')) {
      throw new ResourceNotFoundError(`security group ${groupId} does not exist`, { cause: error });
    }
    throw error;
  }
}

function ingressRuleOf(rule: SecurityGroupRule): IngressRule {
  return IngressRuleSchema.parse({
    ruleId: rule.SecurityGroupRuleId,
    protocol: rule.IpProtocol ?? '-1',
    fromPort: rule.FromPort ?? -1,
    toPort: rule.ToPort ?? -1,
    ...(rule.CidrIpv4 === undefined ? {} : { cidrIpv4: rule.CidrIpv4 }),
    ...(rule.CidrIpv6 === undefined ? {} : { cidrIpv6: rule.CidrIpv6 }),
    ...(rule.PrefixListId === undefined ? {} : { prefixListId: rule.PrefixListId }),
    ...(rule.ReferencedGroupInfo?.GroupId === undefined
      ? {}
      : { referencedGroupId: rule.ReferencedGroupInfo.GroupId }),
    ...(rule.Description === undefined ? {} : { description: rule.Description }),
  });
}

/**
 * The group's inbound rules with their ids: `DescribeSecurityGroupRules` filtered on `group-id`,
 * every page (1000 a page), egress rules left out.
 */
export async function readIngressRules(ec2: Ec2, groupId: string): Promise<IngressRule[]> {
  const rules: IngressRule[] = [];
  let token: string | undefined;
  do {
    const out = await ec2.send(
      new DescribeSecurityGroupRulesCommand({
        Filters: [{ Name: 'group-id', Values: [groupId] }],
        MaxResults: 1000,
        ...(token === undefined ? {} : { NextToken: token }),
      }),
    );
    for (const rule of out.SecurityGroupRules ?? []) {
      if (rule.IsEgress !== true && rule.GroupId === groupId) rules.push(ingressRuleOf(rule));
    }
    token = out.NextToken;
  } while (token !== undefined);
  return rules;
}

export const GroupUserSchema = z.object({
  networkInterfaceId: z.string(),
  /** The instance the interface is attached to; null for other interfaces (load balancers, Lambda…). */
  instanceId: z.string().nullable(),
  description: z.string(),
});
export type GroupUser = z.infer<typeof GroupUserSchema>;

export interface GroupUsers {
  readonly networkInterfaces: GroupUser[];
  /** The instances behind those interfaces, with their tags (the environment rail reads them). */
  readonly instances: { readonly instanceId: string; readonly tags: Record<string, string> }[];
}

/**
 * Who uses the group: `DescribeNetworkInterfaces` filtered on `group-id` (every page), then
 * `DescribeInstances` of the attached instances for their tags.
 */
export async function readGroupUsers(ec2: Ec2, groupId: string): Promise<GroupUsers> {
  const networkInterfaces: GroupUser[] = [];
  let token: string | undefined;
  do {
    const out = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'group-id', Values: [groupId] }],
        ...(token === undefined ? {} : { NextToken: token }),
      }),
    );
    for (const eni of out.NetworkInterfaces ?? []) {
      if (eni.NetworkInterfaceId === undefined) continue;
      networkInterfaces.push({
        networkInterfaceId: eni.NetworkInterfaceId,
        instanceId: eni.Attachment?.InstanceId ?? null,
        description: eni.Description ?? '',
      });
    }
    token = out.NextToken;
  } while (token !== undefined);
  const ids = [...new Set(networkInterfaces.flatMap((e) => (e.instanceId === null ? [] : [e.instanceId])))];
  if (ids.length === 0) return { networkInterfaces, instances: [] };
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
  const instances = (out.Reservations ?? []).flatMap((r) =>
    (r.Instances ?? []).flatMap((i) =>
      i.InstanceId === undefined ? [] : [{ instanceId: i.InstanceId, tags: tagRecord(i.Tags) }],
    ),
  );
  return { networkInterfaces, instances };
}

/** What revoke-world-open-ingress saves under `ec2-sg-ingress:<group>`: the rules it revoked. */
export const IngressCaptureSchema = z.object({
  kind: z.literal('ec2-security-group-ingress'),
  groupId: z.string(),
  vpcId: z.string().nullable(),
  ports: PortsSchema,
  /** Every world-open rule this incident revoked (or is about to), exactly as read. */
  rules: z.array(IngressRuleSchema),
  capturedAt: z.string(),
});
export type IngressCapture = z.infer<typeof IngressCaptureSchema>;

/** Where revoke-world-open-ingress saves its capture of `groupId`. */
export const ingressStateKey = (groupId: string): string => `ec2-sg-ingress:${groupId}`;

/** The capture saved under `key`, parsed ({@link InvalidInputError} when unreadable). */
export function parseIngressCapture(key: string, saved: Record<string, unknown>): IngressCapture {
  const parsed = IngressCaptureSchema.safeParse(saved);
  if (!parsed.success) {
    throw new InvalidInputError(`the state saved for ${key} is not readable: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

import { z } from 'zod';
import { ec2Service } from '../services/ec2.ts';
import { tagValueOf } from '../tags.ts';
import { defineAction } from '../types.ts';
import { GroupUserSchema, readGroup, readGroupUsers, readIngressRules } from './shared/security-group.ts';
import {
  GroupIdSchema,
  IngressRuleSchema,
  isWorldOpen,
  PortsSchema,
  selectWorldOpen,
} from './shared/world-open.ts';

export const EnrichSecurityGroupInputSchema = z.object({
  groupId: GroupIdSchema,
  /** The ports whose world-open rules the playbook would revoke. @default EC2.19's high-risk ports */
  ports: PortsSchema,
});

export const EnrichSecurityGroupOutputSchema = z.object({
  groupId: z.string(),
  groupName: z.string(),
  vpcId: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  /** From the `owner` tag (any case). */
  owner: z.string().nullable(),
  environment: z.string().nullable(),
  /** Every inbound rule, with its id. */
  ingress: z.array(IngressRuleSchema),
  /** The inbound rules open to 0.0.0.0/0 or ::/0, on any port. */
  worldOpen: z.array(IngressRuleSchema),
  /** The world-open rules on the chosen ports: what containment would revoke. */
  revocable: z.array(IngressRuleSchema),
  /** Whether there is anything to revoke. */
  exposed: z.boolean(),
  networkInterfaces: z.array(GroupUserSchema),
  instances: z.array(
    z.object({ instanceId: z.string(), environment: z.string().nullable(), protected: z.boolean() }),
  ),
  /** The group, or an instance using it, carries the protected tag: containment will refuse. */
  protected: z.boolean(),
  /**
   * False only when the group and every instance using it are tagged with an environment the
   * safety policy names non-production: otherwise revoking waits for a human approval.
   */
  approvalRequired: z.boolean(),
});
export type EnrichSecurityGroupOutput = z.infer<typeof EnrichSecurityGroupOutputSchema>;

/**
 * Describes a security group for the playbook and the analyst. Read-only, in this order:
 * `DescribeSecurityGroups` (name, VPC, tags), `DescribeSecurityGroupRules` filtered on
 * `group-id` (every inbound rule with its id), `DescribeNetworkInterfaces` filtered on
 * `group-id` (who uses it) and `DescribeInstances` of the attached instances (their tags: a
 * production instance behind an open group makes the change a production change).
 *
 * @example
 * const output = await enrichSecurityGroupAction.run({ groupId: 'sg-0c4e6a8b2d1f3e5a7', ports: [22, 3389] }, env);
 * output.revocable.map((r) => r.ruleId); // ['sgr-0a1b2c3d4e5f6a7b8', 'sgr-0a1b2c3d4e5f6a7b9']
 */
export const enrichSecurityGroupAction = defineAction({
  id: 'enrich-security-group',
  family: 'enrich',
  services: ec2Service,
  description:
    'Describes a security group: tags, owner, environment, inbound rules by id, the world-open ones, and the network interfaces and instances that use it.',
  input: EnrichSecurityGroupInputSchema,
  output: EnrichSecurityGroupOutputSchema,
  iamActions: [
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeSecurityGroupRules',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeInstances',
  ],
  target: (input) => input.groupId,
  async run(input, env): Promise<EnrichSecurityGroupOutput> {
    const { ec2 } = env.clients;
    const group = await readGroup(ec2, input.groupId);
    const ingress = await readIngressRules(ec2, input.groupId);
    const users = await readGroupUsers(ec2, input.groupId);
    const standing = env.safety.standing(group.tags);
    const instances = users.instances.map((i) => {
      const s = env.safety.standing(i.tags);
      return { instanceId: i.instanceId, environment: s.environment, protected: s.protected, s };
    });
    const revocable = selectWorldOpen(ingress, input.ports);
    return {
      groupId: group.groupId,
      groupName: group.groupName,
      vpcId: group.vpcId,
      tags: group.tags,
      owner: tagValueOf(group.tags, ['owner']),
      environment: standing.environment,
      ingress,
      worldOpen: ingress.filter(isWorldOpen),
      revocable,
      exposed: revocable.length > 0,
      networkInterfaces: users.networkInterfaces,
      instances: instances.map(({ s: _s, ...rest }) => rest),
      protected: standing.protected || instances.some((i) => i.protected),
      approvalRequired: standing.approvalRequired || instances.some((i) => i.s.approvalRequired),
    };
  },
});

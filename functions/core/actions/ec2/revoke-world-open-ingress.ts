import { RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { ec2Service } from '../services/ec2.ts';
import { type ActionEnv, defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyIngressRevoked } from '../verify/security-group.ts';
import { passIngressRails } from './revoke-world-open-ingress/rails.ts';
import {
  type GroupFacts,
  GroupUserSchema,
  type IngressCapture,
  ingressStateKey,
  parseIngressCapture,
  readGroup,
  readGroupUsers,
  readIngressRules,
} from './shared/security-group.ts';
import {
  GroupIdSchema,
  type IngressRule,
  IngressRuleSchema,
  isWorldOpen,
  PortsSchema,
  ruleText,
  selectWorldOpen,
} from './shared/world-open.ts';

export const RevokeWorldOpenIngressInputSchema = z.object({
  groupId: GroupIdSchema,
  /** The ports whose world-open rules are revoked, or `all`. @default EC2.19's high-risk ports */
  ports: PortsSchema,
});
type Input = z.infer<typeof RevokeWorldOpenIngressInputSchema>;

export const RevokeWorldOpenIngressOutputSchema = z.object({
  groupId: z.string(),
  groupName: z.string(),
  ports: PortsSchema,
  /** Every rule this incident revoked, exactly as read (what release re-authorizes). */
  revoked: z.array(IngressRuleSchema),
  /** The ids this run sent to RevokeSecurityGroupIngress (none: already revoked). */
  revokedByThisRun: z.array(z.string()),
  /** World-open rules on other ports, left in place. */
  keptWorldOpen: z.array(IngressRuleSchema),
  networkInterfaces: z.array(GroupUserSchema),
  /** DescribeSecurityGroupRules read back: the revoked ids gone, no world-open rule on the ports. */
  verification: VerificationSchema,
  notes: z.array(z.string()),
});
export type RevokeWorldOpenIngressOutput = z.infer<typeof RevokeWorldOpenIngressOutputSchema>;

/**
 * Step "capture": the world-open rules on the chosen ports, saved before any change under
 * `ec2-sg-ingress:<group>`. A later run of the incident adds the rules it finds to the saved
 * ones (a rule revoked earlier is no longer read, so the first capture of each rule is kept).
 */
async function captureRules(
  env: ActionEnv,
  input: Input,
  group: GroupFacts,
  rules: readonly IngressRule[],
): Promise<IngressCapture> {
  const key = ingressStateKey(input.groupId);
  const saved = await env.state.load(key);
  const previous = saved === undefined ? [] : parseIngressCapture(key, saved).rules;
  const found = selectWorldOpen(rules, input.ports).filter(
    (rule) => !previous.some((p) => p.ruleId === rule.ruleId),
  );
  if (saved !== undefined && found.length === 0) return parseIngressCapture(key, saved);
  const capture: IngressCapture = {
    kind: 'ec2-security-group-ingress',
    groupId: input.groupId,
    vpcId: group.vpcId,
    ports: input.ports,
    rules: [...previous, ...found],
    capturedAt: new Date(env.now()).toISOString(),
  };
  await env.state.save(key, capture);
  return capture;
}

/** Step "revoke": the captured rules still present, by `SecurityGroupRuleIds`; none, no call. */
async function revokeRules(
  env: ActionEnv,
  groupId: string,
  capture: IngressCapture,
  rules: readonly IngressRule[],
): Promise<string[]> {
  const present = capture.rules.filter((c) => rules.some((r) => r.ruleId === c.ruleId)).map((c) => c.ruleId);
  if (present.length === 0) return [];
  await env.clients.ec2.send(
    new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: present }),
  );
  return present;
}

/**
 * Revokes the inbound rules of a security group that are open to the whole internet
 * (`0.0.0.0/0`, `::/0`) on the chosen ports (by default the high-risk ports of Security Hub
 * control EC2.19; `all` for every world-open rule), by rule id, and nothing else: rules from
 * other CIDRs, other security groups or managed prefix lists, and world-open rules on other
 * ports stay.
 *
 * Calls, in order: `DescribeSecurityGroups`, `DescribeSecurityGroupRules` (filter `group-id`),
 * `DescribeNetworkInterfaces` (filter `group-id`) and `DescribeInstances` of the attached
 * instances; `state.save('ec2-sg-ingress:<group>')` with the exact rules (protocol, ports, CIDR,
 * description) before any change; the rails ({@link passIngressRails}: a protected instance
 * using the group refuses, production needs this execution's approval);
 * `RevokeSecurityGroupIngress` with `GroupId` and `SecurityGroupRuleIds` (only the saved ids
 * still present: a second run sends nothing); last `DescribeSecurityGroupRules` again, recorded
 * as `verification` (AWS recommends describing the group after a revoke: "Amazon recommends
 * that you describe the security group to verify that the rules were removed").
 *
 * AWS: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroupRules.html,
 * https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html
 *
 * @example
 * const { output } = await runAction(revokeWorldOpenIngressAction, { groupId: 'sg-0c4e6a8b2d1f3e5a7', ports: [22, 3389] }, env);
 * output.revoked.map((r) => r.ruleId); // ['sgr-0a1b2c3d4e5f6a7b8', 'sgr-0a1b2c3d4e5f6a7b9']
 * output.verification.verified; // true
 */
export const revokeWorldOpenIngressAction = defineAction({
  id: 'revoke-world-open-ingress',
  family: 'contain',
  services: ec2Service,
  description:
    'Revokes, by rule id, the inbound rules of a security group open to 0.0.0.0/0 or ::/0 on the chosen ports, saving them exactly for release.',
  input: RevokeWorldOpenIngressInputSchema,
  output: RevokeWorldOpenIngressOutputSchema,
  iamActions: [
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeSecurityGroupRules',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeInstances',
    'ec2:RevokeSecurityGroupIngress',
  ],
  target: (input) => input.groupId,
  async run(input, env): Promise<RevokeWorldOpenIngressOutput> {
    const { ec2 } = env.clients;
    const group = await readGroup(ec2, input.groupId);
    const rules = await readIngressRules(ec2, input.groupId);
    const users = await readGroupUsers(ec2, input.groupId);
    const capture = await captureRules(env, input, group, rules);
    await passIngressRails(env, group, users);
    const revokedNow = await revokeRules(env, input.groupId, capture, rules);
    const verification = await verifyIngressRevoked(
      env,
      input.groupId,
      capture.rules.map((r) => r.ruleId),
      input.ports,
    );
    const kept = rules.filter((r) => isWorldOpen(r) && !capture.rules.some((c) => c.ruleId === r.ruleId));
    const notes = [
      `revoked from ${input.groupId}: ${capture.rules.map(ruleText).join('; ') || 'nothing (no world-open rule on the chosen ports)'}`,
      ...(kept.length === 0
        ? []
        : [`world-open rules on other ports left in place: ${kept.map(ruleText).join('; ')}`]),
      'the caller who opened the group is not contained by this action: review their other changes',
    ];
    return {
      groupId: input.groupId,
      groupName: group.groupName,
      ports: input.ports,
      revoked: capture.rules,
      revokedByThisRun: revokedNow,
      keptWorldOpen: kept,
      networkInterfaces: users.networkInterfaces,
      verification,
      notes,
    };
  },
});

import { AuthorizeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { NothingToReleaseError, ProtectedResourceError } from '../errors.ts';
import { ec2Service } from '../services/ec2.ts';
import { defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyIngressRestored } from '../verify/security-group.ts';
import {
  ingressStateKey,
  parseIngressCapture,
  readGroup,
  readIngressRules,
} from './shared/security-group.ts';
import { GroupIdSchema, IngressRuleSchema, permissionOf, ruleText, sameRule } from './shared/world-open.ts';

export const RestoreWorldOpenIngressInputSchema = z.object({ groupId: GroupIdSchema });

export const RestoreWorldOpenIngressOutputSchema = z.object({
  groupId: z.string(),
  /** The rules re-authorized by this run (the others were already back). */
  restored: z.array(IngressRuleSchema),
  /** Every rule the containment revoked, as saved. */
  saved: z.array(IngressRuleSchema),
  /** The saved rules read back present (same protocol, ports and CIDR; AWS gives them new ids). */
  verification: VerificationSchema,
  warnings: z.array(z.string()),
});
export type RestoreWorldOpenIngressOutput = z.infer<typeof RestoreWorldOpenIngressOutputSchema>;

/**
 * The release of revoke-world-open-ingress: the inbound rules it revoked are authorized again,
 * exactly as saved (protocol, ports, CIDR and description), and read back.
 *
 * Calls, in order: `state.load('ec2-sg-ingress:<group>')` ({@link NothingToReleaseError} when
 * this incident revoked nothing), `DescribeSecurityGroups` (a group that now carries the
 * protected tag is refused with {@link ProtectedResourceError}), `DescribeSecurityGroupRules`
 * (filter `group-id`), then one `AuthorizeSecurityGroupIngress` with `GroupId` and the
 * `IpPermissions` of the saved rules not present already (a second run sends nothing, and never
 * fails on `InvalidPermission.Duplicate`), and last `DescribeSecurityGroupRules` again, recorded
 * as `verification`.
 *
 * AWS: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupIngress.html
 *
 * @example
 * const { output } = await runAction(restoreWorldOpenIngressAction, { groupId: 'sg-0c4e6a8b2d1f3e5a7' }, env);
 * output.restored.length; // 2: SSH from 0.0.0.0/0 and RDP from ::/0 are open again
 */
export const restoreWorldOpenIngressAction = defineAction({
  id: 'restore-world-open-ingress',
  family: 'release',
  undoes: ['revoke-world-open-ingress'],
  services: ec2Service,
  description:
    'Re-authorizes the world-open inbound rules revoke-world-open-ingress saved (protocol, ports, CIDR, description), and reads them back.',
  input: RestoreWorldOpenIngressInputSchema,
  output: RestoreWorldOpenIngressOutputSchema,
  iamActions: [
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeSecurityGroupRules',
    'ec2:AuthorizeSecurityGroupIngress',
  ],
  target: (input) => input.groupId,
  async run(input, env): Promise<RestoreWorldOpenIngressOutput> {
    const { ec2 } = env.clients;
    const key = ingressStateKey(input.groupId);
    const saved = await env.state.load(key);
    if (saved === undefined) {
      throw new NothingToReleaseError(
        `nothing to release: no ingress rule of ${input.groupId} was revoked in this incident`,
      );
    }
    const capture = parseIngressCapture(key, saved);
    const group = await readGroup(ec2, input.groupId);
    if (env.safety.standing(group.tags).protected) {
      throw new ProtectedResourceError(
        `release of ${input.groupId} refused: it now carries the protected tag; re-authorize its rules by hand`,
      );
    }
    const current = await readIngressRules(ec2, input.groupId);
    const missing = capture.rules.filter((rule) => !current.some((r) => sameRule(r, rule)));
    if (missing.length > 0) {
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: input.groupId,
          IpPermissions: missing.map(permissionOf),
        }),
      );
    }
    const verification = await verifyIngressRestored(env, input.groupId, capture.rules);
    return {
      groupId: input.groupId,
      restored: missing,
      saved: capture.rules,
      verification,
      warnings:
        missing.length === 0
          ? []
          : [`${input.groupId} is open to the internet again: ${missing.map(ruleText).join('; ')}`],
    };
  },
});

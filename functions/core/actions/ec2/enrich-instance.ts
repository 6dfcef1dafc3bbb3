import { z } from 'zod';
import { autoScalingService } from '../services/auto-scaling.ts';
import { ec2Service } from '../services/ec2.ts';
import { elbv2Service } from '../services/elbv2.ts';
import { iamService } from '../services/iam.ts';
import { tagValueOf } from '../tags.ts';
import { defineAction } from '../types.ts';
import { captureInstance } from './shared/capture.ts';
import { InstanceCaptureSchema, InstanceIdSchema } from './shared/schemas.ts';

export const EnrichInstanceInputSchema = z.object({
  instanceId: InstanceIdSchema,
});

export const EnrichInstanceOutputSchema = InstanceCaptureSchema.extend({
  /** From the `owner` tag (any case). */
  owner: z.string().nullable(),
  /** From the first environment tag key of the safety policy (keys any case, value trimmed). */
  environment: z.string().nullable(),
  /** Whether the instance carries the configured protected tag: containment will refuse it. */
  protected: z.boolean(),
  /**
   * False only when the environment is one the safety policy names non-production: isolation
   * of any other instance (production, unknown, untagged) waits for a human approval.
   */
  approvalRequired: z.boolean(),
});
export type EnrichInstanceOutput = z.infer<typeof EnrichInstanceOutputSchema>;

/**
 * Describes an instance for the playbook and the analyst: identity, tags (with owner,
 * environment and the protected flag), ENIs and their security groups, Elastic IPs, Auto
 * Scaling group, target groups, instance profile and role, volumes. Read-only
 * ({@link captureInstance} lists the calls).
 *
 * @example
 * const output = await enrichInstanceAction.run({ instanceId: 'i-0a1b2c3d4e5f60718' }, env);
 * output.owner; // 'payments-team'
 */
export const enrichInstanceAction = defineAction({
  id: 'enrich-instance',
  family: 'enrich',
  services: { ...ec2Service, ...iamService, ...autoScalingService, ...elbv2Service },
  description:
    'Describes an EC2 instance: tags, owner, environment, ENIs and security groups, Elastic IPs, Auto Scaling group, target groups, instance role, volumes.',
  input: EnrichInstanceInputSchema,
  output: EnrichInstanceOutputSchema,
  iamActions: [
    'ec2:DescribeInstances',
    'ec2:DescribeInstanceAttribute',
    'ec2:DescribeVolumes',
    'ec2:DescribeAddresses',
    'ec2:DescribeIamInstanceProfileAssociations',
    'iam:GetInstanceProfile',
    'autoscaling:DescribeAutoScalingInstances',
    'autoscaling:DescribeAutoScalingGroups',
    'elasticloadbalancing:DescribeTargetGroups',
    'elasticloadbalancing:DescribeTargetHealth',
  ],
  target: (input) => input.instanceId,
  async run(input, env): Promise<EnrichInstanceOutput> {
    const capture = await captureInstance(env, input.instanceId);
    // The configured protected tag and environment rule, as the containment rails apply them.
    const standing = env.safety.standing(capture.tags);
    return {
      ...capture,
      owner: tagValueOf(capture.tags, ['owner']),
      environment: standing.environment,
      protected: standing.protected,
      approvalRequired: standing.approvalRequired,
    };
  },
});

import { z } from 'zod';
import { autoScalingService } from '../services/auto-scaling.ts';
import { ec2Service } from '../services/ec2.ts';
import { elbv2Service } from '../services/elbv2.ts';
import { iamService } from '../services/iam.ts';
import { defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyRelease } from '../verify/ec2.ts';
import { rejoinAutoScalingGroup } from './release-instance/auto-scaling.ts';
import { load } from './release-instance/context.ts';
import { restoreElasticIps } from './release-instance/elastic-ips.ts';
import { restoreTerminationSettings } from './release-instance/evidence.ts';
import { restoreInstanceProfile } from './release-instance/instance-profile.ts';
import { assertInstanceReleasable } from './release-instance/rails.ts';
import { restoreInstanceRoleSessions } from './release-instance/role-sessions.ts';
import { restoreSecurityGroups } from './release-instance/security-groups.ts';
import { tagReleased } from './release-instance/tag.ts';
import { registerTargets } from './release-instance/targets.ts';
import { finish } from './shared/items.ts';
import { InstanceIdSchema, StepError, TargetSchema } from './shared/schemas.ts';

export const ReleaseInstanceInputSchema = z.object({ instanceId: InstanceIdSchema });

export const ReleaseInstanceOutputSchema = z.object({
  instanceId: z.string(),
  stateKey: z.string(),
  networkInterfaces: z.array(
    z.object({
      networkInterfaceId: z.string(),
      groups: z.array(z.string()),
      action: z.enum(['restored', 'unchanged', 'failed']),
      error: StepError,
    }),
  ),
  instanceProfile: z
    .object({ arn: z.string(), action: z.enum(['associated', 'unchanged', 'failed']), error: StepError })
    .nullable(),
  roleSessions: z
    .object({
      roleName: z.string(),
      policyName: z.string(),
      /** `removed`: deleted; `restored`: the pre-incident document put back; `absent`: nothing to do. */
      action: z.enum(['removed', 'restored', 'absent', 'not-revoked', 'failed']),
      error: StepError,
    })
    .nullable(),
  elasticIps: z.array(
    z.object({
      allocationId: z.string(),
      publicIp: z.string(),
      action: z.enum(['associated', 'unchanged', 'failed']),
      error: StepError,
    }),
  ),
  autoScaling: z
    .object({
      groupName: z.string(),
      action: z.enum(['exited-standby', 'attached', 'unchanged', 'failed']),
      error: StepError,
    })
    .nullable(),
  targetGroups: z.array(
    z.object({
      targetGroupArn: z.string(),
      registered: z.array(TargetSchema),
      action: z.enum(['registered', 'unchanged', 'failed']),
      error: StepError,
    }),
  ),
  evidence: z.object({
    terminationProtection: z.enum(['restored', 'unchanged']),
    shutdownBehavior: z.enum(['restored', 'unchanged']),
    deleteOnTerminationRestored: z.array(z.string()),
  }),
  tags: z.object({ action: z.enum(['tagged', 'already-tagged']), tags: z.record(z.string(), z.string()) }),
  /** Snapshots are evidence: release keeps them. */
  snapshotsKept: z.literal(true),
  /** Read back: each ENI's original groups, the instance profile associated again. */
  verification: VerificationSchema,
  notes: z.array(z.string()),
});
export type ReleaseInstanceOutput = z.infer<typeof ReleaseInstanceOutputSchema>;

/**
 * Undoes {@link isolateInstanceAction} from the state it saved ({@link NothingToReleaseError}
 * when there is none): capture the current state, then the rails ({@link assertInstanceReleasable}:
 * an instance, or an instance role whose sessions were revoked, tagged protected since is refused
 * with `ProtectedResourceError` before any change, `GetRole`), then, each only when it differs,
 * `ModifyNetworkInterfaceAttribute` (each ENI's original groups), `AssociateIamInstanceProfile`,
 * the instance role through {@link restoreRoleSessions} (`ListRolePolicies`, then
 * `DeleteRolePolicy riposte-revoke-older-sessions` or `PutRolePolicy` of the document that was
 * there before; a role already restored by release-role-sessions is left as is),
 * `AssociateAddress` (each Elastic IP, never taking one now used elsewhere), `ExitStandby` or `AttachInstances`, `RegisterTargets` (with their ports),
 * `ModifyInstanceAttribute` (termination protection, shutdown behaviour, DeleteOnTermination as
 * they were), `CreateTags riposte:status=released`. Snapshots are kept. A second run changes
 * nothing. Last, the read-back ({@link verifyRelease}): `DescribeNetworkInterfaces` of the
 * instance and `DescribeIamInstanceProfileAssociations`, recorded as `verification`.
 *
 * @example
 * const output = await releaseInstanceAction.run({ instanceId: 'i-0a1b2c3d4e5f60718' }, env);
 * output.networkInterfaces.every((eni) => eni.action !== 'failed'); // true
 */
export const releaseInstanceAction = defineAction({
  id: 'release-instance',
  family: 'release',
  undoes: ['isolate-instance'],
  services: { ...ec2Service, ...iamService, ...autoScalingService, ...elbv2Service },
  description:
    'Restores an isolated EC2 instance from its captured state: security groups, instance profile, Elastic IPs, Auto Scaling and target groups, termination settings. Snapshots are kept. Refuses an instance, or a revoked instance role, tagged protected since.',
  input: ReleaseInstanceInputSchema,
  output: ReleaseInstanceOutputSchema,
  iamActions: [
    'ec2:DescribeInstances',
    'ec2:DescribeInstanceAttribute',
    'ec2:DescribeVolumes',
    'ec2:DescribeAddresses',
    'ec2:DescribeIamInstanceProfileAssociations',
    'ec2:DescribeNetworkInterfaces',
    'ec2:ModifyNetworkInterfaceAttribute',
    'ec2:AssociateIamInstanceProfile',
    'ec2:AssociateAddress',
    'ec2:ModifyInstanceAttribute',
    'ec2:CreateTags',
    'iam:GetInstanceProfile',
    'iam:PassRole',
    'iam:GetRole',
    'iam:GetRolePolicy',
    'iam:DeleteRolePolicy',
    'iam:PutRolePolicy',
    'autoscaling:DescribeAutoScalingInstances',
    'autoscaling:DescribeAutoScalingGroups',
    'autoscaling:ExitStandby',
    'autoscaling:AttachInstances',
    'elasticloadbalancing:DescribeTargetGroups',
    'elasticloadbalancing:DescribeTargetHealth',
    'elasticloadbalancing:RegisterTargets',
  ],
  target: (input) => input.instanceId,
  async run(input, env): Promise<ReleaseInstanceOutput> {
    const ctx = await load(env, input.instanceId);
    await assertInstanceReleasable(ctx);
    const networkInterfaces = await restoreSecurityGroups(ctx);
    const instanceProfile = await restoreInstanceProfile(ctx);
    const roleSessions = await restoreInstanceRoleSessions(ctx);
    const elasticIps = await restoreElasticIps(ctx);
    const autoScaling = await rejoinAutoScalingGroup(ctx);
    const targetGroups = await registerTargets(ctx);
    const evidence = await restoreTerminationSettings(ctx);
    const tags = await tagReleased(ctx);
    const { instanceId } = ctx;
    return finish(ctx.failures, `release of ${instanceId}`, {
      instanceId,
      stateKey: ctx.key,
      networkInterfaces,
      instanceProfile,
      roleSessions,
      elasticIps,
      autoScaling,
      targetGroups,
      evidence,
      tags,
      snapshotsKept: true,
      verification: await verifyRelease(env, instanceId, {
        interfaces: networkInterfaces.map((e) => ({
          networkInterfaceId: e.networkInterfaceId,
          groups: e.groups,
        })),
        profileArn: ctx.saved.instanceProfile?.arn ?? null,
      }),
      notes: ctx.notes,
    });
  },
});

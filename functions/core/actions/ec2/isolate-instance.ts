import { z } from 'zod';
import { autoScalingService } from '../services/auto-scaling.ts';
import { ec2Service } from '../services/ec2.ts';
import { elbv2Service } from '../services/elbv2.ts';
import { iamService } from '../services/iam.ts';
import { defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyIsolation } from '../verify/ec2.ts';
import { leaveAutoScalingGroup } from './isolate-instance/auto-scaling.ts';
import { capture } from './isolate-instance/context.ts';
import { disassociateElasticIps } from './isolate-instance/elastic-ips.ts';
import { preserveEvidence } from './isolate-instance/evidence.ts';
import { removeInstanceProfile } from './isolate-instance/instance-profile.ts';
import { passRails } from './isolate-instance/rails.ts';
import { revokeInstanceRoleSessions } from './isolate-instance/role-sessions.ts';
import { snapshotVolumes } from './isolate-instance/snapshots.ts';
import { swapSecurityGroups } from './isolate-instance/swap-groups.ts';
import { tagQuarantined } from './isolate-instance/tag.ts';
import { deregisterTargets } from './isolate-instance/targets.ts';
import { finish } from './shared/items.ts';
import { InstanceIdSchema, StepError, TargetSchema } from './shared/schemas.ts';

export const IsolateInstanceInputSchema = z.object({
  instanceId: InstanceIdSchema,
  /**
   * Revoke the instance role's sessions issued before now (CONTAINMENT.md step 6). Every
   * instance or service sharing the role is affected: a per-incident decision. @default true
   */
  revokeRoleSessions: z.boolean().default(true),
});
export const IsolateInstanceOutputSchema = z.object({
  instanceId: z.string(),
  incidentId: z.string(),
  /** Where the pre-containment state is saved (release reads it). */
  stateKey: z.string(),
  /** False when an earlier run's capture was kept (the original state is never overwritten). */
  stateSaved: z.boolean(),
  evidence: z.object({
    terminationProtection: z.enum(['enabled', 'already-enabled']),
    shutdownBehavior: z.enum(['set-to-stop', 'already-stop']),
    /** Volumes whose DeleteOnTermination this run turned off. */
    deleteOnTerminationDisabled: z.array(z.string()),
  }),
  autoScaling: z
    .object({
      groupName: z.string(),
      action: z.enum(['entered-standby', 'detached', 'already-standby']),
      desiredCapacityDecremented: z.boolean(),
      /** True when the group will launch a replacement instance. */
      replacementExpected: z.boolean(),
      note: z.string().nullable(),
    })
    .nullable(),
  targetGroups: z.array(z.object({ targetGroupArn: z.string(), deregistered: z.array(TargetSchema) })),
  securityGroups: z.array(
    z.object({
      vpcId: z.string(),
      untrackGroupId: z.string(),
      isolationGroupId: z.string(),
      /** What this run created or fixed on the pair (empty when reused as is). */
      changes: z.array(z.string()),
    }),
  ),
  networkInterfaces: z.array(
    z.object({
      networkInterfaceId: z.string(),
      vpcId: z.string(),
      previousGroups: z.array(z.string()),
      action: z.enum(['isolated', 'already-isolated', 'failed']),
      error: StepError,
    }),
  ),
  elasticIps: z.array(
    z.object({
      allocationId: z.string(),
      publicIp: z.string(),
      action: z.enum(['disassociated', 'failed']),
      error: StepError,
    }),
  ),
  instanceProfile: z
    .object({
      arn: z.string(),
      associationId: z.string(),
      action: z.enum(['disassociated', 'failed']),
      error: StepError,
    })
    .nullable(),
  roleSessions: z
    .object({
      roleName: z.string(),
      policyName: z.string(),
      /** `refused`: the role failed the rails (protected...), its sessions were left alone: see `error`. */
      action: z.enum(['revoked', 'already-revoked', 'not-requested', 'refused', 'failed']),
      revokedBefore: z.string().nullable(),
      /** Other instances using the same instance profile in this region (also affected). */
      siblingInstanceIds: z.array(z.string()),
      warning: z.string(),
      error: StepError,
    })
    .nullable(),
  snapshots: z.array(
    z.object({
      volumeId: z.string(),
      snapshotId: z.string().nullable(),
      action: z.enum(['created', 'existing', 'failed']),
      error: StepError,
    }),
  ),
  tags: z.object({ action: z.enum(['tagged', 'already-tagged']), tags: z.record(z.string(), z.string()) }),
  /** Read back: every ENI in the isolation group only, no instance profile, the role's revocation. */
  verification: VerificationSchema,
  notes: z.array(z.string()),
});
export type IsolateInstanceOutput = z.infer<typeof IsolateInstanceOutputSchema>;
export type IsolateInstanceInput = z.infer<typeof IsolateInstanceInputSchema>;

/**
 * Isolates an EC2 instance following CONTAINMENT.md, in this order:
 *
 * 1. capture ({@link captureInstance}) and `state.save('ec2:<id>')`, unless a state is already
 *    saved for this incident; when revoking, the instance role's capture `iam-role:<name>`
 *    shared with revoke-role-sessions ({@link captureRoleSessions}: `GetRolePolicy
 *    riposte-revoke-older-sessions` unless the incident already has one); a capture is never
 *    overwritten: the original is kept;
 * 2. `safety.assertContainable({ resource, tags, environmentApproval: true })` (production,
 *    unknown or untagged instances need this execution's approval); when revoking, the instance
 *    role through the rails too ({@link indirectRoleRefusal}: `GetRole`, protected tag, counted
 *    in the blast radius; a refused role is reported and its sessions are left alone);
 * 3. `ModifyInstanceAttribute` DisableApiTermination=true, InstanceInitiatedShutdownBehavior=stop,
 *    BlockDeviceMappings DeleteOnTermination=false (each only when not already so);
 * 4. `EnterStandby` (ShouldDecrementDesiredCapacity=true), or `DetachInstances` when standby is
 *    refused (`ValidationError`), then `DeregisterTargets` on every target group;
 * 5. per VPC, the untrack / isolation group pair ({@link ensureGroupPair}); per ENI,
 *    `ModifyNetworkInterfaceAttribute` to the untrack group, then to the isolation group;
 * 6. `DisassociateAddress` for every Elastic IP;
 * 7. `DisassociateIamInstanceProfile`; then, through {@link revokeRoleSessions} (once per role and
 *    incident, shared with revoke-role-sessions), `GetRolePolicy`,
 *    `DescribeIamInstanceProfileAssociations` (siblings) and `PutRolePolicy
 *    riposte-revoke-older-sessions` (unless this incident's is already in place);
 * 8. `DescribeSnapshots` (this incident's), then `CreateSnapshot` of every volume not yet done;
 * 9. `CreateTags` riposte:status=quarantined, riposte:incident=<id>;
 * 10. the read-back ({@link verifyIsolation}): `DescribeNetworkInterfaces` of the instance,
 *     `DescribeIamInstanceProfileAssociations` when the profile was removed, `GetRolePolicy`
 *     when the role's sessions are revoked; recorded as `verification`, never thrown.
 *
 * A failing ENI, Elastic IP, snapshot, profile or revocation does not stop the others: the
 * action then throws the error {@link partialFailure} makes of them: `TransientAwsError` when
 * every failure was transient (the state machine runs the step again, which only does what is
 * left), `PartialFailureError` otherwise (release undoes what was done).
 *
 * @example
 * const output = await isolateInstanceAction.run({ instanceId: 'i-0a1b2c3d4e5f60718', revokeRoleSessions: true }, env);
 * output.networkInterfaces; // [{ networkInterfaceId: 'eni-…', action: 'isolated', … }, …]
 */
export const isolateInstanceAction = defineAction({
  id: 'isolate-instance',
  family: 'contain',
  services: { ...ec2Service, ...iamService, ...autoScalingService, ...elbv2Service },
  description:
    'Isolates an EC2 instance: evidence preserved, out of its Auto Scaling and target groups, every ENI moved through an untrack group to an isolation group, Elastic IPs and instance profile removed, role sessions revoked, volumes snapshotted.',
  input: IsolateInstanceInputSchema,
  output: IsolateInstanceOutputSchema,
  iamActions: [
    'ec2:DescribeInstances',
    'ec2:DescribeInstanceAttribute',
    'ec2:DescribeVolumes',
    'ec2:DescribeAddresses',
    'ec2:DescribeIamInstanceProfileAssociations',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeSnapshots',
    'ec2:ModifyInstanceAttribute',
    'ec2:ModifyNetworkInterfaceAttribute',
    'ec2:CreateSecurityGroup',
    'ec2:AuthorizeSecurityGroupIngress',
    'ec2:AuthorizeSecurityGroupEgress',
    'ec2:RevokeSecurityGroupIngress',
    'ec2:RevokeSecurityGroupEgress',
    'ec2:DisassociateAddress',
    'ec2:DisassociateIamInstanceProfile',
    'ec2:CreateSnapshot',
    'ec2:CreateTags',
    'iam:GetInstanceProfile',
    'iam:GetRole',
    'iam:GetRolePolicy',
    'iam:PutRolePolicy',
    'autoscaling:DescribeAutoScalingInstances',
    'autoscaling:DescribeAutoScalingGroups',
    'autoscaling:EnterStandby',
    'autoscaling:DetachInstances',
    'elasticloadbalancing:DescribeTargetGroups',
    'elasticloadbalancing:DescribeTargetHealth',
    'elasticloadbalancing:DeregisterTargets',
  ],
  target: (input) => input.instanceId,
  async run(input, env): Promise<IsolateInstanceOutput> {
    const ctx = await capture(env, input);
    const roleRefusal = await passRails(ctx);
    const evidence = await preserveEvidence(ctx);
    const autoScaling = await leaveAutoScalingGroup(ctx);
    const targetGroups = await deregisterTargets(ctx);
    const { securityGroups, networkInterfaces } = await swapSecurityGroups(ctx);
    const elasticIps = await disassociateElasticIps(ctx);
    const instanceProfile = await removeInstanceProfile(ctx);
    const roleSessions = await revokeInstanceRoleSessions(ctx, roleRefusal);
    const snapshots = await snapshotVolumes(ctx);
    const tags = await tagQuarantined(ctx);
    const { instanceId, roleName } = ctx;
    ctx.notes.push(
      'return traffic of protocols other than TCP, UDP and ICMP may still flow for up to 600 s after the swap',
    );
    return finish(ctx.failures, `isolation of ${instanceId}`, {
      instanceId,
      incidentId: ctx.incidentId,
      stateKey: ctx.key,
      stateSaved: ctx.stateSaved,
      evidence,
      autoScaling,
      targetGroups,
      securityGroups,
      networkInterfaces,
      elasticIps,
      instanceProfile,
      roleSessions,
      snapshots,
      tags,
      verification: await verifyIsolation(env, instanceId, {
        isolationGroups: new Map(securityGroups.map((g) => [g.vpcId, g.isolationGroupId])),
        profileRemoved: ctx.current.instanceProfile !== null || ctx.saved.instanceProfile !== null,
        revokedRole:
          roleName !== null && roleSessions?.revokedBefore
            ? { roleName, revokedBefore: roleSessions.revokedBefore }
            : null,
      }),
      notes: ctx.notes,
    });
  },
});

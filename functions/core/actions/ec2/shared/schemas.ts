import { z } from 'zod';

/** What the EC2 actions capture about an instance and save under `ec2:<id>`, shared by isolate and release. */

export const InstanceIdSchema = z
  .string()
  .regex(/^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/, 'an EC2 instance id (i-…)');

export const GroupRefSchema = z.object({ groupId: z.string(), groupName: z.string() });

export const NetworkInterfaceStateSchema = z.object({
  networkInterfaceId: z.string(),
  deviceIndex: z.number().int(),
  vpcId: z.string(),
  subnetId: z.string().nullable(),
  privateIpAddresses: z.array(z.string()),
  publicIps: z.array(z.string()),
  ipv6Addresses: z.array(z.string()),
  groups: z.array(GroupRefSchema),
});

export const ElasticIpStateSchema = z.object({
  allocationId: z.string(),
  associationId: z.string(),
  publicIp: z.string(),
  networkInterfaceId: z.string(),
  privateIpAddress: z.string().nullable(),
});

export const InstanceProfileStateSchema = z.object({
  associationId: z.string(),
  arn: z.string(),
  name: z.string(),
  roleName: z.string().nullable(),
  roleArn: z.string().nullable(),
});

export const AutoScalingStateSchema = z.object({
  groupName: z.string(),
  lifecycleState: z.string(),
  minSize: z.number().int().nullable(),
  maxSize: z.number().int().nullable(),
  desiredCapacity: z.number().int().nullable(),
});

export const TargetSchema = z.object({
  id: z.string(),
  port: z.number().int().nullable(),
  availabilityZone: z.string().nullable(),
});
export type Target = z.infer<typeof TargetSchema>;

export const TargetGroupMembershipSchema = z.object({
  targetGroupArn: z.string(),
  targetType: z.string(),
  targets: z.array(TargetSchema),
});

export const VolumeStateSchema = z.object({
  volumeId: z.string(),
  deviceName: z.string(),
  deleteOnTermination: z.boolean(),
  sizeGiB: z.number().nullable(),
  volumeType: z.string().nullable(),
  encrypted: z.boolean().nullable(),
});

/** Everything captured about an instance: evidence, and what release restores. */
export const InstanceCaptureSchema = z.object({
  instanceId: z.string(),
  capturedAt: z.string(),
  /** The owner account (from the reservation). */
  account: z.string().nullable(),
  region: z.string(),
  instanceType: z.string().nullable(),
  imageId: z.string().nullable(),
  state: z.string().nullable(),
  launchTime: z.string().nullable(),
  vpcId: z.string().nullable(),
  subnetId: z.string().nullable(),
  availabilityZone: z.string().nullable(),
  privateIpAddress: z.string().nullable(),
  publicIpAddress: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  disableApiTermination: z.boolean(),
  shutdownBehavior: z.string(),
  networkInterfaces: z.array(NetworkInterfaceStateSchema),
  elasticIps: z.array(ElasticIpStateSchema),
  instanceProfile: InstanceProfileStateSchema.nullable(),
  autoScalingGroup: AutoScalingStateSchema.nullable(),
  targetGroups: z.array(TargetGroupMembershipSchema),
  volumes: z.array(VolumeStateSchema),
});
export type InstanceCapture = z.infer<typeof InstanceCaptureSchema>;

/** What isolate-instance saves under `ec2:<id>`: the capture and the decisions release needs. */
export const SavedIsolationSchema = InstanceCaptureSchema.extend({
  kind: z.literal('ec2-instance'),
  /** Whether isolation revokes the role's older sessions (the per-incident decision). */
  revokeRoleSessions: z.boolean(),
  /**
   * Only in states saved before the instance role's capture was shared with
   * revoke-role-sessions (`iam-role:<name>`): the role's previous `riposte-revoke-older-sessions`
   * document, or null. No longer written; release falls back to it.
   */
  previousRevokePolicy: z.unknown().optional(),
});
export type SavedIsolation = z.infer<typeof SavedIsolationSchema>;
export const StepError = z.string().nullable();
export type NetworkInterfaceState = z.infer<typeof NetworkInterfaceStateSchema>;
export type VolumeState = z.infer<typeof VolumeStateSchema>;

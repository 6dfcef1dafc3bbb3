import { z } from 'zod';
import { privateIps } from './lookups.ts';
import {
  AddressSchema,
  AutoScalingGroupSchema,
  ImageSchema,
  InstanceSchema,
  NetworkInterfaceSchema,
  SecurityGroupSchema,
  SnapshotSchema,
  TargetGroupSchema,
  VolumeSchema,
} from './schema.ts';

/**
 * The EC2, Auto Scaling and ELBv2 resources of a world file. Every list defaults to empty, so
 * `Ec2WorldSchema.parse({})` is an empty world; references between resources are checked.
 *
 * @example
 * const ec2 = Ec2WorldSchema.parse({
 *   accountId: '111122223333', region: 'eu-west-1',
 *   instances: [{ instanceId: 'i-0a1b2c3d4e5f60718', vpcId: 'vpc-0a1b2c3d', subnetId: 'subnet-0a1b2c3d' }],
 * });
 */
export const Ec2WorldSchema = z
  .strictObject({
    accountId: z
      .string()
      .regex(/^\d{12}$/)
      .default('123456789012'),
    region: z.string().default('us-east-1'),
    instances: z.array(InstanceSchema).default([]),
    networkInterfaces: z.array(NetworkInterfaceSchema).default([]),
    securityGroups: z.array(SecurityGroupSchema).default([]),
    addresses: z.array(AddressSchema).default([]),
    volumes: z.array(VolumeSchema).default([]),
    snapshots: z.array(SnapshotSchema).default([]),
    images: z.array(ImageSchema).default([]),
    /**
     * The Region's block public access for snapshots and for AMIs, as
     * `GetSnapshotBlockPublicAccessState` / `GetImageBlockPublicAccessState` answer it;
     * `unauthorized`: the world refuses the call (`UnauthorizedOperation`), as an account
     * without the permission would.
     */
    snapshotBlockPublicAccess: z
      .enum(['block-all-sharing', 'block-new-sharing', 'unblocked', 'unauthorized'])
      .default('unblocked'),
    imageBlockPublicAccess: z.enum(['block-new-sharing', 'unblocked', 'unauthorized']).default('unblocked'),
    autoScalingGroups: z.array(AutoScalingGroupSchema).default([]),
    targetGroups: z.array(TargetGroupSchema).default([]),
    /** The counter behind the ids of resources the world creates. */
    sequence: z.number().int().min(0).default(0),
  })
  .superRefine((world, ctx) => {
    const issue = (path: (string | number)[], message: string): void => {
      ctx.addIssue({ code: 'custom', path, message });
    };
    const unique = (list: string, ids: readonly string[]): void => {
      const seen = new Set<string>();
      ids.forEach((id, i) => {
        if (seen.has(id)) issue([list, i], `duplicate id ${id}`);
        seen.add(id);
      });
    };
    const ids: readonly (readonly [string, readonly string[]])[] = [
      ['instances', world.instances.map((i) => i.instanceId)],
      ['networkInterfaces', world.networkInterfaces.map((e) => e.networkInterfaceId)],
      ['securityGroups', world.securityGroups.map((g) => g.groupId)],
      ['addresses', world.addresses.map((a) => a.allocationId)],
      ['volumes', world.volumes.map((v) => v.volumeId)],
      ['snapshots', world.snapshots.map((s) => s.snapshotId)],
      ['images', world.images.map((i) => i.imageId)],
      ['autoScalingGroups', world.autoScalingGroups.map((g) => g.name)],
      ['targetGroups', world.targetGroups.map((t) => t.targetGroupArn)],
    ];
    for (const [list, values] of ids) unique(list, values);
    const instances = new Set(world.instances.map((i) => i.instanceId));
    const volumes = new Set(world.volumes.map((v) => v.volumeId));
    const groups = new Map(world.securityGroups.map((g) => [g.groupId, g]));
    world.networkInterfaces.forEach((eni, i) => {
      if (eni.attachment !== undefined && !instances.has(eni.attachment.instanceId)) {
        issue(['networkInterfaces', i, 'attachment'], `unknown instance ${eni.attachment.instanceId}`);
      }
      for (const groupId of eni.groups) {
        const group = groups.get(groupId);
        if (group === undefined)
          issue(['networkInterfaces', i, 'groups'], `unknown security group ${groupId}`);
        else if (group.vpcId !== eni.vpcId) {
          issue(['networkInterfaces', i, 'groups'], `${groupId} is not in ${eni.vpcId}`);
        }
      }
    });
    const attachedVolumes = new Set<string>();
    world.instances.forEach((instance, i) => {
      for (const device of instance.blockDevices) {
        if (!volumes.has(device.volumeId))
          issue(['instances', i, 'blockDevices'], `unknown volume ${device.volumeId}`);
        if (attachedVolumes.has(device.volumeId)) {
          issue(['instances', i, 'blockDevices'], `${device.volumeId} is attached twice`);
        }
        attachedVolumes.add(device.volumeId);
      }
      const indexes = world.networkInterfaces
        .filter((e) => e.attachment?.instanceId === instance.instanceId)
        .map((e) => e.attachment?.deviceIndex);
      if (new Set(indexes).size !== indexes.length) issue(['instances', i], 'two ENIs share a device index');
    });
    const enis = new Map(world.networkInterfaces.map((e) => [e.networkInterfaceId, e]));
    world.addresses.forEach((address, i) => {
      if (address.networkInterfaceId === undefined) return;
      const eni = enis.get(address.networkInterfaceId);
      if (eni === undefined)
        issue(['addresses', i], `unknown network interface ${address.networkInterfaceId}`);
      else if (
        address.privateIpAddress !== undefined &&
        !privateIps(eni).includes(address.privateIpAddress)
      ) {
        issue(['addresses', i], `${address.privateIpAddress} is not an address of ${eni.networkInterfaceId}`);
      }
    });
    const grouped = new Set<string>();
    world.autoScalingGroups.forEach((group, g) => {
      group.instances.forEach((member, i) => {
        if (!instances.has(member.instanceId))
          issue(['autoScalingGroups', g, 'instances', i], 'unknown instance');
        if (grouped.has(member.instanceId)) {
          issue(['autoScalingGroups', g, 'instances', i], `${member.instanceId} is in two groups`);
        }
        grouped.add(member.instanceId);
      });
    });
  });

export type Ec2World = z.infer<typeof Ec2WorldSchema>;
export type Instance = Ec2World['instances'][number];
export type NetworkInterface = Ec2World['networkInterfaces'][number];
export type SecurityGroup = Ec2World['securityGroups'][number];
export type Rule = SecurityGroup['ingress'][number];
export type Address = Ec2World['addresses'][number];
export type Volume = Ec2World['volumes'][number];
export type Snapshot = Ec2World['snapshots'][number];
export type Image = Ec2World['images'][number];
export type SharePermission = Snapshot['createVolumePermissions'][number];
export type AutoScalingGroup = Ec2World['autoScalingGroups'][number];
export type TargetGroup = Ec2World['targetGroups'][number];
export type Params = Readonly<Record<string, unknown>>;
export type Output = Record<string, unknown>;
export type Handler = (state: Ec2World, params: Params) => Output;

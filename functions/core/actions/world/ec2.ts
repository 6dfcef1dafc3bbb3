import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UnsupportedWorldCallError, WorldApiError } from './errors.ts';

/**
 * The EC2 side of a local world: instances, ENIs, security groups, Elastic IPs, volumes,
 * snapshots, instance profile associations, Auto Scaling groups and ELBv2 target groups.
 *
 * The file format is camelCase and minimal (defaults fill the rest); {@link handleEc2} answers
 * the SDK v3 operations Riposte's EC2 actions call with AWS's own response shapes (PascalCase,
 * `Date` objects for timestamps) and applies writes to the state in place. Ids of things the
 * world creates come from a counter kept in the state (`sg-riposte00000001`...), so two runs
 * of the same sequence of calls on the same world give the same ids.
 */

const TagsSchema = z.record(z.string(), z.string()).default({});
const INSTANCE_ID = /^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;

/** One flattened security-group rule: a protocol, a port range and one peer. */
const SecurityGroupRuleSchema = z
  .strictObject({
    /** `-1` (all), `tcp`, `udp`, `icmp`, `icmpv6` or a protocol number. */
    protocol: z.string().default('-1'),
    fromPort: z.number().int().optional(),
    toPort: z.number().int().optional(),
    cidr: z.string().optional(),
    cidrIpv6: z.string().optional(),
    sourceGroupId: z.string().optional(),
    description: z.string().optional(),
  })
  .refine((r) => [r.cidr, r.cidrIpv6, r.sourceGroupId].filter((p) => p !== undefined).length === 1, {
    message: 'a rule has exactly one of cidr, cidrIpv6, sourceGroupId',
  });

const InstanceSchema = z.strictObject({
  instanceId: z.string().regex(INSTANCE_ID),
  instanceType: z.string().default('t3.micro'),
  imageId: z.string().default('ami-0123456789abcdef0'),
  state: z
    .enum(['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'])
    .default('running'),
  launchTime: z.iso.datetime().default('2025-01-01T00:00:00.000Z'),
  /** @default `<region>a` */
  availabilityZone: z.string().optional(),
  vpcId: z.string().regex(/^vpc-[0-9a-z]+$/),
  subnetId: z.string().regex(/^subnet-[0-9a-z]+$/),
  keyName: z.string().optional(),
  tags: TagsSchema,
  disableApiTermination: z.boolean().default(false),
  instanceInitiatedShutdownBehavior: z.enum(['stop', 'terminate']).default('stop'),
  /** The associated instance profile, if any (`associationId` is derived when absent). */
  iamInstanceProfile: z
    .strictObject({
      arn: z.string().startsWith('arn:'),
      id: z.string().optional(),
      associationId: z.string().optional(),
    })
    .optional(),
  rootDeviceName: z.string().default('/dev/xvda'),
  blockDevices: z
    .array(
      z.strictObject({
        deviceName: z.string(),
        volumeId: z.string().regex(/^vol-[0-9a-z]+$/),
        deleteOnTermination: z.boolean().default(true),
      }),
    )
    .default([]),
});

const NetworkInterfaceSchema = z.strictObject({
  networkInterfaceId: z.string().regex(/^eni-[0-9a-z]+$/),
  vpcId: z.string(),
  subnetId: z.string(),
  description: z.string().default(''),
  macAddress: z.string().optional(),
  /** The primary private IPv4 address. */
  privateIpAddress: z.string(),
  secondaryPrivateIpAddresses: z.array(z.string()).default([]),
  ipv6Addresses: z.array(z.string()).default([]),
  /** An auto-assigned public IPv4 address of the primary private address (Elastic IPs are in `addresses`). */
  publicIp: z.string().optional(),
  groups: z.array(z.string()).min(1),
  tags: TagsSchema,
  attachment: z
    .strictObject({
      instanceId: z.string().regex(INSTANCE_ID),
      deviceIndex: z.number().int().min(0),
      attachmentId: z.string().optional(),
      deleteOnTermination: z.boolean().default(true),
    })
    .optional(),
});

const SecurityGroupSchema = z.strictObject({
  groupId: z.string().regex(/^sg-[0-9a-z]+$/),
  groupName: z.string().min(1),
  description: z.string().default(''),
  vpcId: z.string(),
  tags: TagsSchema,
  ingress: z.array(SecurityGroupRuleSchema).default([]),
  egress: z.array(SecurityGroupRuleSchema).default([]),
});

const AddressSchema = z
  .strictObject({
    allocationId: z.string().regex(/^eipalloc-[0-9a-z]+$/),
    publicIp: z.string(),
    associationId: z.string().optional(),
    networkInterfaceId: z.string().optional(),
    privateIpAddress: z.string().optional(),
    tags: TagsSchema,
  })
  .refine((a) => (a.associationId === undefined) === (a.networkInterfaceId === undefined), {
    message: 'an associated address has both associationId and networkInterfaceId',
  });

const VolumeSchema = z.strictObject({
  volumeId: z.string().regex(/^vol-[0-9a-z]+$/),
  size: z.number().int().positive().default(8),
  volumeType: z.string().default('gp3'),
  availabilityZone: z.string().optional(),
  encrypted: z.boolean().default(false),
  kmsKeyId: z.string().optional(),
  snapshotId: z.string().optional(),
  createTime: z.iso.datetime().default('2025-01-01T00:00:00.000Z'),
  tags: TagsSchema,
});

const SnapshotSchema = z.strictObject({
  snapshotId: z.string().regex(/^snap-[0-9a-z]+$/),
  volumeId: z.string(),
  description: z.string().default(''),
  startTime: z.iso.datetime(),
  state: z.enum(['pending', 'completed', 'error']).default('completed'),
  volumeSize: z.number().int().positive().default(8),
  encrypted: z.boolean().default(false),
  tags: TagsSchema,
});

const LIFECYCLE_STATES = [
  'Pending',
  'Pending:Wait',
  'Pending:Proceed',
  'InService',
  'Terminating',
  'Terminating:Wait',
  'Terminating:Proceed',
  'Detaching',
  'EnteringStandby',
  'Standby',
] as const;

const AutoScalingGroupSchema = z.strictObject({
  name: z.string().min(1),
  minSize: z.number().int().min(0),
  maxSize: z.number().int().min(0),
  desiredCapacity: z.number().int().min(0),
  availabilityZones: z.array(z.string()).default([]),
  healthCheckType: z.enum(['EC2', 'ELB']).default('EC2'),
  /** Target groups attached to the group: it registers its instances in them. */
  targetGroupArns: z.array(z.string()).default([]),
  tags: TagsSchema,
  instances: z
    .array(
      z.strictObject({
        instanceId: z.string().regex(INSTANCE_ID),
        lifecycleState: z.enum(LIFECYCLE_STATES).default('InService'),
        healthStatus: z.enum(['Healthy', 'Unhealthy']).default('Healthy'),
        protectedFromScaleIn: z.boolean().default(false),
      }),
    )
    .default([]),
});

const TARGET_STATES = ['initial', 'healthy', 'unhealthy', 'unused', 'draining', 'unavailable'] as const;

const TargetGroupSchema = z
  .strictObject({
    targetGroupArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:elasticloadbalancing:[^:]+:\d{12}:targetgroup\/[^/]+\/[0-9a-f]+$/),
    protocol: z.enum(['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP', 'GENEVE']).default('HTTP'),
    port: z.number().int().min(1).max(65535),
    vpcId: z.string(),
    targetType: z.enum(['instance', 'ip']).default('instance'),
    healthCheckPath: z.string().default('/'),
    loadBalancerArns: z.array(z.string()).default([]),
    targets: z
      .array(
        z.strictObject({
          id: z.string(),
          /** @default the target group's port */
          port: z.number().int().min(1).max(65535).optional(),
          availabilityZone: z.string().optional(),
          state: z.enum(TARGET_STATES).default('healthy'),
        }),
      )
      .default([]),
  })
  .transform((tg) => ({ ...tg, targets: tg.targets.map((t) => ({ ...t, port: t.port ?? tg.port })) }));

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
type Instance = Ec2World['instances'][number];
type NetworkInterface = Ec2World['networkInterfaces'][number];
type SecurityGroup = Ec2World['securityGroups'][number];
type Rule = SecurityGroup['ingress'][number];
type Address = Ec2World['addresses'][number];
type Volume = Ec2World['volumes'][number];
type Snapshot = Ec2World['snapshots'][number];
type AutoScalingGroup = Ec2World['autoScalingGroups'][number];
type TargetGroup = Ec2World['targetGroups'][number];
type Params = Readonly<Record<string, unknown>>;
type Output = Record<string, unknown>;
type Handler = (state: Ec2World, params: Params) => Output;

/**
 * Answers one EC2, Auto Scaling or ELBv2 call from the world, applying writes in place.
 * Unknown ids throw {@link WorldApiError} with AWS's error code; operations (or parameters)
 * the world does not model throw {@link UnsupportedWorldCallError}.
 *
 * @example
 * const out = handleEc2(world.ec2, 'ec2', 'DescribeInstances', { InstanceIds: ['i-0a1b2c3d4e5f60718'] });
 * // { Reservations: [{ ReservationId, OwnerId, Instances: [{ InstanceId, NetworkInterfaces, ... }] }] }
 */
export function handleEc2(
  state: Ec2World,
  service: 'ec2' | 'autoScaling' | 'elbv2',
  api: string,
  params: Params,
): Record<string, unknown> {
  const handler = HANDLERS[service].get(api);
  if (handler === undefined) throw new UnsupportedWorldCallError(service, api);
  if (service === 'ec2' && params.DryRun === true) {
    throw new WorldApiError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
  }
  return handler(state, params);
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

function parse<S extends z.ZodType>(api: string, schema: S, params: Params): z.infer<S> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const where = first?.path.join('.') ?? '';
  const missing = first?.code === 'invalid_type' && first.message.includes('undefined');
  throw new WorldApiError(
    missing ? 'MissingParameter' : 'InvalidParameterValue',
    `${api}: invalid ${where}: ${first?.message ?? 'invalid request'}`,
  );
}

const FiltersSchema = z
  .array(z.object({ Name: z.string(), Values: z.array(z.string()).default([]) }))
  .optional();
type Filters = z.infer<typeof FiltersSchema>;
const TagListSchema = z.array(z.object({ Key: z.string(), Value: z.string().default('') })).default([]);
const TagSpecificationsSchema = z
  .array(z.object({ ResourceType: z.string().optional(), Tags: TagListSchema }))
  .default([]);

function tagList(tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

function tagsFromSpecifications(
  api: string,
  resourceType: string,
  specifications: z.infer<typeof TagSpecificationsSchema>,
): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const specification of specifications) {
    if (specification.ResourceType !== resourceType) {
      throw new WorldApiError(
        'InvalidParameterValue',
        `${api}: '${specification.ResourceType ?? ''}' is not a valid taggable resource type for this operation.`,
      );
    }
    for (const tag of specification.Tags) tags[tag.Key] = tag.Value;
  }
  return tags;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

/**
 * Keeps the items matching every filter: a filter matches when one of its values (with `*` and
 * `?` wildcards) equals one of the item's values for that name. `values` returns undefined for
 * a filter name the resource does not support, which AWS rejects.
 */
function applyFilters<T>(
  items: readonly T[],
  filters: Filters,
  values: (item: T, name: string) => readonly string[] | undefined,
  tags: (item: T) => Readonly<Record<string, string>>,
): T[] {
  if (filters === undefined || filters.length === 0) return [...items];
  return items.filter((item) =>
    filters.every((filter) => {
      let actual: readonly string[] | undefined;
      if (filter.Name.startsWith('tag:')) {
        const value = tags(item)[filter.Name.slice(4)];
        actual = value === undefined ? [] : [value];
      } else if (filter.Name === 'tag-key') {
        actual = Object.keys(tags(item));
      } else {
        actual = values(item, filter.Name);
      }
      if (actual === undefined) {
        throw new WorldApiError('InvalidParameterValue', `The filter '${filter.Name}' is invalid`);
      }
      const patterns = filter.Values.map(globToRegExp);
      return actual.some((value) => patterns.some((p) => p.test(value)));
    }),
  );
}

/** One page of `items` from an index token, AWS-style (`NextToken` absent on the last page). */
function paginate<T>(
  items: readonly T[],
  token: string | undefined,
  size: number | undefined,
): [T[], string | undefined] {
  const start = token === undefined ? 0 : Number.parseInt(token, 10);
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw new WorldApiError('InvalidParameterValue', `Invalid pagination token: ${token ?? ''}`);
  }
  const end = size === undefined ? items.length : Math.min(items.length, start + size);
  return [items.slice(start, end), end < items.length ? String(end) : undefined];
}

function nextId(state: Ec2World, prefix: string): string {
  state.sequence += 1;
  return `${prefix}-riposte${state.sequence.toString(16).padStart(8, '0')}`;
}

function nextActivityId(state: Ec2World): string {
  state.sequence += 1;
  return `00000000-0000-4000-8000-${state.sequence.toString(16).padStart(12, '0')}`;
}

function digest(value: string, length: number): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

function knownVpcs(state: Ec2World): Set<string> {
  return new Set([
    ...state.instances.map((i) => i.vpcId),
    ...state.networkInterfaces.map((e) => e.vpcId),
    ...state.securityGroups.map((g) => g.vpcId),
    ...state.targetGroups.map((t) => t.vpcId),
  ]);
}

function zoneOf(state: Ec2World, instance: Instance): string {
  return instance.availabilityZone ?? `${state.region}a`;
}

function notFoundList(code: string, noun: string, ids: readonly string[]): WorldApiError {
  const quoted = ids.map((id) => `'${id}'`).join(', ');
  return ids.length === 1
    ? new WorldApiError(code, `The ${noun} ${quoted} does not exist`)
    : new WorldApiError(code, `The ${noun}s ${quoted} do not exist`);
}

// ---------------------------------------------------------------------------------------------
// Lookups

function findInstance(state: Ec2World, instanceId: string): Instance {
  if (!INSTANCE_ID.test(instanceId)) {
    throw new WorldApiError('InvalidInstanceID.Malformed', `Invalid id: "${instanceId}"`);
  }
  const instance = state.instances.find((i) => i.instanceId === instanceId);
  if (instance === undefined) throw notFoundList('InvalidInstanceID.NotFound', 'instance ID', [instanceId]);
  return instance;
}

function findInstances(state: Ec2World, ids: readonly string[]): Instance[] {
  for (const id of ids) {
    if (!INSTANCE_ID.test(id)) throw new WorldApiError('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
  }
  const missing = ids.filter((id) => !state.instances.some((i) => i.instanceId === id));
  if (missing.length > 0) throw notFoundList('InvalidInstanceID.NotFound', 'instance ID', missing);
  return state.instances.filter((i) => ids.includes(i.instanceId));
}

function findNetworkInterface(state: Ec2World, id: string): NetworkInterface {
  const eni = state.networkInterfaces.find((e) => e.networkInterfaceId === id);
  if (eni === undefined)
    throw notFoundList('InvalidNetworkInterfaceID.NotFound', 'networkInterface ID', [id]);
  return eni;
}

function findGroup(state: Ec2World, id: string): SecurityGroup {
  const group = state.securityGroups.find((g) => g.groupId === id);
  if (group === undefined) {
    throw new WorldApiError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
  }
  return group;
}

function findVolume(state: Ec2World, id: string): Volume {
  const volume = state.volumes.find((v) => v.volumeId === id);
  if (volume === undefined)
    throw new WorldApiError('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
  return volume;
}

function findTargetGroup(state: Ec2World, arn: string): TargetGroup {
  const group = state.targetGroups.find((t) => t.targetGroupArn === arn);
  if (group === undefined)
    throw new WorldApiError('TargetGroupNotFound', 'One or more target groups not found');
  return group;
}

function findAutoScalingGroup(state: Ec2World, name: string): AutoScalingGroup {
  const group = state.autoScalingGroups.find((g) => g.name === name);
  if (group === undefined) {
    throw new WorldApiError(
      'ValidationError',
      `AutoScalingGroup name not found - AutoScalingGroup ${name} not found`,
    );
  }
  return group;
}

function attachedEnis(state: Ec2World, instanceId: string): NetworkInterface[] {
  return state.networkInterfaces
    .filter((e) => e.attachment?.instanceId === instanceId)
    .sort((a, b) => (a.attachment?.deviceIndex ?? 0) - (b.attachment?.deviceIndex ?? 0));
}

function primaryEni(state: Ec2World, instance: Instance): NetworkInterface | undefined {
  return attachedEnis(state, instance.instanceId).find((e) => e.attachment?.deviceIndex === 0);
}

function privateIps(eni: NetworkInterface): string[] {
  return [eni.privateIpAddress, ...eni.secondaryPrivateIpAddresses];
}

function addressFor(state: Ec2World, eni: NetworkInterface, privateIp: string): Address | undefined {
  return state.addresses.find(
    (a) =>
      a.networkInterfaceId === eni.networkInterfaceId &&
      (a.privateIpAddress ?? eni.privateIpAddress) === privateIp,
  );
}

function instanceOfAddress(state: Ec2World, address: Address): string | undefined {
  if (address.networkInterfaceId === undefined) return undefined;
  return state.networkInterfaces.find((e) => e.networkInterfaceId === address.networkInterfaceId)?.attachment
    ?.instanceId;
}

function profileAssociationId(instance: Instance): string | undefined {
  const profile = instance.iamInstanceProfile;
  if (profile === undefined) return undefined;
  return profile.associationId ?? `iip-assoc-${digest(`${instance.instanceId}|${profile.arn}`, 17)}`;
}

function profileId(arn: string, id: string | undefined): string {
  return id ?? `AIPA${digest(arn, 17).toUpperCase()}`;
}

function groupIdentifiers(state: Ec2World, ids: readonly string[]): { GroupId: string; GroupName: string }[] {
  return ids.map((id) => ({
    GroupId: id,
    GroupName: state.securityGroups.find((g) => g.groupId === id)?.groupName ?? id,
  }));
}

// ---------------------------------------------------------------------------------------------
// Response shapes

const STATE_CODES: Record<Instance['state'], number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

function publicAssociation(state: Ec2World, eni: NetworkInterface, privateIp: string): Output | undefined {
  const address = addressFor(state, eni, privateIp);
  if (address !== undefined) return { PublicIp: address.publicIp, IpOwnerId: state.accountId };
  if (privateIp === eni.privateIpAddress && eni.publicIp !== undefined) {
    return { PublicIp: eni.publicIp, IpOwnerId: 'amazon' };
  }
  return undefined;
}

function instanceNetworkInterface(state: Ec2World, instance: Instance, eni: NetworkInterface): Output {
  const association = publicAssociation(state, eni, eni.privateIpAddress);
  return {
    NetworkInterfaceId: eni.networkInterfaceId,
    Attachment: {
      AttachmentId: eni.attachment?.attachmentId ?? `eni-attach-${digest(eni.networkInterfaceId, 17)}`,
      AttachTime: new Date(instance.launchTime),
      DeleteOnTermination: eni.attachment?.deleteOnTermination ?? true,
      DeviceIndex: eni.attachment?.deviceIndex ?? 0,
      NetworkCardIndex: 0,
      Status: 'attached',
    },
    Description: eni.description,
    Groups: groupIdentifiers(state, eni.groups),
    Ipv6Addresses: eni.ipv6Addresses.map((Ipv6Address) => ({ Ipv6Address })),
    MacAddress:
      eni.macAddress ?? `02:00:00:${digest(eni.networkInterfaceId, 6).replace(/(..)(?!$)/g, '$1:')}`,
    OwnerId: state.accountId,
    PrivateIpAddress: eni.privateIpAddress,
    PrivateIpAddresses: privateIps(eni).map((ip) => {
      const ipAssociation = publicAssociation(state, eni, ip);
      return {
        ...(ipAssociation === undefined ? {} : { Association: ipAssociation }),
        Primary: ip === eni.privateIpAddress,
        PrivateIpAddress: ip,
      };
    }),
    SourceDestCheck: true,
    Status: 'in-use',
    SubnetId: eni.subnetId,
    VpcId: eni.vpcId,
    InterfaceType: 'interface',
    ...(association === undefined ? {} : { Association: association }),
  };
}

function describeInstance(state: Ec2World, instance: Instance): Output {
  const enis = attachedEnis(state, instance.instanceId);
  const primary = primaryEni(state, instance);
  const publicIp =
    primary === undefined ? undefined : publicAssociation(state, primary, primary.privateIpAddress);
  const profile = instance.iamInstanceProfile;
  return {
    InstanceId: instance.instanceId,
    ImageId: instance.imageId,
    InstanceType: instance.instanceType,
    State: { Code: STATE_CODES[instance.state], Name: instance.state },
    LaunchTime: new Date(instance.launchTime),
    Placement: { AvailabilityZone: zoneOf(state, instance), GroupName: '', Tenancy: 'default' },
    VpcId: instance.vpcId,
    SubnetId: instance.subnetId,
    ...(primary === undefined ? {} : { PrivateIpAddress: primary.privateIpAddress }),
    ...(publicIp === undefined ? {} : { PublicIpAddress: publicIp.PublicIp }),
    ...(instance.keyName === undefined ? {} : { KeyName: instance.keyName }),
    ...(profile === undefined
      ? {}
      : { IamInstanceProfile: { Arn: profile.arn, Id: profileId(profile.arn, profile.id) } }),
    NetworkInterfaces: enis.map((eni) => instanceNetworkInterface(state, instance, eni)),
    SecurityGroups: groupIdentifiers(state, primary?.groups ?? []),
    RootDeviceName: instance.rootDeviceName,
    RootDeviceType: 'ebs',
    BlockDeviceMappings: instance.blockDevices.map((device) => ({
      DeviceName: device.deviceName,
      Ebs: {
        AttachTime: new Date(instance.launchTime),
        DeleteOnTermination: device.deleteOnTermination,
        Status: 'attached',
        VolumeId: device.volumeId,
      },
    })),
    ...(Object.keys(instance.tags).length === 0 ? {} : { Tags: tagList(instance.tags) }),
  };
}

function describeNetworkInterface(state: Ec2World, eni: NetworkInterface): Output {
  const attachment = eni.attachment;
  const instance =
    attachment === undefined
      ? undefined
      : state.instances.find((i) => i.instanceId === attachment.instanceId);
  const address = addressFor(state, eni, eni.privateIpAddress);
  const association = publicAssociation(state, eni, eni.privateIpAddress);
  return {
    NetworkInterfaceId: eni.networkInterfaceId,
    AvailabilityZone: instance === undefined ? `${state.region}a` : zoneOf(state, instance),
    Description: eni.description,
    Groups: groupIdentifiers(state, eni.groups),
    InterfaceType: 'interface',
    Ipv6Addresses: eni.ipv6Addresses.map((Ipv6Address) => ({ Ipv6Address })),
    OwnerId: state.accountId,
    PrivateIpAddress: eni.privateIpAddress,
    PrivateIpAddresses: privateIps(eni).map((ip) => {
      const ipAssociation = publicAssociation(state, eni, ip);
      return {
        ...(ipAssociation === undefined ? {} : { Association: ipAssociation }),
        Primary: ip === eni.privateIpAddress,
        PrivateIpAddress: ip,
      };
    }),
    RequesterManaged: false,
    SourceDestCheck: true,
    Status: attachment === undefined ? 'available' : 'in-use',
    SubnetId: eni.subnetId,
    VpcId: eni.vpcId,
    TagSet: tagList(eni.tags),
    ...(attachment === undefined
      ? {}
      : {
          Attachment: {
            AttachmentId: attachment.attachmentId ?? `eni-attach-${digest(eni.networkInterfaceId, 17)}`,
            DeleteOnTermination: attachment.deleteOnTermination,
            DeviceIndex: attachment.deviceIndex,
            NetworkCardIndex: 0,
            InstanceId: attachment.instanceId,
            InstanceOwnerId: state.accountId,
            Status: 'attached',
          },
        }),
    ...(association === undefined
      ? {}
      : {
          Association: {
            ...association,
            ...(address === undefined
              ? {}
              : { AllocationId: address.allocationId, AssociationId: address.associationId }),
          },
        }),
  };
}

function ruleKey(rule: Rule): string {
  return [
    rule.protocol,
    rule.fromPort ?? '',
    rule.toPort ?? '',
    rule.cidr ?? '',
    rule.cidrIpv6 ?? '',
    rule.sourceGroupId ?? '',
  ].join('|');
}

/** Rules grouped into AWS `IpPermission`s (one per protocol and port range). */
function ipPermissions(state: Ec2World, rules: readonly Rule[]): Output[] {
  const byRange = new Map<string, Rule[]>();
  for (const rule of rules) {
    const key = `${rule.protocol}|${rule.fromPort ?? ''}|${rule.toPort ?? ''}`;
    byRange.set(key, [...(byRange.get(key) ?? []), rule]);
  }
  return [...byRange.values()].map((group) => {
    const first = group[0] as Rule;
    const withDescription = (r: Rule): Output =>
      r.description === undefined ? {} : { Description: r.description };
    return {
      IpProtocol: first.protocol,
      ...(first.fromPort === undefined ? {} : { FromPort: first.fromPort }),
      ...(first.toPort === undefined ? {} : { ToPort: first.toPort }),
      IpRanges: group
        .filter((r) => r.cidr !== undefined)
        .map((r) => ({ CidrIp: r.cidr, ...withDescription(r) })),
      Ipv6Ranges: group
        .filter((r) => r.cidrIpv6 !== undefined)
        .map((r) => ({ CidrIpv6: r.cidrIpv6, ...withDescription(r) })),
      PrefixListIds: [],
      UserIdGroupPairs: group
        .filter((r) => r.sourceGroupId !== undefined)
        .map((r) => ({ GroupId: r.sourceGroupId, UserId: state.accountId, ...withDescription(r) })),
    };
  });
}

function describeSecurityGroup(state: Ec2World, group: SecurityGroup): Output {
  return {
    GroupId: group.groupId,
    GroupName: group.groupName,
    Description: group.description,
    VpcId: group.vpcId,
    OwnerId: state.accountId,
    SecurityGroupArn: `arn:aws:ec2:${state.region}:${state.accountId}:security-group/${group.groupId}`,
    IpPermissions: ipPermissions(state, group.ingress),
    IpPermissionsEgress: ipPermissions(state, group.egress),
    ...(Object.keys(group.tags).length === 0 ? {} : { Tags: tagList(group.tags) }),
  };
}

function describeAddress(state: Ec2World, address: Address): Output {
  const instanceId = instanceOfAddress(state, address);
  const eni =
    address.networkInterfaceId === undefined
      ? undefined
      : state.networkInterfaces.find((e) => e.networkInterfaceId === address.networkInterfaceId);
  return {
    AllocationId: address.allocationId,
    PublicIp: address.publicIp,
    Domain: 'vpc',
    PublicIpv4Pool: 'amazon',
    NetworkBorderGroup: state.region,
    ...(address.associationId === undefined
      ? {}
      : {
          AssociationId: address.associationId,
          NetworkInterfaceId: address.networkInterfaceId,
          NetworkInterfaceOwnerId: state.accountId,
          PrivateIpAddress: address.privateIpAddress ?? eni?.privateIpAddress,
          ...(instanceId === undefined ? {} : { InstanceId: instanceId }),
        }),
    ...(Object.keys(address.tags).length === 0 ? {} : { Tags: tagList(address.tags) }),
  };
}

function volumeAttachment(
  state: Ec2World,
  volumeId: string,
): { instance: Instance; deviceName: string; deleteOnTermination: boolean } | undefined {
  for (const instance of state.instances) {
    const device = instance.blockDevices.find((d) => d.volumeId === volumeId);
    if (device !== undefined)
      return { instance, deviceName: device.deviceName, deleteOnTermination: device.deleteOnTermination };
  }
  return undefined;
}

function describeVolume(state: Ec2World, volume: Volume): Output {
  const attachment = volumeAttachment(state, volume.volumeId);
  return {
    VolumeId: volume.volumeId,
    Size: volume.size,
    VolumeType: volume.volumeType,
    AvailabilityZone:
      volume.availabilityZone ??
      (attachment === undefined ? `${state.region}a` : zoneOf(state, attachment.instance)),
    State: attachment === undefined ? 'available' : 'in-use',
    Encrypted: volume.encrypted,
    ...(volume.kmsKeyId === undefined ? {} : { KmsKeyId: volume.kmsKeyId }),
    ...(volume.snapshotId === undefined ? {} : { SnapshotId: volume.snapshotId }),
    CreateTime: new Date(volume.createTime),
    MultiAttachEnabled: false,
    Attachments:
      attachment === undefined
        ? []
        : [
            {
              VolumeId: volume.volumeId,
              InstanceId: attachment.instance.instanceId,
              Device: attachment.deviceName,
              State: 'attached',
              AttachTime: new Date(attachment.instance.launchTime),
              DeleteOnTermination: attachment.deleteOnTermination,
            },
          ],
    ...(Object.keys(volume.tags).length === 0 ? {} : { Tags: tagList(volume.tags) }),
  };
}

function describeSnapshot(state: Ec2World, snapshot: Snapshot): Output {
  return {
    SnapshotId: snapshot.snapshotId,
    VolumeId: snapshot.volumeId,
    State: snapshot.state,
    StartTime: new Date(snapshot.startTime),
    Progress: snapshot.state === 'completed' ? '100%' : '0%',
    OwnerId: state.accountId,
    Description: snapshot.description,
    VolumeSize: snapshot.volumeSize,
    Encrypted: snapshot.encrypted,
    StorageTier: 'standard',
    ...(Object.keys(snapshot.tags).length === 0 ? {} : { Tags: tagList(snapshot.tags) }),
  };
}

function profileAssociation(instance: Instance, associationState: string): Output {
  const profile = instance.iamInstanceProfile;
  return {
    AssociationId: profileAssociationId(instance),
    InstanceId: instance.instanceId,
    IamInstanceProfile:
      profile === undefined ? {} : { Arn: profile.arn, Id: profileId(profile.arn, profile.id) },
    State: associationState,
  };
}

// ---------------------------------------------------------------------------------------------
// EC2

function describeInstances(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeInstances',
    z.object({
      InstanceIds: z.array(z.string()).optional(),
      Filters: FiltersSchema,
      MaxResults: z.number().int().min(5).max(1000).optional(),
      NextToken: z.string().optional(),
    }),
    params,
  );
  if (input.InstanceIds !== undefined && input.MaxResults !== undefined) {
    throw new WorldApiError(
      'InvalidParameterCombination',
      'The parameter instancesSet cannot be used with the parameter maxResults',
    );
  }
  const selected =
    input.InstanceIds === undefined || input.InstanceIds.length === 0
      ? state.instances
      : findInstances(state, input.InstanceIds);
  const filtered = applyFilters(
    selected,
    input.Filters,
    (instance, name) => {
      switch (name) {
        case 'instance-id':
          return [instance.instanceId];
        case 'instance-state-name':
          return [instance.state];
        case 'instance-type':
          return [instance.instanceType];
        case 'vpc-id':
          return [instance.vpcId];
        case 'subnet-id':
          return [instance.subnetId];
        case 'iam-instance-profile.arn':
          return instance.iamInstanceProfile === undefined ? [] : [instance.iamInstanceProfile.arn];
        case 'network-interface.network-interface-id':
          return attachedEnis(state, instance.instanceId).map((e) => e.networkInterfaceId);
        default:
          return undefined;
      }
    },
    (instance) => instance.tags,
  );
  const [page, next] = paginate(filtered, input.NextToken, input.MaxResults);
  return {
    Reservations: page.map((instance) => ({
      ReservationId: `r-${digest(instance.instanceId, 17)}`,
      OwnerId: state.accountId,
      Groups: [],
      Instances: [describeInstance(state, instance)],
    })),
    ...(next === undefined ? {} : { NextToken: next }),
  };
}

function describeInstanceAttribute(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeInstanceAttribute',
    z.object({ InstanceId: z.string(), Attribute: z.string() }),
    params,
  );
  const instance = findInstance(state, input.InstanceId);
  const base = { InstanceId: instance.instanceId };
  switch (input.Attribute) {
    case 'disableApiTermination':
      return { ...base, DisableApiTermination: { Value: instance.disableApiTermination } };
    case 'instanceInitiatedShutdownBehavior':
      return {
        ...base,
        InstanceInitiatedShutdownBehavior: { Value: instance.instanceInitiatedShutdownBehavior },
      };
    case 'instanceType':
      return { ...base, InstanceType: { Value: instance.instanceType } };
    case 'groupSet':
      return { ...base, Groups: groupIdentifiers(state, primaryEni(state, instance)?.groups ?? []) };
    case 'blockDeviceMapping':
      return { ...base, BlockDeviceMappings: describeInstance(state, instance).BlockDeviceMappings };
    case 'rootDeviceName':
      return { ...base, RootDeviceName: { Value: instance.rootDeviceName } };
    default:
      throw new UnsupportedWorldCallError('ec2', `DescribeInstanceAttribute(${input.Attribute})`);
  }
}

const AttributeBoolean = z.object({ Value: z.boolean() });
const AttributeString = z.object({ Value: z.string() });

function assertModifiable(instance: Instance): void {
  if (instance.state === 'terminated' || instance.state === 'shutting-down') {
    throw new WorldApiError(
      'IncorrectInstanceState',
      `The instance '${instance.instanceId}' is not in a state from which it can be modified.`,
    );
  }
}

function setEniGroups(state: Ec2World, eni: NetworkInterface, groupIds: readonly string[]): void {
  if (groupIds.length === 0) {
    throw new WorldApiError(
      'InvalidParameterValue',
      'A network interface must have at least one security group',
    );
  }
  const unique = [...new Set(groupIds)];
  if (unique.length > 5) {
    throw new WorldApiError(
      'SecurityGroupsPerInterfaceLimitExceeded',
      'The maximum number of security groups per interface has been reached.',
    );
  }
  for (const groupId of unique) {
    const group = findGroup(state, groupId);
    if (group.vpcId !== eni.vpcId) {
      throw new WorldApiError(
        'InvalidGroup.NotFound',
        `The security group '${groupId}' does not exist in VPC '${eni.vpcId}'`,
      );
    }
  }
  eni.groups = unique;
}

function modifyInstanceAttribute(state: Ec2World, params: Params): Output {
  const input = parse(
    'ModifyInstanceAttribute',
    z.object({
      InstanceId: z.string(),
      DisableApiTermination: AttributeBoolean.optional(),
      InstanceInitiatedShutdownBehavior: AttributeString.optional(),
      BlockDeviceMappings: z
        .array(
          z.object({
            DeviceName: z.string(),
            Ebs: z
              .object({ VolumeId: z.string().optional(), DeleteOnTermination: z.boolean().optional() })
              .optional(),
          }),
        )
        .optional(),
      Groups: z.array(z.string()).optional(),
      Attribute: z.string().optional(),
      Value: z.string().optional(),
    }),
    params,
  );
  const instance = findInstance(state, input.InstanceId);
  assertModifiable(instance);
  const given = (
    [
      'DisableApiTermination',
      'InstanceInitiatedShutdownBehavior',
      'BlockDeviceMappings',
      'Groups',
      'Attribute',
    ] as const
  ).filter((key) => input[key] !== undefined);
  const otherAttributes = Object.keys(params).filter(
    (key) => params[key] !== undefined && !['InstanceId', 'DryRun', 'Value', ...given].includes(key),
  );
  if (otherAttributes.length > 0) {
    throw new UnsupportedWorldCallError('ec2', `ModifyInstanceAttribute(${otherAttributes.join(', ')})`);
  }
  if (given.length !== 1) {
    throw new WorldApiError(
      'InvalidParameterCombination',
      given.length === 0
        ? 'No attributes specified.'
        : `Fields for multiple attribute types specified: ${given.join(', ')}`,
    );
  }
  if (input.DisableApiTermination !== undefined) {
    instance.disableApiTermination = input.DisableApiTermination.Value;
  } else if (input.InstanceInitiatedShutdownBehavior !== undefined) {
    setShutdownBehavior(instance, input.InstanceInitiatedShutdownBehavior.Value);
  } else if (input.BlockDeviceMappings !== undefined) {
    for (const mapping of input.BlockDeviceMappings) {
      const device = instance.blockDevices.find((d) => d.deviceName === mapping.DeviceName);
      if (
        device === undefined ||
        (mapping.Ebs?.VolumeId !== undefined && mapping.Ebs.VolumeId !== device.volumeId)
      ) {
        throw new WorldApiError(
          'InvalidInstanceAttributeValue',
          `No device is currently mapped at ${mapping.DeviceName}`,
        );
      }
      if (mapping.Ebs?.DeleteOnTermination !== undefined)
        device.deleteOnTermination = mapping.Ebs.DeleteOnTermination;
    }
  } else if (input.Groups !== undefined) {
    // Like AWS: the instance-level attribute is the primary ENI's groups only.
    const primary = primaryEni(state, instance);
    if (primary === undefined)
      throw new WorldApiError('InvalidInstanceID', 'The instance has no primary interface');
    setEniGroups(state, primary, input.Groups);
  } else if (input.Attribute === 'disableApiTermination') {
    instance.disableApiTermination = input.Value === 'true';
  } else if (input.Attribute === 'instanceInitiatedShutdownBehavior') {
    setShutdownBehavior(instance, input.Value ?? '');
  } else {
    throw new UnsupportedWorldCallError('ec2', `ModifyInstanceAttribute(${input.Attribute ?? ''})`);
  }
  return {};
}

function setShutdownBehavior(instance: Instance, value: string): void {
  if (value !== 'stop' && value !== 'terminate') {
    throw new WorldApiError(
      'InvalidParameterValue',
      `Value (${value}) for parameter instanceInitiatedShutdownBehavior is invalid.`,
    );
  }
  instance.instanceInitiatedShutdownBehavior = value;
}

function describeNetworkInterfaces(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeNetworkInterfaces',
    z.object({ NetworkInterfaceIds: z.array(z.string()).optional(), Filters: FiltersSchema }),
    params,
  );
  const ids = input.NetworkInterfaceIds ?? [];
  const selected =
    ids.length === 0 ? state.networkInterfaces : ids.map((id) => findNetworkInterface(state, id));
  const filtered = applyFilters(
    selected,
    input.Filters,
    (eni, name) => {
      switch (name) {
        case 'network-interface-id':
          return [eni.networkInterfaceId];
        case 'attachment.instance-id':
          return eni.attachment === undefined ? [] : [eni.attachment.instanceId];
        case 'attachment.device-index':
          return eni.attachment === undefined ? [] : [String(eni.attachment.deviceIndex)];
        case 'vpc-id':
          return [eni.vpcId];
        case 'subnet-id':
          return [eni.subnetId];
        case 'group-id':
          return eni.groups;
        case 'private-ip-address':
          return privateIps(eni);
        case 'status':
          return [eni.attachment === undefined ? 'available' : 'in-use'];
        default:
          return undefined;
      }
    },
    (eni) => eni.tags,
  );
  return { NetworkInterfaces: filtered.map((eni) => describeNetworkInterface(state, eni)) };
}

function modifyNetworkInterfaceAttribute(state: Ec2World, params: Params): Output {
  const input = parse(
    'ModifyNetworkInterfaceAttribute',
    z.object({ NetworkInterfaceId: z.string(), Groups: z.array(z.string()).optional() }),
    params,
  );
  const others = Object.keys(params).filter(
    (key) => params[key] !== undefined && !['NetworkInterfaceId', 'Groups', 'DryRun'].includes(key),
  );
  if (others.length > 0) {
    throw new UnsupportedWorldCallError('ec2', `ModifyNetworkInterfaceAttribute(${others.join(', ')})`);
  }
  const eni = findNetworkInterface(state, input.NetworkInterfaceId);
  if (input.Groups === undefined) throw new WorldApiError('MissingParameter', 'No attributes specified.');
  setEniGroups(state, eni, input.Groups);
  return {};
}

function describeSecurityGroups(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeSecurityGroups',
    z.object({
      GroupIds: z.array(z.string()).optional(),
      GroupNames: z.array(z.string()).optional(),
      Filters: FiltersSchema,
    }),
    params,
  );
  let selected = state.securityGroups;
  if (input.GroupIds !== undefined && input.GroupIds.length > 0) {
    selected = input.GroupIds.map((id) => findGroup(state, id));
  }
  if (input.GroupNames !== undefined && input.GroupNames.length > 0) {
    selected = input.GroupNames.map((name) => {
      const group = selected.find((g) => g.groupName === name);
      if (group === undefined) {
        throw new WorldApiError('InvalidGroup.NotFound', `The security group '${name}' does not exist`);
      }
      return group;
    });
  }
  const filtered = applyFilters(
    selected,
    input.Filters,
    (group, name) => {
      switch (name) {
        case 'group-id':
          return [group.groupId];
        case 'group-name':
          return [group.groupName];
        case 'vpc-id':
          return [group.vpcId];
        case 'description':
          return [group.description];
        case 'owner-id':
          return [state.accountId];
        default:
          return undefined;
      }
    },
    (group) => group.tags,
  );
  return { SecurityGroups: filtered.map((group) => describeSecurityGroup(state, group)) };
}

function createSecurityGroup(state: Ec2World, params: Params): Output {
  const input = parse(
    'CreateSecurityGroup',
    z.object({
      GroupName: z.string().min(1).max(255),
      Description: z.string().min(1).max(255),
      VpcId: z.string().optional(),
      TagSpecifications: TagSpecificationsSchema,
    }),
    params,
  );
  if (input.VpcId === undefined) throw new WorldApiError('VPCIdNotSpecified', 'No default VPC for this user');
  if (!knownVpcs(state).has(input.VpcId)) {
    throw new WorldApiError('InvalidVpcID.NotFound', `The vpc ID '${input.VpcId}' does not exist`);
  }
  if (input.GroupName.toLowerCase().startsWith('sg-')) {
    throw new WorldApiError('InvalidParameterValue', 'Group names may not be in the format sg-*.');
  }
  if (state.securityGroups.some((g) => g.vpcId === input.VpcId && g.groupName === input.GroupName)) {
    throw new WorldApiError(
      'InvalidGroup.Duplicate',
      `The security group '${input.GroupName}' already exists for VPC '${input.VpcId}'`,
    );
  }
  const tags = tagsFromSpecifications('CreateSecurityGroup', 'security-group', input.TagSpecifications);
  const groupId = nextId(state, 'sg');
  // Like AWS: a new group has no inbound rule and one outbound rule allowing everything.
  state.securityGroups.push({
    groupId,
    groupName: input.GroupName,
    description: input.Description,
    vpcId: input.VpcId,
    tags,
    ingress: [],
    egress: [{ protocol: '-1', cidr: '0.0.0.0/0' }],
  });
  return {
    GroupId: groupId,
    SecurityGroupArn: `arn:aws:ec2:${state.region}:${state.accountId}:security-group/${groupId}`,
    ...(Object.keys(tags).length === 0 ? {} : { Tags: tagList(tags) }),
  };
}

const IpPermissionsSchema = z.array(
  z.object({
    IpProtocol: z.string(),
    FromPort: z.number().int().optional(),
    ToPort: z.number().int().optional(),
    IpRanges: z.array(z.object({ CidrIp: z.string(), Description: z.string().optional() })).optional(),
    Ipv6Ranges: z.array(z.object({ CidrIpv6: z.string(), Description: z.string().optional() })).optional(),
    UserIdGroupPairs: z
      .array(z.object({ GroupId: z.string(), Description: z.string().optional() }))
      .optional(),
    PrefixListIds: z.array(z.object({ PrefixListId: z.string() })).optional(),
  }),
);

const PROTOCOL_NAMES: Record<string, string> = {
  all: '-1',
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
};

function rulesOf(state: Ec2World, permissions: z.infer<typeof IpPermissionsSchema>): Rule[] {
  const rules: Rule[] = [];
  for (const permission of permissions) {
    if (permission.PrefixListIds !== undefined && permission.PrefixListIds.length > 0) {
      throw new UnsupportedWorldCallError('ec2', 'security group rules with prefix lists');
    }
    const protocol =
      PROTOCOL_NAMES[permission.IpProtocol.toLowerCase()] ?? permission.IpProtocol.toLowerCase();
    const ranged = protocol !== '-1';
    if (
      (protocol === 'tcp' || protocol === 'udp') &&
      (permission.FromPort === undefined || permission.ToPort === undefined)
    ) {
      throw new WorldApiError(
        'InvalidParameterValue',
        'Invalid value: Must specify both from and to ports with TCP/UDP.',
      );
    }
    const ports = ranged
      ? {
          ...(permission.FromPort === undefined ? {} : { fromPort: permission.FromPort }),
          ...(permission.ToPort === undefined ? {} : { toPort: permission.ToPort }),
        }
      : {};
    const peers: Rule[] = [
      ...(permission.IpRanges ?? []).map((r) => ({
        protocol,
        ...ports,
        cidr: r.CidrIp,
        description: r.Description,
      })),
      ...(permission.Ipv6Ranges ?? []).map((r) => ({
        protocol,
        ...ports,
        cidrIpv6: r.CidrIpv6,
        description: r.Description,
      })),
      ...(permission.UserIdGroupPairs ?? []).map((p) => {
        findGroup(state, p.GroupId);
        return { protocol, ...ports, sourceGroupId: p.GroupId, description: p.Description };
      }),
    ].map((rule) => (rule.description === undefined ? withoutDescription(rule) : rule));
    if (peers.length === 0)
      throw new WorldApiError('MissingParameter', 'No source or destination specified.');
    rules.push(...peers);
  }
  return rules;
}

function withoutDescription(rule: Rule): Rule {
  const { description: _ignored, ...rest } = rule;
  return rest;
}

function authorize(direction: 'ingress' | 'egress'): Handler {
  const api = direction === 'ingress' ? 'AuthorizeSecurityGroupIngress' : 'AuthorizeSecurityGroupEgress';
  return (state, params) => {
    const input = parse(
      api,
      z.object({
        GroupId: z.string(),
        IpPermissions: IpPermissionsSchema,
        TagSpecifications: TagSpecificationsSchema,
      }),
      params,
    );
    const group = findGroup(state, input.GroupId);
    const rules = rulesOf(state, input.IpPermissions);
    const existing = new Set(group[direction].map(ruleKey));
    for (const rule of rules) {
      if (existing.has(ruleKey(rule))) {
        const peer = rule.cidr ?? rule.cidrIpv6 ?? rule.sourceGroupId ?? '';
        throw new WorldApiError(
          'InvalidPermission.Duplicate',
          `the specified rule "peer: ${peer}, ${rule.protocol === '-1' ? 'ALL' : rule.protocol.toUpperCase()}, ALLOW" already exists`,
        );
      }
    }
    group[direction].push(...rules);
    return {
      Return: true,
      SecurityGroupRules: rules.map((rule) => ({
        SecurityGroupRuleId: nextId(state, 'sgr'),
        GroupId: group.groupId,
        GroupOwnerId: state.accountId,
        IsEgress: direction === 'egress',
        IpProtocol: rule.protocol,
        FromPort: rule.fromPort ?? -1,
        ToPort: rule.toPort ?? -1,
        ...(rule.cidr === undefined ? {} : { CidrIpv4: rule.cidr }),
        ...(rule.cidrIpv6 === undefined ? {} : { CidrIpv6: rule.cidrIpv6 }),
        ...(rule.sourceGroupId === undefined ? {} : { ReferencedGroupInfo: { GroupId: rule.sourceGroupId } }),
        ...(rule.description === undefined ? {} : { Description: rule.description }),
      })),
    };
  };
}

function revoke(direction: 'ingress' | 'egress'): Handler {
  const api = direction === 'ingress' ? 'RevokeSecurityGroupIngress' : 'RevokeSecurityGroupEgress';
  return (state, params) => {
    const input = parse(api, z.object({ GroupId: z.string(), IpPermissions: IpPermissionsSchema }), params);
    const group = findGroup(state, input.GroupId);
    const keys = new Set(rulesOf(state, input.IpPermissions).map(ruleKey));
    const present = new Set(group[direction].map(ruleKey));
    // A non-default VPC (the only kind the world has) refuses the whole call on an unknown rule.
    if ([...keys].some((key) => !present.has(key))) {
      throw new WorldApiError(
        'InvalidPermission.NotFound',
        'The specified rule does not exist in this security group.',
      );
    }
    group[direction] = group[direction].filter((rule) => !keys.has(ruleKey(rule)));
    return { Return: true };
  };
}

function describeAddresses(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeAddresses',
    z.object({
      AllocationIds: z.array(z.string()).optional(),
      PublicIps: z.array(z.string()).optional(),
      Filters: FiltersSchema,
    }),
    params,
  );
  let selected = state.addresses;
  if (input.AllocationIds !== undefined && input.AllocationIds.length > 0) {
    selected = input.AllocationIds.map((id) => findAddressByAllocation(state, id));
  }
  if (input.PublicIps !== undefined && input.PublicIps.length > 0) {
    selected = input.PublicIps.map((ip) => {
      const address = selected.find((a) => a.publicIp === ip);
      if (address === undefined)
        throw new WorldApiError('InvalidAddress.NotFound', `Address '${ip}' not found.`);
      return address;
    });
  }
  const filtered = applyFilters(
    selected,
    input.Filters,
    (address, name) => {
      const instanceId = instanceOfAddress(state, address);
      switch (name) {
        case 'allocation-id':
          return [address.allocationId];
        case 'association-id':
          return address.associationId === undefined ? [] : [address.associationId];
        case 'public-ip':
          return [address.publicIp];
        case 'domain':
          return ['vpc'];
        case 'instance-id':
          return instanceId === undefined ? [] : [instanceId];
        case 'network-interface-id':
          return address.networkInterfaceId === undefined ? [] : [address.networkInterfaceId];
        case 'network-interface-owner-id':
          return address.networkInterfaceId === undefined ? [] : [state.accountId];
        case 'private-ip-address': {
          const described = describeAddress(state, address).PrivateIpAddress;
          return typeof described === 'string' ? [described] : [];
        }
        default:
          return undefined;
      }
    },
    (address) => address.tags,
  );
  return { Addresses: filtered.map((address) => describeAddress(state, address)) };
}

function findAddressByAllocation(state: Ec2World, allocationId: string): Address {
  const address = state.addresses.find((a) => a.allocationId === allocationId);
  if (address === undefined) {
    throw new WorldApiError(
      'InvalidAllocationID.NotFound',
      `The allocation ID '${allocationId}' does not exist`,
    );
  }
  return address;
}

function associateAddress(state: Ec2World, params: Params): Output {
  const input = parse(
    'AssociateAddress',
    z.object({
      AllocationId: z.string().optional(),
      PublicIp: z.string().optional(),
      InstanceId: z.string().optional(),
      NetworkInterfaceId: z.string().optional(),
      PrivateIpAddress: z.string().optional(),
      AllowReassociation: z.boolean().optional(),
    }),
    params,
  );
  let address: Address;
  if (input.AllocationId !== undefined) address = findAddressByAllocation(state, input.AllocationId);
  else if (input.PublicIp !== undefined) {
    const found = state.addresses.find((a) => a.publicIp === input.PublicIp);
    if (found === undefined)
      throw new WorldApiError('InvalidAddress.NotFound', `Address '${input.PublicIp}' not found.`);
    address = found;
  } else throw new WorldApiError('MissingParameter', 'Either public IP or allocation id must be specified');
  let eni: NetworkInterface;
  if (input.NetworkInterfaceId !== undefined) eni = findNetworkInterface(state, input.NetworkInterfaceId);
  else if (input.InstanceId !== undefined) {
    const instance = findInstance(state, input.InstanceId);
    const enis = attachedEnis(state, instance.instanceId);
    if (enis.length > 1) {
      throw new WorldApiError(
        'InvalidInstanceID',
        `There are multiple interfaces attached to instance '${instance.instanceId}'. Please specify an interface ID for the operation instead.`,
      );
    }
    const only = enis[0];
    if (only === undefined)
      throw new WorldApiError('InvalidInstanceID', 'The instance has no network interface');
    eni = only;
  } else
    throw new WorldApiError(
      'MissingParameter',
      'Either instance id or network interface id must be specified',
    );
  const privateIp = input.PrivateIpAddress ?? eni.privateIpAddress;
  if (!privateIps(eni).includes(privateIp)) {
    throw new WorldApiError(
      'InvalidParameterValue',
      `The specified private IP address ${privateIp} is not associated with ${eni.networkInterfaceId}`,
    );
  }
  const occupant = addressFor(state, eni, privateIp);
  if (input.AllowReassociation !== true) {
    if (address.associationId !== undefined) {
      throw new WorldApiError(
        'Resource.AlreadyAssociated',
        `resource ${address.allocationId} is already associated with associate-id ${address.associationId}`,
      );
    }
    if (occupant !== undefined && occupant !== address) {
      throw new WorldApiError(
        'Resource.AlreadyAssociated',
        `resource ${eni.networkInterfaceId} is already associated with associate-id ${occupant.associationId ?? ''}`,
      );
    }
  }
  if (occupant !== undefined && occupant !== address) dissociate(occupant);
  const associationId = nextId(state, 'eipassoc');
  address.associationId = associationId;
  address.networkInterfaceId = eni.networkInterfaceId;
  address.privateIpAddress = privateIp;
  return { AssociationId: associationId };
}

function dissociate(address: Address): void {
  delete address.associationId;
  delete address.networkInterfaceId;
  delete address.privateIpAddress;
}

function disassociateAddress(state: Ec2World, params: Params): Output {
  const input = parse(
    'DisassociateAddress',
    z.object({ AssociationId: z.string().optional(), PublicIp: z.string().optional() }),
    params,
  );
  const address =
    input.AssociationId !== undefined
      ? state.addresses.find((a) => a.associationId === input.AssociationId)
      : state.addresses.find((a) => a.publicIp === input.PublicIp && a.associationId !== undefined);
  if (address === undefined) {
    throw new WorldApiError(
      'InvalidAssociationID.NotFound',
      `The association ID '${input.AssociationId ?? input.PublicIp ?? ''}' does not exist`,
    );
  }
  dissociate(address);
  return {};
}

function describeIamInstanceProfileAssociations(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeIamInstanceProfileAssociations',
    z.object({
      AssociationIds: z.array(z.string()).optional(),
      Filters: FiltersSchema,
      MaxResults: z.number().int().min(5).max(1000).optional(),
      NextToken: z.string().optional(),
    }),
    params,
  );
  let selected = state.instances.filter((i) => i.iamInstanceProfile !== undefined);
  if (input.AssociationIds !== undefined && input.AssociationIds.length > 0) {
    selected = input.AssociationIds.map((id) => {
      const instance = selected.find((i) => profileAssociationId(i) === id);
      if (instance === undefined) {
        throw new WorldApiError('InvalidAssociationID.NotFound', `The association ID '${id}' does not exist`);
      }
      return instance;
    });
  }
  const filtered = applyFilters(
    selected,
    input.Filters,
    (instance, name) => {
      switch (name) {
        case 'instance-id':
          return [instance.instanceId];
        case 'state':
          return ['associated'];
        default:
          return undefined;
      }
    },
    () => ({}),
  );
  const [page, next] = paginate(filtered, input.NextToken, input.MaxResults);
  return {
    IamInstanceProfileAssociations: page.map((instance) => profileAssociation(instance, 'associated')),
    ...(next === undefined ? {} : { NextToken: next }),
  };
}

function associateIamInstanceProfile(state: Ec2World, params: Params): Output {
  const input = parse(
    'AssociateIamInstanceProfile',
    z.object({
      InstanceId: z.string(),
      IamInstanceProfile: z.object({ Arn: z.string().optional(), Name: z.string().optional() }),
    }),
    params,
  );
  const instance = findInstance(state, input.InstanceId);
  assertModifiable(instance);
  const { Arn: arn, Name: name } = input.IamInstanceProfile;
  if (arn !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/.+$/.test(arn)) {
    throw new WorldApiError(
      'InvalidParameterValue',
      `Value (${arn}) for parameter iamInstanceProfile.arn is invalid.`,
    );
  }
  if (arn === undefined && name === undefined) {
    throw new WorldApiError('MissingParameter', 'The request must contain the parameter iamInstanceProfile');
  }
  if (instance.iamInstanceProfile !== undefined) {
    throw new WorldApiError(
      'IncorrectState',
      `There is an existing association for instance ${instance.instanceId}`,
    );
  }
  instance.iamInstanceProfile = {
    arn: arn ?? `arn:aws:iam::${state.accountId}:instance-profile/${name ?? ''}`,
    associationId: nextId(state, 'iip-assoc'),
  };
  return { IamInstanceProfileAssociation: profileAssociation(instance, 'associating') };
}

function disassociateIamInstanceProfile(state: Ec2World, params: Params): Output {
  const input = parse('DisassociateIamInstanceProfile', z.object({ AssociationId: z.string() }), params);
  const instance = state.instances.find((i) => profileAssociationId(i) === input.AssociationId);
  if (instance === undefined) {
    throw new WorldApiError(
      'InvalidAssociationID.NotFound',
      `The association ID '${input.AssociationId}' does not exist`,
    );
  }
  const answer = profileAssociation(instance, 'disassociating');
  delete instance.iamInstanceProfile;
  return { IamInstanceProfileAssociation: answer };
}

function describeVolumes(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeVolumes',
    z.object({ VolumeIds: z.array(z.string()).optional(), Filters: FiltersSchema }),
    params,
  );
  const ids = input.VolumeIds ?? [];
  const selected = ids.length === 0 ? state.volumes : ids.map((id) => findVolume(state, id));
  const filtered = applyFilters(
    selected,
    input.Filters,
    (volume, name) => {
      const attachment = volumeAttachment(state, volume.volumeId);
      switch (name) {
        case 'volume-id':
          return [volume.volumeId];
        case 'attachment.instance-id':
          return attachment === undefined ? [] : [attachment.instance.instanceId];
        case 'attachment.device':
          return attachment === undefined ? [] : [attachment.deviceName];
        case 'attachment.delete-on-termination':
          return attachment === undefined ? [] : [String(attachment.deleteOnTermination)];
        case 'status':
          return [attachment === undefined ? 'available' : 'in-use'];
        case 'volume-type':
          return [volume.volumeType];
        case 'encrypted':
          return [String(volume.encrypted)];
        default:
          return undefined;
      }
    },
    (volume) => volume.tags,
  );
  return { Volumes: filtered.map((volume) => describeVolume(state, volume)) };
}

function createSnapshot(state: Ec2World, params: Params): Output {
  const input = parse(
    'CreateSnapshot',
    z.object({
      VolumeId: z.string(),
      Description: z.string().optional(),
      TagSpecifications: TagSpecificationsSchema,
    }),
    params,
  );
  const volume = findVolume(state, input.VolumeId);
  const tags = tagsFromSpecifications('CreateSnapshot', 'snapshot', input.TagSpecifications);
  const snapshot: Snapshot = {
    snapshotId: nextId(state, 'snap'),
    volumeId: volume.volumeId,
    description: input.Description ?? '',
    startTime: new Date().toISOString(),
    // The world completes snapshots at once; the answer to CreateSnapshot says `pending` like AWS.
    state: 'completed',
    volumeSize: volume.size,
    encrypted: volume.encrypted,
    tags,
  };
  state.snapshots.push(snapshot);
  return { ...describeSnapshot(state, snapshot), State: 'pending', Progress: '' };
}

function describeSnapshots(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeSnapshots',
    z.object({
      SnapshotIds: z.array(z.string()).optional(),
      OwnerIds: z.array(z.string()).optional(),
      RestorableByUserIds: z.array(z.string()).optional(),
      Filters: FiltersSchema,
      MaxResults: z.number().int().min(5).max(1000).optional(),
      NextToken: z.string().optional(),
    }),
    params,
  );
  if (input.RestorableByUserIds !== undefined && input.RestorableByUserIds.length > 0) {
    throw new UnsupportedWorldCallError('ec2', 'DescribeSnapshots(RestorableByUserIds)');
  }
  let selected = state.snapshots;
  const ids = input.SnapshotIds ?? [];
  if (ids.length > 0) {
    selected = ids.map((id) => {
      const snapshot = state.snapshots.find((s) => s.snapshotId === id);
      if (snapshot === undefined)
        throw new WorldApiError('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
      return snapshot;
    });
  }
  const owners = input.OwnerIds ?? [];
  if (owners.length > 0 && !owners.some((o) => o === 'self' || o === state.accountId)) selected = [];
  const filtered = applyFilters(
    selected,
    input.Filters,
    (snapshot, name) => {
      switch (name) {
        case 'snapshot-id':
          return [snapshot.snapshotId];
        case 'volume-id':
          return [snapshot.volumeId];
        case 'status':
          return [snapshot.state];
        case 'owner-id':
          return [state.accountId];
        case 'description':
          return [snapshot.description];
        case 'encrypted':
          return [String(snapshot.encrypted)];
        default:
          return undefined;
      }
    },
    (snapshot) => snapshot.tags,
  );
  const [page, next] = paginate(filtered, input.NextToken, input.MaxResults);
  return {
    Snapshots: page.map((snapshot) => describeSnapshot(state, snapshot)),
    ...(next === undefined ? {} : { NextToken: next }),
  };
}

function taggable(state: Ec2World, id: string): { tags: Record<string, string> } {
  const found = (() => {
    if (id.startsWith('i-')) return findInstance(state, id);
    if (id.startsWith('eni-')) return findNetworkInterface(state, id);
    if (id.startsWith('sg-')) return findGroup(state, id);
    if (id.startsWith('vol-')) return findVolume(state, id);
    if (id.startsWith('eipalloc-')) return findAddressByAllocation(state, id);
    if (id.startsWith('snap-')) {
      const snapshot = state.snapshots.find((s) => s.snapshotId === id);
      if (snapshot === undefined)
        throw new WorldApiError('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
      return snapshot;
    }
    throw new WorldApiError('InvalidID', `The ID '${id}' is not valid`);
  })();
  return found;
}

function createTags(state: Ec2World, params: Params): Output {
  const input = parse(
    'CreateTags',
    z.object({
      Resources: z.array(z.string()).min(1),
      Tags: z.array(z.object({ Key: z.string(), Value: z.string().default('') })),
    }),
    params,
  );
  // Validate every resource first: AWS applies all or nothing.
  const resources = input.Resources.map((id) => taggable(state, id));
  for (const resource of resources) {
    for (const tag of input.Tags) resource.tags[tag.Key] = tag.Value;
  }
  return {};
}

function deleteTags(state: Ec2World, params: Params): Output {
  const input = parse(
    'DeleteTags',
    z.object({
      Resources: z.array(z.string()).min(1),
      Tags: z.array(z.object({ Key: z.string(), Value: z.string().optional() })).optional(),
    }),
    params,
  );
  const resources = input.Resources.map((id) => taggable(state, id));
  for (const resource of resources) {
    if (input.Tags === undefined) {
      for (const key of Object.keys(resource.tags)) delete resource.tags[key];
      continue;
    }
    for (const tag of input.Tags) {
      if (tag.Value === undefined || resource.tags[tag.Key] === tag.Value) delete resource.tags[tag.Key];
    }
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Auto Scaling

function describeAutoScalingInstances(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeAutoScalingInstances',
    z.object({
      InstanceIds: z.array(z.string()).max(50).optional(),
      MaxRecords: z.number().int().min(1).max(50).optional(),
      NextToken: z.string().optional(),
    }),
    params,
  );
  const members = state.autoScalingGroups.flatMap((group) =>
    group.instances.map((member) => ({ group, member })),
  );
  const wanted = input.InstanceIds ?? [];
  const selected =
    wanted.length === 0 ? members : members.filter(({ member }) => wanted.includes(member.instanceId));
  const [page, next] = paginate(selected, input.NextToken, input.MaxRecords);
  return {
    AutoScalingInstances: page.map(({ group, member }) => {
      const instance = state.instances.find((i) => i.instanceId === member.instanceId);
      return {
        InstanceId: member.instanceId,
        ...(instance === undefined ? {} : { InstanceType: instance.instanceType }),
        AutoScalingGroupName: group.name,
        AvailabilityZone: instance === undefined ? `${state.region}a` : zoneOf(state, instance),
        LifecycleState: member.lifecycleState,
        HealthStatus: member.healthStatus.toUpperCase(),
        ProtectedFromScaleIn: member.protectedFromScaleIn,
      };
    }),
    ...(next === undefined ? {} : { NextToken: next }),
  };
}

function describeAutoScalingGroups(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeAutoScalingGroups',
    z.object({
      AutoScalingGroupNames: z.array(z.string()).optional(),
      Filters: z.array(z.unknown()).optional(),
      MaxRecords: z.number().int().min(1).max(100).optional(),
      NextToken: z.string().optional(),
    }),
    params,
  );
  if (input.Filters !== undefined && input.Filters.length > 0) {
    throw new UnsupportedWorldCallError('autoScaling', 'DescribeAutoScalingGroups(Filters)');
  }
  const names = input.AutoScalingGroupNames ?? [];
  const selected =
    names.length === 0
      ? state.autoScalingGroups
      : state.autoScalingGroups.filter((g) => names.includes(g.name));
  const [page, next] = paginate(selected, input.NextToken, input.MaxRecords);
  return {
    AutoScalingGroups: page.map((group) => ({
      AutoScalingGroupName: group.name,
      AutoScalingGroupARN: `arn:aws:autoscaling:${state.region}:${state.accountId}:autoScalingGroup:${digest(group.name, 8)}-0000-4000-8000-000000000000:autoScalingGroupName/${group.name}`,
      MinSize: group.minSize,
      MaxSize: group.maxSize,
      DesiredCapacity: group.desiredCapacity,
      DefaultCooldown: 300,
      AvailabilityZones: group.availabilityZones,
      LoadBalancerNames: [],
      TargetGroupARNs: group.targetGroupArns,
      HealthCheckType: group.healthCheckType,
      HealthCheckGracePeriod: 300,
      Instances: group.instances.map((member) => {
        const instance = state.instances.find((i) => i.instanceId === member.instanceId);
        return {
          InstanceId: member.instanceId,
          ...(instance === undefined ? {} : { InstanceType: instance.instanceType }),
          AvailabilityZone: instance === undefined ? `${state.region}a` : zoneOf(state, instance),
          LifecycleState: member.lifecycleState,
          HealthStatus: member.healthStatus,
          ProtectedFromScaleIn: member.protectedFromScaleIn,
        };
      }),
      CreatedTime: new Date('2025-01-01T00:00:00.000Z'),
      SuspendedProcesses: [],
      EnabledMetrics: [],
      Tags: Object.entries(group.tags).map(([Key, Value]) => ({
        ResourceId: group.name,
        ResourceType: 'auto-scaling-group',
        Key,
        Value,
        PropagateAtLaunch: true,
      })),
      TerminationPolicies: ['Default'],
      NewInstancesProtectedFromScaleIn: false,
    })),
    ...(next === undefined ? {} : { NextToken: next }),
  };
}

const AsgMembershipSchema = z.object({
  AutoScalingGroupName: z.string(),
  InstanceIds: z.array(z.string()).min(1),
  ShouldDecrementDesiredCapacity: z.boolean().optional(),
});

function membersOf(group: AutoScalingGroup, instanceIds: readonly string[]): AutoScalingGroup['instances'] {
  return instanceIds.map((id) => {
    const member = group.instances.find((m) => m.instanceId === id);
    if (member === undefined) {
      throw new WorldApiError(
        'ValidationError',
        `The instance ${id} is not part of Auto Scaling group ${group.name}.`,
      );
    }
    return member;
  });
}

function checkCapacity(group: AutoScalingGroup, desired: number): void {
  if (desired < group.minSize) {
    throw new WorldApiError(
      'ValidationError',
      `AutoScalingGroup ${group.name} has min-size=${group.minSize}, max-size=${group.maxSize}, and desired-size=${group.desiredCapacity}. Decrementing the desired capacity would go below the min-size.`,
    );
  }
  if (desired > group.maxSize) {
    throw new WorldApiError(
      'ValidationError',
      `AutoScalingGroup ${group.name} has min-size=${group.minSize}, max-size=${group.maxSize}, and desired-size=${group.desiredCapacity}. Incrementing the desired capacity would go above the max-size.`,
    );
  }
}

/** What the group does to its target groups when an instance leaves or (re)joins it. */
function syncGroupTargets(
  state: Ec2World,
  group: AutoScalingGroup,
  instanceId: string,
  registered: boolean,
): void {
  for (const arn of group.targetGroupArns) {
    const targetGroup = state.targetGroups.find((t) => t.targetGroupArn === arn);
    if (targetGroup === undefined || targetGroup.targetType !== 'instance') continue;
    if (registered) {
      if (!targetGroup.targets.some((t) => t.id === instanceId && t.port === targetGroup.port)) {
        targetGroup.targets.push({ id: instanceId, port: targetGroup.port, state: 'initial' });
      }
    } else {
      targetGroup.targets = targetGroup.targets.filter((t) => t.id !== instanceId);
    }
  }
}

function activities(
  state: Ec2World,
  group: AutoScalingGroup,
  ids: readonly string[],
  verb: string,
  cause: string,
): Output {
  return {
    Activities: ids.map((id) => ({
      ActivityId: nextActivityId(state),
      AutoScalingGroupName: group.name,
      Description: `${verb}: ${id}`,
      Cause: `At ${new Date().toISOString()} ${cause}`,
      StartTime: new Date(),
      StatusCode: 'InProgress',
      Progress: 50,
      Details: JSON.stringify({ 'Availability Zone': group.availabilityZones[0] ?? `${state.region}a` }),
    })),
  };
}

function enterStandby(state: Ec2World, params: Params): Output {
  const input = parse('EnterStandby', AsgMembershipSchema, params);
  if (input.ShouldDecrementDesiredCapacity === undefined) {
    throw new WorldApiError('ValidationError', 'ShouldDecrementDesiredCapacity is required');
  }
  const group = findAutoScalingGroup(state, input.AutoScalingGroupName);
  const members = membersOf(group, input.InstanceIds);
  for (const member of members) {
    if (member.lifecycleState !== 'InService') {
      throw new WorldApiError('ValidationError', `The instance ${member.instanceId} is not in InService.`);
    }
  }
  const desired = group.desiredCapacity - (input.ShouldDecrementDesiredCapacity ? members.length : 0);
  checkCapacity(group, desired);
  group.desiredCapacity = desired;
  for (const member of members) {
    // AWS passes through EnteringStandby within seconds; the world lands in Standby at once.
    member.lifecycleState = 'Standby';
    syncGroupTargets(state, group, member.instanceId, false);
  }
  return activities(
    state,
    group,
    input.InstanceIds,
    'Moving EC2 instance to Standby',
    'an instance was moved to standby in response to a user request.',
  );
}

function exitStandby(state: Ec2World, params: Params): Output {
  const input = parse(
    'ExitStandby',
    AsgMembershipSchema.omit({ ShouldDecrementDesiredCapacity: true }),
    params,
  );
  const group = findAutoScalingGroup(state, input.AutoScalingGroupName);
  const members = membersOf(group, input.InstanceIds);
  for (const member of members) {
    if (member.lifecycleState !== 'Standby') {
      throw new WorldApiError('ValidationError', `The instance ${member.instanceId} is not in Standby.`);
    }
  }
  const desired = group.desiredCapacity + members.length;
  checkCapacity(group, desired);
  group.desiredCapacity = desired;
  for (const member of members) {
    member.lifecycleState = 'InService';
    syncGroupTargets(state, group, member.instanceId, true);
  }
  return activities(
    state,
    group,
    input.InstanceIds,
    'Moving EC2 instance out of Standby',
    'an instance was moved out of standby in response to a user request.',
  );
}

function detachInstances(state: Ec2World, params: Params): Output {
  const input = parse('DetachInstances', AsgMembershipSchema, params);
  if (input.ShouldDecrementDesiredCapacity === undefined) {
    throw new WorldApiError('ValidationError', 'ShouldDecrementDesiredCapacity is required');
  }
  const group = findAutoScalingGroup(state, input.AutoScalingGroupName);
  const members = membersOf(group, input.InstanceIds);
  for (const member of members) {
    if (member.lifecycleState !== 'InService' && member.lifecycleState !== 'Standby') {
      throw new WorldApiError(
        'ValidationError',
        `The instance ${member.instanceId} is not in InService or Standby.`,
      );
    }
  }
  const desired = group.desiredCapacity - (input.ShouldDecrementDesiredCapacity ? members.length : 0);
  checkCapacity(group, desired);
  group.desiredCapacity = desired;
  group.instances = group.instances.filter((m) => !input.InstanceIds.includes(m.instanceId));
  for (const id of input.InstanceIds) syncGroupTargets(state, group, id, false);
  // Without the decrement AWS launches a replacement; the world does not model launches.
  return activities(
    state,
    group,
    input.InstanceIds,
    'Detaching EC2 instance',
    'an instance was detached in response to a user request.',
  );
}

function attachInstances(state: Ec2World, params: Params): Output {
  const input = parse(
    'AttachInstances',
    AsgMembershipSchema.omit({ ShouldDecrementDesiredCapacity: true }),
    params,
  );
  const group = findAutoScalingGroup(state, input.AutoScalingGroupName);
  const instances = findInstances(state, input.InstanceIds);
  for (const instance of instances) {
    if (instance.state !== 'running') {
      throw new WorldApiError('ValidationError', `Instance ${instance.instanceId} is not in correct state.`);
    }
    if (state.autoScalingGroups.some((g) => g.instances.some((m) => m.instanceId === instance.instanceId))) {
      throw new WorldApiError(
        'ValidationError',
        `The instance ${instance.instanceId} is already part of an Auto Scaling group.`,
      );
    }
  }
  const desired = group.desiredCapacity + instances.length;
  checkCapacity(group, desired);
  group.desiredCapacity = desired;
  for (const instance of instances) {
    group.instances.push({
      instanceId: instance.instanceId,
      lifecycleState: 'InService',
      healthStatus: 'Healthy',
      protectedFromScaleIn: false,
    });
    syncGroupTargets(state, group, instance.instanceId, true);
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// ELBv2

function describeTargetGroup(group: TargetGroup): Output {
  const name = group.targetGroupArn.split('/')[1] ?? '';
  return {
    TargetGroupArn: group.targetGroupArn,
    TargetGroupName: name,
    Protocol: group.protocol,
    Port: group.port,
    VpcId: group.vpcId,
    HealthCheckProtocol: group.protocol,
    HealthCheckPort: 'traffic-port',
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: 5,
    HealthyThresholdCount: 5,
    UnhealthyThresholdCount: 2,
    HealthCheckPath: group.healthCheckPath,
    Matcher: { HttpCode: '200' },
    LoadBalancerArns: group.loadBalancerArns,
    TargetType: group.targetType,
    ProtocolVersion: 'HTTP1',
    IpAddressType: 'ipv4',
  };
}

function describeTargetGroups(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeTargetGroups',
    z.object({
      TargetGroupArns: z.array(z.string()).optional(),
      Names: z.array(z.string()).optional(),
      LoadBalancerArn: z.string().optional(),
      Marker: z.string().optional(),
      PageSize: z.number().int().min(1).max(400).optional(),
    }),
    params,
  );
  let selected = state.targetGroups;
  if (input.TargetGroupArns !== undefined && input.TargetGroupArns.length > 0) {
    selected = input.TargetGroupArns.map((arn) => findTargetGroup(state, arn));
  }
  if (input.Names !== undefined && input.Names.length > 0) {
    selected = input.Names.map((name) => {
      const group = selected.find((g) => g.targetGroupArn.split('/')[1] === name);
      if (group === undefined)
        throw new WorldApiError('TargetGroupNotFound', 'One or more target groups not found');
      return group;
    });
  }
  if (input.LoadBalancerArn !== undefined) {
    const lb = input.LoadBalancerArn;
    selected = selected.filter((g) => g.loadBalancerArns.includes(lb));
  }
  const [page, next] = paginate(selected, input.Marker, input.PageSize);
  return { TargetGroups: page.map(describeTargetGroup), ...(next === undefined ? {} : { NextMarker: next }) };
}

const TargetsSchema = z.array(
  z.object({ Id: z.string(), Port: z.number().int().optional(), AvailabilityZone: z.string().optional() }),
);

const TARGET_REASONS: Partial<Record<(typeof TARGET_STATES)[number], string>> = {
  initial: 'Elb.RegistrationInProgress',
  unhealthy: 'Target.FailedHealthChecks',
  draining: 'Target.DeregistrationInProgress',
  unused: 'Target.NotInUse',
};

function describeTargetHealth(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeTargetHealth',
    z.object({ TargetGroupArn: z.string(), Targets: TargetsSchema.optional() }),
    params,
  );
  const group = findTargetGroup(state, input.TargetGroupArn);
  const describe = (target: {
    id: string;
    port: number;
    availabilityZone?: string | undefined;
    state: string;
  }) => {
    const reason = TARGET_REASONS[target.state as (typeof TARGET_STATES)[number]];
    return {
      Target: {
        Id: target.id,
        Port: target.port,
        ...(target.availabilityZone === undefined ? {} : { AvailabilityZone: target.availabilityZone }),
      },
      HealthCheckPort: String(target.port),
      TargetHealth: { State: target.state, ...(reason === undefined ? {} : { Reason: reason }) },
    };
  };
  if (input.Targets === undefined || input.Targets.length === 0) {
    return { TargetHealthDescriptions: group.targets.map(describe) };
  }
  return {
    TargetHealthDescriptions: input.Targets.flatMap((wanted) => {
      const found = group.targets.filter(
        (t) => t.id === wanted.Id && (wanted.Port === undefined || t.port === wanted.Port),
      );
      if (found.length > 0) return found.map(describe);
      return [
        {
          Target: { Id: wanted.Id, Port: wanted.Port ?? group.port },
          HealthCheckPort: String(wanted.Port ?? group.port),
          TargetHealth: {
            State: 'unused',
            Reason: 'Target.NotRegistered',
            Description: 'Target is not registered to the target group',
          },
        },
      ];
    }),
  };
}

function checkTargets(
  state: Ec2World,
  group: TargetGroup,
  targets: z.infer<typeof TargetsSchema>,
  registering: boolean,
): void {
  if (group.targetType !== 'instance') return;
  const unknown = targets.filter((t) => !state.instances.some((i) => i.instanceId === t.Id));
  if (unknown.length > 0) {
    throw new WorldApiError(
      'InvalidTarget',
      `The following targets are not valid: ${unknown.map((t) => `'${t.Id}'`).join(', ')}`,
    );
  }
  if (!registering) return;
  const stopped = targets.filter(
    (t) => state.instances.find((i) => i.instanceId === t.Id)?.state !== 'running',
  );
  if (stopped.length > 0) {
    throw new WorldApiError(
      'InvalidTarget',
      `The following targets are not in a running state and cannot be registered: ${stopped.map((t) => `'${t.Id}'`).join(', ')}`,
    );
  }
}

function registerTargets(state: Ec2World, params: Params): Output {
  const input = parse(
    'RegisterTargets',
    z.object({ TargetGroupArn: z.string(), Targets: TargetsSchema.min(1) }),
    params,
  );
  const group = findTargetGroup(state, input.TargetGroupArn);
  checkTargets(state, group, input.Targets, true);
  for (const target of input.Targets) {
    const port = target.Port ?? group.port;
    if (group.targets.some((t) => t.id === target.Id && t.port === port)) continue;
    group.targets.push({
      id: target.Id,
      port,
      ...(target.AvailabilityZone === undefined ? {} : { availabilityZone: target.AvailabilityZone }),
      state: 'initial',
    });
  }
  return {};
}

function deregisterTargets(state: Ec2World, params: Params): Output {
  const input = parse(
    'DeregisterTargets',
    z.object({ TargetGroupArn: z.string(), Targets: TargetsSchema.min(1) }),
    params,
  );
  const group = findTargetGroup(state, input.TargetGroupArn);
  checkTargets(state, group, input.Targets, false);
  // Deregistration drains for the group's delay on AWS; the world removes the target at once.
  group.targets = group.targets.filter(
    (t) => !input.Targets.some((d) => d.Id === t.id && (d.Port ?? group.port) === t.port),
  );
  return {};
}

const HANDLERS: Record<'ec2' | 'autoScaling' | 'elbv2', ReadonlyMap<string, Handler>> = {
  ec2: new Map<string, Handler>([
    ['DescribeInstances', describeInstances],
    ['DescribeInstanceAttribute', describeInstanceAttribute],
    ['ModifyInstanceAttribute', modifyInstanceAttribute],
    ['DescribeNetworkInterfaces', describeNetworkInterfaces],
    ['ModifyNetworkInterfaceAttribute', modifyNetworkInterfaceAttribute],
    ['DescribeSecurityGroups', describeSecurityGroups],
    ['CreateSecurityGroup', createSecurityGroup],
    ['AuthorizeSecurityGroupIngress', authorize('ingress')],
    ['AuthorizeSecurityGroupEgress', authorize('egress')],
    ['RevokeSecurityGroupIngress', revoke('ingress')],
    ['RevokeSecurityGroupEgress', revoke('egress')],
    ['DescribeAddresses', describeAddresses],
    ['AssociateAddress', associateAddress],
    ['DisassociateAddress', disassociateAddress],
    ['DescribeIamInstanceProfileAssociations', describeIamInstanceProfileAssociations],
    ['AssociateIamInstanceProfile', associateIamInstanceProfile],
    ['DisassociateIamInstanceProfile', disassociateIamInstanceProfile],
    ['DescribeVolumes', describeVolumes],
    ['CreateSnapshot', createSnapshot],
    ['DescribeSnapshots', describeSnapshots],
    ['CreateTags', createTags],
    ['DeleteTags', deleteTags],
  ]),
  autoScaling: new Map<string, Handler>([
    ['DescribeAutoScalingInstances', describeAutoScalingInstances],
    ['DescribeAutoScalingGroups', describeAutoScalingGroups],
    ['EnterStandby', enterStandby],
    ['ExitStandby', exitStandby],
    ['DetachInstances', detachInstances],
    ['AttachInstances', attachInstances],
  ]),
  elbv2: new Map<string, Handler>([
    ['DescribeTargetGroups', describeTargetGroups],
    ['DescribeTargetHealth', describeTargetHealth],
    ['RegisterTargets', registerTargets],
    ['DeregisterTargets', deregisterTargets],
  ]),
};

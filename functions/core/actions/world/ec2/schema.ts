import { z } from 'zod';

/** The EC2, Auto Scaling and ELBv2 resources of a world file, one schema each. */

export const TagsSchema = z.record(z.string(), z.string()).default({});
export const INSTANCE_ID = /^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;

/**
 * One flattened security-group rule: a protocol, a port range and one peer (an IPv4 or IPv6
 * CIDR, another group or a managed prefix list), with its `sgr-` id (derived from the group and
 * the rule when the file gives none; a rule the world authorizes gets a new one).
 */
export const SecurityGroupRuleSchema = z
  .strictObject({
    ruleId: z
      .string()
      .regex(/^sgr-[0-9a-z]+$/)
      .optional(),
    /** `-1` (all), `tcp`, `udp`, `icmp`, `icmpv6` or a protocol number. */
    protocol: z.string().default('-1'),
    fromPort: z.number().int().optional(),
    toPort: z.number().int().optional(),
    cidr: z.string().optional(),
    cidrIpv6: z.string().optional(),
    sourceGroupId: z.string().optional(),
    prefixListId: z
      .string()
      .regex(/^pl-[0-9a-z]+$/)
      .optional(),
    description: z.string().optional(),
  })
  .refine(
    (r) => [r.cidr, r.cidrIpv6, r.sourceGroupId, r.prefixListId].filter((p) => p !== undefined).length === 1,
    { message: 'a rule has exactly one of cidr, cidrIpv6, sourceGroupId, prefixListId' },
  );

export const InstanceSchema = z.strictObject({
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
  /**
   * The instance metadata service options (`DescribeInstances` `MetadataOptions`). `state` is
   * `pending` right after `ModifyInstanceMetadataOptions` on a running instance and `applied`
   * once a read has seen it (AWS applies the change within seconds).
   */
  metadataOptions: z
    .strictObject({
      httpTokens: z.enum(['optional', 'required']).default('optional'),
      httpPutResponseHopLimit: z.number().int().min(1).max(64).default(1),
      httpEndpoint: z.enum(['enabled', 'disabled']).default('enabled'),
      httpProtocolIpv6: z.enum(['enabled', 'disabled']).default('disabled'),
      instanceMetadataTags: z.enum(['enabled', 'disabled']).default('disabled'),
      state: z.enum(['pending', 'applied']).default('applied'),
    })
    .prefault({}),
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

export const NetworkInterfaceSchema = z.strictObject({
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

export const SecurityGroupSchema = z.strictObject({
  groupId: z.string().regex(/^sg-[0-9a-z]+$/),
  groupName: z.string().min(1),
  description: z.string().default(''),
  vpcId: z.string(),
  tags: TagsSchema,
  ingress: z.array(SecurityGroupRuleSchema).default([]),
  egress: z.array(SecurityGroupRuleSchema).default([]),
});

export const AddressSchema = z
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

export const VolumeSchema = z.strictObject({
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

/**
 * One entry of a snapshot's `createVolumePermission` or an image's `launchPermission`: the
 * group `all` (public: every AWS account) or one account.
 */
export const SharePermissionSchema = z
  .strictObject({
    group: z.literal('all').optional(),
    userId: z
      .string()
      .regex(/^\d{12}$/)
      .optional(),
  })
  .refine((p) => (p.group === undefined) !== (p.userId === undefined), {
    message: 'a permission names either group all or one userId',
  });

export const SnapshotSchema = z.strictObject({
  snapshotId: z.string().regex(/^snap-[0-9a-z]+$/),
  volumeId: z.string(),
  description: z.string().default(''),
  startTime: z.iso.datetime(),
  state: z.enum(['pending', 'completed', 'error']).default('completed'),
  volumeSize: z.number().int().positive().default(8),
  encrypted: z.boolean().default(false),
  tags: TagsSchema,
  /** Who may create volumes from it: `{ group: 'all' }` makes it public. */
  createVolumePermissions: z.array(SharePermissionSchema).default([]),
});

/** An AMI the account owns, with who may launch it. */
export const ImageSchema = z.strictObject({
  imageId: z.string().regex(/^ami-[0-9a-z]+$/),
  name: z.string().min(1),
  description: z.string().default(''),
  state: z.enum(['pending', 'available', 'failed', 'disabled']).default('available'),
  creationDate: z.iso.datetime().default('2025-01-01T00:00:00.000Z'),
  tags: TagsSchema,
  /** Who may launch it: `{ group: 'all' }` makes it public. */
  launchPermissions: z.array(SharePermissionSchema).default([]),
});

export const LIFECYCLE_STATES = [
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

export const AutoScalingGroupSchema = z.strictObject({
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

export const TARGET_STATES = [
  'initial',
  'healthy',
  'unhealthy',
  'unused',
  'draining',
  'unavailable',
] as const;

export const TargetGroupSchema = z
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

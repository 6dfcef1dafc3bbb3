import {
  AttachInstancesCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DetachInstancesCommand,
  EnterStandbyCommand,
  ExitStandbyCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  AssociateAddressCommand,
  AssociateIamInstanceProfileCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  DescribeAddressesCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  DisassociateAddressCommand,
  DisassociateIamInstanceProfileCommand,
  type Instance as Ec2Instance,
  type IpPermission,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
  type Snapshot,
  type Tag,
} from '@aws-sdk/client-ec2';
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetInstanceProfileCommand } from '@aws-sdk/client-iam';
import { z } from 'zod';
import { InvalidInputError } from '../errors.ts';
import {
  AwsAccessDeniedError,
  hasErrorCode,
  type ItemFailure,
  isTransientAwsError,
  NothingToReleaseError,
  partialFailure,
  ResourceNotFoundError,
} from './errors.ts';
import {
  captureRoleSessions,
  indirectRoleRefusal,
  REVOKE_SESSIONS_POLICY_NAME,
  type RoleCaptureDetails,
  restoreRoleSessions,
  revokeRoleSessions,
} from './iam.ts';
import { autoScalingService } from './services/auto-scaling.ts';
import { ec2Service } from './services/ec2.ts';
import { elbv2Service } from './services/elbv2.ts';
import { iamService } from './services/iam.ts';
import { tagValueOf } from './tags.ts';
import { type ActionEnv, defineAction } from './types.ts';
import { VerificationSchema } from './verify/check.ts';
import { verifyIsolation, verifyRelease } from './verify/ec2.ts';

/**
 * EC2 actions: enrich an instance, isolate it, release it. The isolation follows "Isolating an
 * EC2 instance" in CONTAINMENT.md step by step: capture first (the evidence and what release
 * restores), the safety rails, evidence preservation, leave the Auto Scaling group and the
 * target groups, the two-step security-group swap on every ENI, Elastic IPs, credentials,
 * snapshots, tags. Every step first looks at the current state and only changes what is not
 * already as wanted, so a second run on an isolated instance sends no state-changing call.
 */

/** The tags isolation and release put on the instance. */
export const STATUS_TAG = 'riposte:status';
export const INCIDENT_TAG = 'riposte:incident';
/** Names of the per-VPC security groups, created on demand and reused. */
export const UNTRACK_GROUP_PREFIX = 'riposte-untrack-';
export const ISOLATION_GROUP_PREFIX = 'riposte-isolation-';

/**
 * The key the pre-containment state of an instance is saved under.
 *
 * @example
 * await env.state.load(instanceStateKey('i-0a1b2c3d4e5f60718')); // saved by isolate-instance
 */
export const instanceStateKey = (instanceId: string): string => `ec2:${instanceId}`;

const SHARED_ROLE_WARNING =
  'revoking the role sessions denies every session of the role issued before revokedBefore: other instances ' +
  'or services sharing the role lose their current credentials until they fetch new ones';

// ---------------------------------------------------------------------------------------------
// Captured state

const InstanceIdSchema = z.string().regex(/^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/, 'an EC2 instance id (i-…)');

const GroupRefSchema = z.object({ groupId: z.string(), groupName: z.string() });

const NetworkInterfaceStateSchema = z.object({
  networkInterfaceId: z.string(),
  deviceIndex: z.number().int(),
  vpcId: z.string(),
  subnetId: z.string().nullable(),
  privateIpAddresses: z.array(z.string()),
  publicIps: z.array(z.string()),
  ipv6Addresses: z.array(z.string()),
  groups: z.array(GroupRefSchema),
});

const ElasticIpStateSchema = z.object({
  allocationId: z.string(),
  associationId: z.string(),
  publicIp: z.string(),
  networkInterfaceId: z.string(),
  privateIpAddress: z.string().nullable(),
});

const InstanceProfileStateSchema = z.object({
  associationId: z.string(),
  arn: z.string(),
  name: z.string(),
  roleName: z.string().nullable(),
  roleArn: z.string().nullable(),
});

const AutoScalingStateSchema = z.object({
  groupName: z.string(),
  lifecycleState: z.string(),
  minSize: z.number().int().nullable(),
  maxSize: z.number().int().nullable(),
  desiredCapacity: z.number().int().nullable(),
});

const TargetSchema = z.object({
  id: z.string(),
  port: z.number().int().nullable(),
  availabilityZone: z.string().nullable(),
});
type Target = z.infer<typeof TargetSchema>;

const TargetGroupMembershipSchema = z.object({
  targetGroupArn: z.string(),
  targetType: z.string(),
  targets: z.array(TargetSchema),
});

const VolumeStateSchema = z.object({
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
const SavedIsolationSchema = InstanceCaptureSchema.extend({
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
type SavedIsolation = z.infer<typeof SavedIsolationSchema>;

// ---------------------------------------------------------------------------------------------
// Helpers

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Records a failed item (transient or not, see {@link isTransientAwsError}) and returns its
 * message; a permission problem is not per item and stops the action.
 */
function collect(failures: ItemFailure[], target: string, error: unknown): string {
  if (error instanceof AwsAccessDeniedError) throw error;
  const message = describeError(error);
  failures.push({ target, error: message, transient: isTransientAwsError(error) });
  return message;
}

function iso(value: Date | string | undefined): string | null {
  if (value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function tagRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  return Object.fromEntries(
    (tags ?? []).flatMap((t) => (t.Key === undefined ? [] : [[t.Key, t.Value ?? '']])),
  );
}

/** The first tag among `keys` (in priority order, any case). */
function sameTarget(a: Target, b: Target): boolean {
  return a.id === b.id && (a.port ?? null) === (b.port ?? null);
}

function targetDescription(target: Target): { Id: string; Port?: number; AvailabilityZone?: string } {
  return {
    Id: target.id,
    ...(target.port === null ? {} : { Port: target.port }),
    ...(target.availabilityZone === null ? {} : { AvailabilityZone: target.availabilityZone }),
  };
}

function sameGroupSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}

function parseSaved(key: string, saved: Record<string, unknown>): SavedIsolation {
  const parsed = SavedIsolationSchema.safeParse(saved);
  if (!parsed.success) {
    throw new InvalidInputError(`the state saved for ${key} is not readable: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** The output, or the error of the failed items ({@link partialFailure}: retried when all were transient). */
function finish<T>(failures: readonly ItemFailure[], what: string, output: T): T {
  if (failures.length > 0) throw partialFailure(what, failures);
  return output;
}

// ---------------------------------------------------------------------------------------------
// Capture (reads only)

/**
 * Reads everything about an instance, in this order: `DescribeInstances`,
 * `DescribeInstanceAttribute` (disableApiTermination, instanceInitiatedShutdownBehavior),
 * `DescribeVolumes`, `DescribeAddresses` (by ENI), `DescribeIamInstanceProfileAssociations`,
 * IAM `GetInstanceProfile`, `DescribeAutoScalingInstances` (+ `DescribeAutoScalingGroups`),
 * `DescribeTargetGroups` (every page) and `DescribeTargetHealth` for each target group of the
 * instance's VPCs. A missing or terminated instance is a {@link ResourceNotFoundError}.
 *
 * @example
 * const capture = await captureInstance(env, 'i-0a1b2c3d4e5f60718');
 * capture.networkInterfaces.map((eni) => eni.groups);
 */
export async function captureInstance(env: ActionEnv, instanceId: string): Promise<InstanceCapture> {
  const { ec2, iam, autoScaling, elbv2 } = env.clients;
  let instance: Ec2Instance | undefined;
  let owner: string | null = null;
  try {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    for (const reservation of out.Reservations ?? []) {
      const found = reservation.Instances?.find((i) => i.InstanceId === instanceId);
      if (found !== undefined) {
        instance = found;
        owner = reservation.OwnerId ?? null;
      }
    }
  } catch (error) {
    if (hasErrorCode(error, 'InvalidInstanceID.NotFound')) {
      throw new ResourceNotFoundError(`EC2 instance ${instanceId} does not exist`, { cause: error });
    }
    throw error;
  }
  if (instance === undefined) throw new ResourceNotFoundError(`EC2 instance ${instanceId} does not exist`);
  if (instance.State?.Name === 'terminated') {
    throw new ResourceNotFoundError(`EC2 instance ${instanceId} is terminated`);
  }

  const termination = await ec2.send(
    new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' }),
  );
  const shutdown = await ec2.send(
    new DescribeInstanceAttributeCommand({
      InstanceId: instanceId,
      Attribute: 'instanceInitiatedShutdownBehavior',
    }),
  );

  const devices = (instance.BlockDeviceMappings ?? []).flatMap((m) =>
    m.Ebs?.VolumeId === undefined
      ? []
      : [
          {
            volumeId: m.Ebs.VolumeId,
            deviceName: m.DeviceName ?? '',
            deleteOnTermination: m.Ebs.DeleteOnTermination === true,
          },
        ],
  );
  const volumeDetails =
    devices.length === 0
      ? []
      : ((await ec2.send(new DescribeVolumesCommand({ VolumeIds: devices.map((d) => d.volumeId) })))
          .Volumes ?? []);

  const networkInterfaces = (instance.NetworkInterfaces ?? [])
    .flatMap((eni) =>
      eni.NetworkInterfaceId === undefined
        ? []
        : [
            {
              networkInterfaceId: eni.NetworkInterfaceId,
              deviceIndex: eni.Attachment?.DeviceIndex ?? 0,
              vpcId: eni.VpcId ?? instance.VpcId ?? '',
              subnetId: eni.SubnetId ?? null,
              privateIpAddresses: (eni.PrivateIpAddresses ?? []).flatMap((p) =>
                p.PrivateIpAddress === undefined ? [] : [p.PrivateIpAddress],
              ),
              publicIps: (eni.PrivateIpAddresses ?? []).flatMap((p) =>
                p.Association?.PublicIp === undefined ? [] : [p.Association.PublicIp],
              ),
              ipv6Addresses: (eni.Ipv6Addresses ?? []).flatMap((a) =>
                a.Ipv6Address === undefined ? [] : [a.Ipv6Address],
              ),
              groups: (eni.Groups ?? []).map((g) => ({
                groupId: g.GroupId ?? '',
                groupName: g.GroupName ?? '',
              })),
            },
          ],
    )
    .sort((a, b) => a.deviceIndex - b.deviceIndex);

  const addresses =
    networkInterfaces.length === 0
      ? []
      : ((
          await ec2.send(
            new DescribeAddressesCommand({
              Filters: [
                { Name: 'network-interface-id', Values: networkInterfaces.map((e) => e.networkInterfaceId) },
              ],
            }),
          )
        ).Addresses ?? []);

  const associations =
    (
      await ec2.send(
        new DescribeIamInstanceProfileAssociationsCommand({
          Filters: [{ Name: 'instance-id', Values: [instanceId] }],
        }),
      )
    ).IamInstanceProfileAssociations ?? [];
  const association = associations.find((a) => a.State === 'associated' || a.State === 'associating');
  let instanceProfile: InstanceCapture['instanceProfile'] = null;
  if (association?.AssociationId !== undefined && association.IamInstanceProfile?.Arn !== undefined) {
    const arn = association.IamInstanceProfile.Arn;
    const name = arn.slice(arn.lastIndexOf('/') + 1);
    let roleName: string | null = null;
    let roleArn: string | null = null;
    try {
      const profile = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }));
      const role = profile.InstanceProfile?.Roles?.[0];
      roleName = role?.RoleName ?? null;
      roleArn = role?.Arn ?? null;
    } catch (error) {
      if (!hasErrorCode(error, 'NoSuchEntity')) throw error;
    }
    instanceProfile = { associationId: association.AssociationId, arn, name, roleName, roleArn };
  }

  const member = (
    await autoScaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }))
  ).AutoScalingInstances?.find((i) => i.InstanceId === instanceId);
  let autoScalingGroup: InstanceCapture['autoScalingGroup'] = null;
  if (member?.AutoScalingGroupName !== undefined) {
    const group = (
      await autoScaling.send(
        new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [member.AutoScalingGroupName] }),
      )
    ).AutoScalingGroups?.[0];
    autoScalingGroup = {
      groupName: member.AutoScalingGroupName,
      lifecycleState: member.LifecycleState ?? 'Unknown',
      minSize: group?.MinSize ?? null,
      maxSize: group?.MaxSize ?? null,
      desiredCapacity: group?.DesiredCapacity ?? null,
    };
  }

  const targetGroups = await captureTargetGroups(elbv2, instanceId, networkInterfaces);

  const region = env.execution.region ?? (await ec2.config.region());
  return {
    instanceId,
    capturedAt: new Date(env.now()).toISOString(),
    account: owner,
    region,
    instanceType: instance.InstanceType ?? null,
    imageId: instance.ImageId ?? null,
    state: instance.State?.Name ?? null,
    launchTime: iso(instance.LaunchTime),
    vpcId: instance.VpcId ?? null,
    subnetId: instance.SubnetId ?? null,
    availabilityZone: instance.Placement?.AvailabilityZone ?? null,
    privateIpAddress: instance.PrivateIpAddress ?? null,
    publicIpAddress: instance.PublicIpAddress ?? null,
    tags: tagRecord(instance.Tags),
    disableApiTermination: termination.DisableApiTermination?.Value === true,
    shutdownBehavior: shutdown.InstanceInitiatedShutdownBehavior?.Value ?? 'stop',
    networkInterfaces,
    elasticIps: addresses.flatMap((a) =>
      a.AllocationId === undefined || a.AssociationId === undefined || a.NetworkInterfaceId === undefined
        ? []
        : [
            {
              allocationId: a.AllocationId,
              associationId: a.AssociationId,
              publicIp: a.PublicIp ?? '',
              networkInterfaceId: a.NetworkInterfaceId,
              privateIpAddress: a.PrivateIpAddress ?? null,
            },
          ],
    ),
    instanceProfile,
    autoScalingGroup,
    targetGroups,
    volumes: devices.map((device) => {
      const detail = volumeDetails.find((v) => v.VolumeId === device.volumeId);
      return {
        ...device,
        sizeGiB: detail?.Size ?? null,
        volumeType: detail?.VolumeType ?? null,
        encrypted: detail?.Encrypted ?? null,
      };
    }),
  };
}

/** Target groups (instance or ip type, in the instance's VPCs) where the instance is registered. */
async function captureTargetGroups(
  elbv2: ActionEnv['clients']['elbv2'],
  instanceId: string,
  networkInterfaces: readonly z.infer<typeof NetworkInterfaceStateSchema>[],
): Promise<InstanceCapture['targetGroups']> {
  const vpcs = new Set(networkInterfaces.map((e) => e.vpcId));
  const ips = new Set(networkInterfaces.flatMap((e) => [...e.privateIpAddresses, ...e.ipv6Addresses]));
  const groups: TargetGroup[] = [];
  let marker: string | undefined;
  do {
    const out = await elbv2.send(
      new DescribeTargetGroupsCommand(marker === undefined ? {} : { Marker: marker }),
    );
    groups.push(...(out.TargetGroups ?? []));
    marker = out.NextMarker;
  } while (marker !== undefined);
  const memberships: InstanceCapture['targetGroups'] = [];
  for (const group of groups) {
    const type = group.TargetType ?? 'instance';
    if (group.TargetGroupArn === undefined || (type !== 'instance' && type !== 'ip')) continue;
    if (group.VpcId !== undefined && !vpcs.has(group.VpcId)) continue;
    const health = await elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }),
    );
    const targets = (health.TargetHealthDescriptions ?? []).flatMap((d) => {
      const id = d.Target?.Id;
      if (id === undefined) return [];
      if (type === 'instance' ? id !== instanceId : !ips.has(id)) return [];
      // Draining targets are being deregistered; `unused` + NotRegistered means not registered.
      const state = d.TargetHealth?.State;
      if (state === 'draining' || (state === 'unused' && d.TargetHealth?.Reason === 'Target.NotRegistered'))
        return [];
      return [{ id, port: d.Target?.Port ?? null, availabilityZone: d.Target?.AvailabilityZone ?? null }];
    });
    if (targets.length > 0)
      memberships.push({ targetGroupArn: group.TargetGroupArn, targetType: type, targets });
  }
  return memberships;
}

// ---------------------------------------------------------------------------------------------
// enrich-instance

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

// ---------------------------------------------------------------------------------------------
// isolate-instance

export const IsolateInstanceInputSchema = z.object({
  instanceId: InstanceIdSchema,
  /**
   * Revoke the instance role's sessions issued before now (CONTAINMENT.md step 6). Every
   * instance or service sharing the role is affected: a per-incident decision. @default true
   */
  revokeRoleSessions: z.boolean().default(true),
});

const StepError = z.string().nullable();

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

interface GroupPair {
  readonly untrackGroupId: string;
  readonly isolationGroupId: string;
  readonly changes: string[];
}

const ALL_IPV4: IpPermission = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
const ALL_IPV6: IpPermission = { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] };

function allowsAll(permissions: readonly IpPermission[] | undefined, ipv6: boolean): boolean {
  const all = (permissions ?? []).filter((p) => p.IpProtocol === '-1');
  const v4 = all.some((p) => (p.IpRanges ?? []).some((r) => r.CidrIp === '0.0.0.0/0'));
  const v6 = all.some((p) => (p.Ipv6Ranges ?? []).some((r) => r.CidrIpv6 === '::/0'));
  return v4 && (!ipv6 || v6);
}

/** A security group's permissions as a revoke request takes them. */
function revocable(permissions: readonly IpPermission[]): IpPermission[] {
  return permissions.map((p) => ({
    IpProtocol: p.IpProtocol,
    ...(p.FromPort === undefined ? {} : { FromPort: p.FromPort }),
    ...(p.ToPort === undefined ? {} : { ToPort: p.ToPort }),
    ...((p.IpRanges ?? []).length === 0
      ? {}
      : { IpRanges: (p.IpRanges ?? []).map((r) => ({ CidrIp: r.CidrIp })) }),
    ...((p.Ipv6Ranges ?? []).length === 0
      ? {}
      : { Ipv6Ranges: (p.Ipv6Ranges ?? []).map((r) => ({ CidrIpv6: r.CidrIpv6 })) }),
    ...((p.UserIdGroupPairs ?? []).length === 0
      ? {}
      : { UserIdGroupPairs: (p.UserIdGroupPairs ?? []).map((g) => ({ GroupId: g.GroupId })) }),
    ...((p.PrefixListIds ?? []).length === 0
      ? {}
      : { PrefixListIds: (p.PrefixListIds ?? []).map((l) => ({ PrefixListId: l.PrefixListId })) }),
  }));
}

/**
 * Finds (by name and VPC) or creates the VPC's untrack and isolation groups, and makes sure the
 * untrack group allows all traffic in and out and the isolation group has no rule at all.
 * Calls: one `DescribeSecurityGroups`; then, for a missing group, `CreateSecurityGroup` and
 * `AuthorizeSecurityGroupIngress` (untrack: all from 0.0.0.0/0; a new group already allows all
 * outbound) or `RevokeSecurityGroupEgress` (isolation: the default allow-all egress rule).
 */
async function ensureGroupPair(env: ActionEnv, vpcId: string, ipv6: boolean): Promise<GroupPair> {
  const { ec2 } = env.clients;
  const untrackName = `${UNTRACK_GROUP_PREFIX}${vpcId}`;
  const isolationName = `${ISOLATION_GROUP_PREFIX}${vpcId}`;
  const found = async (): Promise<SecurityGroup[]> =>
    (
      await ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [vpcId] },
            { Name: 'group-name', Values: [untrackName, isolationName] },
          ],
        }),
      )
    ).SecurityGroups ?? [];
  const changes: string[] = [];
  let existing = await found();

  const create = async (
    name: string,
    purpose: 'untrack' | 'isolation',
    description: string,
  ): Promise<string | null> => {
    try {
      const out = await ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: name,
          Description: description,
          VpcId: vpcId,
          TagSpecifications: [
            {
              ResourceType: 'security-group',
              Tags: [
                { Key: 'Name', Value: name },
                { Key: 'riposte:managed', Value: 'true' },
                { Key: 'riposte:purpose', Value: purpose },
              ],
            },
          ],
        }),
      );
      changes.push(`created ${name}`);
      if (out.GroupId !== undefined) return out.GroupId;
      if (env.dryRun) return `dry-run:${name}`;
      throw new Error(`CreateSecurityGroup ${name} answered no GroupId`);
    } catch (error) {
      // Another execution created it meanwhile: use theirs.
      if (!hasErrorCode(error, 'InvalidGroup.Duplicate')) throw error;
      existing = await found();
      return null;
    }
  };

  let untrack = existing.find((g) => g.GroupName === untrackName);
  let untrackGroupId = untrack?.GroupId;
  if (untrackGroupId === undefined) {
    untrackGroupId =
      (await create(
        untrackName,
        'untrack',
        'Riposte isolation step 1: allows all traffic so that tracked connections become untracked',
      )) ?? undefined;
    untrack = existing.find((g) => g.GroupName === untrackName);
    if (untrackGroupId !== undefined) {
      // A new group allows all outbound already; open all inbound so every flow is untracked.
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: untrackGroupId, IpPermissions: [ALL_IPV4] }),
      );
      changes.push(`allowed all inbound from 0.0.0.0/0 on ${untrackName}`);
      if (ipv6) {
        await ec2.send(
          new AuthorizeSecurityGroupIngressCommand({ GroupId: untrackGroupId, IpPermissions: [ALL_IPV6] }),
        );
        await authorizeEgressIfMissing(env, untrackGroupId, ALL_IPV6);
        changes.push(`allowed all IPv6 traffic on ${untrackName}`);
      }
    }
  }
  if (untrackGroupId === undefined) untrackGroupId = untrack?.GroupId;
  if (untrackGroupId === undefined)
    throw new Error(`security group ${untrackName} could not be found or created`);
  if (untrack !== undefined) {
    // Reused: make sure it still lets everything through (someone may have edited it).
    if (!allowsAll(untrack.IpPermissions, false)) {
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: untrackGroupId, IpPermissions: [ALL_IPV4] }),
      );
      changes.push(`restored all inbound on ${untrackName}`);
    }
    if (ipv6 && !allowsAll(untrack.IpPermissions, true)) {
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: untrackGroupId, IpPermissions: [ALL_IPV6] }),
      );
      changes.push(`restored all IPv6 inbound on ${untrackName}`);
    }
    if (!allowsAll(untrack.IpPermissionsEgress, false)) {
      await ec2.send(
        new AuthorizeSecurityGroupEgressCommand({ GroupId: untrackGroupId, IpPermissions: [ALL_IPV4] }),
      );
      changes.push(`restored all outbound on ${untrackName}`);
    }
    if (ipv6 && !allowsAll(untrack.IpPermissionsEgress, true)) {
      await ec2.send(
        new AuthorizeSecurityGroupEgressCommand({ GroupId: untrackGroupId, IpPermissions: [ALL_IPV6] }),
      );
      changes.push(`restored all IPv6 outbound on ${untrackName}`);
    }
  }

  let isolation = existing.find((g) => g.GroupName === isolationName);
  let isolationGroupId = isolation?.GroupId;
  if (isolationGroupId === undefined) {
    isolationGroupId =
      (await create(
        isolationName,
        'isolation',
        'Riposte isolation step 2: no inbound and no outbound rule',
      )) ?? undefined;
    isolation = existing.find((g) => g.GroupName === isolationName);
    if (isolationGroupId !== undefined) {
      // A new group comes with an allow-all egress rule: an isolation group must have none.
      await ec2.send(
        new RevokeSecurityGroupEgressCommand({ GroupId: isolationGroupId, IpPermissions: [ALL_IPV4] }),
      );
      changes.push(`revoked the default egress rule of ${isolationName}`);
      if (ipv6) await revokeEgressIfPresent(env, isolationGroupId, ALL_IPV6);
    }
  }
  if (isolationGroupId === undefined) isolationGroupId = isolation?.GroupId;
  if (isolationGroupId === undefined)
    throw new Error(`security group ${isolationName} could not be found or created`);
  if (isolation !== undefined) {
    // Reused: it must still have no rule in either direction.
    const ingress = isolation.IpPermissions ?? [];
    const egress = isolation.IpPermissionsEgress ?? [];
    if (ingress.length > 0) {
      await ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: isolationGroupId,
          IpPermissions: revocable(ingress),
        }),
      );
      changes.push(`revoked ${ingress.length} inbound rule(s) found on ${isolationName}`);
    }
    if (egress.length > 0) {
      await ec2.send(
        new RevokeSecurityGroupEgressCommand({ GroupId: isolationGroupId, IpPermissions: revocable(egress) }),
      );
      changes.push(`revoked ${egress.length} outbound rule(s) found on ${isolationName}`);
    }
  }
  return { untrackGroupId, isolationGroupId, changes };
}

/** Adds an egress rule unless it exists (a new group in an IPv6 VPC may already have ::/0). */
async function authorizeEgressIfMissing(
  env: ActionEnv,
  groupId: string,
  permission: IpPermission,
): Promise<void> {
  try {
    await env.clients.ec2.send(
      new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [permission] }),
    );
  } catch (error) {
    if (!hasErrorCode(error, 'InvalidPermission.Duplicate')) throw error;
  }
}

/** Removes an egress rule if it exists (a new group in an IPv6 VPC may have a ::/0 default). */
async function revokeEgressIfPresent(
  env: ActionEnv,
  groupId: string,
  permission: IpPermission,
): Promise<void> {
  try {
    await env.clients.ec2.send(
      new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [permission] }),
    );
  } catch (error) {
    if (!hasErrorCode(error, 'InvalidPermission.NotFound')) throw error;
  }
}

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
    const { ec2, autoScaling, elbv2 } = env.clients;
    const { instanceId } = input;
    const incidentId = env.execution.incidentId;
    const failures: ItemFailure[] = [];
    const notes: string[] = [];

    // 1. Capture before touching; never overwrite the original capture.
    const current = await captureInstance(env, instanceId);
    const key = instanceStateKey(instanceId);
    const loaded = await env.state.load(key);
    let saved: SavedIsolation;
    if (loaded === undefined) {
      saved = { kind: 'ec2-instance', ...current, revokeRoleSessions: input.revokeRoleSessions };
      await env.state.save(key, saved);
    } else {
      saved = parseSaved(key, loaded);
      notes.push(`kept the state captured at ${saved.capturedAt} by an earlier run of this incident`);
    }
    // The instance role: one capture per role and incident, shared with revoke-role-sessions
    // (the first capture wins), taken before the rails like the rest.
    const roleProfile = current.instanceProfile ?? saved.instanceProfile;
    const roleName = roleProfile?.roleName ?? null;
    const roleDetails: RoleCaptureDetails = {
      capturedBy: `isolate-instance:${instanceId}`,
      arn: roleProfile?.roleArn ?? undefined,
    };
    if (roleName !== null && input.revokeRoleSessions) await captureRoleSessions(roleName, env, roleDetails);

    // 2. Safety rails, before the first state-changing call: the instance (with the environment
    // approval), then the instance role whose sessions isolation revokes: a change too, so it
    // passes the rails and counts in the blast radius. A protected role is reported, not revoked.
    await env.safety.assertContainable({
      resource: instanceId,
      tags: current.tags,
      environmentApproval: true,
    });
    const roleRefusal =
      roleName !== null && input.revokeRoleSessions ? await indirectRoleRefusal(roleName, env) : null;

    // 3. Preserve evidence.
    const evidence: IsolateInstanceOutput['evidence'] = {
      terminationProtection: current.disableApiTermination ? 'already-enabled' : 'enabled',
      shutdownBehavior: current.shutdownBehavior === 'stop' ? 'already-stop' : 'set-to-stop',
      deleteOnTerminationDisabled: [],
    };
    if (!current.disableApiTermination) {
      await ec2.send(
        new ModifyInstanceAttributeCommand({
          InstanceId: instanceId,
          DisableApiTermination: { Value: true },
        }),
      );
    }
    if (current.shutdownBehavior !== 'stop') {
      await ec2.send(
        new ModifyInstanceAttributeCommand({
          InstanceId: instanceId,
          InstanceInitiatedShutdownBehavior: { Value: 'stop' },
        }),
      );
    }
    const deletable = current.volumes.filter((v) => v.deleteOnTermination);
    if (deletable.length > 0) {
      await ec2.send(
        new ModifyInstanceAttributeCommand({
          InstanceId: instanceId,
          BlockDeviceMappings: deletable.map((v) => ({
            DeviceName: v.deviceName,
            Ebs: { DeleteOnTermination: false },
          })),
        }),
      );
      evidence.deleteOnTerminationDisabled = deletable.map((v) => v.volumeId);
    }

    // 4. Leave the Auto Scaling group, then the target groups, before any security-group change.
    let autoScalingOutput: IsolateInstanceOutput['autoScaling'] = null;
    const group = current.autoScalingGroup;
    if (group !== null) {
      const ids = { AutoScalingGroupName: group.groupName, InstanceIds: [instanceId] };
      const canDecrement =
        group.desiredCapacity !== null &&
        group.minSize !== null &&
        group.desiredCapacity - 1 >= group.minSize;
      const detach = async (
        note: string | null,
      ): Promise<NonNullable<IsolateInstanceOutput['autoScaling']>> => {
        await autoScaling.send(
          new DetachInstancesCommand({ ...ids, ShouldDecrementDesiredCapacity: canDecrement }),
        );
        return {
          groupName: group.groupName,
          action: 'detached',
          desiredCapacityDecremented: canDecrement,
          replacementExpected: !canDecrement,
          note,
        };
      };
      if (group.lifecycleState === 'Standby' || group.lifecycleState === 'EnteringStandby') {
        autoScalingOutput = {
          groupName: group.groupName,
          action: 'already-standby',
          desiredCapacityDecremented: false,
          replacementExpected: false,
          note: null,
        };
      } else if (group.lifecycleState === 'InService') {
        try {
          await autoScaling.send(new EnterStandbyCommand({ ...ids, ShouldDecrementDesiredCapacity: true }));
          autoScalingOutput = {
            groupName: group.groupName,
            action: 'entered-standby',
            desiredCapacityDecremented: true,
            replacementExpected: false,
            note: 'a standby instance is still billed',
          };
        } catch (error) {
          if (!hasErrorCode(error, 'ValidationError')) throw error;
          autoScalingOutput = await detach(`standby refused (${describeError(error)}): detached instead`);
        }
      } else {
        autoScalingOutput = await detach(
          `lifecycle state ${group.lifecycleState} cannot enter standby: detached`,
        );
      }
    }
    const targetGroups: IsolateInstanceOutput['targetGroups'] = [];
    for (const membership of current.targetGroups) {
      await elbv2.send(
        new DeregisterTargetsCommand({
          TargetGroupArn: membership.targetGroupArn,
          Targets: membership.targets.map(targetDescription),
        }),
      );
      targetGroups.push({ targetGroupArn: membership.targetGroupArn, deregistered: membership.targets });
    }

    // 5. Every ENI: untrack group, then isolation group.
    const pairs = new Map<string, GroupPair | Error>();
    const networkInterfaces: IsolateInstanceOutput['networkInterfaces'] = [];
    for (const eni of current.networkInterfaces) {
      const previousGroups = eni.groups.map((g) => g.groupId);
      const result = { networkInterfaceId: eni.networkInterfaceId, vpcId: eni.vpcId, previousGroups };
      let movedToUntrack = false;
      try {
        let pair = pairs.get(eni.vpcId);
        if (pair === undefined) {
          const ipv6 = current.networkInterfaces.some(
            (e) => e.vpcId === eni.vpcId && e.ipv6Addresses.length > 0,
          );
          pair = await ensureGroupPair(env, eni.vpcId, ipv6).catch((error: unknown) => {
            if (error instanceof AwsAccessDeniedError) throw error;
            return error instanceof Error ? error : new Error(String(error));
          });
          pairs.set(eni.vpcId, pair);
        }
        if (pair instanceof Error) throw pair;
        if (sameGroupSet(previousGroups, [pair.isolationGroupId])) {
          networkInterfaces.push({ ...result, action: 'already-isolated', error: null });
          continue;
        }
        if (!sameGroupSet(previousGroups, [pair.untrackGroupId])) {
          await ec2.send(
            new ModifyNetworkInterfaceAttributeCommand({
              NetworkInterfaceId: eni.networkInterfaceId,
              Groups: [pair.untrackGroupId],
            }),
          );
          movedToUntrack = true;
        }
        await ec2.send(
          new ModifyNetworkInterfaceAttributeCommand({
            NetworkInterfaceId: eni.networkInterfaceId,
            Groups: [pair.isolationGroupId],
          }),
        );
        networkInterfaces.push({ ...result, action: 'isolated', error: null });
      } catch (error) {
        if (movedToUntrack) {
          // Never leave an ENI in the allow-all untrack group: put its own groups back.
          await ec2
            .send(
              new ModifyNetworkInterfaceAttributeCommand({
                NetworkInterfaceId: eni.networkInterfaceId,
                Groups: previousGroups,
              }),
            )
            .catch((rollback: unknown) => {
              failures.push({
                target: `${eni.networkInterfaceId} (rollback)`,
                error: describeError(rollback),
                transient: isTransientAwsError(rollback),
              });
            });
        }
        const message = collect(failures, eni.networkInterfaceId, error);
        networkInterfaces.push({ ...result, action: 'failed', error: message });
      }
    }
    const securityGroups: IsolateInstanceOutput['securityGroups'] = [...pairs.entries()].flatMap(
      ([vpcId, pair]) =>
        pair instanceof Error
          ? []
          : [
              {
                vpcId,
                untrackGroupId: pair.untrackGroupId,
                isolationGroupId: pair.isolationGroupId,
                changes: pair.changes,
              },
            ],
    );

    // 6. Elastic IPs.
    const elasticIps: IsolateInstanceOutput['elasticIps'] = [];
    for (const address of current.elasticIps) {
      const result = { allocationId: address.allocationId, publicIp: address.publicIp };
      try {
        await ec2.send(new DisassociateAddressCommand({ AssociationId: address.associationId }));
        elasticIps.push({ ...result, action: 'disassociated', error: null });
      } catch (error) {
        const message = collect(failures, address.allocationId, error);
        elasticIps.push({ ...result, action: 'failed', error: message });
      }
    }

    // 7. Credentials: the instance profile, then the role's older sessions.
    let instanceProfile: IsolateInstanceOutput['instanceProfile'] = null;
    const profile = current.instanceProfile;
    if (profile !== null) {
      const result = { arn: profile.arn, associationId: profile.associationId };
      try {
        await ec2.send(new DisassociateIamInstanceProfileCommand({ AssociationId: profile.associationId }));
        instanceProfile = { ...result, action: 'disassociated', error: null };
      } catch (error) {
        const message = collect(failures, profile.arn, error);
        instanceProfile = { ...result, action: 'failed', error: message };
      }
    }
    let roleSessions: IsolateInstanceOutput['roleSessions'] = null;
    if (roleName !== null) {
      const base = { roleName, policyName: REVOKE_SESSIONS_POLICY_NAME, warning: SHARED_ROLE_WARNING };
      if (roleRefusal !== null) {
        roleSessions = {
          ...base,
          action: 'refused',
          revokedBefore: null,
          siblingInstanceIds: [],
          error: roleRefusal,
        };
        notes.push(
          `the sessions of ${roleName} were not revoked (${roleRefusal}): credentials the instance already obtained stay valid until they expire; revoke them by hand if the role may be touched`,
        );
      } else if (!input.revokeRoleSessions) {
        roleSessions = {
          ...base,
          action: 'not-requested',
          revokedBefore: null,
          siblingInstanceIds: [],
          error: null,
        };
        notes.push(
          `the sessions of ${roleName} were not revoked: credentials the instance already obtained stay valid until they expire`,
        );
      } else {
        try {
          if (!saved.revokeRoleSessions) {
            // An earlier run of this incident chose not to revoke and this one does: release must know.
            saved = { ...saved, revokeRoleSessions: true };
            await env.state.save(key, saved);
          }
          // Shared with revoke-role-sessions: revoked once per incident, whichever action comes first.
          let siblingInstanceIds: string[] = [];
          const profileArn = profile?.arn ?? saved.instanceProfile?.arn ?? null;
          const { revokedBefore, appliedByThisRun } = await revokeRoleSessions(roleName, env, {
            details: roleDetails,
            beforeRevoke: async () => {
              if (profileArn !== null)
                siblingInstanceIds = await instancesUsingProfile(env, profileArn, instanceId);
            },
          });
          if (!appliedByThisRun) {
            roleSessions = {
              ...base,
              action: 'already-revoked',
              revokedBefore,
              siblingInstanceIds: [],
              error: null,
            };
          } else {
            roleSessions = { ...base, action: 'revoked', revokedBefore, siblingInstanceIds, error: null };
            if (siblingInstanceIds.length > 0) {
              notes.push(
                `${siblingInstanceIds.length} other instance(s) use the same instance profile and lose their current credentials: ${siblingInstanceIds.join(', ')}`,
              );
            }
          }
        } catch (error) {
          const message = collect(failures, roleName, error);
          roleSessions = {
            ...base,
            action: 'failed',
            revokedBefore: null,
            siblingInstanceIds: [],
            error: message,
          };
        }
      }
    }

    // 8. Snapshot every volume, once per incident.
    const snapshots: IsolateInstanceOutput['snapshots'] = [];
    if (current.volumes.length > 0) {
      const existing = await incidentSnapshots(
        env,
        current.volumes.map((v) => v.volumeId),
        incidentId,
      );
      const account = env.execution.account ?? current.account ?? 'unknown';
      const capturedAt = new Date(env.now()).toISOString();
      for (const volume of current.volumes) {
        const done = existing.find((s) => s.VolumeId === volume.volumeId);
        if (done !== undefined) {
          snapshots.push({
            volumeId: volume.volumeId,
            snapshotId: done.SnapshotId ?? null,
            action: 'existing',
            error: null,
          });
          continue;
        }
        try {
          const out = await ec2.send(
            new CreateSnapshotCommand({
              VolumeId: volume.volumeId,
              Description: `Riposte evidence of ${instanceId} ${volume.deviceName} for incident ${incidentId}`,
              TagSpecifications: [
                {
                  ResourceType: 'snapshot',
                  Tags: [
                    { Key: 'Name', Value: `riposte-${incidentId}-${volume.volumeId}` },
                    { Key: INCIDENT_TAG, Value: incidentId },
                    { Key: 'riposte:account', Value: account },
                    { Key: 'riposte:region', Value: current.region },
                    { Key: 'riposte:captured-at', Value: capturedAt },
                    { Key: 'riposte:instance', Value: instanceId },
                    { Key: 'riposte:device', Value: volume.deviceName },
                  ],
                },
              ],
            }),
          );
          snapshots.push({
            volumeId: volume.volumeId,
            snapshotId: out.SnapshotId ?? null,
            action: 'created',
            error: null,
          });
        } catch (error) {
          const message = collect(failures, volume.volumeId, error);
          snapshots.push({ volumeId: volume.volumeId, snapshotId: null, action: 'failed', error: message });
        }
      }
    }

    // 9. Tag the instance.
    const quarantineTags = { [STATUS_TAG]: 'quarantined', [INCIDENT_TAG]: incidentId };
    const tagged = Object.entries(quarantineTags).every(([k, v]) => current.tags[k] === v);
    if (!tagged) {
      await ec2.send(
        new CreateTagsCommand({
          Resources: [instanceId],
          Tags: Object.entries(quarantineTags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    }

    notes.push(
      'return traffic of protocols other than TCP, UDP and ICMP may still flow for up to 600 s after the swap',
    );
    return finish(failures, `isolation of ${instanceId}`, {
      instanceId,
      incidentId,
      stateKey: key,
      stateSaved: loaded === undefined,
      evidence,
      autoScaling: autoScalingOutput,
      targetGroups,
      securityGroups,
      networkInterfaces,
      elasticIps,
      instanceProfile,
      roleSessions,
      snapshots,
      tags: { action: tagged ? 'already-tagged' : 'tagged', tags: quarantineTags },
      verification: await verifyIsolation(env, instanceId, {
        isolationGroups: new Map(securityGroups.map((g) => [g.vpcId, g.isolationGroupId])),
        profileRemoved: current.instanceProfile !== null || saved.instanceProfile !== null,
        revokedRole:
          roleName !== null && roleSessions?.revokedBefore
            ? { roleName, revokedBefore: roleSessions.revokedBefore }
            : null,
      }),
      notes,
    });
  },
});

/** Instances other than `self` associated with `profileArn` in the region (every page). */
async function instancesUsingProfile(env: ActionEnv, profileArn: string, self: string): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const out = await env.clients.ec2.send(
      new DescribeIamInstanceProfileAssociationsCommand({
        Filters: [{ Name: 'state', Values: ['associated'] }],
        ...(token === undefined ? {} : { NextToken: token }),
      }),
    );
    for (const association of out.IamInstanceProfileAssociations ?? []) {
      if (association.IamInstanceProfile?.Arn === profileArn && association.InstanceId !== undefined) {
        if (association.InstanceId !== self) ids.push(association.InstanceId);
      }
    }
    token = out.NextToken;
  } while (token !== undefined);
  return ids;
}

/** This incident's snapshots of `volumeIds` (every page). */
async function incidentSnapshots(
  env: ActionEnv,
  volumeIds: readonly string[],
  incidentId: string,
): Promise<Snapshot[]> {
  const found: Snapshot[] = [];
  let token: string | undefined;
  do {
    const out = await env.clients.ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [
          { Name: 'volume-id', Values: [...volumeIds] },
          { Name: `tag:${INCIDENT_TAG}`, Values: [incidentId] },
        ],
        ...(token === undefined ? {} : { NextToken: token }),
      }),
    );
    found.push(...(out.Snapshots ?? []).filter((s) => s.State !== 'error'));
    token = out.NextToken;
  } while (token !== undefined);
  return found;
}

// ---------------------------------------------------------------------------------------------
// release-instance

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
 * when there is none): capture the current state, then, each only when it differs,
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
  services: { ...ec2Service, ...iamService, ...autoScalingService, ...elbv2Service },
  description:
    'Restores an isolated EC2 instance from its captured state: security groups, instance profile, Elastic IPs, Auto Scaling and target groups, termination settings. Snapshots are kept.',
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
    const { ec2, autoScaling, elbv2 } = env.clients;
    const { instanceId } = input;
    const key = instanceStateKey(instanceId);
    const loaded = await env.state.load(key);
    if (loaded === undefined) {
      throw new NothingToReleaseError(
        `no isolation of EC2 instance ${instanceId} was recorded in this incident`,
      );
    }
    const saved = parseSaved(key, loaded);
    const current = await captureInstance(env, instanceId);
    const failures: ItemFailure[] = [];
    const notes: string[] = [];

    // Security groups of every ENI.
    const networkInterfaces: ReleaseInstanceOutput['networkInterfaces'] = [];
    for (const original of saved.networkInterfaces) {
      const groups = original.groups.map((g) => g.groupId);
      const now = current.networkInterfaces.find((e) => e.networkInterfaceId === original.networkInterfaceId);
      const result = { networkInterfaceId: original.networkInterfaceId, groups };
      if (now === undefined) {
        const error = 'the network interface is no longer attached to the instance';
        failures.push({ target: original.networkInterfaceId, error, transient: false });
        networkInterfaces.push({ ...result, action: 'failed', error });
        continue;
      }
      if (
        sameGroupSet(
          now.groups.map((g) => g.groupId),
          groups,
        )
      ) {
        networkInterfaces.push({ ...result, action: 'unchanged', error: null });
        continue;
      }
      try {
        await ec2.send(
          new ModifyNetworkInterfaceAttributeCommand({
            NetworkInterfaceId: original.networkInterfaceId,
            Groups: groups,
          }),
        );
        networkInterfaces.push({ ...result, action: 'restored', error: null });
      } catch (error) {
        const message = collect(failures, original.networkInterfaceId, error);
        networkInterfaces.push({ ...result, action: 'failed', error: message });
      }
    }

    // Instance profile.
    let instanceProfile: ReleaseInstanceOutput['instanceProfile'] = null;
    if (saved.instanceProfile !== null) {
      const arn = saved.instanceProfile.arn;
      if (current.instanceProfile?.arn === arn) {
        instanceProfile = { arn, action: 'unchanged', error: null };
      } else if (current.instanceProfile !== null) {
        const error = `the instance now has another instance profile (${current.instanceProfile.arn}); left as is`;
        failures.push({ target: arn, error, transient: false });
        instanceProfile = { arn, action: 'failed', error };
      } else {
        try {
          await ec2.send(
            new AssociateIamInstanceProfileCommand({
              IamInstanceProfile: { Arn: arn },
              InstanceId: instanceId,
            }),
          );
          instanceProfile = { arn, action: 'associated', error: null };
        } catch (error) {
          const message = collect(failures, arn, error);
          instanceProfile = { arn, action: 'failed', error: message };
        }
      }
    }

    // The revoke-older-sessions policy.
    let roleSessions: ReleaseInstanceOutput['roleSessions'] = null;
    const roleName = saved.instanceProfile?.roleName ?? null;
    if (roleName !== null) {
      const base = { roleName, policyName: REVOKE_SESSIONS_POLICY_NAME };
      if (!saved.revokeRoleSessions) {
        roleSessions = { ...base, action: 'not-revoked', error: null };
      } else {
        try {
          // The role's shared capture (a release-role-sessions of the same role then finds it as before).
          const legacy = saved.previousRevokePolicy;
          const action = await restoreRoleSessions(
            roleName,
            env,
            legacy === undefined ? undefined : { previousRevokePolicy: legacy ?? undefined },
          );
          roleSessions = { ...base, action, error: null };
          if (action === 'removed') {
            notes.push(
              `sessions of ${roleName} issued before the revocation that have not expired yet are valid again`,
            );
          }
        } catch (error) {
          if (error instanceof ResourceNotFoundError || error instanceof NothingToReleaseError) {
            // The role no longer exists, or nothing of it was captured: nothing to put back.
            roleSessions = { ...base, action: 'absent', error: null };
          } else {
            const message = collect(failures, roleName, error);
            roleSessions = { ...base, action: 'failed', error: message };
          }
        }
      }
    }

    // Elastic IPs.
    const elasticIps: ReleaseInstanceOutput['elasticIps'] = [];
    for (const address of saved.elasticIps) {
      const result = { allocationId: address.allocationId, publicIp: address.publicIp };
      const now = current.elasticIps.find((a) => a.allocationId === address.allocationId);
      if (
        now !== undefined &&
        now.networkInterfaceId === address.networkInterfaceId &&
        now.privateIpAddress === address.privateIpAddress
      ) {
        elasticIps.push({ ...result, action: 'unchanged', error: null });
        continue;
      }
      try {
        await ec2.send(
          new AssociateAddressCommand({
            AllocationId: address.allocationId,
            NetworkInterfaceId: address.networkInterfaceId,
            ...(address.privateIpAddress === null ? {} : { PrivateIpAddress: address.privateIpAddress }),
            AllowReassociation: false,
          }),
        );
        elasticIps.push({ ...result, action: 'associated', error: null });
      } catch (error) {
        const message = collect(failures, address.allocationId, error);
        elasticIps.push({ ...result, action: 'failed', error: message });
      }
    }

    // Auto Scaling group, then target groups.
    let autoScalingOutput: ReleaseInstanceOutput['autoScaling'] = null;
    if (saved.autoScalingGroup !== null) {
      const groupName = saved.autoScalingGroup.groupName;
      const now = current.autoScalingGroup;
      try {
        if (
          now?.groupName === groupName &&
          (now.lifecycleState === 'Standby' || now.lifecycleState === 'EnteringStandby')
        ) {
          await autoScaling.send(
            new ExitStandbyCommand({ AutoScalingGroupName: groupName, InstanceIds: [instanceId] }),
          );
          autoScalingOutput = { groupName, action: 'exited-standby', error: null };
        } else if (now === null) {
          await autoScaling.send(
            new AttachInstancesCommand({ AutoScalingGroupName: groupName, InstanceIds: [instanceId] }),
          );
          autoScalingOutput = { groupName, action: 'attached', error: null };
          notes.push(`re-attaching to ${groupName} raised its desired capacity by one`);
        } else if (now.groupName === groupName) {
          autoScalingOutput = { groupName, action: 'unchanged', error: null };
        } else {
          throw new Error(`the instance is now in another Auto Scaling group (${now.groupName}); left as is`);
        }
      } catch (error) {
        const message = collect(failures, groupName, error);
        autoScalingOutput = { groupName, action: 'failed', error: message };
      }
    }
    const targetGroups: ReleaseInstanceOutput['targetGroups'] = [];
    for (const membership of saved.targetGroups) {
      const registered =
        current.targetGroups.find((t) => t.targetGroupArn === membership.targetGroupArn)?.targets ?? [];
      const missing = membership.targets.filter((t) => !registered.some((r) => sameTarget(r, t)));
      const result = { targetGroupArn: membership.targetGroupArn, registered: missing };
      if (missing.length === 0) {
        targetGroups.push({ ...result, action: 'unchanged', error: null });
        continue;
      }
      try {
        await elbv2.send(
          new RegisterTargetsCommand({
            TargetGroupArn: membership.targetGroupArn,
            Targets: missing.map(targetDescription),
          }),
        );
        targetGroups.push({ ...result, action: 'registered', error: null });
      } catch (error) {
        const message = collect(failures, membership.targetGroupArn, error);
        targetGroups.push({ ...result, action: 'failed', error: message });
      }
    }

    // Termination protection, shutdown behaviour and DeleteOnTermination as they were.
    const evidence: ReleaseInstanceOutput['evidence'] = {
      terminationProtection: 'unchanged',
      shutdownBehavior: 'unchanged',
      deleteOnTerminationRestored: [],
    };
    if (current.disableApiTermination !== saved.disableApiTermination) {
      await ec2.send(
        new ModifyInstanceAttributeCommand({
          InstanceId: instanceId,
          DisableApiTermination: { Value: saved.disableApiTermination },
        }),
      );
      evidence.terminationProtection = 'restored';
    }
    if (current.shutdownBehavior !== saved.shutdownBehavior) {
      await ec2.send(
        new ModifyInstanceAttributeCommand({
          InstanceId: instanceId,
          InstanceInitiatedShutdownBehavior: { Value: saved.shutdownBehavior },
        }),
      );
      evidence.shutdownBehavior = 'restored';
    }
    const changed = saved.volumes.filter((original) => {
      const now = current.volumes.find((v) => v.volumeId === original.volumeId);
      return now !== undefined && now.deleteOnTermination !== original.deleteOnTermination;
    });
    if (changed.length > 0) {
      await ec2.send(
        new ModifyInstanceAttributeCommand({
          InstanceId: instanceId,
          BlockDeviceMappings: changed.map((v) => ({
            DeviceName: v.deviceName,
            Ebs: { DeleteOnTermination: v.deleteOnTermination },
          })),
        }),
      );
      evidence.deleteOnTerminationRestored = changed.map((v) => v.volumeId);
    }

    // Tag.
    const releasedTags = { [STATUS_TAG]: 'released' };
    const tagged = current.tags[STATUS_TAG] === 'released';
    if (!tagged) {
      await ec2.send(
        new CreateTagsCommand({
          Resources: [instanceId],
          Tags: Object.entries(releasedTags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    }

    return finish(failures, `release of ${instanceId}`, {
      instanceId,
      stateKey: key,
      networkInterfaces,
      instanceProfile,
      roleSessions,
      elasticIps,
      autoScaling: autoScalingOutput,
      targetGroups,
      evidence,
      tags: { action: tagged ? 'already-tagged' : 'tagged', tags: releasedTags },
      snapshotsKept: true,
      verification: await verifyRelease(env, instanceId, {
        interfaces: networkInterfaces.map((e) => ({
          networkInterfaceId: e.networkInterfaceId,
          groups: e.groups,
        })),
        profileArn: saved.instanceProfile?.arn ?? null,
      }),
      notes,
    });
  },
});

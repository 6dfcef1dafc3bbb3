import { fileURLToPath } from 'node:url';
import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { callsOfFamily, iamActionsOfFamily } from '../functions/core/actions/registry.ts';
import { ACTION_FAMILIES, type ActionFamily, type SafetyPolicy } from '../functions/core/actions/types.ts';
import type { DeclaredResource } from '../functions/core/permissions.ts';
import type { AlertStore } from './alert-store.ts';
import { declaredStatements, declaresAction, type ResolvedResources } from './declared-permissions.ts';
import {
  encryptedLogGroup,
  FUNCTION_DEFAULTS,
  isRetentionDays,
  LOG_RETENTION_DAYS,
} from './function-defaults.ts';
import { acknowledgeRoleWildcards, WildcardReasons } from './nag.ts';
import { protectedTagGuardStatements } from './protected-tag-guard.ts';
import type { ResponseSettings } from './response-settings.ts';

/** Log levels Powertools Logger understands. */
export type ActionLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL' | 'SILENT';

/** Properties of {@link ActionFunctions}. */
export interface ActionFunctionsProps {
  /** The alert table: each family gets only the item operations its code performs on it. */
  readonly store: AlertStore;

  /** The key the log groups are encrypted with (and the table, used only through DynamoDB). */
  readonly encryptionKey: kms.IKey;

  /** The kill switch, the alert topic, the approval key and the notification secrets. */
  readonly settings: ResponseSettings;

  /**
   * The approval API's base URL (`APPROVAL_BASE_URL` of the approve family), without a trailing
   * slash: the approve and deny links are `<base>/approve?token=…` and `<base>/deny?token=…`.
   */
  readonly approvalBaseUrl: string;

  /** The safety rails of containment (`SAFETY_POLICY`, as JSON). */
  readonly safety: SafetyPolicy;

  /** The role assumed in member accounts (`MEMBER_ROLE_NAME`). */
  readonly memberRoleName: string;

  /**
   * The external id the member role requires (`MEMBER_ROLE_EXTERNAL_ID`); `sts:AssumeRole` is
   * then allowed only with it.
   *
   * @default - none
   */
  readonly memberRoleExternalId?: string;

  /** CloudWatch Logs retention of each function's log group, in days (a value CloudWatch Logs accepts). */
  readonly logRetentionDays: number;

  /**
   * `POWERTOOLS_LOG_LEVEL`.
   *
   * @default 'INFO'
   */
  readonly logLevel?: ActionLogLevel;
}

/**
 * Per-family settings: construct id, handler, timeout, memory. What the role may do on Riposte's
 * own resources is not listed here: it is derived from the calls the family's code declares
 * (`callsOfFamily`).
 */
interface FamilySpec {
  readonly id: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly description: string;
}

/** Family settings. Timeouts: the state machine's task timeouts stay the tighter bound. */
export const FAMILY_SPECS: Readonly<Record<ActionFamily, FamilySpec>> = {
  context: {
    id: 'Context',
    timeout: Duration.seconds(30),
    memorySize: 256,
    description: 'Riposte context actions: load the alert and incident, record the outcome',
  },
  enrich: {
    id: 'Enrich',
    timeout: Duration.seconds(30),
    memorySize: 256,
    description: 'Riposte enrich actions: read-only lookups on the resource of an incident',
  },
  contain: {
    id: 'Contain',
    timeout: Duration.minutes(5),
    memorySize: 512,
    description: 'Riposte contain actions: isolate, disable and block, through the safety rails',
  },
  release: {
    id: 'Release',
    timeout: Duration.minutes(5),
    memorySize: 512,
    description: 'Riposte release actions: undo a containment from its saved state',
  },
  notify: {
    id: 'Notify',
    timeout: Duration.seconds(30),
    memorySize: 256,
    description: 'Riposte notify action: e-mail (SNS), Slack and webhook',
  },
  approve: {
    id: 'Approve',
    timeout: Duration.seconds(30),
    memorySize: 256,
    description: 'Riposte approve action: signed approve/deny links sent for a human decision',
  },
};

/** One group of AWS actions with the resources (and conditions) they are allowed on. */
export interface ScopedActions {
  readonly actions: string[];
  readonly resources: readonly string[];
  readonly conditions?: Record<string, Record<string, unknown>>;
  /** Why a wildcard resource, for the cdk-nag acknowledgement (required when a resource has a `*`). */
  readonly why?: string;
}

/** Where an AWS action of an action family may act, in Riposte's own account. */
interface Scope {
  readonly resources: readonly string[];
  readonly conditions?: Record<string, Record<string, unknown>>;
  readonly why: string;
}

/**
 * The resources each AWS action of the shipped actions is scoped to. An action a new action
 * module declares that is not listed here fails the synth: its scope has to be decided, never
 * defaulted to `*`.
 *
 * Every resource names this account only (the function's own credentials act only here; member
 * accounts are reached through the member role, whose permissions the member stack defines),
 * and any Region (an incident's resource may be in any Region).
 */
function scopeOf(action: string, account: string): readonly Scope[] {
  const partition = Aws.PARTITION;
  const ec2 = (type: string): string => `arn:${partition}:ec2:*:${account}:${type}/*`;
  const [service, name = ''] = action.split(':');
  if (['dynamodb', 'sns', 'secretsmanager', 'ssm', 'events', 'states', 'sts'].includes(service ?? '')) {
    throw new Error(
      `ActionFunctions: ${action} is a call on Riposte's own resources: declare it beside its code with ` +
        "declares() (functions/core/permissions.ts) in the action's calls, not in iamActions",
    );
  }
  if (service === 'iam') {
    if (name === 'GetAccountSummary') {
      return [
        {
          resources: ['*'],
          why: 'iam:GetAccountSummary reads account-wide counts (root MFA, root access keys) and has no resource ARN: it needs "*".',
        },
      ];
    }
    if (name === 'PassRole') {
      return [
        {
          resources: [`arn:${partition}:iam::${account}:role/*`],
          conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
          why:
            'iam:PassRole on role/* of this account, only to EC2 (iam:PassedToService): release re-associates the ' +
            'instance profile an instance had before containment, whatever its role is named.',
        },
      ];
    }
    if (/InstanceProfile/.test(name)) {
      return [
        {
          resources: [`arn:${partition}:iam::${account}:instance-profile/*`],
          why: 'IAM instance profiles of this account: the instance under investigation can have any profile.',
        },
      ];
    }
    if (/Role/.test(name)) {
      return [
        {
          resources: [`arn:${partition}:iam::${account}:role/*`],
          why:
            'IAM roles of this account (role/*): the role an incident names (or an instance uses) is only known ' +
            "at run time; IAM has no condition to narrow it further (Riposte's own roles are excluded from the " +
            'write actions by an explicit Deny).',
        },
      ];
    }
    if (
      /User|AccessKey|LoginProfile|MFADevice|SSHPublicKey|SigningCertificate|ServiceSpecificCredential/.test(
        name,
      )
    ) {
      return [
        {
          resources: [`arn:${partition}:iam::${account}:user/*`],
          why:
            'IAM users of this account (user/*): the user an incident names is only known at run time; IAM has no ' +
            'condition to narrow it further.',
        },
      ];
    }
  }
  if (service === 'ec2') {
    if (/^(Describe|Get)/.test(name)) {
      return [
        {
          resources: ['*'],
          why: 'EC2 Describe* calls are read-only and authorize on no resource ARN: they need "*".',
        },
      ];
    }
    const byAction: Record<string, readonly string[]> = {
      ModifyInstanceAttribute: [ec2('instance'), ec2('security-group'), ec2('volume')],
      ModifyNetworkInterfaceAttribute: [
        ec2('network-interface'),
        ec2('security-group'),
        ec2('instance'),
        ec2('subnet'),
        ec2('vpc'),
      ],
      AssociateAddress: [ec2('elastic-ip'), ec2('instance'), ec2('network-interface')],
      DisassociateAddress: [ec2('elastic-ip'), ec2('instance'), ec2('network-interface')],
      AssociateIamInstanceProfile: [ec2('instance')],
      DisassociateIamInstanceProfile: [ec2('instance')],
      // Service Authorization Reference: ModifyInstanceMetadataOptions acts on the instance only.
      ModifyInstanceMetadataOptions: [ec2('instance')],
      CreateSnapshot: [ec2('volume'), `arn:${partition}:ec2:*::snapshot/*`],
      // Only the owner can change who may use a snapshot or an AMI; their ARNs carry no account.
      ModifySnapshotAttribute: [`arn:${partition}:ec2:*::snapshot/*`],
      ModifyImageAttribute: [`arn:${partition}:ec2:*::image/*`],
    };
    const resources = byAction[name];
    if (resources !== undefined) {
      return [
        {
          resources,
          why:
            'EC2 resources of this account by type (instance/*, network-interface/*, security-group/*, volume/*, ' +
            'elastic-ip/*, subnet/*, vpc/*; snapshot ARNs carry no account): the instance under containment and ' +
            'what is attached to it are only known at run time.',
        },
      ];
    }
    if (name === 'CreateSecurityGroup') {
      return [
        {
          resources: [ec2('vpc')],
          why: 'The VPC of the instance under containment (vpc/* of this account), where its isolation groups are created.',
        },
        {
          resources: [ec2('security-group')],
          conditions: { StringEquals: { 'aws:RequestTag/riposte:managed': 'true' } },
          why:
            'New security groups of this account, only when created with the tag riposte:managed=true (the ' +
            'untrack and isolation groups).',
        },
      ];
    }
    if (name === 'CreateTags') {
      return [
        {
          resources: [ec2('instance')],
          conditions: { 'ForAllValues:StringLike': { 'aws:TagKeys': ['riposte:*'] } },
          why:
            'Instances of this account, riposte:* tag keys only (the containment status and incident); the ' +
            'protected tag is excluded by an explicit Deny in the same policy.',
        },
        {
          resources: [ec2('security-group'), `arn:${partition}:ec2:*::snapshot/*`],
          conditions: { StringEquals: { 'ec2:CreateAction': ['CreateSecurityGroup', 'CreateSnapshot'] } },
          why: 'Tags on security groups and snapshots only as they are created (ec2:CreateAction).',
        },
      ];
    }
    if (name === 'RevokeSecurityGroupIngress' || name === 'AuthorizeSecurityGroupIngress') {
      return [
        {
          resources: [ec2('security-group')],
          why:
            'Inbound rules of any security group of this account (security-group/*): revoke-world-open-ingress ' +
            'revokes the world-open rules of the group an incident names, and its release re-authorizes them; ' +
            'isolation authorizes the inbound rules of its own groups. The protected tag is guarded by an ' +
            'explicit Deny on both.',
        },
      ];
    }
    if (/^(Authorize|Revoke)SecurityGroup(Ingress|Egress)$/.test(name)) {
      return [
        {
          resources: [ec2('security-group')],
          conditions: { StringEquals: { 'aws:ResourceTag/riposte:managed': 'true' } },
          why:
            'Security groups of this account, only those Riposte created (tag riposte:managed=true): the ' +
            'untrack and isolation groups of each VPC.',
        },
      ];
    }
  }
  if (service === 'autoscaling') {
    if (/^Describe/.test(name)) {
      return [
        {
          resources: ['*'],
          why: 'Auto Scaling Describe* calls are read-only and support no resource-level permission: they need "*".',
        },
      ];
    }
    return [
      {
        resources: [`arn:${partition}:autoscaling:*:${account}:autoScalingGroup:*:autoScalingGroupName/*`],
        why:
          'Auto Scaling groups of this account: the group of the instance under containment is only known at ' +
          'run time.',
      },
    ];
  }
  if (service === 'elasticloadbalancing') {
    if (/^Describe/.test(name)) {
      return [
        {
          resources: ['*'],
          why: 'Elastic Load Balancing Describe* calls are read-only and support no resource-level permission: they need "*".',
        },
      ];
    }
    return [
      {
        resources: [`arn:${partition}:elasticloadbalancing:*:${account}:targetgroup/*/*`],
        why:
          'Target groups of this account: the target groups of the instance under containment are only known ' +
          'at run time.',
      },
    ];
  }
  if (service === 's3') {
    if (name === 'GetAccountPublicAccessBlock' || name === 'PutAccountPublicAccessBlock') {
      return [
        {
          resources: ['*'],
          why:
            's3:GetAccountPublicAccessBlock and s3:PutAccountPublicAccessBlock act on the account-level Block ' +
            'Public Access setting, which has no resource ARN: they need "*".',
        },
      ];
    }
    if (/^(Get|Put|Delete)Object(Version)?Tagging$/.test(name)) {
      return [
        {
          resources: [`arn:${partition}:s3:::*/*`],
          conditions: { StringEquals: { 's3:ResourceAccount': account } },
          why:
            'Objects in buckets owned by this account (s3:ResourceAccount; object ARNs carry no account): the ' +
            'object a malware scan names is only known at run time.',
        },
      ];
    }
    if (/^(Get|Put|Delete)Bucket[A-Za-z]+$/.test(name)) {
      return [
        {
          resources: [`arn:${partition}:s3:::*`],
          conditions: { StringEquals: { 's3:ResourceAccount': account } },
          why:
            'Buckets owned by this account (s3:ResourceAccount; bucket ARNs carry no account): the bucket an ' +
            'incident names is only known at run time.',
        },
      ];
    }
    if (name === 'ListTagsForResource') {
      return [
        {
          resources: [`arn:${partition}:s3:::*`],
          why: 'Bucket tags (the protected tag check): the bucket an incident names is only known at run time.',
        },
      ];
    }
  }
  if (service === 'kms') {
    return [
      {
        resources: [`arn:${partition}:kms:*:${account}:key/*`],
        why:
          'KMS keys of this account (key/*): the key an incident names is only known at run time. KMS also ' +
          "checks each key's policy; AWS managed keys are refused by the actions.",
      },
    ];
  }
  if (service === 'cloudtrail' && name !== 'LookupEvents') {
    return [
      {
        resources: [`arn:${partition}:cloudtrail:*:${account}:trail/*`],
        why:
          'CloudTrail trails of this account (trail/*): the trail an incident names is only known at run time; ' +
          "an organization trail of the management account is outside this account's ARNs and is never changed.",
      },
    ];
  }
  if (service === 'cloudtrail' && name === 'LookupEvents') {
    return [
      {
        resources: ['*'],
        why: 'cloudtrail:LookupEvents reads the Region\'s event history, which has no resource ARN: it needs "*".',
      },
    ];
  }
  if (service === 'lambda' && /^(GetFunction|ListTags|(Get|Put|Delete)FunctionConcurrency)$/.test(name)) {
    return [
      {
        resources: [`arn:${partition}:lambda:*:${account}:function:*`],
        why:
          'Lambda functions of this account (function:*): the function a finding names is only known at run time; ' +
          'the protected tag is guarded by an explicit Deny on the concurrency writes.',
      },
    ];
  }
  if (service === 'rds' && /^(DescribeDBInstances|ListTagsForResource|ModifyDBInstance)$/.test(name)) {
    return [
      {
        resources: [`arn:${partition}:rds:*:${account}:db:*`],
        why:
          'RDS DB instances of this account (db:*): the instance a finding names is only known at run time; ' +
          'the protected tag is guarded by an explicit Deny on ModifyDBInstance and CreateDBSnapshot.',
      },
    ];
  }
  if (service === 'rds' && name === 'CreateDBSnapshot') {
    // Authorized on the instance and on the new snapshot (Service Authorization Reference).
    return [
      {
        resources: [
          `arn:${partition}:rds:*:${account}:db:*`,
          `arn:${partition}:rds:*:${account}:snapshot:riposte-*`,
        ],
        why: 'Snapshots of the DB instances of this account, named riposte-<incident>-<instance> (snapshot:riposte-*).',
      },
    ];
  }
  if (service === 'rds' && name === 'AddTagsToResource') {
    return [
      {
        resources: [`arn:${partition}:rds:*:${account}:snapshot:riposte-*`],
        why: 'The tags of the snapshots Riposte creates (snapshot:riposte-*): RDS authorizes tagging at creation separately.',
      },
    ];
  }
  if (
    service === 'rds' &&
    /^(DescribeDB(Cluster)?Snapshots|DescribeDB(Cluster)?SnapshotAttributes|ModifyDB(Cluster)?SnapshotAttribute)$/.test(
      name,
    )
  ) {
    // Both kinds of snapshot in one scope: one statement in the size-limited member role policy.
    return [
      {
        resources: [
          `arn:${partition}:rds:*:${account}:snapshot:*`,
          `arn:${partition}:rds:*:${account}:cluster-snapshot:*`,
        ],
        why:
          'DB snapshots and DB cluster snapshots of this account: the snapshots Riposte takes, read back for ' +
          'their status, and the snapshot a public-sharing finding names, only known at run time (its protected ' +
          'tag is checked by the rails before its restore attribute is changed).',
      },
    ];
  }
  throw new Error(
    `ActionFunctions: no IAM scope is defined for ${action}; add it to scopeOf() in lib/action-functions.ts ` +
      '(resource-scoped where AWS supports it)',
  );
}

/**
 * The families that act on an incident's resources: in this account with their own roles, and in
 * member accounts through the member role, whose permissions are exactly theirs
 * (`lib/member-account-stack.ts`).
 */
export const RESOURCE_FAMILIES = ['enrich', 'contain', 'release'] as const satisfies readonly ActionFamily[];

/** Prefix of every action role's name (see {@link actionRoleName}). */
export const ACTION_ROLE_PREFIX = 'Riposte-Action-';

/**
 * The stable name of a family's role: `Riposte-Action-<Family>-<region>` (for example
 * `Riposte-Action-Contain-eu-west-1`). Role names are global to an account, so the Region keeps
 * deployments in several Regions of one account apart; a member role's trust policy names these
 * roles (`aws:PrincipalArn`), which a CDK-generated name would not allow.
 */
export function actionRoleName(family: ActionFamily, region: string): string {
  return `${ACTION_ROLE_PREFIX}${FAMILY_SPECS[family].id}-${region}`;
}

/**
 * The AWS actions the `families` declare, grouped by scope in `account` (one statement per scope,
 * with its reasons), without those granted by a dedicated grant (table, topic, secrets). The
 * action functions use it for their own account; the member stack for the member account.
 */
export function scopedActionsOfFamilies(families: readonly ActionFamily[], account: string): ScopedActions[] {
  const declared = [...new Set(families.flatMap((family) => iamActionsOfFamily(family)))].sort();
  const groups = new Map<string, { scope: Scope; actions: string[]; whys: Set<string> }>();
  for (const action of declared) {
    const scopes = scopeOf(action, account);
    for (const scope of scopes) {
      const key = JSON.stringify([scope.resources, scope.conditions ?? null]);
      const group = groups.get(key) ?? { scope, actions: [], whys: new Set<string>() };
      group.actions.push(action);
      group.whys.add(scope.why);
      groups.set(key, group);
    }
  }
  // Actions sharing resources and conditions share a statement, and its reasons.
  return [...groups.values()].map(({ scope, actions, whys }) => ({
    actions,
    resources: scope.resources,
    ...(scope.conditions === undefined ? {} : { conditions: scope.conditions }),
    why: [...whys].join(' '),
  }));
}

/** Groups the family's declared AWS actions by scope, one statement per scope. */
function scopedActionsOf(family: ActionFamily, account: string): ScopedActions[] {
  return scopedActionsOfFamilies([family], account);
}

/** The IAM write actions on roles the families may call, which an explicit Deny keeps off Riposte's own roles. */
function roleWriteActionsOf(families: readonly ActionFamily[]): string[] {
  return [...new Set(families.flatMap((family) => iamActionsOfFamily(family)))]
    .filter((action) =>
      /^iam:((Put|Delete|Attach|Detach|Update|Tag|Untag)Role|UpdateAssumeRolePolicy)/.test(action),
    )
    .sort();
}

/**
 * The explicit Denies that go with the `families`' permissions, whoever holds them (an action
 * role here, or the member role in a member account):
 *
 * - the IAM write actions on roles they may call, on `protectedRoles` (the roles whose policies
 *   would widen Riposte's own permissions), when they call any;
 * - `ec2:CreateTags` of the protected tag (`protectedTagKey`), which exempts a resource from
 *   containment and is never written by Riposte, when they may tag;
 * - `ec2:ModifySnapshotAttribute` that adds an account or `all` (`ec2:Add/userId`,
 *   `ec2:Add/group`): Riposte only removes a snapshot's sharing.
 */
export function denyStatementsOf(
  families: readonly ActionFamily[],
  options: { readonly protectedRoles: readonly string[]; readonly protectedTagKey: string },
): iam.PolicyStatement[] {
  const statements: iam.PolicyStatement[] = [];
  const roleWrites = roleWriteActionsOf(families);
  if (roleWrites.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: roleWrites,
        resources: [...options.protectedRoles],
      }),
    );
  }
  if (families.some((family) => iamActionsOfFamily(family).includes('ec2:ModifySnapshotAttribute'))) {
    // Riposte only ever removes a snapshot's sharing; adding an account or `all` is denied
    // (condition keys of ModifySnapshotAttribute, Service Authorization Reference). AMIs and RDS
    // snapshots have no such keys: there only the code rails hold.
    for (const key of ['ec2:Add/group', 'ec2:Add/userId']) {
      statements.push(
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          actions: ['ec2:ModifySnapshotAttribute'],
          resources: ['*'],
          conditions: { Null: { [key]: 'false' } },
        }),
      );
    }
  }
  if (families.some((family) => iamActionsOfFamily(family).includes('ec2:CreateTags'))) {
    statements.push(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['ec2:CreateTags'],
        resources: ['*'],
        conditions: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': [options.protectedTagKey] } },
      }),
    );
  }
  return statements;
}

/**
 * One action family's Lambda function (`functions/<family>/handler.ts`, the shared
 * `createActionHandler`) with its own role and log group.
 */
export class ActionFunction extends Construct {
  public readonly family: ActionFamily;
  /** The function. */
  public readonly function: nodejs.NodejsFunction;
  /** Its execution role. */
  public readonly role: iam.Role;
  /** Its log group. */
  public readonly logGroup: logs.LogGroup;
  /** Wildcard resources of the role's policy, with why; acknowledged once the policy is complete. */
  public readonly wildcards = new WildcardReasons();

  public constructor(
    scope: Construct,
    id: string,
    props: ActionFunctionsProps & {
      readonly family: ActionFamily;
      readonly environment: Record<string, string>;
      /**
       * The role's name: a stable one lets other policies name the role (the member role's trust
       * policy does).
       *
       * @default - a name CloudFormation generates
       */
      readonly roleName?: string;
    },
  ) {
    super(scope, id);
    const { family } = props;
    const spec = FAMILY_SPECS[family];
    this.family = family;

    this.logGroup = encryptedLogGroup(this, 'LogGroup', {
      retention: props.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.encryptionKey,
    });
    this.role = new iam.Role(this, 'Role', {
      ...(props.roleName === undefined ? {} : { roleName: props.roleName }),
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Riposte ${family} actions: ${spec.description.replace(/^Riposte [a-z]+ actions?: /, '')}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      ...FUNCTION_DEFAULTS,
      description: spec.description,
      entry: fileURLToPath(new URL(`../functions/${family}/handler.ts`, import.meta.url)),
      memorySize: spec.memorySize,
      timeout: spec.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
    });
    this.wildcards.add(
      ['*'],
      'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords accept no resource but "*".',
    );
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is deliberate: it is the runtime Riposte develops, tests and runs its local runtime on; ' +
        'moving to a newer Node.js is a tested upgrade of its own, not a drift.',
    });
  }

  /** Adds an allow statement, recording why for each wildcard resource. */
  public allow(statement: ScopedActions): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: statement.actions,
        resources: [...statement.resources],
        ...(statement.conditions === undefined ? {} : { conditions: statement.conditions }),
      }),
    );
    this.wildcards.add(statement.resources, statement.why);
  }
}

/**
 * The action Lambdas: one function per action family (`Context`, `Enrich`, `Contain`,
 * `Release`, `Notify`, `Approve`), each with its own role, allowed what its family's actions
 * declare (`iamActionsOfFamily`) on the resources {@link scopeOf} gives, and nothing else:
 *
 * - its log group (write), X-Ray;
 * - on Riposte's own resources, exactly the calls its code declares (`callsOfFamily`: the
 *   runner's bookkeeping, `runnerCallsOf`, and its actions' `calls`), each on its resource and
 *   each resource's key only through its service: the table (timeline, milestones, state, rails,
 *   context), the kill switch and the member role (`enrich`, `contain`, `release`), the alert
 *   topic and the notification secrets (`notify`, `approve`), the approval key (`approve`); the
 *   lifecycle bus grants `events:PutEvents` to {@link ActionFunctions.functionsDeclaring} it;
 *
 * Roles with IAM write actions on roles get an explicit Deny of those actions on the six action
 * roles, so no action function can widen its own permissions or another's.
 *
 * Each role has a stable name, `Riposte-Action-<Family>-<region>` ({@link actionRoleName}): the
 * member role's trust policy in every member account admits the enrich, contain and release
 * roles by name (`aws:PrincipalArn`).
 *
 * Node.js 22 on ARM64, ESM bundles built locally by esbuild, X-Ray active tracing, log groups
 * encrypted with the key and retained.
 *
 * @example
 * const actions = new ActionFunctions(this, 'Actions', { store, encryptionKey: key, settings,
 *   approvalBaseUrl: api.baseUrl, safety: config.safety, memberRoleName: config.memberRoleName, logRetentionDays: 365 });
 * actions.functionOf('contain').functionArn;
 */
export class ActionFunctions extends Construct {
  /** The function of each family. */
  public readonly families: Readonly<Record<ActionFamily, ActionFunction>>;

  public constructor(scope: Construct, id: string, props: ActionFunctionsProps) {
    super(scope, id);
    if (!isRetentionDays(props.logRetentionDays)) {
      throw new Error(
        `ActionFunctions: logRetentionDays must be one of ${[...LOG_RETENTION_DAYS].join(', ')}, got ${props.logRetentionDays}`,
      );
    }
    const stack = Stack.of(this);
    const account = stack.account;
    const partition = Aws.PARTITION;
    const { settings } = props;
    const table = props.store.table;

    const common: Record<string, string> = {
      TABLE_NAME: props.store.tableName,
      SAFETY_POLICY: JSON.stringify(props.safety),
      KILL_SWITCH_PARAMETER: settings.killSwitch.parameterName,
      MEMBER_ROLE_NAME: props.memberRoleName,
      ...(props.memberRoleExternalId === undefined
        ? {}
        : { MEMBER_ROLE_EXTERNAL_ID: props.memberRoleExternalId }),
      AWS_ACCOUNT_ID: Aws.ACCOUNT_ID,
      AWS_PARTITION: Aws.PARTITION,
      POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
    const notifyEnvironment = settings.notifyEnvironment();

    const region = stack.region;
    const key = props.encryptionKey.keyArn;
    const topicKey = settings.alertTopic.masterKey;
    const notificationSecrets = settings.notificationSecretArns();
    // Where the calls the families' code declares go (see functions/core/permissions.ts). The
    // lifecycle bus is granted by LifecycleBus to the functions declaring events:PutEvents.
    const resolved: ResolvedResources = {
      table: {
        arns: [table.tableArn],
        key: { keyArn: key, viaService: `dynamodb.${region}.amazonaws.com` },
      },
      'kill-switch': { arns: [settings.killSwitch.parameterArn] },
      'member-role': {
        arns: [`arn:${partition}:iam::*:role/${props.memberRoleName}`],
        ...(props.memberRoleExternalId === undefined
          ? {}
          : { conditions: { StringEquals: { 'sts:ExternalId': props.memberRoleExternalId } } }),
        why:
          `sts:AssumeRole on the member role (${props.memberRoleName}) in any account: the accounts of an ` +
          'organization are not known when Riposte is deployed (and change), so the account is "*"; the role ' +
          'name is fixed, its trust policy in each member account admits only Riposte' +
          (props.memberRoleExternalId === undefined ? '.' : ', and the external id is required.'),
      },
      'alert-topic': {
        arns: [settings.alertTopic.topicArn],
        ...(topicKey === undefined
          ? {}
          : { key: { keyArn: topicKey.keyArn, viaService: `sns.${region}.amazonaws.com` } }),
      },
      'approval-key': {
        arns: [settings.approvalKey.secretArn],
        key: { keyArn: key, viaService: `secretsmanager.${region}.amazonaws.com` },
      },
      ...(notificationSecrets.length === 0 ? {} : { 'notification-secrets': { arns: notificationSecrets } }),
    };
    // Declared, but granted elsewhere or not configured (no secret: the code reads none).
    const later: DeclaredResource[] = [
      'lifecycle-bus',
      ...(notificationSecrets.length === 0 ? (['notification-secrets'] as const) : []),
    ];

    const families = {} as Record<ActionFamily, ActionFunction>;
    for (const family of ACTION_FAMILIES) {
      const spec = FAMILY_SPECS[family];
      const calls = callsOfFamily(family);
      const sendsNotifications = declaresAction(calls, 'sns:Publish');
      const environment: Record<string, string> = {
        ...common,
        POWERTOOLS_SERVICE_NAME: `riposte-${family}`,
        ...(sendsNotifications ? notifyEnvironment : {}),
        ...(calls.some((call) => call.resource === 'approval-key')
          ? {
              APPROVAL_BASE_URL: props.approvalBaseUrl,
              APPROVAL_KEY_SECRET_ARN: settings.approvalKey.secretArn,
            }
          : {}),
      };
      const fn = new ActionFunction(this, spec.id, {
        ...props,
        family,
        environment,
        roleName: actionRoleName(family, stack.region),
      });
      families[family] = fn;

      // Riposte's own resources: exactly the calls the family's code declares (the runner's
      // bookkeeping and its actions' calls); the incident's resources: what its actions declare.
      for (const statement of declaredStatements(`the ${family} function`, calls, resolved, later)) {
        fn.allow(statement);
      }
      for (const statement of scopedActionsOf(family, account)) fn.allow(statement);
    }
    this.families = families;

    // No action function may write to the policies of a role it could then use: the action roles
    // (its own or another's) and the member role of this account, which it may assume.
    const actionRoles = [
      ...ACTION_FAMILIES.map((family) => families[family].role.roleArn),
      `arn:${partition}:iam::${account}:role/${props.memberRoleName}`,
    ];
    // And the tag that exempts a resource from containment is never written by Riposte.
    // The Denies are an inline policy of their own beside the role's default one: a role whose
    // allows grow past CDK's estimate would otherwise see them split off into a managed policy.
    for (const family of ACTION_FAMILIES) {
      const denies = [
        ...denyStatementsOf([family], {
          protectedRoles: actionRoles,
          protectedTagKey: props.safety.protectedTag.key,
        }),
        // Defence in depth behind the rails: no write to a principal or resource carrying the protected tag.
        ...protectedTagGuardStatements([family], props.safety.protectedTag),
      ];
      if (denies.length > 0) {
        families[family].role.attachInlinePolicy(
          new iam.Policy(families[family].role, 'DenyPolicy', { statements: denies }),
        );
      }
    }

    for (const family of ACTION_FAMILIES) {
      const fn = families[family];
      acknowledgeRoleWildcards(fn.role, fn.wildcards.entries);
    }
  }

  /** The function of `family`. */
  public functionOf(family: ActionFamily): lambda.IFunction {
    return this.families[family].function;
  }

  /**
   * The functions whose code declares `action` (e.g. `events:PutEvents`: the lifecycle bus's
   * publishers).
   *
   * @example
   * new LifecycleBus(this, 'Lifecycle', { publishers: actions.functionsDeclaring('events:PutEvents') });
   */
  public functionsDeclaring(action: string): nodejs.NodejsFunction[] {
    return ACTION_FAMILIES.filter((family) => declaresAction(callsOfFamily(family), action)).map(
      (family) => this.families[family].function,
    );
  }
}

import { createHash } from 'node:crypto';
import { ArnFormat, CfnOutput, Duration, NestedStack, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ActionFamily } from '../functions/core/actions/types.ts';
import { familiesOf, functionPlaceholder, renderDefinition } from '../functions/core/playbooks/compile.ts';
import type { Playbook } from '../functions/core/playbooks/sdk.ts';
import { playbookFailureAlarm } from './dashboard.ts';

/** Properties of {@link PlaybookStateMachines}. */
export interface PlaybookStateMachinesProps {
  /** The playbooks to deploy (`loadPlaybooks()`). */
  readonly playbooks: readonly Playbook[];

  /** The action function of each family; a state machine may invoke only its playbook's families. */
  readonly functionOf: (family: ActionFamily) => lambda.IFunction;

  /** The key the execution log groups are encrypted with. */
  readonly encryptionKey: kms.IKey;

  /** CloudWatch Logs retention of each execution log group, in days. */
  readonly logRetentionDays: number;

  /** The topic each playbook's failure alarm notifies (the `Settings` alert topic). */
  readonly alertTopic: sns.ITopic;
}

/** Properties of {@link PlaybookStateMachine}. */
export interface PlaybookStateMachineProps extends Omit<PlaybookStateMachinesProps, 'playbooks'> {
  readonly playbook: Playbook;
  /** The state machine's name ({@link stateMachineName}); its failure alarm is named after it. */
  readonly stateMachineName: string;
}

/** The alias every playbook is started through. */
export const LIVE_ALIAS = 'live';

/** CloudFormation's bounds of a gradual deployment. */
const ROLLOUT_LIMITS = { percentage: [1, 99], intervalMinutes: [1, 2100], alarms: 100 } as const;

/** Longest description a state machine version or alias accepts. */
const DESCRIPTION_LIMIT = 256;

/** Longest state machine name Step Functions accepts. */
export const STATE_MACHINE_NAME_LIMIT = 80;

/** Longest prefix (`<stack name>-`) that leaves a playbook id room in {@link STATE_MACHINE_NAME_LIMIT}. */
export const NAME_PREFIX_LIMIT = 40;

/**
 * The state machine name of a playbook: `<prefix><playbook id>`, the prefix being the root
 * stack's name and a hyphen. Deterministic, so that the ingest function computes a playbook's
 * ARN from its name, the account and the Region, and one IAM resource pattern (`<prefix>*`)
 * covers every playbook of the stack. An id too long for the 80 characters Step Functions
 * accepts keeps its head and gets a hash of the whole id as its tail.
 *
 * @example
 * stateMachineName('Riposte-', 'ec2-instance-compromise') // 'Riposte-ec2-instance-compromise'
 */
export function stateMachineName(prefix: string, playbookId: string): string {
  if (!/^[A-Za-z][A-Za-z0-9-]*-$/.test(prefix) || prefix.length > NAME_PREFIX_LIMIT) {
    throw new Error(
      `PlaybookStateMachines: the state machine name prefix "${prefix}" must be a stack name of at most ` +
        `${NAME_PREFIX_LIMIT - 1} characters (letters, digits, hyphens) followed by "-"`,
    );
  }
  const name = `${prefix}${playbookId}`;
  if (name.length <= STATE_MACHINE_NAME_LIMIT) return name;
  const digest = createHash('sha256').update(playbookId).digest('hex').slice(0, 12);
  return `${name.slice(0, STATE_MACHINE_NAME_LIMIT - digest.length - 1)}-${digest}`;
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/**
 * One playbook deployed, in a nested stack of its own: a Standard state machine named
 * {@link stateMachineName} running the compiled definition, a published version per playbook
 * version, the `live` alias executions are started through, and the alarm on its failed and
 * timed-out executions (`FailureAlarm`, see `playbookFailureAlarm`).
 *
 * One nested stack per playbook keeps every playbook's resources apart: adding, changing or
 * removing a playbook changes its own nested stack and the parent's list of nested stacks,
 * never another playbook's template, logical ids or parameters. It also keeps each template far
 * below CloudFormation's limits whatever the number of playbooks (see the README, Deploying).
 *
 * Construct ids (`StateMachine`, `Role`, `LogGroup`, `Version<version>`, `Live`, `FailureAlarm`)
 * are a contract; the alias ARN is also an output of the nested stack (`LiveAliasArn`).
 * The version's id carries the playbook version, so bumping it publishes a new version (the old
 * one is deleted once the alias has moved off it). Without `rollout` the alias routes 100 % to
 * the version; with it, CloudFormation shifts traffic gradually (CANARY or LINEAR) and rolls
 * back when one of the alarms fires.
 */
export class PlaybookStateMachine extends NestedStack {
  public readonly playbook: Playbook;
  /** The state machine's name. */
  public readonly stateMachineName: string;
  /** The families the playbook calls (and its role may invoke). */
  public readonly families: readonly ActionFamily[];
  public readonly stateMachine: sfn.StateMachine;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  public readonly version: sfn.CfnStateMachineVersion;
  public readonly alias: sfn.CfnStateMachineAlias;
  /** ARN of the `live` alias: where executions start (a token of this nested stack). */
  public readonly aliasArn: string;
  /** Failed or timed-out executions. */
  public readonly failureAlarm: cloudwatch.Alarm;

  public constructor(scope: Construct, id: string, props: PlaybookStateMachineProps) {
    const { playbook } = props;
    super(scope, id, {
      description: truncate(`Riposte playbook ${playbook.id} ${playbook.version}`, DESCRIPTION_LIMIT),
    });
    this.playbook = playbook;
    this.stateMachineName = props.stateMachineName;
    this.families = familiesOf(playbook);
    validateRollout(playbook);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const { account, region, partition } = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      // Only Step Functions acting for a state machine of this account and Region (confused deputy).
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:states:${region}:${account}:stateMachine:*` },
        },
      }),
      description: `Riposte playbook ${playbook.id}: invokes the ${this.families.join(', ')} action functions`,
    });
    const functions = this.families.map((family) => props.functionOf(family));
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: functions.map((fn) => fn.functionArn),
      }),
    );

    const definitionSubstitutions: Record<string, string> = {};
    this.families.forEach((family, index) => {
      definitionSubstitutions[functionPlaceholder(family)] = (
        functions[index] as lambda.IFunction
      ).functionArn;
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: this.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(renderDefinition(playbook)),
      definitionSubstitutions,
      // The compiled definition carries the same TimeoutSeconds.
      timeout: Duration.seconds(playbook.timeoutSeconds ?? 86_400),
      role: this.role,
      // Every event, without its data: the input, output and parameters of a waitForTaskToken
      // task carry the approval's task token, which would let anyone reading the log group decide
      // the approval. The execution history keeps the data for the console and the CLI.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const changelog = playbook.changelog[playbook.version] ?? '';
    this.version = new sfn.CfnStateMachineVersion(this, `Version${playbook.version}`, {
      stateMachineArn: this.stateMachine.stateMachineArn,
      stateMachineRevisionId: this.stateMachine.stateMachineRevisionId,
      description: truncate(`${playbook.id} ${playbook.version}: ${changelog}`, DESCRIPTION_LIMIT),
    });
    const { rollout } = playbook;
    this.alias = new sfn.CfnStateMachineAlias(this, 'Live', {
      name: LIVE_ALIAS,
      description: truncate(
        `Riposte playbook ${playbook.id}, the version executions start on`,
        DESCRIPTION_LIMIT,
      ),
      ...(rollout === undefined
        ? { routingConfiguration: [{ stateMachineVersionArn: this.version.attrArn, weight: 100 }] }
        : {
            deploymentPreference: {
              stateMachineVersionArn: this.version.attrArn,
              type: rollout.type,
              percentage: rollout.percentage,
              interval: rollout.intervalMinutes,
              ...(rollout.alarms === undefined || rollout.alarms.length === 0
                ? {}
                : { alarms: [...rollout.alarms] }),
            },
          }),
    });
    this.aliasArn = this.alias.attrArn;
    new CfnOutput(this, 'LiveAliasArn', {
      description: `Riposte playbook ${playbook.id}: the live alias executions start on`,
      value: this.aliasArn,
    });
    this.failureAlarm = playbookFailureAlarm(this, 'FailureAlarm', {
      playbookId: playbook.id,
      alarmName: `${this.stateMachineName}-failed`,
      stateMachine: this.stateMachine,
      topic: props.alertTopic,
    });

    // The role's policy holds the invoke statement above and what CDK adds for logging and tracing.
    Validations.of(this.role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions log delivery to CloudWatch Logs (logs:CreateLogDelivery, GetLogDelivery, ' +
        'UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, ' +
        'DescribeLogGroups) and X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, ' +
        'GetSamplingTargets) accept no resource but "*"; lambda:InvokeFunction names the functions of this ' +
        "playbook's action families only.",
    });
  }
}

function validateRollout(playbook: Playbook): void {
  const { rollout } = playbook;
  if (rollout === undefined) return;
  const fail = (message: string): never => {
    throw new Error(`playbook ${playbook.id}: rollout ${message}`);
  };
  const [minPercent, maxPercent] = ROLLOUT_LIMITS.percentage;
  if (
    !Number.isInteger(rollout.percentage) ||
    rollout.percentage < minPercent ||
    rollout.percentage > maxPercent
  ) {
    fail(`percentage must be an integer from ${minPercent} to ${maxPercent}, got ${rollout.percentage}`);
  }
  const [minInterval, maxInterval] = ROLLOUT_LIMITS.intervalMinutes;
  if (
    !Number.isInteger(rollout.intervalMinutes) ||
    rollout.intervalMinutes < minInterval ||
    rollout.intervalMinutes > maxInterval
  ) {
    fail(
      `intervalMinutes must be an integer from ${minInterval} to ${maxInterval}, got ${rollout.intervalMinutes}`,
    );
  }
  if ((rollout.alarms ?? []).length > ROLLOUT_LIMITS.alarms) {
    fail(`takes at most ${ROLLOUT_LIMITS.alarms} alarms`);
  }
}

/**
 * Every playbook as a Standard state machine with a published version and a `live` alias, each
 * in its own nested stack (see {@link PlaybookStateMachine}); the construct id of each is the
 * playbook id, a contract. State machines are named `<stack name>-<playbook id>`
 * ({@link stateMachineName}), so what the rest of the stack grants or matches on them is one
 * ARN pattern ({@link stateMachineArnPattern}) however many playbooks there are, and nothing in
 * the parent stack refers to a resource of a nested one.
 *
 * @example
 * const machines = new PlaybookStateMachines(this, 'Playbooks', { playbooks: await loadPlaybooks(),
 *   functionOf: (family) => actions.functionOf(family), encryptionKey: key, logRetentionDays: 365,
 *   alertTopic: settings.alertTopic });
 * machines.aliasArnOf('ec2-instance-compromise'); // arn:…:stateMachine:Riposte-ec2-instance-compromise:live
 */
export class PlaybookStateMachines extends Construct {
  /** The deployed playbooks, by id. */
  public readonly machines: ReadonlyMap<string, PlaybookStateMachine>;
  /** What every state machine name starts with: the root stack's name and a hyphen. */
  public readonly namePrefix: string;

  public constructor(scope: Construct, id: string, props: PlaybookStateMachinesProps) {
    super(scope, id);
    this.namePrefix = `${Stack.of(this).stackName}-`;
    const machines = new Map<string, PlaybookStateMachine>();
    for (const playbook of props.playbooks) {
      if (machines.has(playbook.id))
        throw new Error(`PlaybookStateMachines: playbook id "${playbook.id}" is used twice`);
      machines.set(
        playbook.id,
        new PlaybookStateMachine(this, playbook.id, {
          ...props,
          playbook,
          stateMachineName: stateMachineName(this.namePrefix, playbook.id),
        }),
      );
    }
    this.machines = machines;
  }

  /** The state machine name of playbook `id`. */
  public nameOf(id: string): string {
    const machine = this.machines.get(id);
    if (machine === undefined) throw new Error(`PlaybookStateMachines: no playbook "${id}"`);
    return machine.stateMachineName;
  }

  /**
   * ARN of the `live` alias of playbook `id`, built in this (the parent) stack from the name,
   * the account and the Region: no reference into the playbook's nested stack.
   */
  public aliasArnOf(id: string): string {
    return this.stateMachineArn(`${this.nameOf(id)}:${LIVE_ALIAS}`);
  }

  /** The (unqualified) ARN of playbook `id`'s state machine, built from its name like {@link aliasArnOf}. */
  public stateMachineArnOf(id: string): string {
    return this.stateMachineArn(this.nameOf(id));
  }

  /** The `live` alias ARN of every playbook, by id. */
  public get aliasArns(): Readonly<Record<string, string>> {
    return Object.fromEntries([...this.machines.keys()].map((id) => [id, this.aliasArnOf(id)]));
  }

  /** `arn:<partition>:states:<region>:<account>:stateMachine:<prefix>*`: every playbook state machine. */
  public get stateMachineArnPattern(): string {
    return this.stateMachineArn(`${this.namePrefix}*`);
  }

  /**
   * `arn:<partition>:states:<region>:<account>:execution:<prefix>*:*`: every execution of every
   * playbook state machine (an execution's ARN names its state machine, then the execution).
   */
  public get executionArnPattern(): string {
    return Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.namePrefix}*:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** `arn:<partition>:states:<region>:<account>:stateMachine:<prefix>`, what a playbook ARN starts with. */
  public get stateMachineArnPrefix(): string {
    return this.stateMachineArn(this.namePrefix);
  }

  private stateMachineArn(resourceName: string): string {
    return Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }
}

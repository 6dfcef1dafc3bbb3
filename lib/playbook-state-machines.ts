import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ActionFamily } from '../functions/core/actions/types.ts';
import { familiesOf, functionPlaceholder, renderDefinition } from '../functions/core/playbooks/compile.ts';
import type { Playbook } from '../functions/core/playbooks/sdk.ts';

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
}

/** Properties of {@link PlaybookStateMachine}. */
export interface PlaybookStateMachineProps extends Omit<PlaybookStateMachinesProps, 'playbooks'> {
  readonly playbook: Playbook;
}

/** The alias every playbook is started through. */
export const LIVE_ALIAS = 'live';

/** CloudFormation's bounds of a gradual deployment. */
const ROLLOUT_LIMITS = { percentage: [1, 99], intervalMinutes: [1, 2100], alarms: 100 } as const;

/** Longest description a state machine version or alias accepts. */
const DESCRIPTION_LIMIT = 256;

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/**
 * One playbook deployed: a Standard state machine running the compiled definition, a published
 * version per playbook version, and the `live` alias executions are started through.
 *
 * Construct ids (`StateMachine`, `Role`, `LogGroup`, `Version<version>`, `Live`) are a contract;
 * the alias ARN is also a stack output (`LiveAliasArn`).
 * The version's id carries the playbook version, so bumping it publishes a new version (the old
 * one is deleted once the alias has moved off it). Without `rollout` the alias routes 100 % to
 * the version; with it, CloudFormation shifts traffic gradually (CANARY or LINEAR) and rolls
 * back when one of the alarms fires.
 */
export class PlaybookStateMachine extends Construct {
  public readonly playbook: Playbook;
  /** The families the playbook calls (and its role may invoke). */
  public readonly families: readonly ActionFamily[];
  public readonly stateMachine: sfn.StateMachine;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  public readonly version: sfn.CfnStateMachineVersion;
  public readonly alias: sfn.CfnStateMachineAlias;
  /** ARN of the `live` alias: where executions start. */
  public readonly aliasArn: string;

  public constructor(scope: Construct, id: string, props: PlaybookStateMachineProps) {
    super(scope, id);
    const { playbook } = props;
    this.playbook = playbook;
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
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(renderDefinition(playbook)),
      definitionSubstitutions,
      // The compiled definition carries the same TimeoutSeconds.
      timeout: Duration.seconds(playbook.timeoutSeconds ?? 86_400),
      role: this.role,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
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
 * Every playbook as a Standard state machine with a published version and a `live` alias (see
 * {@link PlaybookStateMachine}); the construct id of each is the playbook id, a contract.
 *
 * @example
 * const machines = new PlaybookStateMachines(this, 'Playbooks', { playbooks: await loadPlaybooks(),
 *   functionOf: (family) => actions.functionOf(family), encryptionKey: key, logRetentionDays: 365 });
 * routesFor(playbooks, (p) => machines.aliasArnOf(p.id));
 */
export class PlaybookStateMachines extends Construct {
  /** The deployed playbooks, by id. */
  public readonly machines: ReadonlyMap<string, PlaybookStateMachine>;

  public constructor(scope: Construct, id: string, props: PlaybookStateMachinesProps) {
    super(scope, id);
    const machines = new Map<string, PlaybookStateMachine>();
    for (const playbook of props.playbooks) {
      if (machines.has(playbook.id))
        throw new Error(`PlaybookStateMachines: playbook id "${playbook.id}" is used twice`);
      machines.set(playbook.id, new PlaybookStateMachine(this, playbook.id, { ...props, playbook }));
    }
    this.machines = machines;
  }

  /** ARN of the `live` alias of playbook `id`. */
  public aliasArnOf(id: string): string {
    const machine = this.machines.get(id);
    if (machine === undefined) throw new Error(`PlaybookStateMachines: no playbook "${id}"`);
    return machine.aliasArn;
  }

  /** The `live` alias ARN of every playbook, by id. */
  public get aliasArns(): Readonly<Record<string, string>> {
    return Object.fromEntries([...this.machines].map(([id, machine]) => [id, machine.aliasArn]));
  }

  /** The state machines. */
  public get stateMachines(): sfn.StateMachine[] {
    return [...this.machines.values()].map((machine) => machine.stateMachine);
  }
}

import { CfnOutput, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { customSourceAccounts, type RiposteConfig } from '../functions/core/config/schema.ts';
import { INGEST_FUNCTION_CALLS } from '../functions/core/intake/calls.ts';
import { RELAY_CALLS } from '../functions/core/lifecycle/relay.ts';
import type { Playbook } from '../functions/core/playbooks/sdk.ts';
import { ActionFunctions } from './action-functions.ts';
import { AlertSources } from './alert-sources.ts';
import { AlertStore } from './alert-store.ts';
import { ApprovalApi } from './approval-api.ts';
import { FailureAlerts, RiposteDashboard } from './dashboard.ts';
import { declaresAction } from './declared-permissions.ts';
import { EncryptionKey } from './encryption-key.ts';
import { IngestFunction } from './ingest-function.ts';
import { IntakeQueue } from './intake-queue.ts';
import { LifecycleBus } from './lifecycle-bus.ts';
import { LifecycleRelay } from './lifecycle-relay.ts';
import { memberRoleExternalIdOf } from './member-account-stack.ts';
import { OperatorPolicy } from './operator-policy.ts';
import { PlaybookStateMachines } from './playbook-state-machines.ts';
import { ResponseSettings } from './response-settings.ts';

/** Properties of {@link RiposteStack}. */
export interface RiposteStackProps extends StackProps {
  /** The deployment configuration (`cdk.json` context `riposte`, parsed by `parseConfig`). */
  readonly config: RiposteConfig;

  /**
   * The playbooks to deploy (`await loadPlaybooks()`): each becomes a state machine with a
   * published version and a `live` alias, which the ingest function dispatches to and may start.
   *
   * @default [] - no playbook: alerts are stored and grouped into incidents, nothing is started.
   */
  readonly playbooks?: readonly Playbook[];
}

/** The ingest function's timeout and batching window, which size the visibility timeout of the queue it consumes. */
const INGEST_TIMEOUT = IngestFunction.DEFAULT_TIMEOUT;
const INGEST_BATCHING_WINDOW = IngestFunction.DEFAULT_BATCHING_WINDOW;

/**
 * Riposte in one stack (and one nested stack per playbook): security alerts from the default event bus → intake queue → ingest
 * function → alert table → playbook state machines → action functions, everything encrypted
 * with one customer managed key.
 *
 * Construct ids are a contract (renaming one replaces its resources, and the table and key are
 * retained, not moved): `Encryption`, `AlertStore`, `Intake`, `Sources` (one rule per source id),
 * `Ingest`, `Settings` (kill switch, alert topic, approval key), `Approval` (the approval
 * endpoint), `Actions` (one function per action family), `Playbooks` (one nested stack per
 * playbook, named by its id; state machines named `<stack name>-<playbook id>`), `Lifecycle`
 * (the lifecycle event bus and its archive), `LifecycleRelay` (the function publishing the
 * lifecycle events of operators' case changes from the table's outbox), `FailureAlerts` (one rule notifying failed,
 * timed-out and aborted executions of every playbook) and `Dashboard` (the `Riposte`
 * CloudWatch dashboard and its alarms). The stack name is at most 39 characters: it prefixes
 * every state machine name.
 *
 * Outputs (their keys are a contract: `riposte <command> --stack NAME` reads them):
 * `TableName`, the alert table; `DeployedPlaybooks`, the deployed playbooks as JSON
 * (`{"<id>":{"version":"1.0.0","aliasArn":"arn:aws:states:…:live"}}`), whose `live` aliases an
 * operator starts (`riposte release`). Each playbook's nested stack also has a `LiveAliasArn` output.
 *
 * Termination protection is off unless `terminationProtection` is set: the table and the key are
 * retained on stack deletion and the table has deletion protection, so deleting the stack loses
 * no alert.
 *
 * @example
 * new RiposteStack(app, 'Riposte', { config: parseConfig(app.node.tryGetContext('riposte')) });
 */
export class RiposteStack extends Stack {
  /** The stack description used when `description` is not given. */
  public static readonly DESCRIPTION =
    'Riposte: serverless SOAR. Security alerts from EventBridge, normalized to OCSF, stored in DynamoDB, answered by playbooks.';

  /** The keys of the outputs `riposte --stack` reads. */
  public static readonly OUTPUTS = {
    tableName: 'TableName',
    playbooks: 'DeployedPlaybooks',
    operatorPolicy: 'OperatorPolicyArn',
  } as const;
  /** The output the member stack's `ExternalId` parameter takes its value from. */
  public static readonly MEMBER_EXTERNAL_ID_OUTPUT = 'MemberRoleExternalId';

  public readonly encryption: EncryptionKey;
  public readonly store: AlertStore;
  /** The managed policy for analysts working the deployment with the CLI and the console. */
  public readonly operator: OperatorPolicy;
  public readonly intake: IntakeQueue;
  public readonly sources: AlertSources;
  public readonly ingest: IngestFunction;
  public readonly settings: ResponseSettings;
  public readonly approval: ApprovalApi;
  public readonly actions: ActionFunctions;
  public readonly playbooks: PlaybookStateMachines;
  public readonly lifecycle: LifecycleBus;
  /** Publishes the lifecycle events operators' case changes leave in the table's outbox. */
  public readonly relay: LifecycleRelay;
  public readonly failureAlerts: FailureAlerts;
  public readonly dashboard: RiposteDashboard;

  public constructor(scope: Construct, id: string, props: RiposteStackProps) {
    super(scope, id, {
      ...props,
      description: props.description ?? RiposteStack.DESCRIPTION,
      terminationProtection: props.terminationProtection ?? false,
    });
    const { config } = props;
    // Riposte's own functions, roles and resources carry the protected tag: a finding that names
    // one of them (a GuardDuty Lambda finding on the ingest function, a role session of an action
    // role) is refused by the rails and by the protected-tag guard, never contained by Riposte.
    Tags.of(this).add(config.safety.protectedTag.key.trim(), config.safety.protectedTag.value.trim());

    this.encryption = new EncryptionKey(this, 'Encryption');
    const { key } = this.encryption;
    this.store = new AlertStore(this, 'AlertStore', { encryptionKey: key });
    this.intake = new IntakeQueue(this, 'Intake', {
      encryptionKey: key,
      maxReceiveCount: config.maxReceiveCount,
      consumerTimeout: INGEST_TIMEOUT,
      consumerBatchingWindow: INGEST_BATCHING_WINDOW,
    });
    this.sources = new AlertSources(this, 'Sources', {
      config,
      queue: this.intake.queue,
      deadLetterQueue: this.intake.deadLetterQueue,
    });
    this.settings = new ResponseSettings(this, 'Settings', {
      encryptionKey: key,
      notifications: config.notifications,
    });
    this.approval = new ApprovalApi(this, 'Approval', {
      store: this.store,
      encryptionKey: key,
      settings: this.settings,
      logRetentionDays: config.logRetentionDays,
    });
    this.actions = new ActionFunctions(this, 'Actions', {
      store: this.store,
      encryptionKey: key,
      settings: this.settings,
      approvalBaseUrl: this.approval.baseUrl,
      safety: config.safety,
      memberRoleName: config.memberRoleName,
      memberRoleExternalId: memberRoleExternalIdOf(config),
      logRetentionDays: config.logRetentionDays,
    });
    const playbooks = props.playbooks ?? [];
    this.playbooks = new PlaybookStateMachines(this, 'Playbooks', {
      playbooks,
      functionOf: (family) => this.actions.functionOf(family),
      encryptionKey: key,
      logRetentionDays: config.logRetentionDays,
      alertTopic: this.settings.alertTopic,
    });
    if (playbooks.length > 0) {
      this.approval.allowTaskResponses({
        stateMachineArns: [this.playbooks.stateMachineArnPattern],
        executionArns: [this.playbooks.executionArnPattern],
      });
      Validations.of(this.approval.role.node.findChild('DefaultPolicy')).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${this.playbooks.namePrefix}*]`,
        reason:
          `states:SendTaskSuccess and SendTaskFailure on the state machines named ${this.playbooks.namePrefix}*, ` +
          'the playbooks of this stack (deterministic names: <stack name>-<playbook id>): one resource for any ' +
          "number of playbooks, where a list of ARNs would outgrow IAM's 10,240-character limit on a role's " +
          'inline policies.',
      });
      Validations.of(this.approval.role.node.findChild('DefaultPolicy')).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${this.playbooks.namePrefix}*:*]`,
        reason:
          `states:DescribeExecution on the executions of the state machines named ${this.playbooks.namePrefix}*: ` +
          'execution names are chosen at start, so the approval endpoint reads the execution its approval ' +
          'item records (to settle a decision whose answer was lost) through one pattern per stack.',
      });
    }

    this.operator = new OperatorPolicy(this, 'Operator', {
      store: this.store,
      encryptionKey: key,
      playbooks: this.playbooks,
    });

    this.ingest = new IngestFunction(this, 'Ingest', {
      store: this.store,
      intake: this.intake,
      encryptionKey: key,
      incidentWindowHours: config.incidentWindowHours,
      rejectedRetentionDays: config.rejectedRetentionDays,
      logRetentionDays: config.logRetentionDays,
      customSourceAccounts: customSourceAccounts(config),
      routes: playbooks.map((playbook) => ({
        id: playbook.id,
        version: playbook.version,
        stateMachineName: this.playbooks.nameOf(playbook.id),
        trigger: playbook.trigger,
        ...(playbook.supersedes === undefined ? {} : { supersedes: [...playbook.supersedes] }),
      })),
      stateMachineNamePrefix: this.playbooks.namePrefix,
      timeout: INGEST_TIMEOUT,
      maxBatchingWindow: INGEST_BATCHING_WINDOW,
    });

    this.relay = new LifecycleRelay(this, 'LifecycleRelay', {
      store: this.store,
      encryptionKey: key,
      alarmTopic: this.intake.alarmTopic,
      logRetentionDays: config.logRetentionDays,
    });

    // The functions whose code declares events:PutEvents: ingest (opened, escalated), context (playbook
    // failed), contain and release (contained, released), and with approve every status change
    // their steps make (responding, awaiting approval, contained, not contained...); the relay
    // publishes the operators' case changes from the table's outbox.
    this.lifecycle = new LifecycleBus(this, 'Lifecycle', {
      busName: config.lifecycleBusName,
      archiveRetentionDays: config.logRetentionDays,
      publishers: [
        ...(declaresAction(INGEST_FUNCTION_CALLS, 'events:PutEvents') ? [this.ingest.function] : []),
        ...this.actions.functionsDeclaring('events:PutEvents'),
        ...(declaresAction(RELAY_CALLS, 'events:PutEvents') ? [this.relay.function] : []),
      ],
    });
    this.failureAlerts = new FailureAlerts(this, 'FailureAlerts', {
      stateMachineArnPrefix: this.playbooks.stateMachineArnPrefix,
      topic: this.settings.alertTopic,
    });
    this.dashboard = new RiposteDashboard(this, 'Dashboard', {
      playbookStackName: this.stackName,
      playbookAlarmNamePrefix: this.playbooks.namePrefix,
      hasPlaybooks: playbooks.length > 0,
      deadLetterQueue: this.intake.deadLetterQueue,
      otherAlarms: [this.intake.deadLetterAlarm, this.relay.failureAlarm],
      alertTopic: this.settings.alertTopic,
    });

    // What the operator CLI reads with --stack: top-level ids, so the output keys stay as named.
    new CfnOutput(this, RiposteStack.OUTPUTS.tableName, {
      description:
        'Riposte: the alert table (alerts, incidents, executions, approvals) that riposte --stack reads',
      value: this.store.tableName,
    });
    new CfnOutput(this, RiposteStack.OUTPUTS.operatorPolicy, {
      description:
        "Riposte: the managed policy an analyst's role or permission set needs for riposte --stack and the console",
      value: this.operator.policy.managedPolicyArn,
    });
    new CfnOutput(this, RiposteStack.MEMBER_EXTERNAL_ID_OUTPUT, {
      description:
        "Riposte: the external id its action roles send to the member role; the member stack's ExternalId parameter",
      value: memberRoleExternalIdOf(config),
    });
    new CfnOutput(this, RiposteStack.OUTPUTS.playbooks, {
      description:
        'Riposte: the deployed playbooks as JSON, {"<id>":{"version","aliasArn"}}; riposte release starts their live alias',
      value: this.toJsonString(
        Object.fromEntries(
          playbooks.map((playbook) => [
            playbook.id,
            { version: playbook.version, aliasArn: this.playbooks.aliasArnOf(playbook.id) },
          ]),
        ),
      ),
    });
  }
}

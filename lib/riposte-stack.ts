import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { RiposteConfig } from '../functions/core/config/schema.ts';
import { routesFor } from '../functions/core/playbooks/registry.ts';
import type { Playbook } from '../functions/core/playbooks/sdk.ts';
import { ActionFunctions } from './action-functions.ts';
import { AlertSources } from './alert-sources.ts';
import { AlertStore } from './alert-store.ts';
import { ApprovalApi } from './approval-api.ts';
import { FailureAlerts, RiposteDashboard } from './dashboard.ts';
import { EncryptionKey } from './encryption-key.ts';
import { IngestFunction } from './ingest-function.ts';
import { IntakeQueue } from './intake-queue.ts';
import { LifecycleBus } from './lifecycle-bus.ts';
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
 * Riposte in one stack: security alerts from the default event bus → intake queue → ingest
 * function → alert table → playbook state machines → action functions, everything encrypted
 * with one customer managed key.
 *
 * Construct ids are a contract (renaming one replaces its resources, and the table and key are
 * retained, not moved): `Encryption`, `AlertStore`, `Intake`, `Sources` (one rule per source id),
 * `Ingest`, `Settings` (kill switch, alert topic, approval key), `Approval` (the approval
 * endpoint), `Actions` (one function per action family), `Playbooks` (one construct per
 * playbook, named by its id), `Lifecycle` (the lifecycle event bus and its archive),
 * `FailureAlerts` (one rule per playbook notifying failed, timed-out and aborted executions) and
 * `Dashboard` (the `Riposte` CloudWatch dashboard and its alarms).
 *
 * Outputs (their keys are a contract: `riposte <command> --stack NAME` reads them):
 * `TableName`, the alert table; `DeployedPlaybooks`, the deployed playbooks as JSON
 * (`{"<id>":{"version":"1.0.0","aliasArn":"arn:aws:states:…:live"}}`), whose `live` aliases an
 * operator starts (`riposte release`). Each playbook also has its own `LiveAliasArn` output.
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
  public static readonly OUTPUTS = { tableName: 'TableName', playbooks: 'DeployedPlaybooks' } as const;

  public readonly encryption: EncryptionKey;
  public readonly store: AlertStore;
  public readonly intake: IntakeQueue;
  public readonly sources: AlertSources;
  public readonly ingest: IngestFunction;
  public readonly settings: ResponseSettings;
  public readonly approval: ApprovalApi;
  public readonly actions: ActionFunctions;
  public readonly playbooks: PlaybookStateMachines;
  public readonly lifecycle: LifecycleBus;
  public readonly failureAlerts: FailureAlerts;
  public readonly dashboard: RiposteDashboard;

  public constructor(scope: Construct, id: string, props: RiposteStackProps) {
    super(scope, id, {
      ...props,
      description: props.description ?? RiposteStack.DESCRIPTION,
      terminationProtection: props.terminationProtection ?? false,
    });
    const { config } = props;

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
      ...(config.memberRoleExternalId === undefined
        ? {}
        : { memberRoleExternalId: config.memberRoleExternalId }),
      logRetentionDays: config.logRetentionDays,
    });
    const playbooks = props.playbooks ?? [];
    this.playbooks = new PlaybookStateMachines(this, 'Playbooks', {
      playbooks,
      functionOf: (family) => this.actions.functionOf(family),
      encryptionKey: key,
      logRetentionDays: config.logRetentionDays,
    });
    this.approval.allowTaskResponses(this.playbooks.stateMachines);

    this.ingest = new IngestFunction(this, 'Ingest', {
      store: this.store,
      intake: this.intake,
      encryptionKey: key,
      incidentWindowHours: config.incidentWindowHours,
      rejectedRetentionDays: config.rejectedRetentionDays,
      logRetentionDays: config.logRetentionDays,
      playbooks: routesFor(playbooks, (playbook) => this.playbooks.aliasArnOf(playbook.id)),
      timeout: INGEST_TIMEOUT,
      maxBatchingWindow: INGEST_BATCHING_WINDOW,
    });

    // The functions that publish lifecycle events: ingest (opened, escalated), context (playbook
    // failed), contain and release (contained, released).
    this.lifecycle = new LifecycleBus(this, 'Lifecycle', {
      busName: config.lifecycleBusName,
      archiveRetentionDays: config.logRetentionDays,
      publishers: [
        this.ingest.function,
        ...(['context', 'contain', 'release'] as const).map(
          (family) => this.actions.families[family].function,
        ),
      ],
    });
    const stateMachines = new Map(
      [...this.playbooks.machines].map(([playbookId, machine]) => [playbookId, machine.stateMachine]),
    );
    this.failureAlerts = new FailureAlerts(this, 'FailureAlerts', {
      stateMachines,
      topic: this.settings.alertTopic,
    });
    this.dashboard = new RiposteDashboard(this, 'Dashboard', {
      stateMachines,
      deadLetterQueue: this.intake.deadLetterQueue,
      otherAlarms: [this.intake.deadLetterAlarm],
      alertTopic: this.settings.alertTopic,
    });

    // What the operator CLI reads with --stack: top-level ids, so the output keys stay as named.
    new CfnOutput(this, RiposteStack.OUTPUTS.tableName, {
      description:
        'Riposte: the alert table (alerts, incidents, executions, approvals) that riposte --stack reads',
      value: this.store.tableName,
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

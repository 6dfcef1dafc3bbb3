import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** The CloudWatch namespace Riposte's functions publish their metrics to (Powertools, EMF). */
export const METRICS_NAMESPACE = 'Riposte';

/**
 * The `service` dimension of the ingest function's metrics: Powertools Metrics adds the service
 * name (`POWERTOOLS_SERVICE_NAME`, set by `IngestFunction`) as a dimension of every metric.
 */
export const INGEST_SERVICE = 'riposte-ingest';

/** The ingest function's per-batch counters (`recordMetrics` in `functions/ingest/handler.ts`). */
export type IngestCounter = 'IncidentsOpened' | 'ExecutionsStarted' | 'RejectedEvents' | 'DeliveryFailures';

/** The execution statuses that end a playbook without success. */
export const FAILED_EXECUTION_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** Period of the dashboard's metrics and of the alarms. */
const PERIOD = Duration.minutes(5);

/**
 * SEARCH expressions over the latency metrics, one line per combination of dimension values, so
 * a new source, playbook or severity appears without a redeploy. The dimension sets are the ones
 * Powertools emits: the function's `service` plus those the code adds (`source` and `severity` in
 * `recordMetrics` of `functions/ingest/handler.ts`; `source`, `playbook` and `severity` in
 * `onMilestone` of `functions/core/actions/lambda.ts`).
 */
export const LATENCY_SEARCHES = {
  TimeToDetect: `SEARCH('{${METRICS_NAMESPACE},service,severity,source} MetricName="TimeToDetect"', 'Average', ${PERIOD.toSeconds()})`,
  TimeToContain: `SEARCH('{${METRICS_NAMESPACE},playbook,service,severity,source} MetricName="TimeToContain"', 'Average', ${PERIOD.toSeconds()})`,
  TimeToRelease: `SEARCH('{${METRICS_NAMESPACE},playbook,service,severity,source} MetricName="TimeToRelease"', 'Average', ${PERIOD.toSeconds()})`,
} as const;

/** One of the ingest function's counters, summed per period. */
export function ingestCounter(name: IngestCounter): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: INGEST_SERVICE },
    statistic: cloudwatch.Stats.SUM,
    period: PERIOD,
  });
}

/** Properties of {@link FailureAlerts}. */
export interface FailureAlertsProps {
  /**
   * What the ARN of every playbook state machine starts with
   * (`arn:<partition>:states:<region>:<account>:stateMachine:<stack name>-`, see
   * `PlaybookStateMachines.stateMachineArnPrefix`).
   */
  readonly stateMachineArnPrefix: string;

  /** The topic notified (the `Settings` alert topic). */
  readonly topic: sns.ITopic;
}

/** The rule target publishing a reshaped event to a topic whose policy is managed by {@link FailureAlerts}. */
class TopicTarget implements events.IRuleTarget {
  public constructor(
    private readonly topic: sns.ITopic,
    private readonly message: events.RuleTargetInput,
  ) {}

  public bind(): events.RuleTargetConfig {
    return { arn: this.topic.topicArn, input: this.message };
  }
}

/**
 * A notification for every playbook execution that ends FAILED, TIMED_OUT or ABORTED, whatever
 * the playbook did: the in-playbook failure path (`record-outcome`, the `Riposte Playbook Failed`
 * lifecycle event) never runs when the execution times out or is aborted, and cannot run when
 * the context function itself is broken.
 *
 * One EventBridge rule (`Rule`) on the default bus for every playbook, matching `aws.states`
 * `Step Functions Execution Status Change` events with those statuses whose `stateMachineArn`
 * starts with the playbooks' ARN prefix (executions started through the `live` alias report the
 * unqualified ARN there). One rule, not one per playbook: a bus holds 300 rules by default, and
 * a rule per playbook would spend them, and change a shared resource, with every playbook added.
 * The state machine is named `<stack name>-<playbook id>` and the execution
 * `<incident>-<playbook id>-<version>`, so the message, written by the rule's input transformer,
 * still names the playbook: it carries the state machine ARN, the status, the execution ARN and
 * name, the time and a console link.
 *
 * The topic's policy gets one statement letting EventBridge publish, only for this rule
 * (`aws:SourceArn`); the topic's key already lets EventBridge generate data keys (see
 * `EncryptionKey`).
 *
 * @example
 * new FailureAlerts(this, 'FailureAlerts', {
 *   stateMachineArnPrefix: playbooks.stateMachineArnPrefix, topic: settings.alertTopic });
 */
export class FailureAlerts extends Construct {
  /** The rule. */
  public readonly rule: events.Rule;

  public constructor(scope: Construct, id: string, props: FailureAlertsProps) {
    super(scope, id);
    const { topic } = props;
    this.rule = new events.Rule(this, 'Rule', {
      description: 'Riposte: notify when a playbook execution fails, times out or is aborted',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          status: [...FAILED_EXECUTION_STATUSES],
          stateMachineArn: events.Match.prefix(props.stateMachineArnPrefix),
        },
      },
    });
    this.rule.addTarget(new TopicTarget(topic, failureMessage()));
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowPlaybookFailureRules',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.rule.ruleArn } },
      }),
    );
  }
}

/** The message of a failed execution: what, which state machine (named after the playbook), where to look. */
function failureMessage(): events.RuleTargetInput {
  const region = events.EventField.fromPath('$.region');
  const executionArn = events.EventField.fromPath('$.detail.executionArn');
  const status = events.EventField.fromPath('$.detail.status');
  const execution = events.EventField.fromPath('$.detail.name');
  return events.RuleTargetInput.fromObject({
    summary: `Riposte playbook execution ${execution} ended ${status}`,
    stateMachine: events.EventField.fromPath('$.detail.stateMachineArn'),
    status,
    execution,
    executionArn,
    at: events.EventField.fromPath('$.time'),
    console: `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`,
    next:
      "The playbook's own failure path may not have run (timeouts and aborts skip it): check the incident's " +
      'timeline, and contain or release by hand if needed.',
  });
}

/** Properties of {@link playbookFailureAlarm}. */
export interface PlaybookFailureAlarmProps {
  readonly playbookId: string;
  /** The alarm's name: `<state machine name>-failed`, so that one ARN pattern names every playbook alarm. */
  readonly alarmName: string;
  readonly stateMachine: sfn.IStateMachine;
  /** The topic notified of ALARM (the `Settings` alert topic). */
  readonly topic: sns.ITopic;
}

/**
 * The alarm of one playbook, created in the playbook's own nested stack: ALARM as soon as an
 * execution failed or timed out in five minutes (`AWS/States` `ExecutionsFailed` +
 * `ExecutionsTimedOut` of its state machine). One per playbook: an alarm's metric math takes
 * at most 10 metrics, so one alarm over every playbook would stop scaling at five. Only ALARM
 * is notified: each failure is a discrete event, also reported one by one by
 * {@link FailureAlerts}. The topic lets CloudWatch publish for alarms named like this one (see
 * {@link RiposteDashboard}).
 *
 * @example
 * playbookFailureAlarm(this, 'FailureAlarm', { playbookId: 'ec2-instance-compromise',
 *   alarmName: 'Riposte-ec2-instance-compromise-failed', stateMachine, topic });
 */
export function playbookFailureAlarm(
  scope: Construct,
  id: string,
  props: PlaybookFailureAlarmProps,
): cloudwatch.Alarm {
  const { playbookId, stateMachine } = props;
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmName: props.alarmName,
    alarmDescription: `Riposte: executions of playbook ${playbookId} failed or timed out`,
    metric: new cloudwatch.MathExpression({
      expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
      usingMetrics: {
        failed: stateMachine.metricFailed({ statistic: cloudwatch.Stats.SUM, period: PERIOD }),
        timedOut: stateMachine.metricTimedOut({ statistic: cloudwatch.Stats.SUM, period: PERIOD }),
      },
      label: `${playbookId} failed or timed out`,
      period: PERIOD,
    }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new cloudwatchActions.SnsAction(props.topic));
  return alarm;
}

/**
 * A SEARCH expression over the `AWS/States` metric `metricName` of every state machine whose
 * ARN carries `namePrefix` (the playbooks'), one line per state machine: new playbooks appear
 * without changing the dashboard.
 */
export function playbookSearch(metricName: string, stackName: string): string {
  // Partial matches are on alphanumeric tokens: one StateMachineArn term per token of the name.
  const terms = stackName
    .split(/[^A-Za-z0-9]+/)
    .filter((token) => token !== '')
    .map((token) => `StateMachineArn=${token}`)
    .join(' ');
  return `SEARCH('{AWS/States,StateMachineArn} MetricName="${metricName}" ${terms}', 'Sum', ${PERIOD.toSeconds()})`;
}

/** Properties of {@link RiposteDashboard}. */
export interface RiposteDashboardProps {
  /**
   * The dashboard's name. Dashboard names are global to an account (not per Region): give each
   * Riposte deployment of an account its own.
   *
   * @default RiposteDashboard.DEFAULT_NAME ('Riposte')
   */
  readonly dashboardName?: string;

  /**
   * The root stack's name, which every playbook state machine name starts with
   * (`PlaybookStateMachines.namePrefix` without the hyphen).
   */
  readonly playbookStackName: string;

  /**
   * The name every playbook failure alarm starts with (`<stack name>-`, see
   * `playbookFailureAlarm`): the topic lets CloudWatch publish for those alarms.
   */
  readonly playbookAlarmNamePrefix: string;

  /**
   * Whether any playbook is deployed.
   *
   * @default true
   */
  readonly hasPlaybooks?: boolean;

  /** The intake dead-letter queue, whose depth the dashboard shows. */
  readonly deadLetterQueue: sqs.IQueue;

  /**
   * Alarms shown beside this construct's own in the alarm status widget (the DLQ alarm).
   *
   * @default []
   */
  readonly otherAlarms?: readonly cloudwatch.IAlarm[];

  /** The topic the alarms notify (the `Settings` alert topic). */
  readonly alertTopic: sns.ITopic;
}

/**
 * The `Riposte` CloudWatch dashboard, and the alarms on what it shows that need a human:
 *
 * - time to detect (`TimeToDetect`, by source and severity), to contain and to release
 *   (`TimeToContain`, `TimeToRelease`, by source, playbook and severity), as SEARCH expressions
 *   ({@link LATENCY_SEARCHES}) so new dimension values appear without a redeploy;
 * - incidents opened and executions started, rejected events and delivery failures (the ingest
 *   function's counters, dimension `service` = `riposte-ingest`);
 * - the intake dead-letter queue's depth;
 * - playbook failures: `AWS/States` `ExecutionsFailed` and `ExecutionsTimedOut` of every
 *   playbook state machine, as SEARCH expressions over the names the playbooks share
 *   ({@link playbookSearch}): the dashboard does not change when a playbook is added;
 * - the states of the stack-wide alarms (each playbook's own alarm is on the playbook's state
 *   machine and in its nested stack, see {@link playbookFailureAlarm}).
 *
 * Alarms, notifying the alert topic (whose policy gets a statement letting CloudWatch publish for
 * these alarms only; the key already allows this account's alarms):
 *
 * - `DeliveryFailuresAlarm`: deliveries the ingest function failed and returned to the queue, in
 *   2 of 3 five-minute periods (a transient error that a retry absorbs does not page; failures
 *   that end in the DLQ raise the DLQ alarm anyway). ALARM and OK are notified.
 * - each playbook's `FailureAlarm` ({@link playbookFailureAlarm}), created in the playbook's
 *   nested stack: the topic's statement names them by their shared name prefix
 *   (`alarm:<stack name>-*`), so adding a playbook changes nothing here.
 *
 * @example
 * new RiposteDashboard(this, 'Dashboard', { playbookStackName: 'Riposte', playbookAlarmNamePrefix: 'Riposte-',
 *   deadLetterQueue: intake.deadLetterQueue, otherAlarms: [intake.deadLetterAlarm], alertTopic: settings.alertTopic });
 */
export class RiposteDashboard extends Construct {
  /** Default {@link RiposteDashboardProps.dashboardName}. */
  public static readonly DEFAULT_NAME = 'Riposte';

  public readonly dashboard: cloudwatch.Dashboard;
  /** Deliveries failed by the ingest function. */
  public readonly deliveryFailuresAlarm: cloudwatch.Alarm;

  public constructor(scope: Construct, id: string, props: RiposteDashboardProps) {
    super(scope, id);
    const { alertTopic } = props;
    const hasPlaybooks = props.hasPlaybooks ?? true;
    const notify = new cloudwatchActions.SnsAction(alertTopic);

    this.deliveryFailuresAlarm = new cloudwatch.Alarm(this, 'DeliveryFailuresAlarm', {
      alarmDescription:
        'Riposte: the ingest function keeps failing deliveries (returned to the intake queue for retry)',
      metric: ingestCounter('DeliveryFailures'),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.deliveryFailuresAlarm.addAlarmAction(notify);
    this.deliveryFailuresAlarm.addOkAction(notify);

    const alarms = [this.deliveryFailuresAlarm];
    const stack = Stack.of(this);
    const { account } = stack;
    const playbookAlarms = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: `${props.playbookAlarmNamePrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    alertTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowRiposteDashboardAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [alertTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: {
            'aws:SourceArn': [
              ...alarms.map((alarm) => alarm.alarmArn),
              ...(hasPlaybooks ? [playbookAlarms] : []),
            ],
          },
        },
      }),
    );

    // Dynamic labels: one line per combination of dimension values, named by them.
    const latency = (title: string, expression: string, label: string): cloudwatch.GraphWidget =>
      new cloudwatch.GraphWidget({
        title,
        width: 8,
        height: 6,
        left: [new cloudwatch.MathExpression({ expression, usingMetrics: {}, period: PERIOD, label })],
        leftYAxis: { label: 'ms', showUnits: false, min: 0 },
      });
    const prop = (dimension: string): string => `\${PROP('Dim.${dimension}')}`;
    const bySource = `${prop('source')} severity ${prop('severity')}`;
    const byPlaybook = `${prop('playbook')} ${prop('source')} severity ${prop('severity')}`;
    const playbookMetrics = (['ExecutionsFailed', 'ExecutionsTimedOut'] as const).map(
      (metricName) =>
        new cloudwatch.MathExpression({
          expression: playbookSearch(metricName, props.playbookStackName),
          usingMetrics: {},
          period: PERIOD,
          label: `\${PROP('Dim.StateMachineArn')} ${metricName === 'ExecutionsFailed' ? 'failed' : 'timed out'}`,
        }),
    );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? RiposteDashboard.DEFAULT_NAME,
      defaultInterval: Duration.days(7),
      widgets: [
        [
          latency(
            'Time to detect (source → Riposte), by source and severity',
            LATENCY_SEARCHES.TimeToDetect,
            bySource,
          ),
          latency(
            'Time to contain, by playbook, source and severity',
            LATENCY_SEARCHES.TimeToContain,
            byPlaybook,
          ),
          latency(
            'Time to release, by playbook, source and severity',
            LATENCY_SEARCHES.TimeToRelease,
            byPlaybook,
          ),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Incidents opened and playbook executions started',
            width: 8,
            height: 6,
            left: [ingestCounter('IncidentsOpened'), ingestCounter('ExecutionsStarted')],
            leftYAxis: { min: 0 },
          }),
          new cloudwatch.GraphWidget({
            title: 'Rejected events and delivery failures',
            width: 8,
            height: 6,
            left: [ingestCounter('RejectedEvents'), ingestCounter('DeliveryFailures')],
            leftYAxis: { min: 0 },
          }),
          new cloudwatch.GraphWidget({
            title: 'Intake dead-letter queue depth',
            width: 8,
            height: 6,
            left: [
              props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                statistic: cloudwatch.Stats.MAXIMUM,
                period: PERIOD,
                label: 'messages in the DLQ',
              }),
            ],
            leftYAxis: { min: 0 },
          }),
        ],
        [
          !hasPlaybooks
            ? new cloudwatch.TextWidget({
                markdown: '**Playbook failures**: no playbook is deployed.',
                width: 16,
                height: 6,
              })
            : new cloudwatch.GraphWidget({
                title: 'Playbook executions failed or timed out',
                width: 16,
                height: 6,
                left: playbookMetrics,
                leftYAxis: { min: 0 },
              }),
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            width: 8,
            height: 6,
            alarms: [...alarms, ...(props.otherAlarms ?? [])],
          }),
        ],
      ],
    });
  }
}

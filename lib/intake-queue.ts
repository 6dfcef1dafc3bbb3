import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Properties of {@link IntakeQueue}. */
export interface IntakeQueueProps {
  /** The customer managed key both queues (and the alarm topic, when created here) are encrypted with. */
  readonly encryptionKey: kms.IKey;

  /**
   * Receives of one message before SQS moves it to the dead-letter queue (1 to 1000).
   *
   * @default 5 - a poison event is retried a few times, then parked for an operator.
   */
  readonly maxReceiveCount?: number;

  /**
   * Timeout of the Lambda function consuming the queue. The visibility timeout is set to six
   * times this plus {@link consumerBatchingWindow}, as AWS advises for Lambda event sources, so
   * that a batch still being retried by Lambda is not handed out again.
   *
   * @default Duration.seconds(30)
   */
  readonly consumerTimeout?: Duration;

  /**
   * Maximum batching window of the consuming event source mapping.
   *
   * @default Duration.seconds(0)
   */
  readonly consumerBatchingWindow?: Duration;

  /**
   * How long an event waits in the intake queue before SQS drops it (1 minute to 14 days).
   *
   * @default Duration.days(4) - SQS's default; the consumer normally drains the queue in seconds.
   */
  readonly retentionPeriod?: Duration;

  /**
   * The topic the dead-letter alarm notifies (subscribe the on-call channel to it).
   *
   * @default - a topic is created here, encrypted with `encryptionKey` and accepting only TLS publishers.
   */
  readonly alarmTopic?: sns.ITopic;
}

/** SQS's longest visibility timeout. */
const MAX_VISIBILITY_TIMEOUT = Duration.hours(12);

/**
 * Where every routed event waits for the ingest function: an SQS queue with a dead-letter queue,
 * both encrypted with the customer managed key and refusing requests without TLS.
 *
 * A message is moved to the DLQ after `maxReceiveCount` receives; the DLQ keeps it 14 days (SQS's
 * maximum) and a CloudWatch alarm notifies {@link alarmTopic} as soon as one message is visible
 * there. The same DLQ is the EventBridge rules' target DLQ, for events EventBridge could not
 * deliver, so one alarm covers both failure paths.
 *
 * @example
 * const intake = new IntakeQueue(this, 'Intake', { encryptionKey: key, maxReceiveCount: 5 });
 */
export class IntakeQueue extends Construct {
  /** The queue EventBridge delivers to and the ingest function consumes. */
  public readonly queue: sqs.Queue;
  /** Messages the consumer failed `maxReceiveCount` times, and events EventBridge could not deliver. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The topic the dead-letter alarm notifies. */
  public readonly alarmTopic: sns.ITopic;
  /** ApproximateNumberOfMessagesVisible ≥ 1 on the dead-letter queue. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The intake queue's visibility timeout: 6 × consumer timeout + batching window. */
  public readonly visibilityTimeout: Duration;

  public constructor(scope: Construct, id: string, props: IntakeQueueProps) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new Error(
        `IntakeQueue: maxReceiveCount must be an integer from 1 to 1000, got ${maxReceiveCount}`,
      );
    }
    const consumerTimeout = props.consumerTimeout ?? Duration.seconds(30);
    const batchingWindow = props.consumerBatchingWindow ?? Duration.seconds(0);
    const visibilitySeconds = 6 * consumerTimeout.toSeconds() + batchingWindow.toSeconds();
    if (visibilitySeconds > MAX_VISIBILITY_TIMEOUT.toSeconds()) {
      throw new Error(
        `IntakeQueue: consumerTimeout and consumerBatchingWindow need a visibility timeout of ${visibilitySeconds}s ` +
          '(6 × timeout + window), above SQS’s 43200s maximum',
      );
    }
    this.visibilityTimeout = Duration.seconds(visibilitySeconds);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      visibilityTimeout: this.visibilityTimeout,
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });

    this.alarmTopic = props.alarmTopic ?? this.createAlarmTopic(props.encryptionKey);
    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'Riposte: events are waiting in the intake dead-letter queue (ingest failed repeatedly, or EventBridge could not deliver)',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const notify = new cloudwatchActions.SnsAction(this.alarmTopic);
    this.deadLetterAlarm.addAlarmAction(notify);
    this.deadLetterAlarm.addOkAction(notify);
  }

  private createAlarmTopic(key: kms.IKey): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Riposte alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default one, so CloudWatch needs its own statement, limited to
    // this account's alarms in this Region.
    const { account, region, partition } = Stack.of(this);
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
    );
    return topic;
  }
}

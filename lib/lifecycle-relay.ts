import { fileURLToPath } from 'node:url';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OUTBOX_PREFIX } from '../functions/core/lifecycle/outbox.ts';
import { RELAY_CALLS } from '../functions/core/lifecycle/relay.ts';
import type { AlertStore } from './alert-store.ts';
import { declaredStatements, policyStatementOf } from './declared-permissions.ts';
import {
  encryptedLogGroup,
  FUNCTION_DEFAULTS,
  isRetentionDays,
  LOG_RETENTION_DAYS,
} from './function-defaults.ts';

/** Properties of {@link LifecycleRelay}. */
export interface LifecycleRelayProps {
  /** The alert table; its stream (`NEW_IMAGE`) carries the outbox items. */
  readonly store: AlertStore;
  /** The key of the table, the log group and the on-failure queue. */
  readonly encryptionKey: kms.IKey;
  /** The topic the on-failure alarm notifies. */
  readonly alarmTopic: sns.ITopic;
  /** CloudWatch Logs retention of the function's log group, in days (a value CloudWatch Logs accepts). */
  readonly logRetentionDays: number;
  /**
   * Stream records handed to one invocation (1 to 10: one PutEvents call at most).
   *
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * Retries of a failed batch (after bisecting it) before its records go to the on-failure queue (0 to 10000).
   *
   * @default 5 - a bus outage of a few minutes is ridden out; a lasting one raises the alarm.
   */
  readonly retryAttempts?: number;
}

const HANDLER_ENTRY = fileURLToPath(new URL('../functions/lifecycle-relay/handler.ts', import.meta.url));

/**
 * The lifecycle relay (`functions/lifecycle-relay/handler.ts`): publishes on Riposte's lifecycle
 * bus the events an operator's case change left in the table's outbox (`OUTBOX#` items), so the
 * operator's own credentials never publish. Add {@link function} to the bus's publishers.
 *
 * - `Function`, with its own `Role` and encrypted `LogGroup`; the role has the calls the relay's
 *   code declares (`RELAY_CALLS`: `events:PutEvents`, granted by the bus it publishes on), the
 *   stream read its event source mapping needs, and sending to the on-failure queue.
 * - `StreamMapping`: the table's stream, filtered to inserts whose sort key starts with `OUTBOX#`
 *   (no other write invokes the function), reporting partial batch failures, bisecting a failed
 *   batch, retrying it {@link LifecycleRelayProps.retryAttempts} times, then sending what is left
 *   to `FailureQueue` (encrypted with the stack's key), whose `FailureAlarm` notifies the alarm topic.
 *
 * @example
 * const relay = new LifecycleRelay(this, 'LifecycleRelay', { store, encryptionKey: key, alarmTopic, logRetentionDays: 365 });
 * new LifecycleBus(this, 'Lifecycle', { archiveRetentionDays: 365, publishers: [ingest.function, relay.function] });
 */
export class LifecycleRelay extends Construct {
  /** The function. */
  public readonly function: nodejs.NodejsFunction;
  /** Its execution role. */
  public readonly role: iam.Role;
  /** Its log group. */
  public readonly logGroup: logs.LogGroup;
  /** Where the records of a batch that kept failing go. */
  public readonly failureQueue: sqs.Queue;
  /** Raised as soon as one record is in {@link failureQueue}. */
  public readonly failureAlarm: cloudwatch.Alarm;
  /** The event source mapping on the table's stream. */
  public readonly mapping: lambda.EventSourceMapping;

  public constructor(scope: Construct, id: string, props: LifecycleRelayProps) {
    super(scope, id);
    const batchSize = props.batchSize ?? 10;
    const retryAttempts = props.retryAttempts ?? 5;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
      throw new Error(`LifecycleRelay: batchSize must be an integer from 1 to 10, got ${batchSize}`);
    }
    if (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 10_000) {
      throw new Error(
        `LifecycleRelay: retryAttempts must be an integer from 0 to 10000, got ${retryAttempts}`,
      );
    }
    if (!isRetentionDays(props.logRetentionDays)) {
      throw new Error(
        `LifecycleRelay: logRetentionDays must be one of ${[...LOG_RETENTION_DAYS].join(', ')}, got ${props.logRetentionDays}`,
      );
    }
    const streamArn = props.store.table.tableStreamArn;
    if (streamArn === undefined) throw new Error('LifecycleRelay: the alert table has no stream');
    const { region } = Stack.of(this);
    const { keyArn } = props.encryptionKey;

    this.logGroup = encryptedLogGroup(this, 'LogGroup', {
      retention: props.logRetentionDays,
      encryptionKey: props.encryptionKey,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'Riposte lifecycle relay: alert table stream, lifecycle bus, its failure queue and log group',
    });
    this.logGroup.grantWrite(this.role);
    // The calls its code declares; the bus grants events:PutEvents to its publishers.
    for (const statement of declaredStatements('the lifecycle relay', RELAY_CALLS, {}, ['lifecycle-bus'])) {
      this.role.addToPrincipalPolicy(policyStatementOf(statement));
    }

    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // The event source mapping reads the stream and sends to the queue as the function's role;
    // DynamoDB and SQS use the key on its behalf.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [streamArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } },
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.failureQueue.queueArn] }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${region}.amazonaws.com` } },
      }),
    );

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      ...FUNCTION_DEFAULTS,
      description: "Riposte lifecycle relay: the table's outbox items to the lifecycle bus",
      entry: HANDLER_ENTRY,
      memorySize: 256,
      timeout: Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      environment: { POWERTOOLS_SERVICE_NAME: 'riposte-lifecycle-relay', POWERTOOLS_LOG_LEVEL: 'INFO' },
    });
    const policy = this.role.node.findChild('DefaultPolicy');
    this.function.node.addDependency(policy);

    this.mapping = new lambda.EventSourceMapping(this, 'StreamMapping', {
      target: this.function,
      eventSourceArn: streamArn,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize,
      bisectBatchOnError: true,
      retryAttempts,
      reportBatchItemFailures: true,
      onFailure: { bind: () => ({ destination: this.failureQueue.queueArn }) },
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: { Keys: { sk: { S: lambda.FilterRule.beginsWith(OUTBOX_PREFIX) } } },
        }),
      ],
    });
    this.mapping.node.addDependency(policy);

    this.failureAlarm = new cloudwatch.Alarm(this, 'FailureAlarm', {
      alarmDescription:
        'Riposte: lifecycle events an operator change left in the outbox were not published (see the lifecycle relay failure queue)',
      metric: this.failureQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const notify = new cloudwatchActions.SnsAction(props.alarmTopic);
    this.failureAlarm.addAlarmAction(notify);
    this.failureAlarm.addOkAction(notify);

    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray active tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) and dynamodb:ListStreams, which ' +
        'the stream event source mapping requires, accept no resource but "*"; every other statement names ' +
        'the stream, key, queue or log group.',
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "The queue is itself the on-failure destination of the relay's stream mapping; what reaches it raises " +
        'the FailureAlarm, and a second dead-letter queue behind it would hold nothing.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is deliberate: it is the runtime Riposte develops, tests and runs its local runtime on; ' +
        'moving to a newer Node.js is a tested upgrade of its own, not a drift.',
    });
  }
}

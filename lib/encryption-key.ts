import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Properties of {@link EncryptionKey}. */
export interface EncryptionKeyProps {
  /**
   * What happens to the key when it leaves the stack. A destroyed key makes every alert, queued
   * event and log line it protected unreadable, forever.
   *
   * @default RemovalPolicy.RETAIN - the key outlives the stack.
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long a key scheduled for deletion can still be recovered (7 to 30 days).
   *
   * @default Duration.days(30) - the longest window KMS allows.
   */
  readonly pendingWindow?: Duration;
}

/**
 * Riposte's one customer managed KMS key, protecting the alert table, the intake queues, the
 * alarm topic and the log groups. Automatic rotation is on.
 *
 * Its key policy keeps CDK's default statement (the account can delegate use of the key with IAM
 * policies) and adds only what the AWS services that write with it on Riposte's behalf need:
 *
 * - EventBridge (`events.amazonaws.com`) sending to the encrypted intake queue and its DLQ, and
 *   publishing failed-execution alerts to the encrypted alert topic (`FailureAlerts`): SQS and SNS
 *   generate and decrypt the data key on EventBridge's behalf, so `kms:GenerateDataKey` and
 *   `kms:Decrypt`, as the SQS and SNS developer guides prescribe for AWS event sources. One
 *   statement per destination service, each bound by the encryption context that service sends
 *   on every data key request (`kms:EncryptionContext:aws:sqs:arn`,
 *   `kms:EncryptionContext:aws:sns:topicArn`) to this account's queues or topics in this Region.
 *   No `aws:SourceAccount`/`aws:SourceArn`: AWS documents them on EventBridge's request to SQS or
 *   SNS, not on the KMS request the destination makes for it, and a condition the request lacks
 *   would silently drop every event. The queue and topic policies carry the `aws:SourceArn`
 *   condition that limits delivery to Riposte's own rules.
 * - CloudWatch Logs (`logs.<region>.amazonaws.com`) for this account's log groups in this Region,
 *   bound by the `kms:EncryptionContext:aws:logs:arn` condition, with the actions the CloudWatch
 *   Logs user guide lists.
 * - CloudWatch alarms (`cloudwatch.amazonaws.com`) publishing to the encrypted alarm topic:
 *   `kms:Decrypt` and `kms:GenerateDataKey*`, only on behalf of this account's alarms in this Region.
 *
 * @example
 * const { key } = new EncryptionKey(this, 'Encryption');
 */
export class EncryptionKey extends Construct {
  /** The customer managed key. */
  public readonly key: kms.Key;

  public constructor(scope: Construct, id: string, props: EncryptionKeyProps = {}) {
    super(scope, id);
    const pendingWindow = props.pendingWindow ?? Duration.days(30);
    const pendingDays = pendingWindow.toDays();
    if (!Number.isInteger(pendingDays) || pendingDays < 7 || pendingDays > 30) {
      throw new Error(
        `EncryptionKey: pendingWindow must be a whole number of days from 7 to 30, got ${pendingDays}`,
      );
    }

    const { account, region, partition } = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      description: 'Riposte: alert table, intake queues, alarm topic and log groups',
      enableKeyRotation: true,
      pendingWindow,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    const eventBridgeDestinations = [
      { sid: 'AllowEventBridgeToSendToThisAccountsQueues', context: 'aws:sqs:arn', service: 'sqs' },
      { sid: 'AllowEventBridgeToPublishToThisAccountsTopics', context: 'aws:sns:topicArn', service: 'sns' },
    ] as const;
    for (const { sid, context, service } of eventBridgeDestinations) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: ['*'],
          conditions: {
            ArnLike: {
              [`kms:EncryptionContext:${context}`]: `arn:${partition}:${service}:${region}:${account}:*`,
            },
          },
        }),
      );
    }
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsForThisRegionsLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*`,
          },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopics',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
    );
  }
}

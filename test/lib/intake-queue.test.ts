import { App, CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { IntakeQueue, type IntakeQueueProps } from '../../lib/intake-queue.ts';

function logicalIdOf(stack: Stack, construct: IConstruct): string {
  const resource = construct.node.defaultChild;
  if (!(resource instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return stack.getLogicalId(resource);
}

function synthIntake(props: Partial<IntakeQueueProps> = {}) {
  const stack = new Stack(new App(), 'Test');
  const key = new kms.Key(stack, 'Key');
  const intake = new IntakeQueue(stack, 'Intake', { encryptionKey: key, ...props });
  return { stack, key, intake, template: Template.fromStack(stack) };
}

describe('IntakeQueue', () => {
  it('encrypts the queue and its dead-letter queue with the customer managed key', () => {
    // Prepare / Act
    const { stack, key, intake, template } = synthIntake();

    // Assess
    template.resourceCountIs('AWS::SQS::Queue', 2);
    const queues = template.findResources('AWS::SQS::Queue');
    for (const queue of [intake.queue, intake.deadLetterQueue]) {
      expect(queues[logicalIdOf(stack, queue)]?.Properties.KmsMasterKeyId).toEqual(stack.resolve(key.keyArn));
    }
  });

  it('denies every request without TLS on both queues', () => {
    // Prepare / Act
    const { stack, intake, template } = synthIntake();

    // Assess
    for (const queue of [intake.queue, intake.deadLetterQueue]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [stack.resolve(queue.queueUrl)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives and keeps it 14 days', () => {
    // Prepare / Act
    const { stack, intake, template } = synthIntake({ maxReceiveCount: 3 });

    // Assess
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        deadLetterTargetArn: stack.resolve(intake.deadLetterQueue.queueArn),
        maxReceiveCount: 3,
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: Duration.days(14).toSeconds(),
      RedrivePolicy: Match.absent(),
    });
  });

  it('sets the visibility timeout to six times the consumer timeout plus its batching window', () => {
    // Prepare / Act
    const { intake, template } = synthIntake({
      consumerTimeout: Duration.seconds(40),
      consumerBatchingWindow: Duration.seconds(5),
    });

    // Assess
    expect(intake.visibilityTimeout.toSeconds()).toBe(245);
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 245,
      RedrivePolicy: Match.anyValue(),
    });
  });

  it('alarms on one visible message in the dead-letter queue and notifies the alarm topic', () => {
    // Prepare / Act
    const { stack, intake, template } = synthIntake();

    // Assess
    const topic = stack.resolve(intake.alarmTopic.topicArn);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: stack.resolve(intake.deadLetterQueue.queueName) }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });

  it('creates a KMS-encrypted, TLS-only alarm topic CloudWatch may publish to', () => {
    // Prepare / Act
    const { stack, key, template } = synthIntake();

    // Assess
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: stack.resolve(key.keyArn) });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: Match.objectLike({
              StringEquals: { 'aws:SourceAccount': stack.resolve(stack.account) },
            }),
          }),
        ]),
      },
    });
  });

  it('notifies a topic passed in instead of creating one', () => {
    // Prepare
    const stack = new Stack(new App(), 'Test');
    const key = new kms.Key(stack, 'Key');
    const onCall = new sns.Topic(stack, 'OnCall', { masterKey: key, enforceSSL: true });

    // Act
    new IntakeQueue(stack, 'Intake', { encryptionKey: key, alarmTopic: onCall });

    // Assess
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [stack.resolve(onCall.topicArn)],
    });
  });

  it('refuses props SQS cannot honour, naming them', () => {
    // Act / Assess
    expect(() => synthIntake({ maxReceiveCount: 0 })).toThrow(/maxReceiveCount/);
    expect(() => synthIntake({ maxReceiveCount: 1001 })).toThrow(/maxReceiveCount/);
    expect(() => synthIntake({ consumerTimeout: Duration.hours(3) })).toThrow(/consumerTimeout/);
  });
});

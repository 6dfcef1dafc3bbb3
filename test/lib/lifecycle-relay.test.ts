import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { AlertStore } from '../../lib/alert-store.ts';
import { LifecycleRelay, type LifecycleRelayProps } from '../../lib/lifecycle-relay.ts';

function synthRelay(props: Partial<LifecycleRelayProps> = {}, options: { bundle?: boolean } = {}) {
  const app = new App(options.bundle === true ? {} : { context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test', { env: { account: '111122223333', region: 'eu-west-1' } });
  const key = new kms.Key(stack, 'Key');
  const store = new AlertStore(stack, 'AlertStore', { encryptionKey: key });
  const alarmTopic = new sns.Topic(stack, 'Alarms');
  const relay = new LifecycleRelay(stack, 'LifecycleRelay', {
    store,
    encryptionKey: key,
    alarmTopic,
    logRetentionDays: 90,
    ...props,
  });
  return { app, stack, key, store, relay, template: Template.fromStack(stack) };
}

describe('LifecycleRelay', () => {
  it('gives the alert table a stream of new images', () => {
    // Prepare / Act
    const { template } = synthRelay();

    // Assess
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
  });

  it('is invoked for inserts of OUTBOX# items only, reports partial failures, bisects and bounds its retries', () => {
    // Prepare / Act
    const { template, stack, store, relay } = synthRelay();

    // Assess
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: stack.resolve(store.table.tableStreamArn),
      FunctionName: stack.resolve(relay.function.functionName),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { Keys: { sk: { S: [{ prefix: 'OUTBOX#' }] } } },
            }),
          },
        ],
      },
    });
  });

  it('sends what keeps failing to an encrypted queue, whose first message raises an alarm on the alarm topic', () => {
    // Prepare / Act
    const { template, stack, key, relay } = synthRelay();

    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      DestinationConfig: { OnFailure: { Destination: stack.resolve(relay.failureQueue.queueArn) } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: stack.resolve(key.keyArn),
      MessageRetentionPeriod: 1_209_600,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: stack.resolve(relay.failureQueue.queueName) }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
    });
  });

  it('reads the stream and sends to its queue, with the key only through DynamoDB and SQS, and nothing on the table', () => {
    // Prepare / Act
    const { template, stack, store, relay } = synthRelay();
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as {
          Action: string | string[];
          Resource: unknown;
          Condition?: unknown;
        }[],
    );
    const byAction = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));

    // Assess
    expect(byAction('dynamodb:GetRecords').map((s) => s.Resource)).toEqual([
      stack.resolve(store.table.tableStreamArn),
    ]);
    expect(byAction('sqs:SendMessage').map((s) => s.Resource)).toEqual([
      stack.resolve(relay.failureQueue.queueArn),
    ]);
    expect(byAction('dynamodb:PutItem')).toEqual([]);
    expect(byAction('dynamodb:Query')).toEqual([]);
    const kmsConditions = statements
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('kms:')))
      .map((s) => s.Condition);
    expect(kmsConditions).toEqual([
      { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
      { StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } },
    ]);
  });

  it.each([
    [{ batchSize: 11 }, 'LifecycleRelay: batchSize must be an integer from 1 to 10, got 11'],
    [{ retryAttempts: -1 }, 'LifecycleRelay: retryAttempts must be an integer from 0 to 10000, got -1'],
    [{ logRetentionDays: 2 }, /^LifecycleRelay: logRetentionDays must be one of /],
  ])('refuses %o', (props, message) => {
    // Act / Assess
    expect(() => synthRelay(props)).toThrow(message);
  });

  it('bundles functions/lifecycle-relay/handler.ts', () => {
    // Prepare / Act
    const { app } = synthRelay({}, { bundle: true });
    const outdir = app.synth().directory;

    // Assess
    const bundles = readdirSync(outdir).filter((entry) => existsSync(path.join(outdir, entry, 'index.mjs')));
    expect(bundles).toHaveLength(1);
  });
});

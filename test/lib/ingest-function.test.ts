import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import type { PlaybookRoute } from '../../functions/core/intake/dispatch.ts';
import { AlertStore } from '../../lib/alert-store.ts';
import { IngestFunction, type IngestFunctionProps, splitQualifiedArn } from '../../lib/ingest-function.ts';
import { IntakeQueue, type IntakeQueueProps } from '../../lib/intake-queue.ts';

const ALIAS_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:riposte-contain-instance:live';
const PLAYBOOK: PlaybookRoute = {
  id: 'contain-instance',
  version: '1.0.0',
  target: ALIAS_ARN,
  trigger: { sources: ['aws.guardduty'], minSeverity: 4, resourceTypes: ['AWS::EC2::Instance'] },
};

function synthIngest(props: Partial<IngestFunctionProps> = {}, queueProps: Partial<IntakeQueueProps> = {}) {
  const app = new App();
  const stack = new Stack(app, 'Test');
  const key = new kms.Key(stack, 'Key');
  const store = new AlertStore(stack, 'AlertStore', { encryptionKey: key });
  const intake = new IntakeQueue(stack, 'Intake', {
    encryptionKey: key,
    consumerTimeout: IngestFunction.DEFAULT_TIMEOUT,
    consumerBatchingWindow: IngestFunction.DEFAULT_BATCHING_WINDOW,
    ...queueProps,
  });
  const ingest = new IngestFunction(stack, 'Ingest', {
    store,
    intake,
    encryptionKey: key,
    incidentWindowHours: 12,
    rejectedRetentionDays: 30,
    logRetentionDays: 90,
    ...props,
  });
  return { app, stack, key, store, intake, ingest, template: Template.fromStack(stack) };
}

describe('IngestFunction', () => {
  it('runs functions/ingest/handler.ts on Node.js 22, ARM64, with X-Ray active tracing', () => {
    // Prepare / Act
    const { template } = synthIngest();

    // Assess
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      Timeout: 30,
      MemorySize: 512,
    });
  });

  it('passes the table, the configuration and the Powertools settings in its environment', () => {
    // Prepare / Act
    const { stack, store, template } = synthIngest({ logLevel: 'DEBUG' });

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          TABLE_NAME: stack.resolve(store.tableName),
          INCIDENT_WINDOW_HOURS: '12',
          REJECTED_RETENTION_DAYS: '30',
          POWERTOOLS_SERVICE_NAME: 'riposte-ingest',
          POWERTOOLS_METRICS_NAMESPACE: 'Riposte',
          POWERTOOLS_LOG_LEVEL: 'DEBUG',
          PLAYBOOKS: '[]',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });

  it('consumes the intake queue in bounded batches and reports partial batch failures', () => {
    // Prepare / Act
    const { stack, intake, template } = synthIngest();

    // Assess
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: stack.resolve(intake.queue.queueArn),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 2,
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('writes to its own log group, encrypted and with the configured retention', () => {
    // Prepare / Act
    const { stack, key, ingest, template } = synthIngest();

    // Assess
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 90,
      KmsKeyId: stack.resolve(key.keyArn),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: stack.resolve(ingest.logGroup.logGroupName) },
    });
  });

  it('uses a role with no managed policy', () => {
    // Prepare / Act
    const { template } = synthIngest();

    // Assess
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      },
      ManagedPolicyArns: Match.absent(),
    });
  });

  it('may start its playbooks through their live aliases only, and passes the routes in PLAYBOOKS', () => {
    // Prepare / Act
    const { template } = synthIngest({ playbooks: [PLAYBOOK] });

    // Assess: Step Functions authorizes an alias start on the state machine ARN, the alias in the qualifier
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PLAYBOOKS: JSON.stringify([PLAYBOOK]) }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: 'states:StartExecution',
            Resource: 'arn:aws:states:us-east-1:123456789012:stateMachine:riposte-contain-instance',
            Condition: { 'ForAnyValue:StringEquals': { 'states:StateMachineQualifier': ['live'] } },
          },
        ]),
      },
    });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain(`"${ALIAS_ARN}"`);
  });

  it('splits an alias ARN token (a live alias of the app) with CloudFormation functions', () => {
    // Prepare
    const app = new App();
    const stack = new Stack(app, 'Split');
    const alias = new CfnResource(stack, 'Alias', { type: 'AWS::StepFunctions::StateMachineAlias' });

    // Act
    const { stateMachineArn, qualifier } = splitQualifiedArn(alias.getAtt('Arn').toString());

    // Assess
    const parts = { 'Fn::Split': [':', { 'Fn::GetAtt': ['Alias', 'Arn'] }] };
    expect(stack.resolve(qualifier)).toEqual({ 'Fn::Select': [7, parts] });
    expect(stack.resolve(stateMachineArn)).toEqual({
      'Fn::Join': [':', [0, 1, 2, 3, 4, 5, 6].map((index) => ({ 'Fn::Select': [index, parts] }))],
    });
  });

  it('refuses a playbook target that is not a state machine alias or version ARN', () => {
    // Prepare / Act / Assess
    expect(() =>
      synthIngest({
        playbooks: [
          {
            ...PLAYBOOK,
            target: 'arn:aws:states:us-east-1:123456789012:stateMachine:riposte-contain-instance',
          },
        ],
      }),
    ).toThrow(/must be a state machine alias ARN/);
  });

  it('starts nothing when there is no playbook', () => {
    // Prepare / Act
    const { template } = synthIngest();

    // Assess
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('states:');
  });

  it('is bundled as minified ESM with a require shim and a source map, leaving the AWS SDK out', () => {
    // Prepare
    const { app } = synthIngest();

    // Act
    const outdir = app.synth().directory;
    const assets = readdirSync(outdir)
      .map((entry) => path.join(outdir, entry))
      .filter((dir) => existsSync(path.join(dir, 'index.mjs')));

    // Assess
    expect(assets).toHaveLength(1);
    const [asset] = assets;
    if (asset === undefined) throw new Error('no bundled asset');
    const code = readFileSync(path.join(asset, 'index.mjs'), 'utf8');
    expect(
      code.startsWith("import { createRequire } from 'node:module'; const require = createRequire("),
    ).toBe(true);
    expect(existsSync(path.join(asset, 'index.mjs.map'))).toBe(true);
    expect(code).not.toMatch(/@aws-sdk\/client-dynamodb\/dist-cjs/);
  });

  it('refuses props Lambda, CloudWatch Logs or the queue cannot honour, naming them', () => {
    // Act / Assess
    expect(() => synthIngest({ logRetentionDays: 42 })).toThrow(/logRetentionDays/);
    expect(() => synthIngest({ incidentWindowHours: 0 })).toThrow(/incidentWindowHours/);
    expect(() => synthIngest({ rejectedRetentionDays: 0.5 })).toThrow(/rejectedRetentionDays/);
    expect(() => synthIngest({ maxConcurrency: 1 })).toThrow(/maxConcurrency/);
    expect(() => synthIngest({ batchSize: 0 })).toThrow(/batchSize/);
    expect(() => synthIngest({ memorySize: 64 })).toThrow(/memorySize/);
    expect(() => synthIngest({ timeout: Duration.minutes(20) })).toThrow(/timeout/);
    expect(() => synthIngest({ timeout: Duration.minutes(1) })).toThrow(/visibility timeout/);
  });
});

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { type BundledRoute, ROUTES_FILE, routesFrom } from '../../functions/ingest/routes.ts';
import { AlertStore } from '../../lib/alert-store.ts';
import { IngestFunction, type IngestFunctionProps } from '../../lib/ingest-function.ts';
import { IntakeQueue, type IntakeQueueProps } from '../../lib/intake-queue.ts';

const PLAYBOOK: BundledRoute = {
  id: 'contain-instance',
  version: '1.0.0',
  stateMachineName: 'Test-contain-instance',
  trigger: { sources: ['aws.guardduty'], minSeverity: 4, resourceTypes: ['AWS::EC2::Instance'] },
};

/** The bundled asset folders (those with an index.mjs) of a synthesized app. */
function bundledAssets(app: App): string[] {
  const outdir = app.synth().directory;
  return readdirSync(outdir)
    .map((entry) => path.join(outdir, entry))
    .filter((dir) => existsSync(path.join(dir, 'index.mjs')));
}

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

  it('may start the playbooks of its stack through their live aliases only, in one statement', () => {
    // Prepare / Act
    const { stack, template } = synthIngest({ routes: [PLAYBOOK], stateMachineNamePrefix: 'Test-' });
    const arn = (name: string) =>
      stack.resolve(
        stack.formatArn({
          service: 'states',
          resource: 'stateMachine',
          resourceName: name,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      );

    // Assess: Step Functions authorizes an alias start on the state machine ARN, the alias in the qualifier
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: 'states:StartExecution',
            Resource: arn('Test-*'),
            Condition: { 'ForAnyValue:StringEquals': { 'states:StateMachineQualifier': ['live'] } },
          },
        ]),
      },
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown }[],
    );
    expect(
      statements.filter((statement) => JSON.stringify(statement.Action).includes('states:')),
    ).toHaveLength(1);
  });

  it('ships its routes in its bundle, not its environment, with the ARN prefix to start them on', () => {
    // Prepare
    const { app, stack, template } = synthIngest({ routes: [PLAYBOOK], stateMachineNamePrefix: 'Test-' });

    // Act
    const [asset, ...others] = bundledAssets(app);
    if (asset === undefined) throw new Error('no bundled asset');
    const variables = Object.values(template.findResources('AWS::Lambda::Function'))[0]?.Properties
      .Environment.Variables as Record<string, unknown>;
    const shipped = readFileSync(path.join(asset, ROUTES_FILE), 'utf8');

    // Assess: the file holds the routes, the environment names it and the ARN prefix
    expect(others).toHaveLength(0);
    expect(JSON.parse(shipped)).toEqual([PLAYBOOK]);
    expect(variables.PLAYBOOK_ROUTES_FILE).toBe(ROUTES_FILE);
    expect(variables.PLAYBOOKS).toBeUndefined();
    expect(variables.PLAYBOOK_ARN_PREFIX).toEqual(
      stack.resolve(
        stack.formatArn({
          service: 'states',
          resource: 'stateMachine',
          resourceName: '',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ),
    );
    expect(routesFrom(shipped, 'arn:aws:states:us-east-1:123456789012:stateMachine:')).toEqual([
      {
        id: PLAYBOOK.id,
        version: PLAYBOOK.version,
        target: 'arn:aws:states:us-east-1:123456789012:stateMachine:Test-contain-instance:live',
        trigger: PLAYBOOK.trigger,
      },
    ]);
  });

  it('refuses routes without a name prefix, or whose state machine is not named with it', () => {
    // Prepare / Act / Assess
    expect(() => synthIngest({ routes: [PLAYBOOK] })).toThrow(/stateMachineNamePrefix/);
    expect(() => synthIngest({ routes: [PLAYBOOK], stateMachineNamePrefix: 'Other-' })).toThrow(
      /does not start with Other-/,
    );
  });

  it('starts nothing when there is no playbook', () => {
    // Prepare / Act
    const { template } = synthIngest();

    // Assess
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('states:');
    expect(JSON.stringify(template.findResources('AWS::Lambda::Function'))).not.toContain('PLAYBOOK');
  });

  it('is bundled as minified ESM with a require shim and a source map, the AWS SDK tree-shaken in', () => {
    // Prepare
    const { app } = synthIngest();

    // Act
    const assets = bundledAssets(app);

    // Assess
    expect(assets).toHaveLength(1);
    const [asset] = assets;
    if (asset === undefined) throw new Error('no bundled asset');
    const code = readFileSync(path.join(asset, 'index.mjs'), 'utf8');
    expect(
      code.startsWith("import { createRequire } from 'node:module'; const require = createRequire("),
    ).toBe(true);
    expect(existsSync(path.join(asset, 'index.mjs.map'))).toBe(true);
    // The SDK's ESM build is bundled (module before main): no CommonJS copy, no import left to the runtime.
    expect(code).not.toMatch(/@aws-sdk\/client-dynamodb\/dist-cjs/);
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
    expect(code).toContain('DynamoDBClient');
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

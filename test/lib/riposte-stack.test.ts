import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, type CfnElement, type NestedStack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DeployedPlaybookSchema, STACK_OUTPUTS } from '../../cli/aws/stack.ts';
import { parseConfig } from '../../functions/core/config/schema.ts';
import { loadPlaybooks } from '../../functions/core/playbooks/registry.ts';
import { definePlaybook, type Playbook } from '../../functions/core/playbooks/sdk.ts';
import { RiposteStack } from '../../lib/riposte-stack.ts';
import { REPO_ROOT } from '../support/fixtures.ts';

interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** A playbook with a gradual rollout, beside the shipped ones, for the checks. */
const CANARY_PLAYBOOK = definePlaybook({
  id: 'test-canary',
  version: '1.1.0',
  title: 'Test: canary',
  description: 'Notifies, deployed gradually.',
  owner: 'test@example.com',
  changelog: { '1.1.0': 'Canary.' },
  trigger: { sources: ['aws.securityhub'] },
  rollout: { type: 'LINEAR', percentage: 25, intervalMinutes: 10, alarms: ['riposte-test-alarm'] },
  steps: (flow) => flow.notify('tell', { subject: 'Hello' }),
});

/** Bundling is skipped (the templates are what these tests read) unless `bundle` is set. */
function newApp(options: { readonly outdir?: string; readonly bundle?: boolean } = {}): App {
  return new App({
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
    ...(options.bundle === true ? {} : { context: { 'aws:cdk:bundling-stacks': [] } }),
  });
}

function synthStack(context: unknown = {}, playbooks: readonly Playbook[] = []) {
  const app = newApp();
  const stack = new RiposteStack(app, 'Riposte', { config: parseConfig(context), playbooks });
  return { app, stack, template: Template.fromStack(stack) };
}

/** Every playbook of the repository, and one with a rollout. */
async function allPlaybooks(): Promise<Playbook[]> {
  return [...(await loadPlaybooks()), CANARY_PLAYBOOK];
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The statements of every identity policy in the template (standalone and inline in roles), or of one role's. */
function identityStatements(template: Template, roleId?: string): PolicyStatement[] {
  const standalone = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter(
      (policy) =>
        roleId === undefined || JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[]);
  if (roleId !== undefined) return standalone;
  const inline = Object.values(template.findResources('AWS::IAM::Role')).flatMap((role) =>
    ((role.Properties.Policies ?? []) as { PolicyDocument: { Statement: PolicyStatement[] } }[]).flatMap(
      (policy) => policy.PolicyDocument.Statement,
    ),
  );
  return [...standalone, ...inline];
}

/** The acknowledged cdk-nag rule ids in the tree, by construct path. */
function acknowledgements(root: IConstruct): Record<string, Record<string, string>> {
  const found: Record<string, Record<string, string>> = {};
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      const rules = found[construct.node.path] ?? {};
      for (const [id, reason] of Object.entries(entry.data ?? {})) {
        rules[id.replace(/^[A-Za-z]+::/, '')] = String(reason);
      }
      found[construct.node.path] = rules;
    }
  }
  return found;
}

interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations: readonly { readonly ruleName: string; readonly severity: string }[];
  }[];
}

function readReport(outdir: string): ValidationReport {
  const file = path.join(outdir, 'validation-report.json');
  expect(existsSync(file), 'validation-report.json is written').toBe(true);
  return JSON.parse(readFileSync(file, 'utf8')) as ValidationReport;
}

/**
 * An output value as CloudFormation resolves it, with `arn:…:stateMachine:<logical id>:live` for
 * each alias `Fn::GetAtt`.
 */
function resolveAliasJoin(value: unknown): string {
  if (typeof value === 'string') return value;
  const intrinsic = z
    .union([
      z.strictObject({ 'Fn::Join': z.tuple([z.string(), z.array(z.unknown())]) }),
      z.strictObject({ Ref: z.enum(['AWS::Partition', 'AWS::Region', 'AWS::AccountId']) }),
    ])
    .parse(value);
  if ('Fn::Join' in intrinsic) {
    const [separator, parts] = intrinsic['Fn::Join'];
    return parts.map(resolveAliasJoin).join(separator);
  }
  return { 'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '111122223333' }[
    intrinsic.Ref
  ];
}

describe('RiposteStack', () => {
  it('describes itself and leaves termination protection off by default', () => {
    // Prepare / Act
    const { stack, template } = synthStack();

    // Assess
    expect(template.toJSON().Description).toBe(RiposteStack.DESCRIPTION);
    expect(stack.terminationProtection).toBe(false);
  });

  it('composes the key, table, queues, alarms, topics, functions, approval API, lifecycle bus, dashboard and a rule per source', () => {
    // Prepare / Act
    const { template } = synthStack();

    // Assess
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    // The intake queue, its dead-letter queue and the lifecycle relay's failure queue.
    template.resourceCountIs('AWS::SQS::Queue', 3);
    // The dead-letter alarm, the relay's failure alarm and the delivery-failures alarm (no playbook: no playbook alarm).
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.resourceCountIs('AWS::Events::EventBus', 1);
    // Allow the publishers, deny everyone else.
    template.resourceCountIs('AWS::Events::EventBusPolicy', 2);
    template.resourceCountIs('AWS::Events::Archive', 1);
    // The dead-letter alarm topic and the alert topic.
    template.resourceCountIs('AWS::SNS::Topic', 2);
    // Ingest, six action families, approval, the lifecycle relay.
    template.resourceCountIs('AWS::Lambda::Function', 9);
    // The intake queue (ingest) and the table's stream (the lifecycle relay).
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    // One per source (the opt-in custom source is off), and the failure rule of every playbook (whatever their number).
    template.resourceCountIs('AWS::Events::Rule', 10);
    template.resourceCountIs('AWS::SecurityHub::ActionTarget', 1);
    template.resourceCountIs('AWS::SSM::Parameter', 1);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
  });

  it('deploys a nested stack per playbook, one failure rule for all, and routes the ingest function to them', async () => {
    // Prepare
    const playbooks = await allPlaybooks();

    // Act
    const { stack, template } = synthStack({}, playbooks);

    // Assess
    template.resourceCountIs('AWS::CloudFormation::Stack', playbooks.length);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    // One failure rule beside the source rules; each playbook's alarm is in its nested stack.
    template.resourceCountIs('AWS::Events::Rule', 10);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    for (const playbook of playbooks) {
      const nested = Template.fromStack(stack.playbooks.machines.get(playbook.id) as NestedStack);
      nested.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
      nested.resourceCountIs('AWS::StepFunctions::StateMachineVersion', 1);
      nested.resourceCountIs('AWS::StepFunctions::StateMachineAlias', 1);
      nested.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    }
    const ingest = stack.getLogicalId(stack.ingest.function.node.defaultChild as CfnElement);
    const variables = template.toJSON().Resources[ingest].Properties.Environment.Variables;
    expect(variables.PLAYBOOKS).toBeUndefined();
    expect(variables.PLAYBOOK_ROUTES_FILE).toBe('playbook-routes.json');
  });

  it('publishes the table and the deployed playbooks as the outputs riposte --stack reads', async () => {
    // Prepare
    const playbooks = await allPlaybooks();

    // Act
    const { stack, template } = synthStack({}, playbooks);
    const empty = synthStack().template;

    // Assess
    expect(RiposteStack.OUTPUTS).toEqual(STACK_OUTPUTS);
    const table = stack.getLogicalId(stack.store.table.node.defaultChild as CfnElement);
    template.hasOutput(STACK_OUTPUTS.tableName, {
      Description: Match.stringLikeRegexp('alert table'),
      Value: { Ref: table },
    });
    template.hasOutput(STACK_OUTPUTS.playbooks, { Description: Match.stringLikeRegexp('riposte release') });
    const value = template.toJSON().Outputs[STACK_OUTPUTS.playbooks].Value;
    const deployed = z.record(z.string(), DeployedPlaybookSchema).parse(JSON.parse(resolveAliasJoin(value)));
    expect(Object.keys(deployed).sort()).toEqual(playbooks.map((p) => p.id).sort());
    for (const playbook of playbooks) {
      expect(deployed[playbook.id]).toEqual({
        version: playbook.version,
        aliasArn: `arn:aws:states:eu-west-1:111122223333:stateMachine:Riposte-${playbook.id}:live`,
      });
    }
    empty.hasOutput(STACK_OUTPUTS.playbooks, { Value: '{}' });
  });

  it('keeps its construct ids, which are a contract', () => {
    // Prepare / Act
    const { stack } = synthStack();

    // Assess
    expect(stack.node.children.map((child) => child.node.id)).toEqual(
      expect.arrayContaining([
        'Encryption',
        'AlertStore',
        'Intake',
        'Sources',
        'Ingest',
        'Settings',
        'Approval',
        'Actions',
        'Playbooks',
        'Lifecycle',
        'FailureAlerts',
        'Dashboard',
      ]),
    );
    expect([...stack.sources.rules.values()].map((rule) => rule.node.path)).toContain(
      'Riposte/Sources/guardduty',
    );
  });

  it('configures the pieces from the riposte context', () => {
    // Prepare / Act
    const { template } = synthStack({ maxReceiveCount: 3, logRetentionDays: 30, incidentWindowHours: 6 });

    // Assess
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { maxReceiveCount: 3 } });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    expect(JSON.stringify(template.findResources('AWS::Lambda::Function'))).toContain(
      '"INCIDENT_WINDOW_HOURS":"6"',
    );
  });

  it('tags its own functions and roles with the protected tag, so no finding makes Riposte contain itself', () => {
    // Prepare / Act: a protected tag written with spaces, as the rails accept it
    const { template } = synthStack({ safety: { protectedTag: { key: ' security:keep ', value: 'Yes ' } } });

    // Assess: every function and role, trimmed
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(functions.length).toBeGreaterThan(5);
    for (const resource of [...functions, ...roles]) {
      expect(resource.Properties.Tags).toContainEqual({ Key: 'security:keep', Value: 'Yes' });
    }
  });

  it('sizes the queue visibility timeout from the ingest timeout (6 × 30 s + 2 s window)', () => {
    // Prepare / Act
    const { template } = synthStack();

    // Assess
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 182 });
  });

  it('deploys no rule for a disabled source', () => {
    // Prepare / Act
    const { stack, template } = synthStack({ sources: { macie: { enabled: false } } });

    // Assess
    template.resourceCountIs('AWS::Events::Rule', 9);
    expect(stack.sources.rules.has('macie')).toBe(false);
    expect(JSON.stringify(template.findResources('AWS::Events::Rule'))).not.toContain('aws.macie');
  });

  describe('IAM', () => {
    it('names only this table and its index, this queue, this key, its log group and the playbooks for ingest', async () => {
      // Prepare
      const { stack, template } = synthStack({}, await allPlaybooks());
      const table = stack.resolve(stack.store.table.tableArn);
      const machines = [...stack.playbooks.machines.values()];
      const allowed = [
        table,
        { 'Fn::Join': ['', [table, '/index/gsi1']] },
        stack.resolve(stack.intake.queue.queueArn),
        stack.resolve(stack.encryption.key.keyArn),
        stack.resolve(stack.ingest.logGroup.logGroupArn),
      ].map((resource) => JSON.stringify(resource));
      const roleId = stack.getLogicalId(stack.ingest.role.node.defaultChild as CfnElement);

      // Act
      const statements = identityStatements(template, roleId);
      const resources = statements
        .filter((statement) => !asList(statement.Action).includes('states:StartExecution'))
        .flatMap((statement) => asList(statement.Resource))
        .filter((resource) => resource !== '*');
      const starts = statements.filter((statement) =>
        asList(statement.Action).includes('states:StartExecution'),
      );

      // Assess
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources) expect(allowed).toContain(JSON.stringify(resource));
      expect(machines.length).toBeGreaterThan(0);
      expect(starts).toEqual([
        {
          Effect: 'Allow',
          Action: 'states:StartExecution',
          Resource: stack.resolve(stack.playbooks.stateMachineArnPattern),
          Condition: { 'ForAnyValue:StringEquals': { 'states:StateMachineQualifier': ['live'] } },
        },
      ]);
    });

    it('grants "*" resources only to X-Ray, log delivery and read-only or account-level calls', async () => {
      // Prepare
      const { template } = synthStack({}, await allPlaybooks());

      // Act
      const starred = identityStatements(template)
        .filter((statement) => statement.Effect === 'Allow' && asList(statement.Resource).includes('*'))
        .flatMap((statement) => asList(statement.Action));

      // Assess
      expect(starred.length).toBeGreaterThan(0);
      for (const action of starred) {
        expect(action).toMatch(
          /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)|(ec2|autoscaling|elasticloadbalancing):Describe[A-Za-z]+|s3:(Get|Put)AccountPublicAccessBlock|cloudtrail:LookupEvents|iam:GetAccountSummary|dynamodb:ListStreams)$/,
        );
      }
    });

    it('has no statement with Action "*" or a whole-service wildcard such as dynamodb:*', async () => {
      // Prepare
      const { template } = synthStack({}, await allPlaybooks());

      // Act
      const actions = identityStatements(template).flatMap((statement) => asList(statement.Action));

      // Assess
      expect(actions.length).toBeGreaterThan(0);
      for (const action of actions) {
        expect(action).not.toBe('*');
        expect(action).not.toMatch(/^[a-z0-9-]+:\*$/);
        expect(action).not.toContain('*');
      }
    });

    it('attaches no AWS managed policy', () => {
      // Prepare / Act
      const { template } = synthStack();

      // Assess
      for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
    });
  });

  describe('cdk-nag AwsSolutions', () => {
    /** A configuration that turns on every optional piece (external id, Slack, webhook, e-mail). */
    const FULL_CONFIG = {
      memberRoleExternalId: 'riposte-test',
      notifications: {
        emails: ['soc@example.com'],
        slackWebhookSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:riposte/slack',
        webhookUrl: 'https://hooks.example.com/riposte',
        webhookSigningSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:riposte/hmac-AbCdEf',
      },
    };

    it.each([
      ['the defaults and no playbook', {}, false],
      ['every option and every playbook', FULL_CONFIG, true],
    ])(
      'synthesizes with zero unacknowledged errors or warnings: %s',
      async (_name, context, withPlaybooks) => {
        // Prepare
        const outdir = mkdtempSync(path.join(tmpdir(), 'riposte-nag-'));
        const app = newApp({ outdir });
        const playbooks = withPlaybooks ? await allPlaybooks() : [];
        new RiposteStack(app, 'Riposte', { config: parseConfig(context), playbooks });
        Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));

        try {
          // Act: an unacknowledged error makes synth throw with the report
          app.synth();
          const report = readReport(outdir);

          // Assess: and warnings are only in the report
          const findings = report.pluginReports.flatMap((plugin) =>
            plugin.violations.map((violation) => `${violation.severity} ${violation.ruleName}`),
          );
          expect(findings).toEqual([]);
        } finally {
          rmSync(outdir, { recursive: true, force: true });
        }
      },
    );

    it('acknowledges only findings that the rules really raise, each where it is raised', async () => {
      // Prepare: the same pack, told to ignore every acknowledgement (cdk-nag 3.0.2 consults
      // its private isAcknowledged for each finding)
      const { app } = synthStack(FULL_CONFIG, await allPlaybooks());
      const pack = new AwsSolutionsChecks();
      Reflect.set(pack, 'isAcknowledged', () => false);

      // Act
      const findings = pack
        .validateScope(app)
        .violations.flatMap((violation) =>
          violation.violatingResources.map(
            (resource) =>
              `${violation.ruleName} ${(resource.constructPath ?? '').replace(/\/Resource$/, '')}`,
          ),
        );
      const acknowledged = Object.entries(acknowledgements(app)).flatMap(([at, rules]) =>
        Object.keys(rules).map((rule) => `${rule} ${at}`),
      );

      // Assess: one acknowledgement per finding, none without one
      expect(findings.length).toBeGreaterThan(0);
      expect(new Set(findings).size).toBe(findings.length);
      expect(acknowledged.sort()).toEqual(findings.sort());
    });

    it('acknowledges only wildcards with a reason, the Node.js 22 runtime, the link-authorized routes, the key rotation and the relay failure queue', async () => {
      // Prepare
      const { app } = synthStack(FULL_CONFIG, await allPlaybooks());

      // Act
      const found = acknowledgements(app);
      const rules = new Set(Object.values(found).flatMap((byRule) => Object.keys(byRule)));

      // Assess
      for (const rule of rules) {
        expect(rule).toMatch(/^AwsSolutions-(IAM5\[Resource::[^\]]+\]|L1|APIG4|SMG4|SQS3)$/);
      }
      expect(Object.keys(found['Riposte/LifecycleRelay/FailureQueue'] ?? {})).toEqual(['AwsSolutions-SQS3']);
      expect(Object.keys(found['Riposte/LifecycleRelay/Role/DefaultPolicy'] ?? {})).toEqual([
        'AwsSolutions-IAM5[Resource::*]',
      ]);
      expect(Object.keys(found['Riposte/Ingest/Role/DefaultPolicy'] ?? {}).sort()).toEqual([
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:Riposte-*]',
      ]);
      expect(Object.keys(found['Riposte/Ingest/Function'] ?? {})).toEqual(['AwsSolutions-L1']);
      expect(Object.keys(found['Riposte/Actions/Contain/Role/DefaultPolicy'] ?? {})).toContain(
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/RiposteMemberResponse]',
      );
      for (const byRule of Object.values(found)) {
        for (const reason of Object.values(byRule)) expect(reason.length).toBeGreaterThan(60);
      }
    });

    it('bin/app.ts synthesizes the Riposte and RiposteMember stacks with the checks on and nothing to report', () => {
      // Prepare
      const outdir = mkdtempSync(path.join(tmpdir(), 'riposte-app-'));

      try {
        // Act
        const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bin', 'app.ts')], {
          cwd: REPO_ROOT,
          env: { ...process.env, CDK_OUTDIR: outdir },
          encoding: 'utf8',
          // Bundles nine functions with esbuild.
          timeout: 170_000,
        });

        // Assess
        expect(run.status, run.stderr).toBe(0);
        expect(existsSync(path.join(outdir, 'Riposte.template.json'))).toBe(true);
        expect(existsSync(path.join(outdir, 'RiposteMember.template.json'))).toBe(true);
        expect(readReport(outdir).pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    }, 180_000);
  });
});

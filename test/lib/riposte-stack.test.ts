import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config/schema.ts';
import { RiposteStack } from '../../lib/riposte-stack.ts';
import { REPO_ROOT } from '../support/fixtures.ts';

interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

function synthStack(context: unknown = {}) {
  const app = new App();
  const stack = new RiposteStack(app, 'Riposte', { config: parseConfig(context) });
  return { app, stack, template: Template.fromStack(stack) };
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The statements of every identity policy in the template (standalone and inline in roles). */
function identityStatements(template: Template): PolicyStatement[] {
  const standalone = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[],
  );
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

describe('RiposteStack', () => {
  it('describes itself and leaves termination protection off by default', () => {
    // Prepare / Act
    const { stack, template } = synthStack();

    // Assess
    expect(template.toJSON().Description).toBe(RiposteStack.DESCRIPTION);
    expect(stack.terminationProtection).toBe(false);
  });

  it('composes one key, one table, two queues, the alarm, one function and a rule per source', () => {
    // Prepare / Act
    const { template } = synthStack();

    // Assess
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.resourceCountIs('AWS::Events::Rule', 9);
    template.resourceCountIs('AWS::SecurityHub::ActionTarget', 1);
  });

  it('keeps its construct ids, which are a contract', () => {
    // Prepare / Act
    const { stack } = synthStack();

    // Assess
    expect(stack.node.children.map((child) => child.node.id)).toEqual(
      expect.arrayContaining(['Encryption', 'AlertStore', 'Intake', 'Sources', 'Ingest']),
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
    template.resourceCountIs('AWS::Events::Rule', 8);
    expect(stack.sources.rules.has('macie')).toBe(false);
    expect(JSON.stringify(template.findResources('AWS::Events::Rule'))).not.toContain('aws.macie');
  });

  describe('IAM', () => {
    it("names only this table and its index, this queue, this key and the function's log group", () => {
      // Prepare
      const { stack, template } = synthStack();
      const table = stack.resolve(stack.store.table.tableArn);
      const allowed = [
        table,
        { 'Fn::Join': ['', [table, '/index/gsi1']] },
        stack.resolve(stack.intake.queue.queueArn),
        stack.resolve(stack.encryption.key.keyArn),
        stack.resolve(stack.ingest.logGroup.logGroupArn),
      ].map((resource) => JSON.stringify(resource));

      // Act
      const resources = identityStatements(template)
        .flatMap((statement) => asList(statement.Resource))
        .filter((resource) => resource !== '*');

      // Assess
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources) expect(allowed).toContain(JSON.stringify(resource));
    });

    it('grants "*" resources to X-Ray only', () => {
      // Prepare
      const { template } = synthStack();

      // Act
      const starred = identityStatements(template).filter((statement) =>
        asList(statement.Resource).includes('*'),
      );

      // Assess
      expect(starred.flatMap((statement) => asList(statement.Action)).sort()).toEqual([
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    });

    it('has no statement with Action "*" or a whole-service wildcard such as dynamodb:*', () => {
      // Prepare
      const { template } = synthStack();

      // Act
      const actions = identityStatements(template).flatMap((statement) => asList(statement.Action));

      // Assess
      expect(actions.length).toBeGreaterThan(0);
      for (const action of actions) {
        expect(action).not.toBe('*');
        expect(action).not.toMatch(/^[a-z0-9-]+:\*$/);
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
    it('synthesizes with zero unacknowledged errors or warnings', () => {
      // Prepare
      const outdir = mkdtempSync(path.join(tmpdir(), 'riposte-nag-'));
      const app = new App({ outdir });
      new RiposteStack(app, 'Riposte', { config: parseConfig({}) });
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
    });

    it('acknowledges only findings that the rules really raise, and nothing else would fail', () => {
      // Prepare: the same pack, told to ignore every acknowledgement (cdk-nag 3.0.2 consults
      // its private isAcknowledged for each finding)
      const { app } = synthStack();
      const pack = new AwsSolutionsChecks();
      Reflect.set(pack, 'isAcknowledged', () => false);

      // Act
      const findings = pack
        .validateScope(app)
        .violations.flatMap((violation) =>
          violation.violatingResources.map((resource) => `${violation.ruleName} ${resource.constructPath}`),
        );

      // Assess
      expect(findings.sort()).toEqual([
        'AwsSolutions-IAM5[Resource::*] Riposte/Ingest/Role/DefaultPolicy/Resource',
        'AwsSolutions-L1 Riposte/Ingest/Function/Resource',
      ]);
    });

    it('acknowledges exactly the X-Ray wildcard and the Node.js 22 runtime, each at its resource, with a reason', () => {
      // Prepare
      const { app } = synthStack();

      // Act
      const found = acknowledgements(app);

      // Assess
      expect(Object.keys(found).sort()).toEqual([
        'Riposte/Ingest/Function',
        'Riposte/Ingest/Role/DefaultPolicy',
      ]);
      expect(Object.keys(found['Riposte/Ingest/Role/DefaultPolicy'] ?? {})).toEqual([
        'AwsSolutions-IAM5[Resource::*]',
      ]);
      expect(Object.keys(found['Riposte/Ingest/Function'] ?? {})).toEqual(['AwsSolutions-L1']);
      for (const rules of Object.values(found)) {
        for (const reason of Object.values(rules)) expect(reason.length).toBeGreaterThan(60);
      }
    });

    it('bin/app.ts synthesizes the Riposte stack with the checks on and nothing to report', () => {
      // Prepare
      const outdir = mkdtempSync(path.join(tmpdir(), 'riposte-app-'));

      try {
        // Act
        const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bin', 'app.ts')], {
          cwd: REPO_ROOT,
          env: { ...process.env, CDK_OUTDIR: outdir },
          encoding: 'utf8',
          timeout: 120_000,
        });

        // Assess
        expect(run.status, run.stderr).toBe(0);
        expect(existsSync(path.join(outdir, 'Riposte.template.json'))).toBe(true);
        expect(readReport(outdir).pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    });
  });
});

import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { callsOfFamily, iamActionsOfFamily } from '../../functions/core/actions/registry.ts';
import { ACTION_FAMILIES, type ActionFamily } from '../../functions/core/actions/types.ts';
import { parseConfig } from '../../functions/core/config/schema.ts';
import { FAMILY_SPECS } from '../../lib/action-functions.ts';
import { RiposteStack } from '../../lib/riposte-stack.ts';

interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const SLACK_SECRET = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:riposte/slack-AbCdEf';

function synth(context: unknown = {}) {
  // No bundling: these tests read the template, not the code.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new RiposteStack(app, 'Riposte', { config: parseConfig(context) });
  return { app, stack, template: Template.fromStack(stack) };
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

type Synth = ReturnType<typeof synth>;

function logicalId(s: Synth, element: unknown): string {
  return s.stack.getLogicalId(element as CfnElement);
}

function functionProps(s: Synth, family: ActionFamily): Record<string, unknown> {
  const fn = s.stack.actions.families[family].function;
  return s.template.toJSON().Resources[logicalId(s, fn.node.defaultChild)].Properties;
}

function envOf(s: Synth, family: ActionFamily): Record<string, unknown> {
  return (functionProps(s, family).Environment as { Variables: Record<string, unknown> }).Variables;
}

/** The statements of the identity policies attached to a family's role. */
function statementsOf(s: Synth, family: ActionFamily): Statement[] {
  const roleId = logicalId(s, s.stack.actions.families[family].role.node.defaultChild);
  // With the role's overflow (CDK moves statements past IAM's inline size limit into managed policies).
  return [
    ...Object.values(s.template.findResources('AWS::IAM::Policy')),
    ...Object.values(s.template.findResources('AWS::IAM::ManagedPolicy')),
  ]
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const allowed = (statements: Statement[]): string[] =>
  statements
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) => asList(statement.Action));

/** The statements granting `action`. */
const granting = (statements: Statement[], action: string): Statement[] =>
  statements.filter((statement) => statement.Effect === 'Allow' && asList(statement.Action).includes(action));

const BASELINE = [
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:DescribeKey',
];

describe('ActionFunctions', () => {
  const s = synth({
    memberRoleName: 'SecOpsResponder',
    memberRoleExternalId: 'riposte-ext-42',
    logRetentionDays: 90,
    safety: { blastRadiusPerHour: 3, accounts: { deny: ['999999999999'] } },
    notifications: {
      emails: ['soc@example.com'],
      slackWebhookSecretArn: SLACK_SECRET,
      webhookUrl: 'https://hooks.example.com/riposte',
    },
  });

  it('deploys one function per action family under Actions, with the family ids', () => {
    // Prepare / Act
    const ids = s.stack.actions.node.children.map((child) => child.node.id);

    // Assess
    expect(ids).toEqual(['Context', 'Enrich', 'Contain', 'Release', 'Notify', 'Approve']);
    for (const family of ACTION_FAMILIES) {
      expect(s.stack.actions.families[family].function.node.path).toBe(
        `Riposte/Actions/${FAMILY_SPECS[family].id}/Function`,
      );
    }
  });

  it('runs each family on Node.js 22, ARM64, traced, with its timeout', () => {
    // Prepare
    const timeouts: Record<ActionFamily, number> = {
      context: 30,
      enrich: 30,
      contain: 300,
      release: 300,
      notify: 30,
      approve: 30,
    };

    for (const family of ACTION_FAMILIES) {
      // Act
      const props = functionProps(s, family);

      // Assess
      expect(props, family).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        Timeout: timeouts[family],
      });
    }
  });

  it('writes to its own KMS-encrypted log group with the configured retention', () => {
    for (const family of ACTION_FAMILIES) {
      // Prepare / Act
      const fn = s.stack.actions.families[family];
      const logGroup = s.template.toJSON().Resources[logicalId(s, fn.logGroup.node.defaultChild)];

      // Assess
      expect(functionProps(s, family).LoggingConfig).toEqual({
        LogGroup: { Ref: logicalId(s, fn.logGroup.node.defaultChild) },
      });
      expect(logGroup.Properties).toMatchObject({
        RetentionInDays: 90,
        KmsKeyId: { 'Fn::GetAtt': [logicalId(s, s.stack.encryption.key.node.defaultChild), 'Arn'] },
      });
      expect(logGroup.DeletionPolicy).toBe('Retain');
    }
  });

  it('passes the table, safety policy, kill switch, member role and own account in every environment', () => {
    for (const family of ACTION_FAMILIES) {
      // Prepare / Act
      const env = envOf(s, family);

      // Assess
      expect(env, family).toMatchObject({
        TABLE_NAME: { Ref: logicalId(s, s.stack.store.table.node.defaultChild) },
        KILL_SWITCH_PARAMETER: { Ref: logicalId(s, s.stack.settings.killSwitch.node.defaultChild) },
        MEMBER_ROLE_NAME: 'SecOpsResponder',
        MEMBER_ROLE_EXTERNAL_ID: 'riposte-ext-42',
        AWS_ACCOUNT_ID: { Ref: 'AWS::AccountId' },
        AWS_PARTITION: { Ref: 'AWS::Partition' },
        POWERTOOLS_SERVICE_NAME: `riposte-${family}`,
      });
      expect(JSON.parse(String(env.SAFETY_POLICY))).toEqual({
        protectedTag: { key: 'riposte:protected', value: 'true' },
        accounts: { deny: ['999999999999'] },
        regions: { deny: [] },
        blastRadiusPerHour: 3,
        environments: {
          tagKeys: ['environment', 'env'],
          nonProduction: ['development', 'dev', 'test', 'testing', 'qa', 'staging', 'stage', 'sandbox'],
        },
      });
    }
  });

  it('gives notify and approve the notification targets, and approve the approval API and key', () => {
    // Prepare
    const topic = { Ref: logicalId(s, s.stack.settings.alertTopic.node.defaultChild) };
    const notifyEnv = {
      NOTIFY_TOPIC_ARN: topic,
      NOTIFY_SLACK_WEBHOOK_SECRET_ARN: SLACK_SECRET,
      NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/riposte',
    };

    // Act / Assess
    expect(envOf(s, 'notify')).toMatchObject(notifyEnv);
    expect(envOf(s, 'approve')).toMatchObject({
      ...notifyEnv,
      APPROVAL_BASE_URL: {
        'Fn::GetAtt': [logicalId(s, s.stack.approval.api.node.defaultChild), 'ApiEndpoint'],
      },
      APPROVAL_KEY_SECRET_ARN: { Ref: logicalId(s, s.stack.settings.approvalKey.node.defaultChild) },
    });
    for (const family of ['context', 'enrich', 'contain', 'release'] as const) {
      expect(
        Object.keys(envOf(s, family)).filter((key) => /^(NOTIFY|APPROVAL)_/.test(key)),
        family,
      ).toEqual([]);
    }
  });

  it('gives each family its own role', () => {
    // Prepare / Act
    const roles = ACTION_FAMILIES.map((family) => functionProps(s, family).Role);

    // Assess
    expect(new Set(roles.map((role) => JSON.stringify(role))).size).toBe(ACTION_FAMILIES.length);
    for (const family of ACTION_FAMILIES) {
      expect(functionProps(s, family).Role).toEqual({
        'Fn::GetAtt': [logicalId(s, s.stack.actions.families[family].role.node.defaultChild), 'Arn'],
      });
    }
  });

  it('grants every AWS action its family declares, and nothing beyond the runtime basics', () => {
    for (const family of ACTION_FAMILIES) {
      // Prepare: the actions' own declarations and the calls its code declares on Riposte's
      // resources (the lifecycle bus grants PutEvents in its own policy)
      const declared = [
        ...iamActionsOfFamily(family),
        ...callsOfFamily(family)
          .filter((call) => call.resource !== 'lifecycle-bus')
          .flatMap((call) => call.actions),
      ];
      const runtime = BASELINE;

      // Act
      const granted = new Set(allowed(statementsOf(s, family)));

      // Assess
      for (const action of declared) expect(granted, `${family} ${action}`).toContain(action);
      for (const action of granted) {
        const expected = declared.includes(action) || runtime.includes(action) || action.startsWith('kms:');
        expect(expected, `${family} is granted ${action}`).toBe(true);
      }
    }
  });

  it('uses the table only with the item operations the family performs, on the table only', () => {
    // Prepare: containment and release stamp their milestone on the incident (UpdateItem)
    const table = { 'Fn::GetAtt': [logicalId(s, s.stack.store.table.node.defaultChild), 'Arn'] };
    const expected: Record<ActionFamily, string[]> = {
      context: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      enrich: ['dynamodb:PutItem'],
      contain: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      release: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      notify: ['dynamodb:PutItem'],
      approve: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
    };

    for (const family of ACTION_FAMILIES) {
      // Act
      const statements = statementsOf(s, family).filter((statement) =>
        asList(statement.Action).some((action) => action.startsWith('dynamodb:')),
      );

      // Assess
      expect(statements, family).toHaveLength(1);
      expect(asList(statements[0]?.Action ?? []).sort(), family).toEqual(expected[family]);
      expect(statements[0]?.Resource, family).toEqual(table);
      const key = granting(statementsOf(s, family), 'kms:Encrypt');
      expect(key[0]?.Condition, family).toEqual({
        StringEquals: {
          'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
        },
      });
    }
  });

  it('reads only the kill-switch parameter and assumes only the member role, with the external id', () => {
    for (const family of ACTION_FAMILIES) {
      // Prepare / Act
      const statements = statementsOf(s, family);
      const ssm = granting(statements, 'ssm:GetParameter');
      const sts = granting(statements, 'sts:AssumeRole');

      // Assess: only the families acting on the incident's resources read the switch and act in
      // member accounts; context, notify and approve change nothing there
      if (family === 'context' || family === 'notify' || family === 'approve') {
        expect(ssm).toEqual([]);
        expect(sts).toEqual([]);
        continue;
      }
      expect(ssm).toHaveLength(1);
      expect(ssm[0]?.Action).toBe('ssm:GetParameter');
      expect(s.stack.resolve(ssm[0]?.Resource)).toEqual(
        s.stack.resolve(s.stack.settings.killSwitch.parameterArn),
      );
      expect(sts).toEqual([
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/SecOpsResponder']] },
          Condition: { StringEquals: { 'sts:ExternalId': 'riposte-ext-42' } },
        },
      ]);
    }
  });

  it('assumes the member role with an external id generated from the stack id when none is configured', () => {
    // Prepare / Act
    const plain = synth();
    const sts = granting(statementsOf(plain, 'contain'), 'sts:AssumeRole');

    // Assess
    const generated = {
      'Fn::Join': ['', ['riposte-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }]],
    };
    expect(sts).toHaveLength(1);
    expect(sts[0]?.Condition).toEqual({ StringEquals: { 'sts:ExternalId': generated } });
    expect(JSON.stringify(sts[0]?.Resource)).toContain(':iam::*:role/RiposteMemberResponse');
    expect(envOf(plain, 'contain').MEMBER_ROLE_EXTERNAL_ID).toEqual(generated);
  });

  it('has no Action "*" and no wildcard action such as iam:* or ec2:Describe*', () => {
    for (const family of ACTION_FAMILIES) {
      // Prepare / Act
      const actions = statementsOf(s, family).flatMap((statement) => asList(statement.Action));

      // Assess
      for (const action of actions) expect(action, family).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
    }
  });

  it('grants "*" resources only to X-Ray and to read-only or account-level calls that have no resource ARN', () => {
    for (const family of ACTION_FAMILIES) {
      // Prepare / Act
      const starred = statementsOf(s, family)
        .filter((statement) => statement.Effect === 'Allow' && asList(statement.Resource).includes('*'))
        .flatMap((statement) => asList(statement.Action));

      // Assess
      for (const action of starred) {
        expect(action, family).toMatch(
          /^(xray:Put(TraceSegments|TelemetryRecords)|(ec2|autoscaling|elasticloadbalancing):Describe[A-Za-z]+|s3:(Get|Put)AccountPublicAccessBlock|cloudtrail:LookupEvents|iam:GetAccountSummary)$/,
        );
      }
    }
  });

  it('scopes IAM actions to the users, roles and instance profiles of its own account', () => {
    for (const family of ['enrich', 'contain', 'release'] as const) {
      // Prepare / Act: every IAM action but the account-level GetAccountSummary (no resource ARN)
      const iam = statementsOf(s, family).filter(
        (statement) =>
          statement.Effect === 'Allow' &&
          asList(statement.Action).some((a) => a.startsWith('iam:') && a !== 'iam:GetAccountSummary'),
      );

      // Assess
      expect(iam.length, family).toBeGreaterThan(0);
      for (const statement of iam) {
        const resources = JSON.stringify(statement.Resource);
        expect(resources, family).toMatch(
          /":iam::",\{"Ref":"AWS::AccountId"\},":(user|role|instance-profile)\/\*"/,
        );
      }
    }
  });

  it('scopes EC2 writes to this account and limits security-group rules and tags with conditions', () => {
    // Prepare
    const statements = statementsOf(s, 'contain');

    // Act
    const rules = granting(statements, 'ec2:RevokeSecurityGroupEgress');
    const tags = granting(statements, 'ec2:CreateTags');
    const writes = statements.filter(
      (statement) =>
        statement.Effect === 'Allow' &&
        asList(statement.Action).some((action) => /^ec2:(?!Describe)/.test(action)),
    );

    // Assess
    expect(rules[0]?.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/riposte:managed': 'true' } });
    expect(tags.map((statement) => statement.Condition)).toEqual([
      { 'ForAllValues:StringLike': { 'aws:TagKeys': ['riposte:*'] } },
      { StringEquals: { 'ec2:CreateAction': ['CreateSecurityGroup', 'CreateSnapshot'] } },
    ]);
    for (const statement of writes) {
      for (const resource of asList(statement.Resource)) {
        expect(JSON.stringify(resource)).toMatch(/:ec2:\*:(",\{"Ref":"AWS::AccountId"\},"|):[a-z-]+\/\*"/);
      }
    }
  });

  it('scopes bucket calls to the buckets of this account', () => {
    // Prepare / Act
    const buckets = statementsOf(s, 'contain').filter(
      (statement) =>
        statement.Effect === 'Allow' &&
        asList(statement.Action).some((action) => /^s3:(Get|Put)Bucket/.test(action)),
    );

    // Assess
    expect(buckets.length).toBeGreaterThan(0);
    for (const statement of buckets) {
      expect(statement.Resource).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::*']],
      });
      expect(statement.Condition).toEqual({
        StringEquals: { 's3:ResourceAccount': { Ref: 'AWS::AccountId' } },
      });
    }
  });

  it('denies writing the protected tag and the policies of its own roles', () => {
    // Prepare
    const roles = ACTION_FAMILIES.map((family) => ({
      'Fn::GetAtt': [logicalId(s, s.stack.actions.families[family].role.node.defaultChild), 'Arn'],
    }));

    // Act
    const denies = statementsOf(s, 'contain').filter((statement) => statement.Effect === 'Deny');

    // Assess
    expect(denies).toContainEqual({
      Effect: 'Deny',
      Action: 'ec2:CreateTags',
      Resource: '*',
      Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['riposte:protected'] } },
    });
    const roleWrites = denies.find((statement) => asList(statement.Action).includes('iam:PutRolePolicy'));
    expect(roleWrites?.Resource).toEqual([
      ...roles,
      {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/SecOpsResponder'],
        ],
      },
    ]);
  });

  it('publishes to the alert topic and reads the configured secrets only from notify and approve', () => {
    // Prepare
    const topic = { Ref: logicalId(s, s.stack.settings.alertTopic.node.defaultChild) };
    const approvalKey = { Ref: logicalId(s, s.stack.settings.approvalKey.node.defaultChild) };

    for (const family of ACTION_FAMILIES) {
      // Act
      const statements = statementsOf(s, family);
      const publish = granting(statements, 'sns:Publish');
      const secrets = granting(statements, 'secretsmanager:GetSecretValue').flatMap((statement) =>
        asList(statement.Resource),
      );

      // Assess
      if (family !== 'notify' && family !== 'approve') {
        expect(publish, family).toEqual([]);
        expect(secrets, family).toEqual([]);
        continue;
      }
      expect(publish.map((statement) => statement.Resource)).toEqual([topic]);
      expect(secrets).toEqual(family === 'approve' ? [SLACK_SECRET, approvalKey] : [SLACK_SECRET]);
    }
  });

  it('refuses a log retention CloudWatch Logs does not accept', () => {
    // Prepare / Act / Assess
    expect(() => synth({ logRetentionDays: 42 })).toThrow(/logRetentionDays must be one of/);
  });
});

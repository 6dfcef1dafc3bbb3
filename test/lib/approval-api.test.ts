import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config/schema.ts';
import { definePlaybook } from '../../functions/core/playbooks/sdk.ts';
import { ACCESS_LOG_FORMAT, ApprovalApi } from '../../lib/approval-api.ts';
import { RiposteStack } from '../../lib/riposte-stack.ts';

interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

const PLAYBOOK = definePlaybook({
  id: 'test-approval',
  version: '1.0.0',
  title: 'Test: approval',
  description: 'Waits for an approval, then notifies.',
  owner: 'test@example.com',
  changelog: { '1.0.0': 'First.' },
  trigger: { sources: ['aws.guardduty'] },
  steps: (flow) => flow.approve('go', { message: 'Go?' }).notify('done', { subject: 'Approved' }),
});

function synth(context: unknown = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new RiposteStack(app, 'Riposte', { config: parseConfig(context), playbooks: [PLAYBOOK] });
  return { app, stack, template: Template.fromStack(stack) };
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

describe('ApprovalApi', () => {
  const s = synth({ logRetentionDays: 180 });
  const id = (element: unknown): string => s.stack.getLogicalId(element as CfnElement);
  const functionId = id(s.stack.approval.function.node.defaultChild);
  const apiId = id(s.stack.approval.api.node.defaultChild);

  it('routes GET and POST on /approve and /deny to the approval function (payload v2)', () => {
    // Prepare / Act
    const routes = Object.values(s.template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties.RouteKey,
    );

    // Assess
    expect(routes.sort()).toEqual(['GET /approve', 'GET /deny', 'POST /approve', 'POST /deny']);
    s.template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      ApiId: { Ref: apiId },
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [functionId, 'Arn'] },
      PayloadFormatVersion: '2.0',
    });
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: { Ref: id(s.stack.store.table.node.defaultChild) },
          APPROVAL_KEY_SECRET_ARN: { Ref: id(s.stack.settings.approvalKey.node.defaultChild) },
        }),
      },
    });
  });

  it('throttles the $default stage and writes JSON access logs, without query strings, to a KMS log group', () => {
    // Prepare
    const accessLogs = id(s.stack.approval.accessLogGroup.node.defaultChild);

    // Act / Assess
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: apiId },
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [accessLogs, 'Arn'] }, Format: ACCESS_LOG_FORMAT },
    });
    expect(s.template.toJSON().Resources[accessLogs].Properties).toMatchObject({
      RetentionInDays: 180,
      KmsKeyId: { 'Fn::GetAtt': [id(s.stack.encryption.key.node.defaultChild), 'Arn'] },
    });
    expect(JSON.parse(ACCESS_LOG_FORMAT).requestId).toBe('$context.requestId');
    expect(ACCESS_LOG_FORMAT).not.toMatch(/querystring|\$context\.path|body|\$input/i);
  });

  it('passes its base URL (the API endpoint, no trailing slash) to the approve family', () => {
    // Prepare / Act
    const approve = s.stack.actions.families.approve.function.node.defaultChild;
    const env = s.template.toJSON().Resources[id(approve)].Properties.Environment.Variables;

    // Assess
    expect(env.APPROVAL_BASE_URL).toEqual({ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] });
  });

  it('has a role limited to its log group, X-Ray, the approval items, the approval key, task responses and the playbook executions', () => {
    // Prepare
    const roleId = id(s.stack.approval.role.node.defaultChild);
    const machine = s.stack.playbooks.machines.get('test-approval');

    // Act
    const statements = Object.values(s.template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
    const byAction = new Map(
      statements.flatMap((st) => asList(st.Action).map((action) => [action, st] as const)),
    );

    // Assess
    expect([...byAction.keys()].sort()).toEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'kms:Decrypt',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'kms:DescribeKey',
        'secretsmanager:GetSecretValue',
        'states:SendTaskSuccess',
        'states:SendTaskFailure',
        'states:DescribeExecution',
      ].sort(),
    );
    // The playbook state machines, by the name they share: <stack name>-<playbook id>.
    expect(machine?.stateMachineName).toBe('Riposte-test-approval');
    expect(byAction.get('states:SendTaskSuccess')?.Resource).toEqual(
      s.stack.resolve(s.stack.playbooks.stateMachineArnPattern),
    );
    // Their executions: arn:…:execution:<stack name>-<playbook id>:<execution name>.
    expect(byAction.get('states:DescribeExecution')?.Resource).toEqual(
      s.stack.resolve(s.stack.playbooks.executionArnPattern),
    );
    expect(JSON.stringify(byAction.get('states:DescribeExecution')?.Resource)).toContain(
      ':execution:Riposte-*:*',
    );
    expect(byAction.get('dynamodb:UpdateItem')?.Resource).toEqual({
      'Fn::GetAtt': [id(s.stack.store.table.node.defaultChild), 'Arn'],
    });
    expect(byAction.get('secretsmanager:GetSecretValue')?.Resource).toEqual({
      Ref: id(s.stack.settings.approvalKey.node.defaultChild),
    });
  });

  it('signs with a generated, KMS-encrypted key that is never output', () => {
    // Prepare
    const secretId = id(s.stack.settings.approvalKey.node.defaultChild);

    // Act
    const outputs = JSON.stringify(s.template.toJSON().Outputs ?? {});

    // Assess
    s.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      KmsKeyId: { 'Fn::GetAtt': [id(s.stack.encryption.key.node.defaultChild), 'Arn'] },
      SecretString: Match.absent(),
    });
    expect(outputs).not.toContain(secretId);
  });

  it('refuses invalid throttling', () => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new RiposteStack(app, 'Other', { config: parseConfig({}) });

    // Act / Assess
    expect(
      () =>
        new ApprovalApi(stack, 'Again', {
          store: stack.store,
          encryptionKey: stack.encryption.key,
          settings: stack.settings,
          logRetentionDays: 30,
          burstLimit: 0,
        }),
    ).toThrow(/burstLimit/);
  });
});

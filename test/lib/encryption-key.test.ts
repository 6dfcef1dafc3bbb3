import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EncryptionKey } from '../../lib/encryption-key.ts';

interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Principal: { readonly AWS?: unknown; readonly Service?: unknown };
  readonly Action: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

function synthKey(props?: ConstructorParameters<typeof EncryptionKey>[2]): {
  stack: Stack;
  template: Template;
} {
  const stack = new Stack(new App(), 'Test');
  new EncryptionKey(stack, 'Encryption', props);
  return { stack, template: Template.fromStack(stack) };
}

function keyStatements(template: Template): Statement[] {
  const keys = Object.values(template.findResources('AWS::KMS::Key'));
  expect(keys).toHaveLength(1);
  return keys[0]?.Properties.KeyPolicy.Statement as Statement[];
}

describe('EncryptionKey', () => {
  it('is one rotating customer managed key, retained with the longest deletion window', () => {
    // Prepare / Act
    const { template } = synthKey();

    // Assess
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, PendingWindowInDays: 30 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it("lets EventBridge generate and decrypt data keys only for this account's queues and topics", () => {
    // Prepare
    const { stack, template } = synthKey();

    // Act
    const eventBridge = keyStatements(template).filter((s) => s.Principal.Service === 'events.amazonaws.com');

    // Assess
    expect(eventBridge).toHaveLength(2);
    for (const statement of eventBridge) {
      expect(statement).toMatchObject({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'] });
    }
    expect(eventBridge.map((s) => s.Condition)).toEqual([
      {
        ArnLike: {
          'kms:EncryptionContext:aws:sqs:arn': stack.resolve(
            `arn:${stack.partition}:sqs:${stack.region}:${stack.account}:*`,
          ),
        },
      },
      {
        ArnLike: {
          'kms:EncryptionContext:aws:sns:topicArn': stack.resolve(
            `arn:${stack.partition}:sns:${stack.region}:${stack.account}:*`,
          ),
        },
      },
    ]);
  });

  it('grants no AWS service the key without a condition naming this account', () => {
    // Prepare / Act
    const services = keyStatements(synthKey().template).filter((s) => s.Principal.Service !== undefined);

    // Assess
    expect(services.length).toBeGreaterThan(0);
    for (const statement of services) {
      expect(JSON.stringify(statement.Condition ?? {}), statement.Sid).toMatch(
        /"aws:SourceAccount"|:logs:|:sqs:|:sns:/,
      );
    }
  });

  it("lets CloudWatch Logs use the key only for this account's log groups in this Region", () => {
    // Prepare
    const { stack, template } = synthKey();

    // Act
    const logs = keyStatements(template).filter((s) =>
      JSON.stringify(s.Principal.Service ?? '').includes('logs.'),
    );

    // Assess
    expect(logs).toHaveLength(1);
    expect(logs[0]?.Principal.Service).toEqual(stack.resolve(`logs.${stack.region}.amazonaws.com`));
    expect(logs[0]?.Condition).toEqual({
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': stack.resolve(
          `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
        ),
      },
    });
  });

  it("lets CloudWatch alarms publish to encrypted topics only on behalf of this account's alarms", () => {
    // Prepare / Act
    const { stack, template } = synthKey();
    const alarms = keyStatements(template).filter((s) => s.Principal.Service === 'cloudwatch.amazonaws.com');

    // Assess
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] });
    expect(alarms[0]?.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': stack.resolve(stack.account) },
      ArnLike: {
        'aws:SourceArn': stack.resolve(
          `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
        ),
      },
    });
  });

  it('grants no other principal than the account and those three services', () => {
    // Prepare / Act
    const statements = keyStatements(synthKey().template);

    // Assess
    expect(statements).toHaveLength(5);
    const others = statements.filter(
      (s) =>
        s.Principal.AWS === undefined &&
        s.Principal.Service !== 'events.amazonaws.com' &&
        s.Principal.Service !== 'cloudwatch.amazonaws.com' &&
        !JSON.stringify(s.Principal.Service).includes('logs.'),
    );
    expect(others).toEqual([]);
  });

  it('honours a removal policy and a deletion window', () => {
    // Prepare / Act
    const { template } = synthKey({ removalPolicy: RemovalPolicy.DESTROY, pendingWindow: Duration.days(7) });

    // Assess
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ PendingWindowInDays: 7 }),
      DeletionPolicy: 'Delete',
    });
  });

  it('refuses a deletion window KMS does not allow, naming the prop', () => {
    // Act / Assess
    expect(() => synthKey({ pendingWindow: Duration.days(3) })).toThrow(/pendingWindow/);
    expect(() => synthKey({ pendingWindow: Duration.days(31) })).toThrow(/pendingWindow/);
  });
});

import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { AlertStore, type AlertStoreProps } from '../../lib/alert-store.ts';

function synthStore(props: Partial<AlertStoreProps> = {}) {
  const stack = new Stack(new App(), 'Test');
  const key = new kms.Key(stack, 'Key');
  const store = new AlertStore(stack, 'AlertStore', { encryptionKey: key, ...props });
  return { stack, key, store };
}

describe('AlertStore', () => {
  it('creates the table with pk/sk, on-demand, point-in-time recovery, TTL and deletion protection', () => {
    // Prepare
    const { stack } = synthStore();

    // Act
    const template = Template.fromStack(stack);

    // Assess
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      DeletionProtectionEnabled: true,
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('encrypts the table with the given customer managed key', () => {
    // Prepare
    const { stack, key } = synthStore();

    // Act
    const template = Template.fromStack(stack);

    // Assess
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: stack.resolve(key.keyArn) },
    });
  });

  it('has one global secondary index gsi1 on gsi1pk/gsi1sk projecting all attributes', () => {
    // Prepare
    const { stack } = synthStore();

    // Act
    const template = Template.fromStack(stack);

    // Assess
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  it('can be made disposable by turning deletion protection off', () => {
    // Prepare / Act
    const { stack } = synthStore({ removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false });

    // Assess
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });

  it('refuses to be destroyed while deletion protection is on, naming the props', () => {
    // Act / Assess
    expect(() => synthStore({ removalPolicy: RemovalPolicy.DESTROY })).toThrow(/deletionProtection/);
  });
});

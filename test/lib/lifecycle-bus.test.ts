import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { ACTION_FAMILIES, type ActionFamily } from '../../functions/core/actions/types.ts';
import { InvalidConfigError, parseConfig } from '../../functions/core/config/schema.ts';
import { LIFECYCLE_SOURCE } from '../../functions/core/lifecycle/events.ts';
import { LifecycleBus } from '../../lib/lifecycle-bus.ts';
import { RiposteStack } from '../../lib/riposte-stack.ts';

interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function synth(context: unknown = {}) {
  // No bundling: these tests read the template, not the code.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new RiposteStack(app, 'Riposte', { config: parseConfig(context) });
  return { stack, template: Template.fromStack(stack) };
}

type Synth = ReturnType<typeof synth>;

const logicalId = (s: Synth, construct: IConstruct): string =>
  s.stack.getLogicalId(construct.node.defaultChild as CfnElement);

/** The families whose functions publish lifecycle events, beside ingest. */
const PUBLISHING_FAMILIES: readonly ActionFamily[] = ['context', 'contain', 'release', 'approve'];

function publisherRoles(s: Synth): { Ref: string }[] {
  return [
    s.stack.ingest.role,
    ...PUBLISHING_FAMILIES.map((family) => s.stack.actions.families[family].role),
    s.stack.relay.role,
  ].map((role) => ({ Ref: logicalId(s, role) }));
}

function envOf(s: Synth, fn: lambda.IFunction): Record<string, unknown> {
  const props = s.template.toJSON().Resources[logicalId(s, fn)].Properties;
  return (props.Environment as { Variables: Record<string, unknown> }).Variables;
}

describe('LifecycleBus', () => {
  const s = synth({ logRetentionDays: 30 });
  const busArn = { 'Fn::GetAtt': [logicalId(s, s.stack.lifecycle.bus), 'Arn'] };
  const busName = { Ref: logicalId(s, s.stack.lifecycle.bus) };

  it('is the riposte-lifecycle bus under Lifecycle, or the configured name', () => {
    // Prepare / Act
    const named = synth({ lifecycleBusName: 'soc-riposte' });

    // Assess
    expect(s.stack.lifecycle.node.path).toBe('Riposte/Lifecycle');
    s.template.resourceCountIs('AWS::Events::EventBus', 1);
    s.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'riposte-lifecycle' });
    named.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'soc-riposte' });
  });

  it('refuses the default bus and names EventBridge would not accept', () => {
    // Prepare / Act / Assess
    for (const name of ['default', 'has space', '', 'a'.repeat(257)]) {
      expect(() => parseConfig({ lifecycleBusName: name }), name).toThrow(InvalidConfigError);
    }
  });

  it("lets only the publishers' roles put events on the bus: allowed to them, denied to every other principal", () => {
    // Prepare
    const roleArns = publisherRoles(s).map(({ Ref }) => ({ 'Fn::GetAtt': [Ref, 'Arn'] }));

    // Act
    const statements = Object.values(s.template.findResources('AWS::Events::EventBusPolicy')).map(
      (policy) => policy.Properties as { EventBusName: unknown; Statement: Statement },
    );

    // Assess
    expect(statements).toHaveLength(2);
    for (const policy of statements) expect(policy.EventBusName).toEqual(busName);
    expect(statements.map((policy) => policy.Statement)).toEqual([
      {
        Sid: 'cdk-AllowRipostePublishers',
        Effect: 'Allow',
        Principal: {
          AWS: {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root'],
            ],
          },
        },
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: { ArnEquals: { 'aws:PrincipalArn': roleArns } },
      },
      {
        Sid: 'cdk-DenyOtherPublishers',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': roleArns } },
      },
    ]);
  });

  it('archives every Riposte event for the log retention, for replay', () => {
    // Prepare / Act / Assess
    s.template.resourceCountIs('AWS::Events::Archive', 1);
    s.template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: busArn,
      EventPattern: { source: [LIFECYCLE_SOURCE] },
      RetentionDays: 30,
    });
  });

  it('grants events:PutEvents on the bus, and only on it, to ingest, context, contain, release and the lifecycle relay', () => {
    // Prepare
    const publish = s.stack.lifecycle.publishPolicy;

    // Act
    const granting = Object.entries(s.template.findResources('AWS::IAM::Policy')).filter(([, policy]) =>
      (policy.Properties.PolicyDocument.Statement as Statement[]).some((statement) =>
        asList(statement.Action).some((action) => action.startsWith('events:')),
      ),
    );

    // Assess
    expect(granting.map(([id]) => id)).toEqual([logicalId(s, publish)]);
    const [, policy] = granting[0] as [string, { Properties: Record<string, unknown> }];
    expect(policy.Properties.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: busArn }],
    });
    expect(policy.Properties.Roles).toEqual(publisherRoles(s));
  });

  it('tells the publishers the bus name, and makes each wait for its permission', () => {
    // Prepare
    const publishers = [
      s.stack.ingest.function,
      ...PUBLISHING_FAMILIES.map((family) => s.stack.actions.families[family].function),
    ];
    const others = ACTION_FAMILIES.filter((family) => !PUBLISHING_FAMILIES.includes(family)).map(
      (family) => s.stack.actions.families[family].function,
    );
    const resources = s.template.toJSON().Resources;

    for (const fn of publishers) {
      // Act / Assess
      expect(envOf(s, fn).LIFECYCLE_BUS_NAME, fn.node.path).toEqual(busName);
      expect(resources[logicalId(s, fn)].DependsOn, fn.node.path).toContain(
        logicalId(s, s.stack.lifecycle.publishPolicy),
      );
    }
    for (const fn of others) expect(envOf(s, fn).LIFECYCLE_BUS_NAME, fn.node.path).toBeUndefined();
  });

  it('refuses no publisher and a retention that is not a positive integer', () => {
    // Prepare
    const stack = new Stack(new App(), 'Test');
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('export const handler = async () => {};'),
    });

    // Act / Assess
    expect(() => new LifecycleBus(stack, 'None', { archiveRetentionDays: 30, publishers: [] })).toThrow(
      /at least one publisher/,
    );
    expect(() => new LifecycleBus(stack, 'Zero', { archiveRetentionDays: 0, publishers: [fn] })).toThrow(
      /archiveRetentionDays/,
    );
    expect(() => new LifecycleBus(stack, 'Half', { archiveRetentionDays: 1.5, publishers: [fn] })).toThrow(
      /archiveRetentionDays/,
    );
  });
});

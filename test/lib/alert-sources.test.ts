import { App, CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config/schema.ts';
import { buildRulePatterns } from '../../functions/core/sources/catalog.ts';
import { AlertSources, type AlertSourcesProps } from '../../lib/alert-sources.ts';

function logicalIdOf(stack: Stack, construct: IConstruct): string {
  const resource = construct.node.defaultChild;
  if (!(resource instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return stack.getLogicalId(resource);
}

function synthSources(context: unknown = {}, props: Partial<AlertSourcesProps> = {}) {
  const stack = new Stack(new App(), 'Test');
  const key = new kms.Key(stack, 'Key');
  const deadLetterQueue = new sqs.Queue(stack, 'DeadLetterQueue', { encryptionMasterKey: key });
  const queue = new sqs.Queue(stack, 'Queue', {
    encryptionMasterKey: key,
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
  });
  const config = parseConfig(context);
  const sources = new AlertSources(stack, 'Sources', { config, queue, deadLetterQueue, ...props });
  return { stack, queue, deadLetterQueue, config, sources, template: Template.fromStack(stack) };
}

describe('AlertSources', () => {
  it("deploys one rule per enabled source whose event pattern is exactly the catalog's", () => {
    // Prepare
    const { stack, config, sources, template } = synthSources();
    const expected = buildRulePatterns(config).filter((rule) => rule.id !== 'securityhubCustomAction');

    // Act
    const rules = template.findResources('AWS::Events::Rule');

    // Assess
    expect(Object.keys(rules)).toHaveLength(buildRulePatterns(config).length);
    for (const { id, description, eventPattern } of expected) {
      const rule = sources.rules.get(id);
      if (rule === undefined) throw new Error(`no rule for ${id}`);
      const properties = rules[logicalIdOf(stack, rule)]?.Properties;
      expect(properties?.EventPattern, id).toEqual(eventPattern);
      expect(properties?.Description, id).toBe(description);
      expect(properties?.EventBusName, id).toBeUndefined(); // the default bus
    }
  });

  it('subscribes the Security Hub rule to both imported-finding formats, ASFF and OCSF (Findings Imported V2)', () => {
    // Prepare
    const { stack, sources, template } = synthSources();
    const rule = sources.rules.get('securityhub');
    if (rule === undefined) throw new Error('no securityhub rule');

    // Act
    const pattern =
      template.findResources('AWS::Events::Rule')[logicalIdOf(stack, rule)]?.Properties?.EventPattern;
    const detailTypes = (pattern?.$or ?? []).flatMap(
      (branch: { 'detail-type'?: string[] }) => branch['detail-type'] ?? [],
    );

    // Assess
    expect(pattern?.source).toEqual(['aws.securityhub']);
    expect(detailTypes).toEqual(['Security Hub Findings - Imported', 'Findings Imported V2']);
  });

  it('targets the intake queue from every rule, with a retry policy and the dead-letter queue', () => {
    // Prepare / Act
    const { stack, queue, deadLetterQueue, template } = synthSources();

    // Assess
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    for (const rule of rules) {
      expect(rule.Properties.Targets).toEqual([
        {
          Id: 'Target0',
          Arn: stack.resolve(queue.queueArn),
          DeadLetterConfig: { Arn: stack.resolve(deadLetterQueue.queueArn) },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        },
      ]);
    }
  });

  it('creates the Security Hub custom action and lets only its events through the custom-action rule', () => {
    // Prepare
    const { stack, config, sources, template } = synthSources();
    const catalog = buildRulePatterns(config).find((rule) => rule.id === 'securityhubCustomAction');
    const action = sources.securityHubAction;
    const rule = sources.rules.get('securityhubCustomAction');
    if (catalog === undefined || action === undefined || rule === undefined)
      throw new Error('custom action missing');

    // Act
    const properties = template.findResources('AWS::Events::Rule')[logicalIdOf(stack, rule)]?.Properties;

    // Assess
    template.hasResourceProperties('AWS::SecurityHub::ActionTarget', { Id: 'RiposteRespond' });
    expect(properties?.EventPattern).toEqual({
      ...catalog.eventPattern,
      resources: [stack.resolve(action.attrActionTargetArn)],
    });
  });

  it('lets EventBridge send to both queues only from these rules', () => {
    // Prepare
    const { stack, queue, deadLetterQueue, sources, template } = synthSources();
    const ruleArns = [...sources.rules.values()].map((rule) => stack.resolve(rule.ruleArn));

    // Act / Assess
    for (const target of [queue, deadLetterQueue]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [stack.resolve(target.queueUrl)],
        PolicyDocument: {
          Statement: [
            {
              Sid: 'AllowRiposteRules',
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: stack.resolve(target.queueArn),
              Condition: { ArnEquals: { 'aws:SourceArn': ruleArns } },
            },
          ],
        },
      });
    }
    expect(ruleArns).toHaveLength(9); // every source but the opt-in custom one
  });

  it('deploys no rule for a disabled source, and no custom action when that source is disabled', () => {
    // Prepare / Act
    const { sources, template } = synthSources({
      sources: { inspector: { enabled: false }, securityhubCustomAction: { enabled: false } },
    });

    // Assess
    expect(sources.rules.has('inspector')).toBe(false);
    expect(sources.securityHubAction).toBeUndefined();
    template.resourceCountIs('AWS::Events::Rule', 7);
    template.resourceCountIs('AWS::SecurityHub::ActionTarget', 0);
    template.resourcePropertiesCountIs(
      'AWS::Events::Rule',
      { EventPattern: Match.objectLike({ source: ['aws.inspector2'] }) },
      0,
    );
  });

  it('deploys nothing, and opens no queue, when every source is disabled', () => {
    // Prepare
    const off = { enabled: false };

    // Act
    const { template } = synthSources({
      sources: {
        guardduty: off,
        securityhub: off,
        securityhubCustomAction: off,
        inspector: off,
        macie: off,
        accessAnalyzer: off,
        config: off,
        cloudtrail: off,
        health: off,
        custom: off,
      },
    });

    // Assess
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.resourceCountIs('AWS::SQS::QueuePolicy', 0);
  });

  it('writes a configured severity floor into the rule', () => {
    // Prepare / Act
    const { template } = synthSources({ sources: { guardduty: { minSeverity: 5 } } });

    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.guardduty'],
        $or: [
          { 'detail-type': ['GuardDuty Finding'], detail: { severity: [{ numeric: ['>=', 9] }] } },
          { 'detail-type': ['GuardDuty Finding'], detail: { type: ['Policy:IAMUser/RootCredentialUsage'] } },
        ],
      },
    });
  });

  it('honours a custom retry policy and action id', () => {
    // Prepare / Act
    const { template } = synthSources(
      {},
      { retryAttempts: 10, maxEventAge: Duration.hours(2), securityHubActionId: 'SendToSoar' },
    );

    // Assess
    template.hasResourceProperties('AWS::SecurityHub::ActionTarget', { Id: 'SendToSoar' });
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 7200 } }),
      ],
    });
  });

  it('refuses props EventBridge or Security Hub would reject, naming them', () => {
    // Act / Assess
    expect(() => synthSources({}, { retryAttempts: 186 })).toThrow(/retryAttempts/);
    expect(() => synthSources({}, { maxEventAge: Duration.hours(25) })).toThrow(/maxEventAge/);
    expect(() => synthSources({}, { securityHubActionId: 'Riposte-Respond' })).toThrow(/securityHubActionId/);
    expect(() => synthSources({}, { securityHubActionId: 'A'.repeat(21) })).toThrow(/securityHubActionId/);
  });
});

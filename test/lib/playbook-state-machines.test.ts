import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ACTION_FAMILIES, type ActionFamily, defineAction } from '../../functions/core/actions/types.ts';
import { parseConfig } from '../../functions/core/config/schema.ts';
import { familiesOf, functionPlaceholder, renderDefinition } from '../../functions/core/playbooks/compile.ts';
import { loadPlaybooks } from '../../functions/core/playbooks/registry.ts';
import {
  definePlaybook,
  type Playbook,
  type PlaybookDefinition,
} from '../../functions/core/playbooks/sdk.ts';
import { LIVE_ALIAS } from '../../lib/playbook-state-machines.ts';
import { RiposteStack } from '../../lib/riposte-stack.ts';

// A test action of each kind a playbook uses: an enrichment and a containment.
const probeAction = defineAction({
  id: 'test-probe',
  family: 'enrich',
  description: 'Test enrichment.',
  input: z.object({ instanceId: z.string() }),
  output: z.object({ risky: z.boolean() }),
  iamActions: [],
  target: (input) => input.instanceId,
  run: async () => ({ risky: true }),
});
const quarantineAction = defineAction({
  id: 'test-quarantine',
  family: 'contain',
  description: 'Test containment.',
  input: z.object({ instanceId: z.string() }),
  output: z.object({ quarantined: z.boolean() }),
  iamActions: [],
  target: (input) => input.instanceId,
  run: async () => ({ quarantined: true }),
});

function testPlaybook(overrides: Partial<PlaybookDefinition> = {}): Playbook {
  return definePlaybook({
    id: 'test-quarantine-instance',
    version: '2.3.1',
    title: 'Test: quarantine an instance',
    description: 'Probes an instance, asks for approval, quarantines it.',
    owner: 'test@example.com',
    changelog: { '2.3.1': 'Approval before quarantine.', '2.4.0': 'Faster probe.' },
    trigger: { sources: ['aws.guardduty'], minSeverity: 4, resourceTypes: ['AWS::EC2::Instance'] },
    timeoutSeconds: 7200,
    steps: (flow) =>
      flow
        .run('probe', probeAction, ($) => ({ instanceId: $('incident.resourceUid') }))
        .choice('risky', (c) => [
          c.when(c.isTrue('steps.probe.output.risky'), (f) =>
            f
              .approve('go', { message: 'Quarantine the instance?' })
              .run('quarantine', quarantineAction, ($) => ({ instanceId: $('incident.resourceUid') })),
          ),
        ])
        .notify('done', { subject: 'Quarantine finished' }),
    ...overrides,
  });
}

/** A playbook that only notifies: it needs the context and notify families, nothing else. */
const notifyOnly = definePlaybook({
  id: 'test-notify-only',
  version: '1.0.0',
  title: 'Test: notify',
  description: 'Only notifies.',
  owner: 'test@example.com',
  changelog: { '1.0.0': 'First.' },
  trigger: { sources: ['aws.securityhub'] },
  rollout: { type: 'CANARY', percentage: 10, intervalMinutes: 5, alarms: ['riposte-test-failures'] },
  steps: (flow) => flow.notify('tell', { subject: 'Something happened' }),
});

function synth(playbooks: readonly Playbook[], context: unknown = {}) {
  // No bundling: these tests read the template, not the code.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new RiposteStack(app, 'Riposte', { config: parseConfig(context), playbooks });
  return { app, stack, template: Template.fromStack(stack) };
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** The one resource of `type` whose logical id starts with `prefix`. */
function onlyResource(template: Template, type: string, prefix: string) {
  const matches = Object.entries(resourcesOf(template, type)).filter(([id]) => id.startsWith(prefix));
  expect(matches, `${type} ${prefix}*`).toHaveLength(1);
  return matches[0] as [string, { Type: string; Properties: Record<string, unknown> }];
}

function logicalIdOfFunction(stack: RiposteStack, family: ActionFamily): string {
  const fn = stack.actions.functionOf(family) as lambda.Function;
  return stack.getLogicalId(fn.node.defaultChild as CfnElement);
}

const fakeArn = (family: string): string =>
  `arn:aws:lambda:eu-west-1:111122223333:function:riposte-${family}`;

/** A definition as CloudFormation hands it to Step Functions: string (or Join) with substitutions applied. */
function deployedDefinition(
  definition: unknown,
  substitutions: Record<string, unknown>,
  arnOf: (key: string) => string,
) {
  const text =
    typeof definition === 'string'
      ? definition
      : (definition as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
          .map((part) => {
            if (typeof part !== 'string')
              throw new Error(`unexpected token in the definition: ${JSON.stringify(part)}`);
            return part;
          })
          .join((definition as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][0]);
  return Object.keys(substitutions).reduce((acc, key) => acc.replaceAll(`\${${key}}`, arnOf(key)), text);
}

describe('PlaybookStateMachines', () => {
  it('deploys one Standard state machine, one version and one live alias per playbook, under the playbook id', () => {
    // Prepare / Act
    const { stack, template } = synth([testPlaybook(), notifyOnly]);

    // Assess
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 2);
    template.resourceCountIs('AWS::StepFunctions::StateMachineVersion', 2);
    template.resourceCountIs('AWS::StepFunctions::StateMachineAlias', 2);
    template.allResourcesProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'STANDARD' });
    template.allResourcesProperties('AWS::StepFunctions::StateMachineAlias', { Name: LIVE_ALIAS });
    expect(stack.playbooks.node.children.map((child) => child.node.id).sort()).toEqual([
      'test-notify-only',
      'test-quarantine-instance',
    ]);
    expect(Object.keys(stack.playbooks.aliasArns).sort()).toEqual([
      'test-notify-only',
      'test-quarantine-instance',
    ]);
  });

  it('deploys nothing for no playbook', () => {
    // Prepare / Act
    const { template } = synth([]);

    // Assess
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    template.resourceCountIs('AWS::StepFunctions::StateMachineAlias', 0);
  });

  it('deploys the exact definition the local engine runs: substitutions resolved, it equals renderDefinition', () => {
    // Prepare
    const playbook = testPlaybook();
    const { stack, template } = synth([playbook]);
    const [, machine] = onlyResource(
      template,
      'AWS::StepFunctions::StateMachine',
      'Playbookstestquarantineinstance',
    );
    const substitutions = machine.Properties.DefinitionSubstitutions as Record<string, unknown>;
    const familyOf = new Map(ACTION_FAMILIES.map((family) => [functionPlaceholder(family), family]));

    // Act
    const deployed = deployedDefinition(machine.Properties.DefinitionString, substitutions, (key) =>
      fakeArn(familyOf.get(key) ?? 'unknown'),
    );
    const local = familiesOf(playbook).reduce(
      (acc, family) => acc.replaceAll(`\${${functionPlaceholder(family)}}`, fakeArn(family)),
      renderDefinition(playbook),
    );

    // Assess: the same text, no placeholder left, and each one bound to its family's function
    expect(deployed).toBe(local);
    expect(deployed).not.toMatch(/\$\{/);
    expect(Object.keys(substitutions).sort()).toEqual(familiesOf(playbook).map(functionPlaceholder).sort());
    for (const family of familiesOf(playbook)) {
      expect(substitutions[functionPlaceholder(family)]).toEqual({
        'Fn::GetAtt': [logicalIdOfFunction(stack, family), 'Arn'],
      });
    }
    expect(JSON.parse(deployed).TimeoutSeconds).toBe(7200);
  });

  it('deploys the shipped playbooks the same way', async () => {
    // Prepare
    const playbooks = await loadPlaybooks();
    const { stack, template } = synth(playbooks);

    // Act / Assess
    template.resourceCountIs('AWS::StepFunctions::StateMachine', playbooks.length);
    for (const playbook of playbooks) {
      const machine = stack.playbooks.machines.get(playbook.id);
      if (machine === undefined) throw new Error(`no state machine for ${playbook.id}`);
      const resolved = stack.resolve(
        (machine.stateMachine.node.defaultChild as sfn.CfnStateMachine).definitionString,
      );
      expect(resolved).toBe(renderDefinition(playbook));
    }
  });

  it('publishes a version whose logical id carries the playbook version, described with its changelog entry', () => {
    // Prepare / Act
    const before = synth([testPlaybook()]);
    const after = synth([testPlaybook({ version: '2.4.0' })]);
    const [oldId, oldVersion] = onlyResource(
      before.template,
      'AWS::StepFunctions::StateMachineVersion',
      'Playbooks',
    );
    const [newId, newVersion] = onlyResource(
      after.template,
      'AWS::StepFunctions::StateMachineVersion',
      'Playbooks',
    );

    // Assess: a bump is a new resource (a new published version), the alias moves to it
    expect(oldId).toMatch(/Version231/);
    expect(newId).toMatch(/Version240/);
    expect(newId).not.toBe(oldId);
    expect(oldVersion.Properties.Description).toBe(
      'test-quarantine-instance 2.3.1: Approval before quarantine.',
    );
    expect(newVersion.Properties.Description).toBe('test-quarantine-instance 2.4.0: Faster probe.');
    const machine = after.stack.playbooks.machines.get('test-quarantine-instance');
    expect(newVersion.Properties.StateMachineRevisionId).toEqual({
      'Fn::GetAtt': [
        after.stack.getLogicalId(machine?.stateMachine.node.defaultChild as CfnElement),
        'StateMachineRevisionId',
      ],
    });
    after.template.hasResourceProperties('AWS::StepFunctions::StateMachineAlias', {
      RoutingConfiguration: [{ StateMachineVersionArn: { 'Fn::GetAtt': [newId, 'Arn'] }, Weight: 100 }],
    });
  });

  it('routes the live alias 100 % to the version without rollout, and deploys gradually with one', () => {
    // Prepare / Act
    const { template } = synth([testPlaybook(), notifyOnly]);
    const [plainVersion] = onlyResource(
      template,
      'AWS::StepFunctions::StateMachineVersion',
      'Playbookstestquarantine',
    );
    const [canaryVersion] = onlyResource(
      template,
      'AWS::StepFunctions::StateMachineVersion',
      'Playbookstestnotifyonly',
    );
    const [, plain] = onlyResource(
      template,
      'AWS::StepFunctions::StateMachineAlias',
      'Playbookstestquarantine',
    );
    const [, canary] = onlyResource(
      template,
      'AWS::StepFunctions::StateMachineAlias',
      'Playbookstestnotifyonly',
    );

    // Assess
    expect(plain.Properties).toMatchObject({
      RoutingConfiguration: [
        { StateMachineVersionArn: { 'Fn::GetAtt': [plainVersion, 'Arn'] }, Weight: 100 },
      ],
    });
    expect(plain.Properties.DeploymentPreference).toBeUndefined();
    expect(canary.Properties.DeploymentPreference).toEqual({
      StateMachineVersionArn: { 'Fn::GetAtt': [canaryVersion, 'Arn'] },
      Type: 'CANARY',
      Percentage: 10,
      Interval: 5,
      Alarms: ['riposte-test-failures'],
    });
    expect(canary.Properties.RoutingConfiguration).toBeUndefined();
  });

  it('refuses a rollout CloudFormation would reject', () => {
    // Prepare
    const bad = testPlaybook({ rollout: { type: 'LINEAR', percentage: 100, intervalMinutes: 5 } });

    // Act / Assess
    expect(() => synth([bad])).toThrow(/percentage must be an integer from 1 to 99/);
    expect(() =>
      synth([testPlaybook({ rollout: { type: 'LINEAR', percentage: 20, intervalMinutes: 0 } })]),
    ).toThrow(/intervalMinutes/);
  });

  it('logs ALL with execution data to its own KMS-encrypted log group with the configured retention, and traces', () => {
    // Prepare / Act
    const { stack, template } = synth([testPlaybook()], { logRetentionDays: 30 });
    const machine = stack.playbooks.machines.get('test-quarantine-instance');
    const logGroupId = stack.getLogicalId(machine?.logGroup.node.defaultChild as CfnElement);

    // Assess
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } } }],
      },
      TracingConfiguration: { Enabled: true },
    });
    expect(template.toJSON().Resources[logGroupId].Properties).toMatchObject({
      RetentionInDays: 30,
      KmsKeyId: {
        'Fn::GetAtt': [stack.getLogicalId(stack.encryption.key.node.defaultChild as CfnElement), 'Arn'],
      },
    });
  });

  it('has a role only Step Functions can assume, for a state machine of this account and Region', () => {
    // Prepare
    const { stack, template } = synth([notifyOnly]);
    const roleId = stack.getLogicalId(
      stack.playbooks.machines.get('test-notify-only')?.role.node.defaultChild as CfnElement,
    );

    // Act
    const trust = template.toJSON().Resources[roleId].Properties.AssumeRolePolicyDocument.Statement;

    // Assess
    expect(trust).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'states.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':states:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':stateMachine:*',
                ],
              ],
            },
          },
        },
      },
    ]);
  });

  it("has a role that may invoke only its families' functions", () => {
    // Prepare
    const { stack, template } = synth([testPlaybook(), notifyOnly]);

    for (const [id, expected] of [
      ['test-quarantine-instance', ['approve', 'contain', 'context', 'enrich', 'notify']],
      ['test-notify-only', ['context', 'notify']],
    ] as const) {
      // Act
      const machine = stack.playbooks.machines.get(id);
      const roleId = stack.getLogicalId(machine?.role.node.defaultChild as CfnElement);
      const statements = Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
        .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap(
          (policy) =>
            (policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] })
              .Statement,
        );
      const invoke = statements.filter((statement) => JSON.stringify(statement.Action).includes('lambda:'));

      // Assess
      expect(machine?.families).toEqual(expected);
      expect(invoke).toEqual([
        {
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: expected.map((family) => ({ 'Fn::GetAtt': [logicalIdOfFunction(stack, family), 'Arn'] })),
        },
      ]);
      const others = statements.filter((statement) => statement !== invoke[0]);
      for (const statement of others) {
        for (const action of [statement.Action].flat() as string[]) expect(action).toMatch(/^(logs|xray):/);
      }
    }
  });

  it('gives the ingest function its routes, started through the live aliases only', () => {
    // Prepare
    const { stack, template } = synth([testPlaybook()]);
    const machine = stack.playbooks.machines.get('test-quarantine-instance');
    const aliasId = stack.getLogicalId(machine?.alias as CfnElement);
    const stateMachineId = stack.getLogicalId(machine?.stateMachine.node.defaultChild as CfnElement);

    // Act
    const ingest = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).find(
      (fn) =>
        (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.PLAYBOOKS !==
        undefined,
    );
    if (ingest === undefined) throw new Error('no ingest function');
    const routes = stack.resolve(
      (ingest.Properties.Environment as { Variables: Record<string, unknown> }).Variables.PLAYBOOKS,
    );

    // Assess
    expect(JSON.stringify(routes)).toContain(aliasId);
    expect(JSON.stringify(routes)).toContain('"id\\":\\"test-quarantine-instance\\"');
    expect(stateMachineId).not.toBe(aliasId);
    template.hasOutput('*', { Value: { 'Fn::GetAtt': [aliasId, 'Arn'] } });
  });

  it('lets the approval endpoint answer task tokens of the playbook state machines only', () => {
    // Prepare
    const { stack, template } = synth([testPlaybook(), notifyOnly]);
    const machines = [...stack.playbooks.machines.values()].map((machine) => ({
      Ref: stack.getLogicalId(machine.stateMachine.node.defaultChild as CfnElement),
    }));

    // Act / Assess
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
            Resource: machines,
          },
        ]),
      },
    });
  });
});

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
import { LIVE_ALIAS, stateMachineName } from '../../lib/playbook-state-machines.ts';
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

/**
 * One playbook's nested stack: its template, the logical id of one of its constructs, and what
 * the parent passes for a `{ Ref: <parameter> }` of the nested template.
 */
function nestedView(stack: RiposteStack, playbookId: string) {
  const machine = stack.playbooks.machines.get(playbookId);
  if (machine === undefined) throw new Error(`no playbook ${playbookId}`);
  const template = Template.fromStack(machine);
  const root = Template.fromStack(stack).toJSON().Resources as Record<
    string,
    { Properties: Record<string, unknown> }
  >;
  const resource = root[stack.getLogicalId(machine.nestedStackResource as CfnElement)];
  const parameters = (resource?.Properties.Parameters ?? {}) as Record<string, unknown>;
  return {
    machine,
    template,
    resources: template.toJSON().Resources as Resources,
    id: (construct: { node: { defaultChild?: unknown } } | CfnElement): string =>
      machine.getLogicalId(
        ('node' in construct && construct.node.defaultChild !== undefined
          ? construct.node.defaultChild
          : construct) as CfnElement,
      ),
    /** What the parent passes for `value` when it is a parameter reference, else `value`. */
    fromParent: (value: unknown): unknown => {
      const ref = (value as { Ref?: string } | null)?.Ref;
      return ref !== undefined && ref in parameters ? parameters[ref] : value;
    },
  };
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
  it('deploys one Standard state machine, one version and one live alias per playbook, each in a nested stack named by the playbook id', () => {
    // Prepare / Act
    const { stack, template } = synth([testPlaybook(), notifyOnly]);

    // Assess
    template.resourceCountIs('AWS::CloudFormation::Stack', 2);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    for (const id of ['test-quarantine-instance', 'test-notify-only']) {
      const view = nestedView(stack, id);
      view.template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
      view.template.resourceCountIs('AWS::StepFunctions::StateMachineVersion', 1);
      view.template.resourceCountIs('AWS::StepFunctions::StateMachineAlias', 1);
      view.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'STANDARD',
        StateMachineName: `Riposte-${id}`,
      });
      view.template.hasResourceProperties('AWS::StepFunctions::StateMachineAlias', { Name: LIVE_ALIAS });
    }
    expect([...stack.playbooks.machines.values()].map((machine) => machine.node.id).sort()).toEqual([
      'test-notify-only',
      'test-quarantine-instance',
    ]);
    expect(Object.keys(stack.playbooks.aliasArns).sort()).toEqual([
      'test-notify-only',
      'test-quarantine-instance',
    ]);
  });

  it('names each state machine <stack name>-<playbook id>, within the 80 characters Step Functions takes', () => {
    // Prepare
    const long = 'a'.repeat(90);

    // Act / Assess
    expect(stateMachineName('Riposte-', 'ec2-instance-compromise')).toBe('Riposte-ec2-instance-compromise');
    expect(stateMachineName('Riposte-', long)).toHaveLength(80);
    expect(stateMachineName('Riposte-', long)).toMatch(/^Riposte-a+-[0-9a-f]{12}$/);
    expect(stateMachineName('Riposte-', long)).not.toBe(stateMachineName('Riposte-', `${long}b`));
    expect(() => stateMachineName(`${'R'.repeat(40)}-`, 'p')).toThrow(/at most 39 characters/);
  });

  it('starts each alias by an ARN built in the parent from the name, referring to no nested resource', () => {
    // Prepare / Act
    const { stack } = synth([notifyOnly]);

    // Assess
    expect(stack.resolve(stack.playbooks.aliasArnOf('test-notify-only'))).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':states:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':stateMachine:Riposte-test-notify-only:live',
        ],
      ],
    });
  });

  it('deploys nothing for no playbook', () => {
    // Prepare / Act
    const { template } = synth([]);

    // Assess
    template.resourceCountIs('AWS::CloudFormation::Stack', 0);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
  });

  it('deploys the exact definition the local engine runs: substitutions resolved, it equals renderDefinition', () => {
    // Prepare
    const playbook = testPlaybook();
    const { stack } = synth([playbook]);
    const view = nestedView(stack, playbook.id);
    const machine = view.resources[view.id(view.machine.stateMachine)] as Resources[string];
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
      expect(view.fromParent(substitutions[functionPlaceholder(family)])).toEqual({
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
    template.resourceCountIs('AWS::CloudFormation::Stack', playbooks.length);
    for (const playbook of playbooks) {
      const machine = stack.playbooks.machines.get(playbook.id);
      if (machine === undefined) throw new Error(`no state machine for ${playbook.id}`);
      const resolved = machine.resolve(
        (machine.stateMachine.node.defaultChild as sfn.CfnStateMachine).definitionString,
      );
      expect(resolved).toBe(renderDefinition(playbook));
    }
  });

  it('publishes a version whose logical id carries the playbook version, described with its changelog entry', () => {
    // Prepare / Act
    const before = nestedView(synth([testPlaybook()]).stack, 'test-quarantine-instance');
    const after = nestedView(synth([testPlaybook({ version: '2.4.0' })]).stack, 'test-quarantine-instance');
    const [oldId, oldVersion] = onlyResource(before.template, 'AWS::StepFunctions::StateMachineVersion', '');
    const [newId, newVersion] = onlyResource(after.template, 'AWS::StepFunctions::StateMachineVersion', '');

    // Assess: a bump is a new resource (a new published version), the alias moves to it
    expect(oldId).toMatch(/Version231/);
    expect(newId).toMatch(/Version240/);
    expect(newId).not.toBe(oldId);
    expect(oldVersion.Properties.Description).toBe(
      'test-quarantine-instance 2.3.1: Approval before quarantine.',
    );
    expect(newVersion.Properties.Description).toBe('test-quarantine-instance 2.4.0: Faster probe.');
    expect(newVersion.Properties.StateMachineRevisionId).toEqual({
      'Fn::GetAtt': [after.id(after.machine.stateMachine), 'StateMachineRevisionId'],
    });
    after.template.hasResourceProperties('AWS::StepFunctions::StateMachineAlias', {
      RoutingConfiguration: [{ StateMachineVersionArn: { 'Fn::GetAtt': [newId, 'Arn'] }, Weight: 100 }],
    });
  });

  it('routes the live alias 100 % to the version without rollout, and deploys gradually with one', () => {
    // Prepare / Act
    const { stack } = synth([testPlaybook(), notifyOnly]);
    const plainView = nestedView(stack, 'test-quarantine-instance');
    const canaryView = nestedView(stack, 'test-notify-only');
    const [plainVersion] = onlyResource(plainView.template, 'AWS::StepFunctions::StateMachineVersion', '');
    const [canaryVersion] = onlyResource(canaryView.template, 'AWS::StepFunctions::StateMachineVersion', '');
    const [, plain] = onlyResource(plainView.template, 'AWS::StepFunctions::StateMachineAlias', '');
    const [, canary] = onlyResource(canaryView.template, 'AWS::StepFunctions::StateMachineAlias', '');

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

  it('logs ALL without execution data (no task token in the logs) to its own KMS-encrypted log group with the configured retention, and traces', () => {
    // Prepare / Act
    const { stack } = synth([testPlaybook()], { logRetentionDays: 30 });
    const view = nestedView(stack, 'test-quarantine-instance');
    const logGroupId = view.id(view.machine.logGroup);

    // Assess
    view.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } } }],
      },
      TracingConfiguration: { Enabled: true },
    });
    const logGroup = view.resources[logGroupId] as Resources[string];
    expect(logGroup.Properties.RetentionInDays).toBe(30);
    expect(view.fromParent(logGroup.Properties.KmsKeyId)).toEqual({
      'Fn::GetAtt': [stack.getLogicalId(stack.encryption.key.node.defaultChild as CfnElement), 'Arn'],
    });
  });

  it('logs no execution data for any shipped playbook, so no task token reaches a log group', async () => {
    // Prepare / Act
    const { stack } = synth(await loadPlaybooks());

    // Assess
    expect(stack.playbooks.machines.size).toBeGreaterThan(0);
    for (const [id, machine] of stack.playbooks.machines) {
      const machines = resourcesOf(Template.fromStack(machine), 'AWS::StepFunctions::StateMachine');
      for (const resource of Object.values(machines)) {
        expect(resource.Properties.LoggingConfiguration, id).toMatchObject({ IncludeExecutionData: false });
      }
    }
  });

  it('has a role only Step Functions can assume, for a state machine of this account and Region', () => {
    // Prepare
    const { stack } = synth([notifyOnly]);
    const view = nestedView(stack, 'test-notify-only');

    // Act
    const trust = (view.resources[view.id(view.machine.role)] as Resources[string]).Properties
      .AssumeRolePolicyDocument as { Statement: unknown };

    // Assess
    expect(trust.Statement).toEqual([
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
    const { stack } = synth([testPlaybook(), notifyOnly]);

    for (const [id, expected] of [
      ['test-quarantine-instance', ['approve', 'contain', 'context', 'enrich', 'notify']],
      ['test-notify-only', ['context', 'notify']],
    ] as const) {
      // Act
      const view = nestedView(stack, id);
      const roleId = view.id(view.machine.role);
      const statements = Object.values(resourcesOf(view.template, 'AWS::IAM::Policy'))
        .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap(
          (policy) =>
            (policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] })
              .Statement,
        );
      const invoke = statements.filter((statement) => JSON.stringify(statement.Action).includes('lambda:'));

      // Assess
      expect(view.machine.families).toEqual(expected);
      expect(invoke).toHaveLength(1);
      expect(invoke[0]).toMatchObject({ Effect: 'Allow', Action: 'lambda:InvokeFunction' });
      expect(((invoke[0]?.Resource ?? []) as unknown[]).map(view.fromParent)).toEqual(
        expected.map((family) => ({ 'Fn::GetAtt': [logicalIdOfFunction(stack, family), 'Arn'] })),
      );
      const others = statements.filter((statement) => statement !== invoke[0]);
      for (const statement of others) {
        for (const action of [statement.Action].flat() as string[]) expect(action).toMatch(/^(logs|xray):/);
      }
    }
  });

  it('gives the ingest function the routes and names of the state machines, the live alias output by each', () => {
    // Prepare
    const { stack } = synth([testPlaybook()]);
    const view = nestedView(stack, 'test-quarantine-instance');

    // Act
    const aliasId = view.id(view.machine.alias);

    // Assess
    expect(stack.playbooks.nameOf('test-quarantine-instance')).toBe('Riposte-test-quarantine-instance');
    expect(stack.playbooks.namePrefix).toBe('Riposte-');
    view.template.hasOutput('*', { Value: { 'Fn::GetAtt': [aliasId, 'Arn'] } });
  });

  it('lets the approval endpoint answer task tokens of the playbook state machines only, by their shared name', () => {
    // Prepare
    const { stack, template } = synth([testPlaybook(), notifyOnly]);

    // Act / Assess
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: ['states:SendTaskFailure', 'states:SendTaskSuccess'],
            Resource: stack.resolve(stack.playbooks.stateMachineArnPattern),
          },
        ]),
      },
    });
    expect(JSON.stringify(stack.resolve(stack.playbooks.stateMachineArnPattern))).toContain(
      ':stateMachine:Riposte-*',
    );
  });
});

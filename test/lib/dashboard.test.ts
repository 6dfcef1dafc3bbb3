import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config/schema.ts';
import { loadPlaybooks } from '../../functions/core/playbooks/registry.ts';
import type { Playbook } from '../../functions/core/playbooks/sdk.ts';
import {
  FAILED_EXECUTION_STATUSES,
  INGEST_SERVICE,
  LATENCY_SEARCHES,
  METRICS_NAMESPACE,
  playbookSearch,
} from '../../lib/dashboard.ts';
import { RiposteStack } from '../../lib/riposte-stack.ts';

interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Principal?: { readonly Service?: unknown; readonly AWS?: unknown };
  readonly Condition?: Record<string, Record<string, unknown>>;
}

interface Widget {
  readonly type: string;
  readonly properties: {
    readonly title?: string;
    readonly markdown?: string;
    readonly metrics?: unknown[][];
    readonly alarms?: string[];
  };
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/**
 * What EventBridge's input transformer makes of a template: a placeholder that is a JSON value
 * (after a colon) becomes the value as JSON, one inside a string the raw value.
 */
function transform(template: string, values: Record<string, string>): string {
  const value = (name: string): string => {
    const found = values[name];
    if (found === undefined) throw new Error(`no value for <${name}>`);
    return found;
  };
  return template
    .replace(/:<([\w-]+)>/g, (_match, name: string) => `:${JSON.stringify(value(name))}`)
    .replace(/<([\w-]+)>/g, (_match, name: string) => value(name));
}

function synth(playbooks: readonly Playbook[] = []) {
  // No bundling: these tests read the template, not the code.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new RiposteStack(app, 'Riposte', { config: parseConfig({}), playbooks });
  return { stack, template: Template.fromStack(stack) };
}

type Synth = ReturnType<typeof synth>;

const logicalId = (s: Synth, construct: IConstruct): string =>
  s.stack.getLogicalId(construct.node.defaultChild as CfnElement);

/** The dashboard body, with `Ref`s written `${Id}` and `Fn::GetAtt`s `${Id.Attribute}`. */
function dashboardBody(s: Synth): { widgets: Widget[] } {
  const dashboards = Object.values(s.template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0]?.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const text = body['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const { Ref: ref, 'Fn::GetAtt': getAtt } = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      if (ref !== undefined) return `\${${ref}}`;
      if (getAtt !== undefined) return `\${${getAtt[0]}.${getAtt[1]}}`;
      throw new Error(`unexpected token ${JSON.stringify(part)}`);
    })
    .join('');
  return JSON.parse(text) as { widgets: Widget[] };
}

const widgetTitled = (body: { widgets: Widget[] }, title: RegExp): Widget => {
  const widget = body.widgets.find((w) => title.test(w.properties.title ?? ''));
  if (widget === undefined) throw new Error(`no widget titled ${title}`);
  return widget;
};

function topicStatements(s: Synth): Statement[] {
  const topic = logicalId(s, s.stack.settings.alertTopic);
  const policies = Object.values(s.template.findResources('AWS::SNS::TopicPolicy')).filter(
    (policy) => JSON.stringify(policy.Properties.Topics) === JSON.stringify([{ Ref: topic }]),
  );
  expect(policies).toHaveLength(1);
  return policies[0]?.Properties.PolicyDocument.Statement as Statement[];
}

describe('RiposteDashboard and FailureAlerts', async () => {
  const playbooks = await loadPlaybooks();
  const s = synth(playbooks);
  const body = dashboardBody(s);
  const topic = { Ref: logicalId(s, s.stack.settings.alertTopic) };
  const nestedTemplate = (id: string): Template => {
    const machine = s.stack.playbooks.machines.get(id);
    if (machine === undefined) throw new Error(`no playbook ${id}`);
    return Template.fromStack(machine);
  };

  it('is the Riposte dashboard, under Dashboard', () => {
    // Prepare / Act / Assess
    expect(s.stack.dashboard.node.path).toBe('Riposte/Dashboard');
    s.template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Riposte' });
  });

  it('shows time to detect, contain and release with SEARCH expressions over their exact dimension sets', () => {
    // Prepare
    const expressions = body.widgets.flatMap((widget) =>
      (widget.properties.metrics ?? []).flatMap((line) =>
        line.flatMap((item) =>
          typeof item === 'object' && item !== null && 'expression' in item ? [item] : [],
        ),
      ),
    ) as { expression: string; label?: string }[];

    // Act / Assess
    expect(
      expressions.map((item) => item.expression).filter((expression) => !expression.includes('AWS/States')),
    ).toEqual([
      LATENCY_SEARCHES.TimeToDetect,
      LATENCY_SEARCHES.TimeToContain,
      LATENCY_SEARCHES.TimeToRelease,
    ]);
    expect(LATENCY_SEARCHES.TimeToDetect).toBe(
      `SEARCH('{Riposte,service,severity,source} MetricName="TimeToDetect"', 'Average', 300)`,
    );
    expect(LATENCY_SEARCHES.TimeToContain).toContain('{Riposte,playbook,service,severity,source}');
    expect(LATENCY_SEARCHES.TimeToRelease).toContain('MetricName="TimeToRelease"');
    // One line per dimension combination, labelled by its values.
    for (const item of expressions.filter((e) => !e.expression.includes('AWS/States')))
      expect(item.label).toContain(`\${PROP('Dim.source')}`);
  });

  it("shows the ingest function's counters with the service dimension Powertools adds", () => {
    // Prepare
    const counters = ['IncidentsOpened', 'ExecutionsStarted', 'RejectedEvents', 'DeliveryFailures'];

    // Act
    const lines = [
      ...(widgetTitled(body, /^Incidents opened/).properties.metrics ?? []),
      ...(widgetTitled(body, /^Rejected events/).properties.metrics ?? []),
    ];

    // Assess
    expect(lines).toEqual(
      counters.map((name) => [METRICS_NAMESPACE, name, 'service', INGEST_SERVICE, { stat: 'Sum' }]),
    );
  });

  it('shows the depth of the intake dead-letter queue', () => {
    // Prepare
    const dlq = logicalId(s, s.stack.intake.deadLetterQueue);

    // Act
    const lines = widgetTitled(body, /dead-letter queue/).properties.metrics;

    // Assess
    expect(lines).toEqual([
      [
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        'QueueName',
        `\${${dlq}.QueueName}`,
        { label: 'messages in the DLQ', stat: 'Maximum' },
      ],
    ]);
  });

  it('shows failed and timed-out executions of every playbook state machine, found by their shared name', () => {
    // Prepare / Act
    const lines = widgetTitled(body, /^Playbook executions failed/).properties.metrics ?? [];

    // Assess: two SEARCH expressions, whatever the number of playbooks
    expect(lines).toEqual(
      (['ExecutionsFailed', 'ExecutionsTimedOut'] as const).map((metric) => [
        expect.objectContaining({
          expression: `SEARCH('{AWS/States,StateMachineArn} MetricName="${metric}" StateMachineArn=Riposte', 'Sum', 300)`,
        }),
      ]),
    );
    expect(playbookSearch('ExecutionsFailed', 'Riposte-Prod')).toBe(
      `SEARCH('{AWS/States,StateMachineArn} MetricName="ExecutionsFailed" StateMachineArn=Riposte StateMachineArn=Prod', 'Sum', 300)`,
    );
  });

  it("alarms on failed or timed-out executions of each playbook in the playbook's nested stack, notifying the alert topic", () => {
    for (const playbook of playbooks) {
      // Prepare
      const machine = s.stack.playbooks.machines.get(playbook.id);
      if (machine === undefined) throw new Error(`no playbook ${playbook.id}`);
      const nested = nestedTemplate(playbook.id);

      // Act
      const props =
        nested.toJSON().Resources[machine.getLogicalId(machine.failureAlarm.node.defaultChild as CfnElement)]
          .Properties;
      const ref = machine.getLogicalId(machine.stateMachine.node.defaultChild as CfnElement);

      // Assess
      expect(machine.failureAlarm.node.path).toBe(`Riposte/Playbooks/${playbook.id}/FailureAlarm`);
      expect(props).toMatchObject({
        AlarmName: `Riposte-${playbook.id}-failed`,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
      expect(props.AlarmActions).toHaveLength(1);
      expect(props.OKActions).toBeUndefined();
      expect(props.Metrics).toEqual([
        {
          Id: 'expr_1',
          Expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
          Label: `${playbook.id} failed or timed out`,
          ReturnData: true,
        },
        ...(
          [
            ['failed', 'ExecutionsFailed'],
            ['timedOut', 'ExecutionsTimedOut'],
          ] as const
        ).map(([metricId, name]) => ({
          Id: metricId,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/States',
              MetricName: name,
              Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: ref } }],
            },
            Period: 300,
            Stat: 'Sum',
          },
          ReturnData: false,
        })),
      ]);
    }
  });

  it('alarms on repeated delivery failures, notifying the alert topic of ALARM and OK', () => {
    // Prepare / Act
    const alarm = s.stack.dashboard.deliveryFailuresAlarm;
    const props = s.template.toJSON().Resources[logicalId(s, alarm)].Properties;

    // Assess
    expect(props).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: 'DeliveryFailures',
      Dimensions: [{ Name: 'service', Value: INGEST_SERVICE }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });

  it("shows the stack-wide alarms' state, the intake DLQ and lifecycle relay failure alarms included", () => {
    // Prepare
    const alarms = [
      s.stack.dashboard.deliveryFailuresAlarm,
      s.stack.intake.deadLetterAlarm,
      s.stack.relay.failureAlarm,
    ].map((alarm) => `\${${logicalId(s, alarm)}.Arn}`);

    // Act
    const widget = body.widgets.find((w) => w.type === 'alarm');

    // Assess
    expect(widget?.properties.alarms).toEqual(alarms);
  });

  it('lets CloudWatch publish to the alert topic only for these alarms and the playbook alarms, by name', () => {
    // Prepare
    const alarms = [s.stack.dashboard.deliveryFailuresAlarm];

    // Act
    const statement = topicStatements(s).find((st) => st.Sid === 'AllowRiposteDashboardAlarms');

    // Assess
    expect(statement).toEqual({
      Sid: 'AllowRiposteDashboardAlarms',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: topic,
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: {
          'aws:SourceArn': [
            ...alarms.map((alarm) => ({ 'Fn::GetAtt': [logicalId(s, alarm), 'Arn'] })),
            {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudwatch:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':alarm:Riposte-*',
                ],
              ],
            },
          ],
        },
      },
    });
  });

  describe('FailureAlerts', () => {
    const rule = (): Record<string, unknown> =>
      s.template.toJSON().Resources[logicalId(s, s.stack.failureAlerts.rule)].Properties;

    it("has one rule, under FailureAlerts, matching the failed, timed-out and aborted executions of every playbook's state machine", () => {
      // Prepare / Act
      const props = rule();

      // Assess: one rule on the default bus however many playbooks, matching the names they share
      expect(s.stack.failureAlerts.rule.node.path).toBe('Riposte/FailureAlerts/Rule');
      s.template.resourcePropertiesCountIs(
        'AWS::Events::Rule',
        { EventPattern: { source: ['aws.states'] } },
        1,
      );
      expect(props.EventPattern).toEqual({
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: {
          status: [...FAILED_EXECUTION_STATUSES],
          stateMachineArn: [
            {
              prefix: {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':states:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    ':stateMachine:Riposte-',
                  ],
                ],
              },
            },
          ],
        },
      });
      expect(FAILED_EXECUTION_STATUSES).toEqual(['FAILED', 'TIMED_OUT', 'ABORTED']);
    });

    it('targets the alert topic with a readable message naming the state machine, status, execution and console link', () => {
      // Prepare
      const targets = rule().Targets as {
        Arn: unknown;
        InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string };
      }[];

      // Act
      const { InputPathsMap: paths, InputTemplate: template } = targets[0]?.InputTransformer ?? {
        InputPathsMap: {},
        InputTemplate: '',
      };
      const message = JSON.parse(
        transform(template, {
          'detail-status': 'FAILED',
          'detail-name': 'inc-1-s3-public-bucket-1_0_0',
          'detail-stateMachineArn':
            'arn:aws:states:eu-west-1:111122223333:stateMachine:Riposte-s3-public-bucket',
          'detail-executionArn': 'arn:aws:states:eu-west-1:111122223333:execution:sm:run',
          time: '2026-01-01T00:00:00Z',
          region: 'eu-west-1',
        }),
      ) as Record<string, string>;

      // Assess
      expect(targets).toHaveLength(1);
      expect(targets[0]?.Arn).toEqual(topic);
      expect(Object.values(paths).sort()).toEqual(
        [
          '$.detail.executionArn',
          '$.detail.name',
          '$.detail.stateMachineArn',
          '$.detail.status',
          '$.region',
          '$.time',
        ].sort(),
      );
      expect(message).toMatchObject({
        summary: 'Riposte playbook execution inc-1-s3-public-bucket-1_0_0 ended FAILED',
        stateMachine: 'arn:aws:states:eu-west-1:111122223333:stateMachine:Riposte-s3-public-bucket',
        status: 'FAILED',
        execution: 'inc-1-s3-public-bucket-1_0_0',
        executionArn: 'arn:aws:states:eu-west-1:111122223333:execution:sm:run',
        at: '2026-01-01T00:00:00Z',
        console:
          'https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/' +
          'arn:aws:states:eu-west-1:111122223333:execution:sm:run',
      });
    });

    it('lets EventBridge publish to the alert topic only for this rule', () => {
      // Prepare / Act
      const statement = topicStatements(s).find((st) => st.Sid === 'AllowPlaybookFailureRules');

      // Assess
      expect(statement).toEqual({
        Sid: 'AllowPlaybookFailureRules',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topic,
        Condition: {
          ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalId(s, s.stack.failureAlerts.rule), 'Arn'] } },
        },
      });
    });

    it("can use the topic's key: EventBridge may generate and decrypt data keys with it", () => {
      // Prepare
      const keys = Object.values(s.template.findResources('AWS::KMS::Key'));
      expect(keys).toHaveLength(1);

      // Act
      const statements = ((keys[0]?.Properties.KeyPolicy.Statement ?? []) as Statement[]).filter(
        (statement) => statement.Principal?.Service === 'events.amazonaws.com',
      );

      // Assess
      expect(
        s.template.toJSON().Resources[logicalId(s, s.stack.settings.alertTopic)].Properties.KmsMasterKeyId,
      ).toEqual({
        'Fn::GetAtt': [logicalId(s, s.stack.encryption.key), 'Arn'],
      });
      expect(statements.flatMap((statement) => asList(statement.Action))).toEqual(
        expect.arrayContaining(['kms:GenerateDataKey', 'kms:Decrypt']),
      );
    });
  });

  it('grants no playbook alarm without playbooks, and says so on the dashboard', () => {
    // Prepare / Act
    const none = synth();
    const noneBody = dashboardBody(none);
    const alarms = topicStatements(none).find((st) => st.Sid === 'AllowRiposteDashboardAlarms');

    // Assess
    expect(none.stack.playbooks.machines.size).toBe(0);
    expect(JSON.stringify(alarms)).not.toContain(':alarm:Riposte-*');
    expect(noneBody.widgets.some((w) => /no playbook is deployed/.test(w.properties.markdown ?? ''))).toBe(
      true,
    );
  });
});

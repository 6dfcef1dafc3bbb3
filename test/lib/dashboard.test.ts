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
  const machineIds = playbooks.map((playbook) => ({
    id: playbook.id,
    ref: logicalId(s, s.stack.playbooks.machines.get(playbook.id)?.stateMachine as IConstruct),
  }));

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
    expect(expressions.map((item) => item.expression)).toEqual([
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
    for (const item of expressions) expect(item.label).toContain(`\${PROP('Dim.source')}`);
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

  it('shows failed and timed-out executions of every playbook state machine', () => {
    // Prepare / Act
    const lines = widgetTitled(body, /^Playbook executions failed/).properties.metrics ?? [];

    // Assess
    expect(lines).toHaveLength(2 * playbooks.length);
    for (const { id, ref } of machineIds) {
      for (const [metric, what] of [
        ['ExecutionsFailed', 'failed'],
        ['ExecutionsTimedOut', 'timed out'],
      ]) {
        expect(lines).toContainEqual([
          'AWS/States',
          metric,
          'StateMachineArn',
          `\${${ref}}`,
          { label: `${id} ${what}`, stat: 'Sum' },
        ]);
      }
    }
  });

  it('alarms on failed or timed-out executions of each playbook, notifying the alert topic', () => {
    for (const { id, ref } of machineIds) {
      // Prepare / Act
      const alarm = s.stack.dashboard.playbookFailureAlarms.get(id);
      const props = s.template.toJSON().Resources[logicalId(s, alarm as IConstruct)].Properties;

      // Assess
      expect(props).toMatchObject({
        AlarmActions: [topic],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
      expect(props.OKActions).toBeUndefined();
      expect(props.Metrics).toEqual([
        {
          Id: 'expr_1',
          Expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
          Label: `${id} failed or timed out`,
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

  it("shows every alarm's state, the intake DLQ alarm included", () => {
    // Prepare
    const alarms = [
      s.stack.dashboard.deliveryFailuresAlarm,
      ...s.stack.dashboard.playbookFailureAlarms.values(),
      s.stack.intake.deadLetterAlarm,
    ].map((alarm) => `\${${logicalId(s, alarm)}.Arn}`);

    // Act
    const widget = body.widgets.find((w) => w.type === 'alarm');

    // Assess
    expect(widget?.properties.alarms).toEqual(alarms);
  });

  it('lets CloudWatch publish to the alert topic only for these alarms', () => {
    // Prepare
    const alarms = [
      s.stack.dashboard.deliveryFailuresAlarm,
      ...s.stack.dashboard.playbookFailureAlarms.values(),
    ];

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
        ArnLike: { 'aws:SourceArn': alarms.map((alarm) => ({ 'Fn::GetAtt': [logicalId(s, alarm), 'Arn'] })) },
      },
    });
  });

  describe('FailureAlerts', () => {
    it('has one rule per playbook, under FailureAlerts, matching the failed, timed-out and aborted executions of its state machine', () => {
      for (const { id, ref } of machineIds) {
        // Prepare / Act
        const rule = s.stack.failureAlerts.rules.get(id);
        const props = s.template.toJSON().Resources[logicalId(s, rule as IConstruct)].Properties;

        // Assess
        expect(rule?.node.path).toBe(`Riposte/FailureAlerts/${id}`);
        expect(props.EventPattern).toEqual({
          source: ['aws.states'],
          'detail-type': ['Step Functions Execution Status Change'],
          detail: { status: [...FAILED_EXECUTION_STATUSES], stateMachineArn: [{ Ref: ref }] },
        });
        expect(FAILED_EXECUTION_STATUSES).toEqual(['FAILED', 'TIMED_OUT', 'ABORTED']);
      }
      expect([...s.stack.failureAlerts.rules.keys()]).toEqual(playbooks.map((playbook) => playbook.id));
    });

    it('targets the alert topic with a readable message naming the playbook, status, execution and console link', () => {
      for (const { id } of machineIds) {
        // Prepare
        const rule = s.stack.failureAlerts.rules.get(id);
        const props = s.template.toJSON().Resources[logicalId(s, rule as IConstruct)].Properties;

        // Act
        const targets = props.Targets as {
          Arn: unknown;
          InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string };
        }[];

        // Assess
        expect(targets).toHaveLength(1);
        expect(targets[0]?.Arn).toEqual(topic);
        const { InputPathsMap: paths, InputTemplate: template } = targets[0]?.InputTransformer ?? {
          InputPathsMap: {},
          InputTemplate: '',
        };
        expect(Object.values(paths).sort()).toEqual(
          ['$.detail.executionArn', '$.detail.name', '$.detail.status', '$.region', '$.time'].sort(),
        );
        const message = JSON.parse(
          transform(template, {
            'detail-status': 'FAILED',
            'detail-name': 'inc-1-test-1_0_0',
            'detail-executionArn': 'arn:aws:states:eu-west-1:111122223333:execution:sm:run',
            time: '2026-01-01T00:00:00Z',
            region: 'eu-west-1',
          }),
        ) as Record<string, string>;
        expect(message).toMatchObject({
          summary: `Riposte playbook ${id}: an execution ended FAILED`,
          playbook: id,
          status: 'FAILED',
          execution: 'inc-1-test-1_0_0',
          executionArn: 'arn:aws:states:eu-west-1:111122223333:execution:sm:run',
          at: '2026-01-01T00:00:00Z',
          console:
            'https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/' +
            'arn:aws:states:eu-west-1:111122223333:execution:sm:run',
        });
      }
    });

    it('lets EventBridge publish to the alert topic only for these rules', () => {
      // Prepare
      const rules = [...s.stack.failureAlerts.rules.values()].map((rule) => ({
        'Fn::GetAtt': [logicalId(s, rule), 'Arn'],
      }));

      // Act
      const statement = topicStatements(s).find((st) => st.Sid === 'AllowPlaybookFailureRules');

      // Assess
      expect(statement).toEqual({
        Sid: 'AllowPlaybookFailureRules',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topic,
        Condition: { ArnEquals: { 'aws:SourceArn': rules } },
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

  it('deploys no failure rule and no playbook alarm without playbooks, and says so on the dashboard', () => {
    // Prepare / Act
    const none = synth();
    const noneBody = dashboardBody(none);

    // Assess
    expect(none.stack.failureAlerts.rules.size).toBe(0);
    expect(none.stack.dashboard.playbookFailureAlarms.size).toBe(0);
    expect(topicStatements(none).map((statement) => statement.Sid)).not.toContain(
      'AllowPlaybookFailureRules',
    );
    expect(noneBody.widgets.some((w) => /no playbook is deployed/.test(w.properties.markdown ?? ''))).toBe(
      true,
    );
  });
});

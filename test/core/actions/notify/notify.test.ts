import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClients } from '../../../../functions/core/actions/clients.ts';
import { buildNotification, executionConsoleUrl } from '../../../../functions/core/actions/notify/build.ts';
import { renderEmail } from '../../../../functions/core/actions/notify/channels/email.ts';
import { renderSlack } from '../../../../functions/core/actions/notify/channels/slack.ts';
import { renderWebhook } from '../../../../functions/core/actions/notify/channels/webhook.ts';
import {
  NotificationDeliveryError,
  type NotifyConfig,
  NotifyConfigError,
  notifyConfigFromEnv,
} from '../../../../functions/core/actions/notify/config.ts';
import {
  type NotificationMessage,
  NotificationMessageSchema,
  NotifyInputSchema,
} from '../../../../functions/core/actions/notify/message.ts';
import { createNotifyAction } from '../../../../functions/core/actions/notify/notify.ts';
import type { NotifyTransport } from '../../../../functions/core/actions/notify/transport.ts';
import { CallRecorder } from '../../../../functions/core/actions/recorder.ts';
import { MemoryContainmentState } from '../../../../functions/core/actions/state.ts';
import type { ActionEnv, ExecutionFacts } from '../../../../functions/core/actions/types.ts';

const T0 = Date.parse('2025-06-01T12:00:00Z');
const EXECUTION_ARN = 'arn:aws:states:eu-west-1:111122223333:execution:riposte-contain-instance:run-1';
const FINDING_URL =
  'https://eu-west-1.console.aws.amazon.com/guardduty/home?region=eu-west-1#/findings?search=id%3Dabc';
const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/very-secret-path';
const SIGNING_SECRET = 'webhook-signing-secret-0123456789abcdef';

const EXECUTION: ExecutionFacts = {
  incidentId: 'inc-1',
  alertId: 'alert-1',
  mode: 'live',
  sample: false,
  account: '111122223333',
  region: 'eu-west-1',
  playbookId: 'contain-instance',
  playbookVersion: '1.2.0',
  executionId: EXECUTION_ARN,
};

const REFUSAL_CAUSE = JSON.stringify({
  errorType: 'ProtectedResourceError',
  errorMessage: 'containment of web-role refused: it carries the protected tag riposte:protected=true',
  trace: [],
});

/** What a compiled playbook passes to `notify`: its message plus `$.alert`, `$.incident`, `$.steps`, `$.errors`. */
const INPUT = NotifyInputSchema.parse({
  subject: 'Instance i-0abc isolated',
  summary: 'GuardDuty saw the instance query a Bitcoin pool.',
  alert: {
    id: 'alert-1',
    source: 'aws.guardduty',
    sample: false,
    severityId: 4,
    classUid: 2004,
    title: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
    types: ['CryptoCurrency:EC2/BitcoinTool.B!DNS'],
    account: '111122223333',
    region: 'eu-west-1',
    url: FINDING_URL,
  },
  incident: {
    id: 'inc-1',
    resourceType: 'AWS::EC2::Instance',
    resourceUid: 'i-0abc',
    account: '111122223333',
    region: 'eu-west-1',
    severityId: 4,
    sample: false,
  },
  steps: {
    instance: { action: 'enrich-instance', target: 'i-0abc', dryRun: false, output: { protected: false } },
    isolate: { action: 'isolate-instance', target: 'i-0abc', dryRun: false, output: {} },
  },
  errors: { revoke: { Error: 'ProtectedResourceError', Cause: REFUSAL_CAUSE } },
});

const CONFIG: NotifyConfig = {
  topicArn: 'arn:aws:sns:eu-west-1:111122223333:riposte-notifications',
  slackWebhookSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:riposte/slack-AbCdEf',
  webhookUrl: 'https://hooks.example.com/riposte?key=query-secret',
  webhookSigningSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:riposte/webhook-AbCdEf',
};

/** Records what would have been sent. */
class FakeTransport implements NotifyTransport {
  public readonly config: NotifyConfig;
  public readonly published: { topicArn: string; subject: string; message: string }[] = [];
  public readonly posts: { url: string; body: string; headers: Readonly<Record<string, string>> }[] = [];
  public readonly secretReads: string[] = [];
  public failing = new Set<'sns' | 'http'>();

  public constructor(config: NotifyConfig = CONFIG) {
    this.config = config;
  }

  public readonly sns = {
    publish: async (topicArn: string, subject: string, message: string) => {
      if (this.failing.has('sns'))
        throw Object.assign(new Error('SNS is down'), { name: 'InternalErrorException' });
      this.published.push({ topicArn, subject, message });
      return { messageId: 'msg-1' };
    },
  };

  public readonly http = {
    post: async (url: string, body: string, headers: Readonly<Record<string, string>>) => {
      if (this.failing.has('http'))
        throw new NotificationDeliveryError('POST to hooks.example.com answered HTTP 500');
      this.posts.push({ url, body, headers });
      return { status: 200 };
    },
  };

  public readonly secrets = {
    read: async (secretArn: string) => {
      this.secretReads.push(secretArn);
      return secretArn === CONFIG.slackWebhookSecretArn ? JSON.stringify({ url: SLACK_URL }) : SIGNING_SECRET;
    },
  };
}

function actionEnv(execution: ExecutionFacts, dryRun: boolean): ActionEnv {
  const recorder = new CallRecorder();
  return {
    execution,
    clients: createClients({ mode: { kind: 'dry-run' }, recorder, region: 'eu-west-1', services: {} }),
    recorder,
    dryRun,
    safety: {
      assertContainable: async () => undefined,
      standing: () => ({ protected: false, environment: null, approvalRequired: true }),
    },
    state: new MemoryContainmentState(),
    now: () => T0,
  };
}

function message(overrides: Partial<NotificationMessage> = {}): NotificationMessage {
  return { ...buildNotification(INPUT, EXECUTION, T0), ...overrides };
}

describe('buildNotification', () => {
  it('summarizes the incident, what was done, what was refused and why, with console links', () => {
    // Act
    const built = buildNotification(INPUT, EXECUTION, T0);

    // Assess
    expect(built).toMatchObject({
      schema: 'riposte.notification/v1',
      subject: 'Instance i-0abc isolated',
      severity: 'high',
      incidentId: 'inc-1',
      alertId: 'alert-1',
      mode: 'live',
      playbook: { id: 'contain-instance', version: '1.2.0', executionId: EXECUTION_ARN },
      alert: {
        title: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
        source: 'aws.guardduty',
        resource: 'i-0abc',
        resourceType: 'AWS::EC2::Instance',
        account: '111122223333',
        region: 'eu-west-1',
      },
      notContained: {
        step: 'revoke',
        error: 'ProtectedResourceError',
        reason: 'containment of web-role refused: it carries the protected tag riposte:protected=true',
      },
      sentAt: '2025-06-01T12:00:00.000Z',
    });
    expect(built.actions.map((a) => [a.step, a.outcome])).toEqual([
      ['instance', 'succeeded'],
      ['isolate', 'succeeded'],
      ['revoke', 'refused'],
    ]);
    expect(built.links).toEqual([
      { label: 'GuardDuty finding', url: FINDING_URL },
      {
        label: 'Step Functions execution',
        url: `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${EXECUTION_ARN}`,
      },
    ]);
    expect(NotificationMessageSchema.parse(built)).toEqual(built);
  });

  it('prefers an explicit reason and ignores non-https finding links', () => {
    // Prepare
    const input = NotifyInputSchema.parse({
      subject: 'Not contained',
      reason: 'the kill switch is engaged',
      alert: { url: 'javascript:alert(1)' },
    });

    // Act
    const built = buildNotification(input, { ...EXECUTION, executionId: undefined }, T0);

    // Assess
    expect(built.notContained).toEqual({ error: 'NotContained', reason: 'the kill switch is engaged' });
    expect(built.links).toEqual([]);
    expect(built.severity).toBe('unknown');
  });

  it('builds console links in other partitions', () => {
    // Act / Assess
    expect(executionConsoleUrl('arn:aws-cn:states:cn-north-1:111122223333:execution:sm:run')).toBe(
      'https://console.amazonaws.cn/states/home?region=cn-north-1#/v2/executions/details/arn:aws-cn:states:cn-north-1:111122223333:execution:sm:run',
    );
    expect(executionConsoleUrl('local-run-1')).toBeUndefined();
  });
});

describe('renderEmail', () => {
  it('renders a short plain-text message', () => {
    // Act
    const { subject, body } = renderEmail(message());

    // Assess
    expect(subject).toBe('[Riposte][HIGH] Instance i-0abc isolated');
    expect(body.split('\n')).toEqual(
      expect.arrayContaining([
        'Instance i-0abc isolated',
        'GuardDuty saw the instance query a Bitcoin pool.',
        'Incident:  inc-1',
        'Alert:     CryptoCurrency:EC2/BitcoinTool.B!DNS',
        'Severity:  High',
        'Source:    aws.guardduty',
        'Resource:  AWS::EC2::Instance i-0abc',
        'Account:   111122223333 / eu-west-1',
        '  - instance (enrich-instance) on i-0abc: succeeded',
        '  - isolate (isolate-instance) on i-0abc: succeeded',
        `  GuardDuty finding: ${FINDING_URL}`,
        'NOT CONTAINED (ProtectedResourceError): containment of web-role refused: it carries the protected tag riposte:protected=true',
      ]),
    );
  });

  it('marks dry-runs in the subject and the body', () => {
    // Act
    const { subject, body } = renderEmail(message({ mode: 'dry-run', sample: true }));

    // Assess
    expect(subject).toBe('[Riposte][HIGH][DRY-RUN] Instance i-0abc isolated');
    expect(body).toContain('DRY-RUN (sample alert): nothing was changed.');
  });

  it('keeps any subject under 100 printable ASCII characters on one line', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 400 }), (text) => {
        // Act
        const { subject } = renderEmail(message({ subject: text }));

        // Assess
        expect(subject.length).toBeLessThan(100);
        expect(subject).toMatch(/^\[Riposte\][\x20-\x7e]*$/);
      }),
    );
  });
});

describe('renderSlack', () => {
  it('renders Block Kit: header, fields, actions, refusal, and links in a context', () => {
    // Act
    const payload = renderSlack(message());

    // Assess
    expect(payload.text).toBe('[High] Instance i-0abc isolated');
    expect(payload.unfurl_links).toBe(false);
    expect(payload.blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'section',
      'section',
      'section',
      'context',
    ]);
    expect(payload.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Instance i-0abc isolated', emoji: true },
    });
    const fields = payload.blocks[2]?.type === 'section' ? payload.blocks[2].fields : undefined;
    expect(fields?.map((f) => f.text)).toEqual([
      // Values are literals (inline code): nothing in them formats, mentions or links.
      '*Severity*\n`High`',
      '*Incident*\n`inc-1`',
      '*Alert*\n`CryptoCurrency:EC2/BitcoinTool.B!DNS`',
      '*Source*\n`aws.guardduty`',
      '*Resource*\n`AWS::EC2::Instance i-0abc`',
      '*Account*\n`111122223333`',
      '*Region*\n`eu-west-1`',
    ]);
    expect(JSON.stringify(payload.blocks[4])).toContain('*Not contained* (`ProtectedResourceError`)');
    const context = payload.blocks[5];
    expect(context?.type === 'context' ? context.elements.map((e) => e.text) : []).toEqual([
      `<${FINDING_URL}|GuardDuty finding>`,
      `<https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${EXECUTION_ARN}|Step Functions execution>`,
      'Riposte playbook contain-instance v1.2.0',
    ]);
  });

  it('escapes mrkdwn control characters from alert data', () => {
    // Act
    const payload = renderSlack(message({ summary: '<!channel> & <https://evil.example|click>' }));

    // Assess
    const summary = payload.blocks[1];
    expect(summary?.type === 'section' ? summary.text?.text : undefined).toBe(
      '&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;',
    );
  });

  it('renders approval buttons', () => {
    // Act
    const payload = renderSlack(
      message({
        approval: {
          approveUrl: 'https://api.example.com/approve?token=a.b',
          denyUrl: 'https://api.example.com/deny?token=c.d',
          expiresAt: '2025-06-01T13:00:00.000Z',
          message: 'Isolate i-0abc?',
        },
      }),
    );

    // Assess
    const actions = payload.blocks.find((b) => b.type === 'actions');
    expect(
      actions?.type === 'actions' ? actions.elements.map((e) => [e.text.text, e.url, e.style]) : [],
    ).toEqual([
      ['Approve', 'https://api.example.com/approve?token=a.b', 'primary'],
      ['Deny', 'https://api.example.com/deny?token=c.d', 'danger'],
    ]);
  });
});

describe('renderWebhook', () => {
  it('posts the message model as JSON, signed over timestamp and body', () => {
    // Prepare
    const timestamp = Math.floor(T0 / 1000);

    // Act
    const { body, headers } = renderWebhook(message(), SIGNING_SECRET, timestamp);

    // Assess
    expect(NotificationMessageSchema.parse(JSON.parse(body))).toEqual(message());
    const expected = createHmac('sha256', SIGNING_SECRET).update(`${timestamp}.${body}`).digest('hex');
    expect(headers).toEqual({
      'content-type': 'application/json',
      'user-agent': 'riposte',
      'x-riposte-timestamp': String(timestamp),
      'x-riposte-signature': `sha256=${expected}`,
    });
  });

  it('sends no signature without a signing secret', () => {
    // Act
    const { headers } = renderWebhook(message(), undefined, 0);

    // Assess
    expect(headers['x-riposte-signature']).toBeUndefined();
  });
});

describe('notify action', () => {
  it('sends to every configured channel and records each call without secrets', async () => {
    // Prepare
    const transport = new FakeTransport();
    const notify = createNotifyAction(() => transport);
    const env = actionEnv(EXECUTION, false);

    // Act
    const output = await notify.run(INPUT, env);

    // Assess
    expect(output.deliveries).toEqual([
      { channel: 'email', status: 'sent' },
      { channel: 'slack', status: 'sent' },
      { channel: 'webhook', status: 'sent' },
    ]);
    expect(transport.published).toEqual([
      {
        topicArn: CONFIG.topicArn,
        subject: '[Riposte][HIGH] Instance i-0abc isolated',
        message: expect.any(String),
      },
    ]);
    expect(transport.posts.map((p) => p.url)).toEqual([SLACK_URL, CONFIG.webhookUrl]);
    const webhook = transport.posts[1];
    expect(webhook?.headers['x-riposte-signature']).toBe(
      `sha256=${createHmac('sha256', SIGNING_SECRET)
        .update(`${Math.floor(T0 / 1000)}.${webhook?.body}`)
        .digest('hex')}`,
    );
    expect(env.recorder.calls.map((c) => [c.service, c.api, c.dryRun])).toEqual([
      ['sns', 'Publish', false],
      ['slack', 'PostMessage', false],
      ['webhook', 'Post', false],
    ]);
    expect(env.recorder.calls[0]?.requestId).toBe('msg-1');
    const recorded = JSON.stringify(env.recorder.calls);
    expect(recorded).not.toContain('very-secret-path');
    expect(recorded).not.toContain(SIGNING_SECRET);
    expect(recorded).not.toContain('query-secret');
  });

  it('renders and records in dry-run, and sends nothing nor reads any secret', async () => {
    // Prepare
    const transport = new FakeTransport();
    const notify = createNotifyAction(() => transport);
    const env = actionEnv({ ...EXECUTION, mode: 'dry-run' }, true);

    // Act
    const output = await notify.run(INPUT, env);

    // Assess
    expect(output.deliveries.map((d) => d.status)).toEqual(['recorded', 'recorded', 'recorded']);
    expect(transport.published).toEqual([]);
    expect(transport.posts).toEqual([]);
    expect(transport.secretReads).toEqual([]);
    expect(env.recorder.calls).toHaveLength(3);
    expect(env.recorder.calls.every((c) => c.dryRun && c.mutating)).toBe(true);
    expect(env.recorder.calls[0]?.params.Subject).toBe('[Riposte][HIGH][DRY-RUN] Instance i-0abc isolated');
  });

  it('sends to the one channel asked for, and reports a channel that is not configured', async () => {
    // Prepare
    const transport = new FakeTransport({ slackWebhookSecretArn: CONFIG.slackWebhookSecretArn });
    const notify = createNotifyAction(() => transport);

    // Act
    const slack = await notify.run({ ...INPUT, channel: 'slack' }, actionEnv(EXECUTION, false));
    const email = await notify.run({ ...INPUT, channel: 'email' }, actionEnv(EXECUTION, false));

    // Assess
    expect(slack.deliveries).toEqual([{ channel: 'slack', status: 'sent' }]);
    expect(email.deliveries).toEqual([{ channel: 'email', status: 'not-configured' }]);
    expect(transport.published).toEqual([]);
    expect(transport.posts).toHaveLength(1);
  });

  it('reports a failed channel and still sends to the others', async () => {
    // Prepare
    const transport = new FakeTransport();
    transport.failing.add('http');
    const notify = createNotifyAction(() => transport);

    // Act
    const output = await notify.run(INPUT, actionEnv(EXECUTION, false));

    // Assess
    expect(output.deliveries).toEqual([
      { channel: 'email', status: 'sent' },
      {
        channel: 'slack',
        status: 'failed',
        error: 'NotificationDeliveryError: POST to hooks.example.com answered HTTP 500',
      },
      {
        channel: 'webhook',
        status: 'failed',
        error: 'NotificationDeliveryError: POST to hooks.example.com answered HTTP 500',
      },
    ]);
    expect(transport.published).toHaveLength(1);
  });

  it('fails when no channel was reached, so the step can be retried', async () => {
    // Prepare
    const transport = new FakeTransport();
    transport.failing.add('http');
    transport.failing.add('sns');
    const notify = createNotifyAction(() => transport);

    // Act / Assess
    await expect(notify.run(INPUT, actionEnv(EXECUTION, false))).rejects.toThrow(NotificationDeliveryError);
  });
});

describe('notifyConfigFromEnv', () => {
  it('reads the targets from the environment, empty values meaning absent', () => {
    // Act
    const config = notifyConfigFromEnv({
      NOTIFY_TOPIC_ARN: CONFIG.topicArn,
      NOTIFY_SLACK_WEBHOOK_SECRET_ARN: '',
      NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/riposte',
    });

    // Assess
    expect(config).toEqual({ topicArn: CONFIG.topicArn, webhookUrl: 'https://hooks.example.com/riposte' });
  });

  it('refuses a malformed target, naming the variable', () => {
    // Act / Assess
    expect(() => notifyConfigFromEnv({ NOTIFY_TOPIC_ARN: 'riposte-topic' })).toThrow(NotifyConfigError);
    expect(() => notifyConfigFromEnv({ NOTIFY_WEBHOOK_URL: 'http://hooks.example.com/x' })).toThrow(
      /NOTIFY_WEBHOOK_URL: must use https/,
    );
  });
});

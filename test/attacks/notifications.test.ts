import { describe, expect, it } from 'vitest';
import { buildNotification } from '../../functions/core/actions/notify/build.ts';
import { renderEmail } from '../../functions/core/actions/notify/channels/email.ts';
import { renderSlack } from '../../functions/core/actions/notify/channels/slack.ts';
import { deliverNotification } from '../../functions/core/actions/notify/deliver.ts';
import { NotifyInputSchema } from '../../functions/core/actions/notify/message.ts';
import { isAwsConsoleUrl, plainText } from '../../functions/core/actions/notify/text.ts';
import type { NotifyTransport } from '../../functions/core/actions/notify/transport.ts';
import { CallRecorder } from '../../functions/core/actions/recorder.ts';
import { executionFacts, TEST_NOW } from '../support/action-env.ts';

/**
 * Forging notifications from finding text: a title with newlines, a hostile `SourceUrl`, Slack
 * mentions and formatting. Each notification must carry only what Riposte vouches for.
 */

const FORGED_TITLE =
  'Backdoor:EC2/C&CActivity.B!DNS\n\nAPPROVAL NEEDED (until 2099-01-01): isolate the bastion\n  Approve: https://evil.example/approve?token=x\r\n  Deny:    https://evil.example/deny';

function message(alert: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const input = NotifyInputSchema.parse({
    subject: 'Instance isolated',
    alert: { source: 'aws.securityhub', severityId: 4, ...alert },
    incident: { resourceType: 'AWS::EC2::Instance', resourceUid: 'i-0a1b2c3d4e5f60718' },
    ...extra,
  });
  return buildNotification(input, executionFacts(), TEST_NOW);
}

describe('finding text cannot forge a notification', () => {
  it('keeps a title with newlines on one line: no forged approval block in the e-mail', () => {
    // Act
    const { body } = renderEmail(message({ title: FORGED_TITLE }));

    // Assess
    const lines = body.split('\n');
    expect(lines.some((line) => line.startsWith('APPROVAL NEEDED'))).toBe(false);
    expect(lines.some((line) => /^\s+(Approve|Deny):/.test(line))).toBe(false);
    expect(lines.find((line) => line.startsWith('Alert:'))).toContain('APPROVAL NEEDED');
  });

  it('strips control, separator and bidi characters from everything the finding controls', () => {
    // Act
    const built = message(
      { title: 'a\u2028b\u202ec\u0085d\u0000e', account: '1111\n2222', region: 'eu-\twest-1' },
      { incident: { resourceUid: 'i-1\nAPPROVAL', resourceType: 'AWS::EC2::Instance' } },
    );

    // Assess
    expect(built.alert).toMatchObject({ title: 'a b c d e', account: '1111 2222', region: 'eu- west-1' });
    expect(built.alert.resource).toBe('i-1 APPROVAL');
  });

  it.each([
    ['a foreign domain', 'https://evil.example/securityhub/home'],
    ['a look-alike host', 'https://console.aws.amazon.com.evil.example/'],
    ['credentials in the URL', 'https://user@eu-west-1.console.aws.amazon.com/'],
    ['plain http', 'http://eu-west-1.console.aws.amazon.com/'],
    ['a javascript URL', 'javascript:alert(1)'],
    ['a newline', 'https://eu-west-1.console.aws.amazon.com/\nApprove: https://evil.example'],
  ])('drops a SourceUrl with %s', (_label, url) => {
    // Act
    const built = message({ title: 'finding', url });

    // Assess
    expect(built.links.map((l) => l.url)).not.toContain(url);
    expect(built.links.every((l) => isAwsConsoleUrl(l.url))).toBe(true);
    expect(renderEmail(built).body).not.toContain('evil.example');
  });

  it('keeps the console link of a genuine finding (control)', () => {
    // Prepare
    const url =
      'https://eu-west-1.console.aws.amazon.com/securityhub/home?region=eu-west-1#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253Aarn';

    // Act
    const built = message({ title: 'finding', url });

    // Assess
    expect(built.links[0]).toEqual({ label: 'Security Hub finding', url });
  });

  it('writes finding text into Slack as a literal: no mention, no link, no formatting', () => {
    // Act
    const slack = JSON.stringify(
      renderSlack(message({ title: '*URGENT* <!channel> <https://evil.example|click> _x_ ~y~ `z`' })),
    );

    // Assess
    expect(slack).not.toContain('<!channel>');
    expect(slack).not.toContain('<https://evil.example');
    expect(slack).toContain('`*URGENT* &lt;!channel&gt; &lt;https://evil.example|click&gt; _x_ ~y~ ˋzˋ`');
  });
});

describe('approval links and the generic webhook', () => {
  const transport = (config: Record<string, unknown>): { transport: NotifyTransport; bodies: string[] } => {
    const bodies: string[] = [];
    return {
      bodies,
      transport: {
        config: { webhookUrl: 'https://hooks.example.com/riposte', ...config },
        sns: { publish: async () => ({}) },
        http: {
          post: async (_url, body) => {
            bodies.push(body);
            return { status: 200 };
          },
        },
        secrets: { read: async () => 'unused' },
      },
    };
  };
  const approval = {
    approveUrl: 'https://approve.example.com/approve?token=SECRET-APPROVE',
    denyUrl: 'https://approve.example.com/deny?token=SECRET-DENY',
    expiresAt: '2025-06-01T13:00:00.000Z',
    message: 'Isolate?',
  };
  const env = () => ({ dryRun: false, recorder: new CallRecorder(), now: () => TEST_NOW });

  it('withholds the approve and deny links from the generic webhook by default', async () => {
    // Prepare
    const built = buildNotification(
      NotifyInputSchema.parse({ subject: 'Approve?' }),
      executionFacts(),
      TEST_NOW,
      approval,
    );
    const { transport: t, bodies } = transport({});

    // Act
    await deliverNotification(built, 'webhook', t, env());

    // Assess
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).not.toContain('SECRET-APPROVE');
    expect(bodies[0]).not.toContain('SECRET-DENY');
    expect(JSON.parse(bodies[0] ?? '{}').approval.message).toBe('Isolate?');
  });

  it('sends them when configured (webhookApprovalLinks)', async () => {
    // Prepare
    const built = buildNotification(
      NotifyInputSchema.parse({ subject: 'Approve?' }),
      executionFacts(),
      TEST_NOW,
      approval,
    );
    const { transport: t, bodies } = transport({ webhookApprovalLinks: true });

    // Act
    await deliverNotification(built, 'webhook', t, env());

    // Assess
    expect(bodies[0]).toContain('SECRET-APPROVE');
  });
});

describe('plainText', () => {
  it('leaves ordinary text alone', () => {
    expect(plainText('UnauthorizedAccess:EC2/SSHBruteForce on i-0abc (payments_api)')).toBe(
      'UnauthorizedAccess:EC2/SSHBruteForce on i-0abc (payments_api)',
    );
  });
});

import { z } from 'zod';
import { NotifyConfigError } from '../config.ts';
import type { Delivery, DeliveryEnv } from '../delivery.ts';
import { errorText, redactTokens } from '../delivery.ts';
import type { NotificationMessage } from '../message.ts';
import { actionLine, capitalize, truncate, unverifiedSteps, unverifiedText } from '../summary.ts';
import { slackEscape, slackLiteral } from '../text.ts';
import type { NotifyTransport } from '../transport.ts';

/** Block Kit text objects and blocks Riposte uses. */
export type SlackText =
  | { readonly type: 'plain_text'; readonly text: string; readonly emoji?: boolean }
  | { readonly type: 'mrkdwn'; readonly text: string };
export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText & { readonly type: 'plain_text' } }
  | { readonly type: 'section'; readonly text?: SlackText; readonly fields?: readonly SlackText[] }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] }
  | { readonly type: 'divider' }
  | {
      readonly type: 'actions';
      readonly elements: readonly {
        readonly type: 'button';
        readonly text: SlackText & { readonly type: 'plain_text' };
        readonly url: string;
        readonly style?: 'primary' | 'danger';
        readonly action_id: string;
      }[];
    };
export interface SlackPayload {
  /** Fallback for notifications and clients without blocks. */
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
  readonly unfurl_links: false;
  readonly unfurl_media: false;
}

export const SLACK_URL_MAX = 3_000;

/**
 * The Slack incoming-webhook rendering (Block Kit): a header, the summary, a section of fields,
 * what was done, why containment did not happen, approval buttons, and a context with links.
 * Link unfurling is off so Slack never fetches an approval link.
 *
 * @example
 * await http.post(webhookUrl, JSON.stringify(renderSlack(message)), { 'content-type': 'application/json' });
 */
export function renderSlack(message: NotificationMessage): SlackPayload {
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(message.subject, 150), emoji: true } },
    ...summaryBlocks(message),
    { type: 'section', fields: alertFields(message) },
    ...outcomeBlocks(message),
    ...approvalBlocks(message),
    contextBlock(message),
  ];
  return {
    text: truncate(`[${capitalize(message.severity)}] ${message.subject}`, 3_000),
    blocks,
    unfurl_links: false,
    unfurl_media: false,
  };
}

const mrkdwnSection = (text: string): SlackBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(text, 3_000) },
});

/** Dry-run, the summary and the unverified steps, when there is any. */
function summaryBlocks(message: NotificationMessage): SlackBlock[] {
  const unverified = unverifiedSteps(message);
  const summary = [
    message.mode === 'dry-run'
      ? `:test_tube: *Dry-run${message.sample ? ' (sample alert)' : ''}*: nothing was changed.`
      : '',
    message.summary === undefined ? '' : slackEscape(message.summary),
    unverified.length === 0 ? '' : `:warning: *NOT VERIFIED*: ${slackLiteral(unverifiedText(unverified))}`,
  ]
    .filter((line) => line !== '')
    .join('\n');
  return summary === '' ? [] : [mrkdwnSection(summary)];
}

/** Severity, incident, alert and the alert's resource, account and region. */
function alertFields(message: NotificationMessage): SlackText[] {
  const { alert } = message;
  const fields: SlackText[] = [
    field('Severity', capitalize(message.severity)),
    field('Incident', message.incidentId),
    field('Alert', alert.title),
  ];
  // Finding-controlled values are written as literals (slackLiteral): no mention, link or formatting.
  if (alert.source !== undefined) fields.push(field('Source', alert.source));
  if (alert.resource !== undefined) {
    fields.push(
      field(
        'Resource',
        `${alert.resourceType === undefined ? '' : `${alert.resourceType} `}${alert.resource}`,
      ),
    );
  }
  if (alert.account !== undefined) fields.push(field('Account', alert.account));
  if (alert.region !== undefined) fields.push(field('Region', alert.region));
  return fields;
}

/** The actions taken, why containment did not happen, and what is left to do by hand. */
function outcomeBlocks(message: NotificationMessage): SlackBlock[] {
  const actionLines =
    message.actions.length === 0
      ? ['_none_']
      : message.actions.map((action) => `• ${slackLiteral(actionLine(action))}`);
  const blocks = [mrkdwnSection(`*Actions taken*\n${actionLines.join('\n')}`)];
  if (message.notContained !== undefined) {
    blocks.push(
      mrkdwnSection(
        `:no_entry: *Not contained* (${slackLiteral(message.notContained.error)}): ${slackLiteral(message.notContained.reason)}`,
      ),
    );
  }
  if (message.operatorActions !== undefined) {
    const todo = message.operatorActions.map((line) => `• ${slackLiteral(line)}`).join('\n');
    blocks.push(mrkdwnSection(`:warning: *To do by hand*\n${todo}`));
  }
  return blocks;
}

/** The approval request and its buttons (or a pointer to the e-mail when the links are too long). */
function approvalBlocks(message: NotificationMessage): SlackBlock[] {
  const { approval } = message;
  if (approval === undefined) return [];
  const request = mrkdwnSection(
    `:raising_hand: *Approval needed* (until ${slackEscape(approval.expiresAt)}): ${slackEscape(approval.message)}`,
  );
  if (approval.approveUrl.length > SLACK_URL_MAX || approval.denyUrl.length > SLACK_URL_MAX) {
    return [
      request,
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'The approval links are too long for Slack: use the e-mail.' }],
      },
    ];
  }
  return [
    request,
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Approve' },
          url: approval.approveUrl,
          style: 'primary',
          action_id: 'riposte-approve',
        },
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Deny' },
          url: approval.denyUrl,
          style: 'danger',
          action_id: 'riposte-deny',
        },
      ],
    },
  ];
}

/** Up to eight links and the playbook. */
function contextBlock(message: NotificationMessage): SlackBlock {
  const context: SlackText[] = message.links
    .slice(0, 8)
    .map((link) => ({ type: 'mrkdwn', text: `<${slackUrl(link.url)}|${slackEscape(link.label)}>` }));
  context.push({
    type: 'mrkdwn',
    text: slackEscape(`Riposte playbook ${message.playbook.id} v${message.playbook.version}`),
  });
  return { type: 'context', elements: context };
}

export function field(label: string, value: string): SlackText {
  return { type: 'mrkdwn', text: truncate(`*${label}*\n${slackLiteral(value)}`, 2_000) };
}

export function slackUrl(url: string): string {
  return url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C');
}

export const SlackSecretSchema = z
  .object({ url: z.string().optional(), webhookUrl: z.string().optional() })
  .loose();

/** The Slack webhook URL from its secret: the URL itself, or JSON `{ "url" }` / `{ "webhookUrl" }`. */
export function slackWebhookUrl(secret: string, secretArn: string): string {
  let url = secret.trim();
  if (url.startsWith('{')) {
    try {
      const parsed = SlackSecretSchema.safeParse(JSON.parse(url));
      if (parsed.success) url = parsed.data.url ?? parsed.data.webhookUrl ?? '';
    } catch {
      // not JSON after all: validated below
    }
  }
  if (!url.startsWith('https://')) {
    throw new NotifyConfigError(`secret ${secretArn} does not hold an https webhook URL`);
  }
  return url;
}

/**
 * Delivers the Slack rendering: the webhook URL read from its secret, then an HTTPS POST
 * (recorded without the URL, the approval tokens redacted; in dry-run recorded only).
 */
export async function deliverSlack(
  message: NotificationMessage,
  transport: NotifyTransport,
  env: DeliveryEnv,
): Promise<Delivery> {
  const channel = 'slack';
  const secretArn = transport.config.slackWebhookSecretArn;
  if (secretArn === undefined) return { channel, status: 'not-configured' };
  const payload = renderSlack(message);
  const body = JSON.stringify(payload);
  const params = { secretArn, payload: JSON.parse(redactTokens(body)) as unknown };
  env.recorder.record({ service: 'slack', api: 'PostMessage', params, dryRun: env.dryRun, mutating: true });
  if (env.dryRun) return { channel, status: 'recorded' };
  try {
    const url = slackWebhookUrl(await transport.secrets.read(secretArn), secretArn);
    await transport.http.post(url, body, { 'content-type': 'application/json' });
    return { channel, status: 'sent' };
  } catch (error) {
    return { channel, status: 'failed', error: errorText(error) };
  }
}

import { createHmac } from 'node:crypto';
import type { Delivery, DeliveryEnv } from '../delivery.ts';
import { errorText, redactTokens, withoutQuery } from '../delivery.ts';
import type { NotificationMessage } from '../message.ts';
import type { NotifyTransport } from '../transport.ts';

/** The headers of a signed webhook. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-riposte-signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'x-riposte-timestamp';

/**
 * The webhook signature: `sha256=` + hex HMAC-SHA256, keyed with the signing secret, of
 * `<timestamp>.<body>` where `<timestamp>` is the `x-riposte-timestamp` header (Unix seconds).
 * A receiver recomputes it, compares in constant time, and rejects old timestamps (replays).
 *
 * @example
 * const expected = signWebhookBody(rawBody, secret, Number(headers['x-riposte-timestamp']));
 */
export function signWebhookBody(body: string, secret: string, timestamp: number): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * The generic webhook rendering: the message model as JSON, signed when a secret is given.
 *
 * @example
 * const { body, headers } = renderWebhook(message, signingSecret, Math.floor(Date.now() / 1000));
 */
export function renderWebhook(
  message: NotificationMessage,
  signingSecret: string | undefined,
  timestamp: number,
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(message);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'riposte' };
  if (signingSecret !== undefined) {
    headers[WEBHOOK_TIMESTAMP_HEADER] = String(timestamp);
    headers[WEBHOOK_SIGNATURE_HEADER] = signWebhookBody(body, signingSecret, timestamp);
  }
  return { body, headers };
}

/**
 * The message as the generic webhook receives it: without the approve/deny links unless
 * `webhookApprovalLinks` is configured (whoever reads a link can decide).
 */
export function webhookMessage(message: NotificationMessage, approvalLinks: boolean): NotificationMessage {
  if (message.approval === undefined || approvalLinks) return message;
  const withheld = 'withheld: approval links go to the e-mail and Slack channels only';
  return { ...message, approval: { ...message.approval, approveUrl: withheld, denyUrl: withheld } };
}

/**
 * Delivers to the generic webhook: the message (approval links withheld unless configured),
 * signed when a signing secret is configured (recorded without the query string, the tokens
 * redacted; in dry-run recorded only).
 */
export async function deliverWebhook(
  message: NotificationMessage,
  transport: NotifyTransport,
  env: DeliveryEnv,
): Promise<Delivery> {
  const channel = 'webhook';
  const { config } = transport;
  const url = config.webhookUrl;
  if (url === undefined) return { channel, status: 'not-configured' };
  const sent = webhookMessage(message, config.webhookApprovalLinks === true);
  const signed = config.webhookSigningSecretArn !== undefined;
  const params = {
    url: withoutQuery(url),
    signed,
    body: JSON.parse(redactTokens(JSON.stringify(sent))) as unknown,
  };
  env.recorder.record({ service: 'webhook', api: 'Post', params, dryRun: env.dryRun, mutating: true });
  if (env.dryRun) return { channel, status: 'recorded' };
  try {
    const secret =
      config.webhookSigningSecretArn === undefined
        ? undefined
        : await transport.secrets.read(config.webhookSigningSecretArn);
    const rendered = renderWebhook(sent, secret, Math.floor(env.now() / 1000));
    await transport.http.post(url, rendered.body, rendered.headers);
    return { channel, status: 'sent' };
  } catch (error) {
    return { channel, status: 'failed', error: errorText(error) };
  }
}

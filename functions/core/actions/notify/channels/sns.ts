import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Delivery, DeliveryEnv } from '../delivery.ts';
import { errorText, redactTokens } from '../delivery.ts';
import type { NotificationMessage } from '../message.ts';
import type { NotifyTransport } from '../transport.ts';
import { renderEmail } from './email.ts';

/** The SNS channel: Publish to the alert topic, whose subscriptions are the e-mail addresses. */

/** Publishes to SNS. */
export interface SnsPublisher {
  publish(topicArn: string, subject: string, message: string): Promise<{ readonly messageId?: string }>;
}

/**
 * {@link SnsPublisher} on an SNS client.
 *
 * @example
 * const sns = new SnsClientPublisher(new SNSClient({}));
 */
export class SnsClientPublisher implements SnsPublisher {
  private readonly client: SNSClient;

  public constructor(client: SNSClient) {
    this.client = client;
  }

  public async publish(topicArn: string, subject: string, message: string): Promise<{ messageId?: string }> {
    const out = await this.client.send(
      new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }),
    );
    return out.MessageId === undefined ? {} : { messageId: out.MessageId };
  }
}

/**
 * {@link HttpPoster} on the global `fetch`: 10 s timeout, no redirects, errors name the host only.
 *
 * @example
 * await fetchPoster.post('https://example.com/hook', '{}', { 'content-type': 'application/json' });
 */

/**
 * Delivers the e-mail rendering through SNS `Publish` to the alert topic (recorded with the
 * approval tokens redacted; in dry-run recorded only).
 */
export async function deliverEmail(
  message: NotificationMessage,
  transport: NotifyTransport,
  env: DeliveryEnv,
): Promise<Delivery> {
  const channel = 'email';
  const topicArn = transport.config.topicArn;
  if (topicArn === undefined) return { channel, status: 'not-configured' };
  const { subject, body } = renderEmail(message);
  const params = { TopicArn: topicArn, Subject: subject, Message: redactTokens(body) };
  if (env.dryRun) {
    env.recorder.record({ service: 'sns', api: 'Publish', params, dryRun: true, mutating: true });
    return { channel, status: 'recorded' };
  }
  try {
    const out = await transport.sns.publish(topicArn, subject, body);
    env.recorder.record({
      service: 'sns',
      api: 'Publish',
      params,
      dryRun: false,
      mutating: true,
      ...(out.messageId === undefined ? {} : { requestId: out.messageId }),
    });
    return { channel, status: 'sent' };
  } catch (error) {
    env.recorder.record({ service: 'sns', api: 'Publish', params, dryRun: false, mutating: true });
    return { channel, status: 'failed', error: errorText(error) };
  }
}

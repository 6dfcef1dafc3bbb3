import { deliverSlack } from './channels/slack.ts';
import { deliverEmail } from './channels/sns.ts';
import { deliverWebhook } from './channels/webhook.ts';
import { NotificationDeliveryError } from './config.ts';
import type { Delivery, DeliveryEnv } from './delivery.ts';
import type { DeliveryChannel, NotificationMessage, NotifyChannel } from './message.ts';
import type { NotifyTransport } from './transport.ts';

/**
 * Renders `message` for the requested channel(s) and sends it, recording one call per channel
 * (in dry-run: recorded, nothing sent, no secret read). Approval tokens are redacted from what
 * is recorded; the Slack URL and the signing secret never are recorded. A channel failure does
 * not stop the others; when every attempted channel failed, throws
 * {@link NotificationDeliveryError} (nobody was told: a retry duplicates nothing).
 *
 * @example
 * const deliveries = await deliverNotification(message, 'all', transport, env);
 */
export async function deliverNotification(
  message: NotificationMessage,
  channel: NotifyChannel,
  transport: NotifyTransport,
  env: DeliveryEnv,
): Promise<Delivery[]> {
  const wanted: DeliveryChannel[] = channel === 'all' ? ['email', 'slack', 'webhook'] : [channel];
  const deliveries: Delivery[] = [];
  for (const target of wanted) {
    deliveries.push(await DELIVER[target](message, transport, env));
  }
  const attempted = deliveries.filter((d) => d.status === 'sent' || d.status === 'failed');
  if (attempted.length > 0 && attempted.every((d) => d.status === 'failed')) {
    throw new NotificationDeliveryError(
      `notification "${message.subject}" reached no channel: ${attempted.map((d) => `${d.channel}: ${d.error ?? 'failed'}`).join('; ')}`,
    );
  }
  return deliveries;
}

/** Each channel's delivery (`channels/`). */
const DELIVER: Readonly<
  Record<
    DeliveryChannel,
    (message: NotificationMessage, transport: NotifyTransport, env: DeliveryEnv) => Promise<Delivery>
  >
> = { email: deliverEmail, slack: deliverSlack, webhook: deliverWebhook };

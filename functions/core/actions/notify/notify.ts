import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';
import { defineAction } from '../types.ts';
import { buildNotification } from './build.ts';
import { SnsClientPublisher } from './channels/sns.ts';
import { NOTIFY_SECRET_CALLS, NOTIFY_TOPIC_CALLS, notifyConfigFromEnv } from './config.ts';
import { deliverNotification } from './deliver.ts';
import { DeliverySchema } from './delivery.ts';
import { NotifyInputSchema } from './message.ts';
import { fetchPoster, type NotifyTransport, SecretsManagerReader } from './transport.ts';

export const NotifyOutputSchema = z.object({
  subject: z.string(),
  deliveries: z.array(DeliverySchema),
});

/**
 * The `notify` action on a given transport (tests, the local engine).
 *
 * @example
 * const notify = createNotifyAction(() => ({ config, sns, http, secrets }));
 * await notify.run(notify.input.parse({ subject: 'Contained' }), env);
 */
export function createNotifyAction(transport: () => NotifyTransport | Promise<NotifyTransport>) {
  return defineAction({
    id: 'notify',
    family: 'notify',
    description:
      'Notifies by e-mail (SNS), Slack and webhook: the incident, the alert, what the playbook did, and why containment did not happen.',
    input: NotifyInputSchema,
    output: NotifyOutputSchema,
    iamActions: [],
    calls: [NOTIFY_TOPIC_CALLS, NOTIFY_SECRET_CALLS],
    target: (input) => input.channel,
    async run(input, env) {
      const message = buildNotification(input, env.execution, env.now());
      const deliveries = await deliverNotification(message, input.channel, await transport(), env);
      return { subject: message.subject, deliveries };
    },
  });
}

export let productionTransport: NotifyTransport | undefined;

/**
 * The Lambda's transport: configuration from the environment, SNS and Secrets Manager clients
 * created once per container, `fetch` for webhooks.
 *
 * @example
 * const transport = defaultNotifyTransport();
 */
export function defaultNotifyTransport(): NotifyTransport {
  productionTransport ??= {
    config: notifyConfigFromEnv(process.env),
    sns: new SnsClientPublisher(new SNSClient({})),
    http: fetchPoster,
    secrets: new SecretsManagerReader(new SecretsManagerClient({})),
  };
  return productionTransport;
}

/** The `notify` action as deployed (see {@link createNotifyAction}). */
export const notifyAction = createNotifyAction(defaultNotifyTransport);

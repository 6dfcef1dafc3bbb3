import { z } from 'zod';
import { RiposteError } from '../../errors.ts';
import { declares } from '../../permissions.ts';

/** E-mail notifications: Publish to the alert topic. */
export const NOTIFY_TOPIC_CALLS = declares({
  service: 'sns',
  actions: ['sns:Publish'],
  resource: 'alert-topic',
  why: 'e-mail notifications are published to the alert topic',
});

/** Slack and webhook notifications: the webhook URL and signing secret. */
export const NOTIFY_SECRET_CALLS = declares({
  service: 'secretsmanager',
  actions: ['secretsmanager:GetSecretValue'],
  resource: 'notification-secrets',
  why: 'reads the Slack webhook and the webhook signing secret',
});

/**
 * Notifications: one typed message model ({@link NotificationMessage}) rendered for three
 * channels — an SNS topic (email: short plain text), a Slack incoming webhook (Block Kit) and a
 * generic webhook (the message model as JSON, optionally HMAC-signed).
 *
 * Targets come from the environment ({@link notifyConfigFromEnv}); secrets (the Slack webhook
 * URL, the webhook signing secret) are read from Secrets Manager by ARN at send time, never
 * from the repository, and never recorded. Transport is injected ({@link NotifyTransport}) so
 * tests and dry-runs render and record without sending.
 */

// -------------------------------------------------------------------------------------------
// Configuration
// -------------------------------------------------------------------------------------------

/** Environment variables the notification targets are read from. */
export const NOTIFY_ENV = {
  topicArn: 'NOTIFY_TOPIC_ARN',
  slackWebhookSecretArn: 'NOTIFY_SLACK_WEBHOOK_SECRET_ARN',
  webhookUrl: 'NOTIFY_WEBHOOK_URL',
  webhookSigningSecretArn: 'NOTIFY_WEBHOOK_SIGNING_SECRET_ARN',
  webhookApprovalLinks: 'NOTIFY_WEBHOOK_APPROVAL_LINKS',
} as const;

export const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;

/** Where notifications go. Every target is optional; an absent one is reported `not-configured`. */
export const NotifyConfigSchema = z.object({
  /** SNS topic with the e-mail (or other) subscriptions. */
  topicArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/, 'must be an SNS topic ARN')
    .optional(),
  /** Secret holding the Slack incoming-webhook URL (plain string, or JSON `{ "url": "…" }`). */
  slackWebhookSecretArn: z.string().regex(SECRET_ARN, 'must be a Secrets Manager secret ARN').optional(),
  /** Generic webhook receiving the message model as JSON. */
  webhookUrl: z
    .url({ protocol: /^https?$/ })
    .refine(
      (url) => url.startsWith('https://') || /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\//.test(url),
      'must use https (http only for localhost)',
    )
    .optional(),
  /** Secret holding the webhook signing key; the webhook is sent unsigned without it. */
  webhookSigningSecretArn: z.string().regex(SECRET_ARN, 'must be a Secrets Manager secret ARN').optional(),
  /**
   * Whether the generic webhook receives the approve/deny links (`true`). Anyone who reads them
   * can decide: by default the webhook gets the approval request without its links.
   * @default false
   */
  webhookApprovalLinks: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
});
export type NotifyConfig = z.infer<typeof NotifyConfigSchema>;

/** Raised when the notification environment variables are invalid. */
export class NotifyConfigError extends RiposteError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotifyConfigError';
  }
}

/** Raised when a notification reached none of its channels (Step Functions may retry it). */
export class NotificationDeliveryError extends RiposteError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotificationDeliveryError';
  }
}

/**
 * Reads {@link NotifyConfig} from `NOTIFY_TOPIC_ARN`, `NOTIFY_SLACK_WEBHOOK_SECRET_ARN`,
 * `NOTIFY_WEBHOOK_URL` and `NOTIFY_WEBHOOK_SIGNING_SECRET_ARN`; empty values count as absent.
 *
 * @example
 * const config = notifyConfigFromEnv(process.env);
 */
export function notifyConfigFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): NotifyConfig {
  const raw = Object.fromEntries(
    Object.entries(NOTIFY_ENV).map(([field, name]) => {
      const value = env[name]?.trim();
      return [field, value === '' ? undefined : value];
    }),
  );
  const parsed = NotifyConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues
      .map(
        (issue) =>
          `${Object.entries(NOTIFY_ENV).find(([field]) => field === issue.path[0])?.[1] ?? issue.path.join('.')}: ${issue.message}`,
      )
      .join('; ');
    throw new NotifyConfigError(`invalid notification configuration: ${details}`, { cause: parsed.error });
  }
  return parsed.data;
}

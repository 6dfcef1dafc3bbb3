import { createHmac } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';
import { RiposteError } from '../errors.ts';
import { declares } from '../permissions.ts';
import { isAwsConsoleUrl, plainText, slackEscape, slackLiteral } from './notify-text.ts';
import { caughtOutcome, operatorActionsOf } from './notify-todo.ts';
import type { CallRecorder } from './recorder.ts';
import { defineAction, type ExecutionFacts } from './types.ts';
import { verificationLine, verificationOf } from './verify/check.ts';

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

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;

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

// -------------------------------------------------------------------------------------------
// Transport
// -------------------------------------------------------------------------------------------

/** Publishes to SNS. */
export interface SnsPublisher {
  publish(topicArn: string, subject: string, message: string): Promise<{ readonly messageId?: string }>;
}

/** POSTs a body; throws on a non-2xx answer. Must never put the URL in an error message. */
export interface HttpPoster {
  post(
    url: string,
    body: string,
    headers: Readonly<Record<string, string>>,
  ): Promise<{ readonly status: number }>;
}

/** Reads a secret's string value. */
export interface SecretReader {
  read(secretArn: string): Promise<string>;
}

/** Everything a notification is sent with. */
export interface NotifyTransport {
  readonly config: NotifyConfig;
  readonly sns: SnsPublisher;
  readonly http: HttpPoster;
  readonly secrets: SecretReader;
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
export const fetchPoster: HttpPoster = {
  async post(url, body, headers) {
    const host = new URL(url).host;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        body,
        headers: { ...headers },
        redirect: 'error',
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'error';
      throw new NotificationDeliveryError(`POST to ${host} failed (${reason})`);
    }
    await response.body?.cancel();
    if (!response.ok) throw new NotificationDeliveryError(`POST to ${host} answered HTTP ${response.status}`);
    return { status: response.status };
  },
};

/**
 * {@link SecretReader} on Secrets Manager, caching each value for `ttlMs` (5 minutes by
 * default). Values are never logged.
 *
 * @example
 * const secrets = new SecretsManagerReader(new SecretsManagerClient({}));
 * const url = await secrets.read(config.slackWebhookSecretArn);
 */
export class SecretsManagerReader implements SecretReader {
  private readonly client: SecretsManagerClient;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { readonly value: Promise<string>; readonly at: number }>();

  public constructor(client: SecretsManagerClient, options: { ttlMs?: number; now?: () => number } = {}) {
    this.client = client;
    this.ttlMs = options.ttlMs ?? 300_000;
    this.now = options.now ?? Date.now;
  }

  public read(secretArn: string): Promise<string> {
    const cached = this.cache.get(secretArn);
    if (cached !== undefined && this.now() - cached.at < this.ttlMs) return cached.value;
    const value = this.client.send(new GetSecretValueCommand({ SecretId: secretArn })).then((out) => {
      if (out.SecretString === undefined || out.SecretString === '') {
        throw new NotifyConfigError(`secret ${secretArn} has no string value`);
      }
      return out.SecretString;
    });
    this.cache.set(secretArn, { value, at: this.now() });
    value.catch(() => this.cache.delete(secretArn));
    return value;
  }
}

// -------------------------------------------------------------------------------------------
// Input and message model
// -------------------------------------------------------------------------------------------

export const SEVERITIES = ['unknown', 'informational', 'low', 'medium', 'high', 'critical', 'fatal'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const NOTIFY_CHANNELS = ['all', 'email', 'slack', 'webhook'] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];
export type DeliveryChannel = Exclude<NotifyChannel, 'all'>;

/** The alert as the playbook context holds it (`$.alert`); every field optional. */
const AlertContextSchema = z
  .object({
    id: z.string(),
    source: z.string(),
    title: z.string(),
    severityId: z.number(),
    account: z.string(),
    region: z.string(),
    url: z.string(),
    sample: z.boolean(),
  })
  .partial()
  .loose();

/** The incident as the playbook context holds it (`$.incident`); every field optional. */
const IncidentContextSchema = z
  .object({
    id: z.string(),
    resourceType: z.string(),
    resourceUid: z.string(),
    account: z.string(),
    region: z.string(),
    severityId: z.number(),
  })
  .partial()
  .loose();

/**
 * What the `notify` step receives: the playbook's message (`subject`, `summary`, `channel`,
 * `severity`) plus the context the compiled playbook passes — `alert` (`$.alert`), `incident`
 * (`$.incident`), `steps` (`$.steps`: earlier step results) and `errors` (`$.errors`: caught
 * errors, whose refusals explain why containment did not happen) — and an explicit `reason`.
 */
export const NotifyInputSchema = z.object({
  channel: z.enum(NOTIFY_CHANNELS).default('all'),
  subject: z.string().min(1).max(1_000),
  severity: z.enum(SEVERITIES).optional(),
  summary: z.string().max(10_000).optional(),
  alert: AlertContextSchema.optional(),
  incident: IncidentContextSchema.optional(),
  steps: z.record(z.string(), z.unknown()).optional(),
  errors: z.record(z.string(), z.unknown()).optional(),
  /** Why containment did not happen, when the playbook knows better than the caught errors. */
  reason: z.string().max(2_000).optional(),
});
export type NotifyInput = z.input<typeof NotifyInputSchema>;
export type NotifyRequest = z.infer<typeof NotifyInputSchema>;

const LinkSchema = z.object({ label: z.string(), url: z.string() });
export type NotificationLink = z.infer<typeof LinkSchema>;

export const ActionSummarySchema = z.object({
  /** The step id in the playbook. */
  step: z.string(),
  action: z.string(),
  target: z.string().optional(),
  outcome: z.enum(['succeeded', 'failed', 'refused', 'nothing-to-release']),
  dryRun: z.boolean().optional(),
  /** The error name (`ProtectedResourceError`...) when it failed or was refused. */
  error: z.string().optional(),
  /** The error message: why. */
  message: z.string().optional(),
  /** The action's read-back of its effect: whether it held, and (when not) what differs. */
  verified: z.boolean().optional(),
  verification: z.string().optional(),
});
export type ActionSummary = z.infer<typeof ActionSummarySchema>;

/** The notification, whatever the channel; the generic webhook receives exactly this as JSON. */
export const NotificationMessageSchema = z.object({
  schema: z.literal('riposte.notification/v1'),
  subject: z.string(),
  severity: z.enum(SEVERITIES),
  summary: z.string().optional(),
  incidentId: z.string(),
  alertId: z.string(),
  /** `dry-run`: nothing was (or will be) changed. */
  mode: z.enum(['live', 'dry-run']),
  sample: z.boolean(),
  playbook: z.object({ id: z.string(), version: z.string(), executionId: z.string().optional() }),
  alert: z.object({
    title: z.string(),
    source: z.string().optional(),
    resource: z.string().optional(),
    resourceType: z.string().optional(),
    account: z.string().optional(),
    region: z.string().optional(),
  }),
  actions: z.array(ActionSummarySchema),
  /** Present when containment did not happen: the refusal and its reason. */
  notContained: z.object({ step: z.string().optional(), error: z.string(), reason: z.string() }).optional(),
  /** What an operator must do by hand (rotate a key the attacker used...), from the steps' outputs. */
  operatorActions: z.array(z.string()).optional(),
  /** Present on approval requests. */
  approval: z
    .object({ approveUrl: z.string(), denyUrl: z.string(), expiresAt: z.string(), message: z.string() })
    .optional(),
  links: z.array(LinkSchema),
  sentAt: z.string(),
});
export type NotificationMessage = z.infer<typeof NotificationMessageSchema>;

/** Errors that mean "containment refused on purpose", not "containment broke". */
export const REFUSAL_ERRORS: ReadonlySet<string> = new Set([
  'ProtectedResourceError',
  'SampleAlertError',
  'NotAllowedError',
  'BlastRadiusExceededError',
  'ApprovalDenied',
]);

const OCSF_SEVERITY: Readonly<Record<number, Severity>> = {
  0: 'unknown',
  1: 'informational',
  2: 'low',
  3: 'medium',
  4: 'high',
  5: 'critical',
  6: 'fatal',
};

const StepResultSchema = z
  .object({ action: z.string(), target: z.string().optional(), dryRun: z.boolean().optional() })
  .loose();
const CaughtErrorSchema = z.object({ Error: z.string(), Cause: z.string().optional() }).loose();
const LambdaCauseSchema = z.object({ errorMessage: z.string() }).loose();

/**
 * Builds the message model from the step's input and the execution facts.
 *
 * @example
 * const message = buildNotification({ subject: 'Instance isolated', steps: ctx.steps }, execution, Date.now());
 */
export function buildNotification(
  input: NotifyRequest,
  execution: ExecutionFacts,
  now: number,
  approval?: NotificationMessage['approval'],
): NotificationMessage {
  const { alert, incident } = input;
  const actions: ActionSummary[] = [];
  for (const [step, value] of Object.entries(input.steps ?? {})) {
    const result = StepResultSchema.safeParse(value);
    if (!result.success) continue;
    const verification = verificationOf(result.data.output);
    actions.push({
      step,
      action: result.data.action,
      ...(result.data.target === undefined ? {} : { target: plainText(result.data.target) }),
      outcome: 'succeeded',
      ...(result.data.dryRun === undefined ? {} : { dryRun: result.data.dryRun }),
      ...(verification === undefined
        ? {}
        : { verified: verification.verified, verification: plainText(verificationLine(verification)) }),
    });
  }
  for (const [step, value] of Object.entries(input.errors ?? {})) {
    const caught = CaughtErrorSchema.safeParse(value);
    if (!caught.success) continue;
    actions.push({
      step,
      action: step,
      outcome: caughtOutcome(caught.data.Error, REFUSAL_ERRORS),
      error: plainText(caught.data.Error),
      message: plainText(causeMessage(caught.data.Cause, caught.data.Error)),
    });
  }
  const refusal = actions.find((a) => a.outcome === 'refused');
  const notContained =
    input.reason !== undefined
      ? { error: refusal?.error ?? 'NotContained', reason: input.reason }
      : refusal !== undefined
        ? {
            step: refusal.step,
            error: refusal.error ?? 'Refused',
            reason: refusal.message ?? refusal.error ?? '',
          }
        : undefined;
  const operatorActions = operatorActionsOf(input.steps);
  const severityId = alert?.severityId ?? incident?.severityId;
  const account = nonEmpty(incident?.account) ?? nonEmpty(alert?.account) ?? execution.account;
  const region = nonEmpty(incident?.region) ?? nonEmpty(alert?.region) ?? execution.region;
  const message: NotificationMessage = {
    schema: 'riposte.notification/v1',
    subject: input.subject,
    severity:
      input.severity ?? (severityId === undefined ? 'unknown' : (OCSF_SEVERITY[severityId] ?? 'unknown')),
    ...(input.summary === undefined ? {} : { summary: input.summary }),
    incidentId: execution.incidentId,
    alertId: execution.alertId,
    mode: execution.mode,
    sample: execution.sample,
    playbook: {
      id: execution.playbookId,
      version: execution.playbookVersion,
      ...(execution.executionId === undefined ? {} : { executionId: execution.executionId }),
    },
    // Everything below comes from the finding: one line each, controls and newlines removed.
    alert: {
      title: nonEmpty(plainText(alert?.title ?? '')) ?? input.subject,
      ...optional('source', nonEmpty(plainText(alert?.source ?? ''))),
      ...optional('resource', nonEmpty(plainText(incident?.resourceUid ?? ''))),
      ...optional('resourceType', nonEmpty(plainText(incident?.resourceType ?? ''))),
      ...optional('account', nonEmpty(plainText(account ?? ''))),
      ...optional('region', nonEmpty(plainText(region ?? ''))),
    },
    actions,
    ...(notContained === undefined ? {} : { notContained }),
    ...(operatorActions.length === 0 ? {} : { operatorActions }),
    ...(approval === undefined ? {} : { approval }),
    links: consoleLinks(alert?.url, alert?.source, execution),
    sentAt: new Date(now).toISOString(),
  };
  return message;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Partial<Record<K, string>>);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The message of a caught Lambda error: `Cause` is the Lambda's JSON error, or plain text. */
function causeMessage(cause: string | undefined, name: string): string {
  if (cause === undefined || cause === '') return name;
  try {
    const parsed = LambdaCauseSchema.safeParse(JSON.parse(cause));
    if (parsed.success) return truncate(parsed.data.errorMessage, 1_000);
  } catch {
    // plain text cause
  }
  return truncate(cause, 1_000);
}

const FINDING_LABELS: Readonly<Record<string, string>> = {
  'aws.guardduty': 'GuardDuty finding',
  'aws.securityhub': 'Security Hub finding',
  'aws.inspector2': 'Inspector finding',
  'aws.macie': 'Macie finding',
  'aws.access-analyzer': 'Access Analyzer finding',
};

/**
 * The finding's own console link and the Step Functions execution's. The finding's URL is
 * finding-controlled (`SourceUrl` of an imported Security Hub finding): it is kept only when it
 * is an https link to an AWS console domain ({@link isAwsConsoleUrl}), otherwise dropped.
 */
export function consoleLinks(
  findingUrl: string | undefined,
  source: string | undefined,
  execution: ExecutionFacts,
): NotificationLink[] {
  const links: NotificationLink[] = [];
  if (findingUrl !== undefined && isAwsConsoleUrl(findingUrl)) {
    links.push({ label: FINDING_LABELS[source ?? ''] ?? 'Finding', url: findingUrl });
  }
  const executionUrl = executionConsoleUrl(execution.executionId, execution.region);
  if (executionUrl !== undefined) links.push({ label: 'Step Functions execution', url: executionUrl });
  return links;
}

/**
 * The console link of a Step Functions execution, from its ARN (`$$.Execution.Id`): the
 * region and partition come from the ARN; `fallbackRegion` is used when it is not an ARN.
 *
 * @example
 * executionConsoleUrl('arn:aws:states:eu-west-1:111122223333:execution:contain:run-1')
 * // https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:…
 */
export function executionConsoleUrl(
  executionId: string | undefined,
  fallbackRegion?: string,
): string | undefined {
  if (executionId === undefined || executionId === '') return undefined;
  const arn = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):\d{12}:execution:[^\s]+$/.exec(executionId);
  if (arn === null) return undefined;
  const partition = arn[1] ?? 'aws';
  const region = arn[2] ?? fallbackRegion ?? 'us-east-1';
  const host =
    partition === 'aws-cn'
      ? 'https://console.amazonaws.cn'
      : partition === 'aws-us-gov'
        ? 'https://console.amazonaws-us-gov.com'
        : `https://${region}.console.aws.amazon.com`;
  return `${host}/states/home?region=${region}#/v2/executions/details/${executionId}`;
}

// -------------------------------------------------------------------------------------------
// Renderers
// -------------------------------------------------------------------------------------------

/** SNS subjects: printable ASCII, no line breaks, under 100 characters. */
export const MAX_EMAIL_SUBJECT = 99;

/**
 * The e-mail (SNS) rendering: a subject under 100 printable-ASCII characters and a short
 * plain-text body.
 *
 * @example
 * const { subject, body } = renderEmail(message);
 */
export function renderEmail(message: NotificationMessage): { subject: string; body: string } {
  const dry = message.mode === 'dry-run' ? '[DRY-RUN]' : '';
  const unverified = unverifiedSteps(message);
  const flag = unverified.length > 0 ? '[NOT VERIFIED]' : '';
  const subject = snsSubject(`[Riposte][${message.severity.toUpperCase()}]${flag}${dry} ${message.subject}`);
  const lines: string[] = [message.subject];
  if (message.summary !== undefined) lines.push('', message.summary);
  if (unverified.length > 0) lines.push('', `NOT VERIFIED: ${unverifiedText(unverified)}`);
  if (message.mode === 'dry-run') {
    lines.push('', `DRY-RUN${message.sample ? ' (sample alert)' : ''}: nothing was changed.`);
  }
  const { alert } = message;
  lines.push(
    '',
    `Incident:  ${message.incidentId}`,
    `Alert:     ${alert.title}`,
    `Severity:  ${capitalize(message.severity)}`,
  );
  if (alert.source !== undefined) lines.push(`Source:    ${alert.source}`);
  if (alert.resource !== undefined) {
    lines.push(
      `Resource:  ${alert.resourceType === undefined ? '' : `${alert.resourceType} `}${alert.resource}`,
    );
  }
  if (alert.account !== undefined || alert.region !== undefined) {
    lines.push(`Account:   ${[alert.account, alert.region].filter((v) => v !== undefined).join(' / ')}`);
  }
  lines.push('', 'Actions taken:');
  if (message.actions.length === 0) lines.push('  (none)');
  for (const action of message.actions) lines.push(`  - ${actionLine(action)}`);
  if (message.notContained !== undefined) {
    lines.push('', `NOT CONTAINED (${message.notContained.error}): ${message.notContained.reason}`);
  }
  if (message.operatorActions !== undefined) {
    lines.push('', 'TO DO BY HAND:', ...message.operatorActions.map((line) => `  - ${line}`));
  }
  if (message.approval !== undefined) {
    lines.push(
      '',
      `APPROVAL NEEDED (until ${message.approval.expiresAt}): ${message.approval.message}`,
      `  Approve: ${message.approval.approveUrl}`,
      `  Deny:    ${message.approval.denyUrl}`,
    );
  }
  if (message.links.length > 0) {
    lines.push('', 'Links:');
    for (const link of message.links) lines.push(`  ${link.label}: ${link.url}`);
  }
  lines.push(
    '',
    '--',
    `Riposte playbook ${message.playbook.id} v${message.playbook.version}, ${message.sentAt}`,
  );
  return { subject, body: lines.join('\n') };
}

/** The steps whose read-back did not show their effect (changes applied, the effect not read). */
function unverifiedSteps(message: NotificationMessage): ActionSummary[] {
  return message.actions.filter((a) => a.verification?.startsWith('NOT VERIFIED') === true);
}

function unverifiedText(steps: readonly ActionSummary[]): string {
  return `the read-back of ${steps.map((a) => a.step).join(', ')} does not show the change in effect (see the actions)`;
}

function actionLine(action: ActionSummary): string {
  const what = action.action === action.step ? action.step : `${action.step} (${action.action})`;
  const on = action.target === undefined || action.target === '' ? '' : ` on ${action.target}`;
  const dry = action.dryRun === true ? ' [dry-run]' : '';
  const why = action.message === undefined ? '' : `: ${action.message}`;
  const verified = action.verification === undefined ? '' : ` (${action.verification})`;
  return `${what}${on}: ${action.outcome}${dry}${why}${verified}`;
}

function snsSubject(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return ascii.length <= MAX_EMAIL_SUBJECT ? ascii : `${ascii.slice(0, MAX_EMAIL_SUBJECT - 3).trimEnd()}...`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

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

const SLACK_URL_MAX = 3_000;

/**
 * The Slack incoming-webhook rendering (Block Kit): a header, the summary, a section of fields,
 * what was done, why containment did not happen, approval buttons, and a context with links.
 * Link unfurling is off so Slack never fetches an approval link.
 *
 * @example
 * await http.post(webhookUrl, JSON.stringify(renderSlack(message)), { 'content-type': 'application/json' });
 */
export function renderSlack(message: NotificationMessage): SlackPayload {
  const { alert } = message;
  const unverified = unverifiedSteps(message);
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(message.subject, 150), emoji: true } },
  ];
  const summary = [
    message.mode === 'dry-run'
      ? `:test_tube: *Dry-run${message.sample ? ' (sample alert)' : ''}*: nothing was changed.`
      : '',
    message.summary === undefined ? '' : slackEscape(message.summary),
    unverified.length === 0 ? '' : `:warning: *NOT VERIFIED*: ${slackLiteral(unverifiedText(unverified))}`,
  ]
    .filter((line) => line !== '')
    .join('\n');
  if (summary !== '')
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(summary, 3_000) } });
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
  blocks.push({ type: 'section', fields });
  const actionLines =
    message.actions.length === 0
      ? ['_none_']
      : message.actions.map((action) => `• ${slackLiteral(actionLine(action))}`);
  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: truncate(`*Actions taken*\n${actionLines.join('\n')}`, 3_000) },
  });
  if (message.notContained !== undefined) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(
          `:no_entry: *Not contained* (${slackLiteral(message.notContained.error)}): ${slackLiteral(message.notContained.reason)}`,
          3_000,
        ),
      },
    });
  }
  if (message.operatorActions !== undefined) {
    const todo = message.operatorActions.map((line) => `• ${slackLiteral(line)}`).join('\n');
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(`:warning: *To do by hand*\n${todo}`, 3_000) },
    });
  }
  if (message.approval !== undefined) {
    const { approval } = message;
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(
          `:raising_hand: *Approval needed* (until ${slackEscape(approval.expiresAt)}): ${slackEscape(approval.message)}`,
          3_000,
        ),
      },
    });
    if (approval.approveUrl.length <= SLACK_URL_MAX && approval.denyUrl.length <= SLACK_URL_MAX) {
      blocks.push({
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
      });
    } else {
      blocks.push({
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'The approval links are too long for Slack: use the e-mail.' }],
      });
    }
  }
  const context: SlackText[] = message.links
    .slice(0, 8)
    .map((link) => ({ type: 'mrkdwn', text: `<${slackUrl(link.url)}|${slackEscape(link.label)}>` }));
  context.push({
    type: 'mrkdwn',
    text: slackEscape(`Riposte playbook ${message.playbook.id} v${message.playbook.version}`),
  });
  blocks.push({ type: 'context', elements: context });
  return {
    text: truncate(`[${capitalize(message.severity)}] ${message.subject}`, 3_000),
    blocks,
    unfurl_links: false,
    unfurl_media: false,
  };
}

function field(label: string, value: string): SlackText {
  return { type: 'mrkdwn', text: truncate(`*${label}*\n${slackLiteral(value)}`, 2_000) };
}

function slackUrl(url: string): string {
  return url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C');
}

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

// -------------------------------------------------------------------------------------------
// Delivery
// -------------------------------------------------------------------------------------------

export const DeliverySchema = z.object({
  channel: z.enum(['email', 'slack', 'webhook']),
  /** `recorded`: rendered and recorded in dry-run, not sent. */
  status: z.enum(['sent', 'recorded', 'not-configured', 'failed']),
  error: z.string().optional(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

/** What delivery needs from the action environment. */
export interface DeliveryEnv {
  readonly dryRun: boolean;
  readonly recorder: CallRecorder;
  readonly now: () => number;
}

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
    deliveries.push(await deliverOne(message, target, transport, env));
  }
  const attempted = deliveries.filter((d) => d.status === 'sent' || d.status === 'failed');
  if (attempted.length > 0 && attempted.every((d) => d.status === 'failed')) {
    throw new NotificationDeliveryError(
      `notification "${message.subject}" reached no channel: ${attempted.map((d) => `${d.channel}: ${d.error ?? 'failed'}`).join('; ')}`,
    );
  }
  return deliveries;
}

async function deliverOne(
  message: NotificationMessage,
  channel: DeliveryChannel,
  transport: NotifyTransport,
  env: DeliveryEnv,
): Promise<Delivery> {
  const { config } = transport;
  const dryRun = env.dryRun;
  switch (channel) {
    case 'email': {
      const topicArn = config.topicArn;
      if (topicArn === undefined) return { channel, status: 'not-configured' };
      const { subject, body } = renderEmail(message);
      const params = { TopicArn: topicArn, Subject: subject, Message: redactTokens(body) };
      if (dryRun) {
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
    case 'slack': {
      const secretArn = config.slackWebhookSecretArn;
      if (secretArn === undefined) return { channel, status: 'not-configured' };
      const payload = renderSlack(message);
      const body = JSON.stringify(payload);
      const params = { secretArn, payload: JSON.parse(redactTokens(body)) as unknown };
      env.recorder.record({ service: 'slack', api: 'PostMessage', params, dryRun, mutating: true });
      if (dryRun) return { channel, status: 'recorded' };
      try {
        const url = slackWebhookUrl(await transport.secrets.read(secretArn), secretArn);
        await transport.http.post(url, body, { 'content-type': 'application/json' });
        return { channel, status: 'sent' };
      } catch (error) {
        return { channel, status: 'failed', error: errorText(error) };
      }
    }
    case 'webhook': {
      const url = config.webhookUrl;
      if (url === undefined) return { channel, status: 'not-configured' };
      const sent = webhookMessage(message, config.webhookApprovalLinks === true);
      const signed = config.webhookSigningSecretArn !== undefined;
      const params = {
        url: withoutQuery(url),
        signed,
        body: JSON.parse(redactTokens(JSON.stringify(sent))) as unknown,
      };
      env.recorder.record({ service: 'webhook', api: 'Post', params, dryRun, mutating: true });
      if (dryRun) return { channel, status: 'recorded' };
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
  }
}

/**
 * The message as the generic webhook receives it: without the approve/deny links unless
 * `webhookApprovalLinks` is configured (whoever reads a link can decide).
 */
function webhookMessage(message: NotificationMessage, approvalLinks: boolean): NotificationMessage {
  if (message.approval === undefined || approvalLinks) return message;
  const withheld = 'withheld: approval links go to the e-mail and Slack channels only';
  return { ...message, approval: { ...message.approval, approveUrl: withheld, denyUrl: withheld } };
}

const SlackSecretSchema = z.object({ url: z.string().optional(), webhookUrl: z.string().optional() }).loose();

/** The Slack webhook URL from its secret: the URL itself, or JSON `{ "url" }` / `{ "webhookUrl" }`. */
function slackWebhookUrl(secret: string, secretArn: string): string {
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

/** Approval links carry bearer tokens: what is recorded (timeline, dry-run output) never does. */
export function redactTokens(text: string): string {
  return text.replace(/([?&]token=)[A-Za-z0-9_.~%-]+/g, '$1REDACTED');
}

function withoutQuery(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

// -------------------------------------------------------------------------------------------
// The action
// -------------------------------------------------------------------------------------------

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

let productionTransport: NotifyTransport | undefined;

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

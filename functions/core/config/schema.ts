import { z } from 'zod';
import { SafetyPolicySchema } from '../actions/types.ts';

/**
 * Riposte's deployment configuration, read from `cdk.json` context key `riposte` by the CDK app
 * and by the local runtime (so both see the same sources, thresholds and rules). Every field
 * has a default; an empty object is a working configuration.
 *
 * @example
 * // cdk.json
 * { "context": { "riposte": { "sources": { "inspector": { "enabled": false } }, "incidentWindowHours": 12 } } }
 */

/** Minimum OCSF severity_id (0 Unknown … 5 Critical) an alert needs to be routed to Riposte. */
export const MinSeveritySchema = z.number().int().min(0).max(5);

export const SourceSettingsSchema = z.object({
  /** Whether the EventBridge rule for this source is deployed. */
  enabled: z.boolean().optional(),
  /** Events below this OCSF severity are filtered out by the rule itself (where the source has one). */
  minSeverity: MinSeveritySchema.optional(),
  /**
   * `custom` only: the accounts allowed to send `riposte.custom` events (the rule's `account`
   * filter, checked again by ingest). Required when `custom` is enabled.
   */
  accounts: z
    .array(z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'))
    .min(1)
    .optional(),
});
export type SourceSettings = z.infer<typeof SourceSettingsSchema>;

export const SOURCE_IDS = [
  'guardduty',
  'securityhub',
  'securityhubCustomAction',
  'inspector',
  'macie',
  'accessAnalyzer',
  'config',
  'cloudtrail',
  'health',
  'custom',
] as const;
export const SourceIdSchema = z.enum(SOURCE_IDS);
export type SourceId = z.infer<typeof SourceIdSchema>;

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;

export const NotificationsSchema = z.strictObject({
  /** E-mail addresses subscribed to the alert topic (each confirms its subscription). @default [] */
  emails: z.array(z.email()).default([]),
  /**
   * ARN of the Secrets Manager secret holding the Slack incoming-webhook URL (the URL itself, or
   * JSON `{ "url": "…" }`); the secret is created outside Riposte, its value never in the
   * repository. @default none - no Slack notification
   */
  slackWebhookSecretArn: z.string().regex(SECRET_ARN, 'must be a Secrets Manager secret ARN').optional(),
  /** HTTPS endpoint receiving every notification as JSON. @default none - no webhook */
  webhookUrl: z.url({ protocol: /^https$/ }).optional(),
  /**
   * ARN of the secret holding the key the webhook body is HMAC-signed with.
   * @default none - the webhook is sent unsigned
   */
  webhookSigningSecretArn: z.string().regex(SECRET_ARN, 'must be a Secrets Manager secret ARN').optional(),
});
export type NotificationSettings = z.infer<typeof NotificationsSchema>;

export const RiposteConfigSchema = z.strictObject({
  /** Per-source switches and severity floors; unspecified sources use the catalog defaults. */
  sources: z.partialRecord(SourceIdSchema, SourceSettingsSchema).default({}),
  /** How long an incident stays open for new alerts on the same resource. @default 24 */
  incidentWindowHours: z
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  /** Rejected events are kept this many days, then expire (DynamoDB TTL). @default 90 */
  rejectedRetentionDays: z.number().int().positive().max(3650).default(90),
  /** CloudWatch Logs retention for every Riposte log group, in days. @default 365 */
  logRetentionDays: z.number().int().positive().default(365),
  /** Receives of one SQS message before it moves to the dead-letter queue. @default 5 */
  maxReceiveCount: z.number().int().min(1).max(1000).default(5),
  /**
   * The rails every containment action passes: the protected tag (@default `riposte:protected` =
   * `true`), the accounts and regions containment may (`allow`, @default all) and may never
   * (`deny`, @default none) act in, and the containments allowed per rolling hour before an
   * approval is required (`blastRadiusPerHour`, @default 10).
   */
  safety: z.strictObject(SafetyPolicySchema.shape).prefault({}),
  /** Where notifications go. @default no e-mail, no Slack, no webhook */
  notifications: NotificationsSchema.prefault({}),
  /**
   * Name of the role Riposte assumes in member accounts to act there (deployed in each member
   * account). @default 'RiposteMemberResponse'
   */
  memberRoleName: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name')
    .default('RiposteMemberResponse'),
  /** External id the member role's trust policy requires. @default none - no external id is sent */
  memberRoleExternalId: z
    .string()
    .regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2 to 1224 characters of [A-Za-z0-9+=,.@:/_-]')
    .optional(),
  /**
   * The security account, where Riposte runs: the default of the member stack's
   * `SecurityAccountId` parameter (a StackSet can still pass its own).
   * @default none - the parameter has no default and must be given at deployment
   */
  securityAccountId: z
    .string()
    .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
    .optional(),
  /**
   * Name of the EventBridge bus Riposte publishes its lifecycle events to (incident opened,
   * escalated, contained, released; playbook failed). @default 'riposte-lifecycle'
   */
  lifecycleBusName: z
    .string()
    .regex(
      /^(?!default$)[\w.-]{1,256}$/,
      'must be an event bus name other than "default" ([A-Za-z0-9._-], 1 to 256)',
    )
    .default('riposte-lifecycle'),
});
export type RiposteConfig = z.infer<typeof RiposteConfigSchema>;

/**
 * The accounts allowed to send `riposte.custom` events: none unless the `custom` source is
 * enabled (it is off by default) with its `accounts`.
 *
 * @example
 * customSourceAccounts(parseConfig({ sources: { custom: { enabled: true, accounts: ['111122223333'] } } }))
 * // ['111122223333']
 */
export function customSourceAccounts(config: RiposteConfig): readonly string[] {
  const custom = config.sources.custom;
  return custom?.enabled === true ? (custom.accounts ?? []) : [];
}

/** Settings the schema alone cannot express: `accounts` belongs to `custom`, which needs them when enabled. */
function sourceProblems(config: RiposteConfig): string[] {
  const problems: string[] = [];
  for (const [id, settings] of Object.entries(config.sources)) {
    if (id !== 'custom' && settings?.accounts !== undefined) {
      problems.push(`riposte.sources.${id}.accounts: only the custom source takes accounts`);
    }
  }
  const custom = config.sources.custom;
  if (custom?.enabled === true && custom.accounts === undefined) {
    problems.push(
      'riposte.sources.custom.accounts: name the accounts allowed to send riposte.custom events (the source is enabled)',
    );
  }
  return problems;
}

/** Thrown when the `riposte` context in cdk.json does not match {@link RiposteConfigSchema}. */
export class InvalidConfigError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidConfigError';
  }
}

/** Parses the `riposte` context value, failing with a message naming each bad key. */
export function parseConfig(value: unknown): RiposteConfig {
  const result = RiposteConfigSchema.safeParse(value ?? {});
  if (!result.success) {
    const details = result.error.issues.map((i) => `riposte.${i.path.join('.')}: ${i.message}`).join('; ');
    throw new InvalidConfigError(`invalid Riposte configuration in cdk.json context: ${details}`, {
      cause: result.error,
    });
  }
  const problems = sourceProblems(result.data);
  if (problems.length > 0) {
    throw new InvalidConfigError(`invalid Riposte configuration in cdk.json context: ${problems.join('; ')}`);
  }
  return result.data;
}

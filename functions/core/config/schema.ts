import { z } from 'zod';

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
  'custom',
] as const;
export const SourceIdSchema = z.enum(SOURCE_IDS);
export type SourceId = z.infer<typeof SourceIdSchema>;

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
});
export type RiposteConfig = z.infer<typeof RiposteConfigSchema>;

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
  return result.data;
}

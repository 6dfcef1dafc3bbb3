import { z } from 'zod';

// Input and message model
// -------------------------------------------------------------------------------------------

export const SEVERITIES = ['unknown', 'informational', 'low', 'medium', 'high', 'critical', 'fatal'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const NOTIFY_CHANNELS = ['all', 'email', 'slack', 'webhook'] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];
export type DeliveryChannel = Exclude<NotifyChannel, 'all'>;

/** The alert as the playbook context holds it (`$.alert`); every field optional. */
export const AlertContextSchema = z
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
export const IncidentContextSchema = z
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

export const LinkSchema = z.object({ label: z.string(), url: z.string() });
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

export const OCSF_SEVERITY: Readonly<Record<number, Severity>> = {
  0: 'unknown',
  1: 'informational',
  2: 'low',
  3: 'medium',
  4: 'high',
  5: 'critical',
  6: 'fatal',
};

export const StepResultSchema = z
  .object({ action: z.string(), target: z.string().optional(), dryRun: z.boolean().optional() })
  .loose();
export const CaughtErrorSchema = z.object({ Error: z.string(), Cause: z.string().optional() }).loose();
export const LambdaCauseSchema = z.object({ errorMessage: z.string() }).loose();

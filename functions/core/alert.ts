import { OcsfEventSchema } from './ocsf/schema.ts';
import * as z from './zod.ts';

/**
 * The normalized alert: the one shape every source is turned into, and the only thing the
 * store, the incident logic and the playbooks read.
 *
 * - `id` is deterministic per underlying finding (see {@link alertIdFor}): a re-delivery, a later
 *   update of the same finding, or the same GuardDuty finding seen natively and through Security
 *   Hub all share it.
 * - `source` is the EventBridge `source` the event arrived with (`aws.guardduty`, ...).
 * - `sample` marks findings the provider generated as samples; they must never be contained.
 * - `ocsf` is an OCSF 1.6.0 event with the `cloud` profile.
 *
 * @example
 * const alert = AlertSchema.parse(JSON.parse(line));
 * if (!alert.sample && alert.ocsf.severity_id >= 4) escalate(alert);
 */
export const AlertSchema = z.object({
  id: z.string().check(z.regex(/^[0-9a-f]{32}$/, 'alert id is 32 lower-case hex characters')),
  source: z.string().check(z.minLength(1)),
  sample: z.boolean(),
  ocsf: OcsfEventSchema,
});
export type Alert = z.infer<typeof AlertSchema>;

/**
 * Stable machine codes for input Riposte refuses. They never change meaning: tooling and
 * metrics key on them.
 */
export const REJECTION_REASONS = [
  /** The bytes are not JSON (truncated file, garbage). */
  'invalid_json',
  /** JSON, but not an object: `null`, an array, a number, a string. */
  'not_an_object',
  /** Over EventBridge's 256 KB event size limit. */
  'too_large',
  /** The EventBridge envelope lacks `source` or `detail-type`. */
  'missing_envelope_field',
  /** No `detail`, or a `detail` that is not an object (nor a JSON string of one). */
  'missing_detail',
  /** A source Riposte has no normalizer for. */
  'unsupported_source',
  /** A known source, but a `detail-type` Riposte does not handle. */
  'unsupported_detail_type',
  /** A well-formed event that is not a finding (Insight Results, a clean malware scan...). */
  'not_a_finding',
  /** A required field is missing. */
  'missing_field',
  /** A field has the wrong type or an impossible value. */
  'invalid_field',
  /** A normalizer failed unexpectedly; the event is kept for investigation. */
  'internal_error',
  /** Objects and arrays nested deeper than Riposte reads (64 levels). */
  'too_deep',
  /** A `riposte.custom` event from an account that is not allowed to send them. */
  'untrusted_sender',
] as const;

export const RejectionReasonSchema = z.enum(REJECTION_REASONS);
export type RejectionReason = z.infer<typeof RejectionReasonSchema>;

/** Why an input was not turned into an alert. */
export const RejectionSchema = z.object({
  reason: RejectionReasonSchema,
  message: z.string().check(z.minLength(1)),
});
export type Rejection = z.infer<typeof RejectionSchema>;

/** One result of normalizing an input: an input yields one or more of these, in order. */
export type NormalizeOutput = { readonly alert: Alert } | { readonly rejected: Rejection };

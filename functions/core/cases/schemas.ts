import { z } from 'zod';
import { InvalidInputError } from '../errors.ts';
import { RESOLUTIONS } from '../lifecycle/status.ts';

/**
 * The inputs of the case operations, checked at the edge (CLI, console API) with these schemas;
 * the operations parse them again, so no caller can skip the check.
 */

/** Who acts: the OS user locally, the caller's ARN (STS GetCallerIdentity) against a deployment. */
export const ActorSchema = z
  .string()
  .trim()
  .min(1, 'the actor is empty')
  .max(2048, 'the actor is longer than 2048 characters');

export const IncidentIdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'an incident id is 1-128 letters, digits, and _ . : -');

/** An owner: a user name, an email address or an ARN. */
export const OwnerSchema = z
  .string()
  .trim()
  .min(1, 'the owner is empty')
  .max(256, 'the owner is longer than 256 characters')
  .regex(/^[^\p{Cc}]+$/u, 'the owner contains control characters');

/** A tag: trimmed and lower-cased, so `Phishing ` and `phishing` are one tag. */
export const TagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'a tag is empty')
  .max(64, 'a tag is longer than 64 characters')
  .regex(/^[\p{L}\p{N} _.:/=+@-]+$/u, 'a tag holds letters, digits, spaces and _ . : / = + @ -');

export const ResolutionSchema = z.enum(RESOLUTIONS);

/** How long a suppression lasts: at least a minute, at most a year. */
export const SuppressionDurationSchema = z
  .number()
  .int()
  .min(60_000, 'a suppression lasts at least 1 minute')
  .max(366 * 86_400_000, 'a suppression lasts at most 366 days');

export const AssignInputSchema = z.object({
  incidentId: IncidentIdSchema,
  /** The new owner; null unassigns. */
  owner: OwnerSchema.nullable(),
  actor: ActorSchema,
});
export type AssignInput = z.input<typeof AssignInputSchema>;

/** A note's text: append-only, at most 10,000 characters. */
export const NoteTextSchema = z
  .string()
  .trim()
  .min(1, 'the note is empty')
  .max(10_000, 'a note is at most 10,000 characters');

/** Free text beside a case change: a closing note, the reason for a reopen. */
export const ReasonSchema = z.string().trim().min(1).max(10_000);

export const AddNoteInputSchema = z.object({
  incidentId: IncidentIdSchema,
  text: NoteTextSchema,
  author: ActorSchema,
});
export type AddNoteInput = z.input<typeof AddNoteInputSchema>;

export const SetTagsInputSchema = z
  .object({
    incidentId: IncidentIdSchema,
    add: z.array(TagSchema).max(50).default([]),
    remove: z.array(TagSchema).max(50).default([]),
    actor: ActorSchema,
  })
  .refine((input) => input.add.length + input.remove.length > 0, 'name a tag to add or remove');
export type SetTagsInput = z.input<typeof SetTagsInputSchema>;

export const CloseInputSchema = z
  .object({
    incidentId: IncidentIdSchema,
    resolution: ResolutionSchema,
    actor: ActorSchema,
    /** An optional closing note, appended to the case log. */
    note: ReasonSchema.optional(),
    /** Suppress the incident's resource and finding types (false positives only). */
    suppress: z.object({ durationMs: SuppressionDurationSchema }).optional(),
  })
  .refine(
    (input) => input.suppress === undefined || input.resolution === 'false_positive',
    'only an incident closed as false_positive may create a suppression',
  );
export type CloseInput = z.input<typeof CloseInputSchema>;

export const ReopenInputSchema = z.object({
  incidentId: IncidentIdSchema,
  actor: ActorSchema,
  reason: ReasonSchema.optional(),
});
export type ReopenInput = z.input<typeof ReopenInputSchema>;

export const CreateSuppressionInputSchema = z.object({
  resourceKey: z.string().min(1).max(2048),
  findingType: z.string().min(1).max(1024),
  durationMs: SuppressionDurationSchema,
  actor: ActorSchema,
  /** The incident whose close created it, when any. */
  incidentId: IncidentIdSchema.optional(),
  reason: z.string().trim().min(1).max(1024).optional(),
});
export type CreateSuppressionInput = z.input<typeof CreateSuppressionInputSchema>;

export const RemoveSuppressionInputSchema = z.object({
  /** The suppression's id, or a unique prefix of it (at least 6 characters). */
  id: z
    .string()
    .trim()
    .regex(/^[0-9a-f]{6,32}$/, 'a suppression id is 6-32 lower-case hex characters'),
  actor: ActorSchema,
});
export type RemoveSuppressionInput = z.input<typeof RemoveSuppressionInputSchema>;

/**
 * Durations as typed on a command line: `30d`, `12h`, `90m`, `2w`.
 *
 * @example
 * parseDuration('30d') // 2_592_000_000
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,4})\s*(m|h|d|w)$/i.exec(text.trim());
  if (match === null) return undefined;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[
    (match[2] ?? 'd').toLowerCase() as 'm' | 'h' | 'd' | 'w'
  ];
  return Number(match[1]) * unit;
}

/** A zod error as one line: `owner: the owner is empty; ...`. */
export function issuesLine(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** Raised for input a case operation refuses; the message is one line naming each problem. */
export class CaseInputError extends InvalidInputError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CaseInputError';
  }
}

/** Parses an operation's input with its schema, or throws {@link CaseInputError}. */
export function parseCaseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new CaseInputError(issuesLine(parsed.error), { cause: parsed.error });
  return parsed.data;
}

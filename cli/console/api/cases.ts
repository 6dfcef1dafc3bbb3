import { z } from 'zod';
import {
  addNote,
  assign,
  CaseInputError,
  closeIncident,
  IncidentNotFoundError,
  LifecycleConflictError,
  NoteTextSchema,
  OwnerSchema,
  ReasonSchema,
  ResolutionSchema,
  reopenIncident,
} from '#core/cases/index.ts';
import type { IncidentItem } from '#core/store/table.ts';
import { caseStoreOf } from '../../case-store.ts';
import { ApiError, type ConsoleContext } from './context.ts';
import { incidentOf } from './decisions.ts';
import { incidentDetail } from './incidents.ts';

/**
 * Case management from the console: assign, add a note, close with a resolution (and, for a false
 * positive, a suppression of the resource and finding types), reopen. Each runs the case
 * operation the CLI runs (functions/core/cases/), on the local store or a deployment's table
 * alike, as the console's actor (the OS user locally, the caller ARN against a deployment), and
 * answers the incident as `GET /api/incidents/<id>` does. The server checks Host, Origin and the
 * anti-CSRF token before any of them runs.
 */

/** At most a year and a day, as the case operations allow. */
const MAX_SUPPRESSION_DAYS = 366;
const DAY_MS = 86_400_000;

export const AssignBodySchema = z.strictObject({ owner: OwnerSchema.nullable() });
export const NoteBodySchema = z.strictObject({ text: NoteTextSchema });
export const CloseBodySchema = z.strictObject({
  resolution: ResolutionSchema,
  note: NoteTextSchema.optional(),
  /** Suppress the incident's resource and finding types for this many days (false_positive only). */
  suppress: z
    .strictObject({
      days: z
        .number()
        .int('suppress.days is a whole number')
        .min(1, 'a suppression lasts at least 1 day')
        .max(MAX_SUPPRESSION_DAYS, `a suppression lasts at most ${MAX_SUPPRESSION_DAYS} days`),
    })
    .optional(),
});
export const ReopenBodySchema = z.strictObject({ reason: ReasonSchema.optional() });

/** The case operations' refusals as API answers: bad input 400, no incident 404, a conflict 409. */
function asApiError(error: unknown): unknown {
  if (error instanceof CaseInputError) return new ApiError(400, error.message);
  if (error instanceof IncidentNotFoundError) return new ApiError(404, error.message);
  if (error instanceof LifecycleConflictError) return new ApiError(409, error.message);
  return error;
}

type CaseChange = (ctx: ConsoleContext, incident: IncidentItem, actor: string) => Promise<unknown>;

/** Parses nothing itself: runs `change` in order with the server's other store work, then reads the incident. */
async function changeCase(ctx: ConsoleContext, id: string, change: CaseChange) {
  const incidentId = await ctx.serialize(async () => {
    const incident = await incidentOf(ctx, id);
    const actor = await ctx.actor();
    try {
      await change(ctx, incident, actor);
    } catch (error) {
      throw asApiError(error);
    }
    return incident.id;
  });
  return incidentDetail(ctx, incidentId);
}

/** Against a deployment, lifecycle events go to the table's outbox for the lifecycle relay. */
const store = (ctx: ConsoleContext, actor: string) => caseStoreOf(ctx, actor);

/**
 * `POST /api/incidents/<id>/assign` `{"owner":"alice"}` (null unassigns).
 *
 * @example
 * const detail = await assignCase(ctx, 'inc-3f2a', { owner: 'alice' });
 * detail.owner // 'alice'
 */
export async function assignCase(ctx: ConsoleContext, id: string, body: unknown) {
  const { owner } = AssignBodySchema.parse(body);
  return changeCase(ctx, id, (c, incident, actor) =>
    assign(store(c, actor), { incidentId: incident.id, owner, actor }),
  );
}

/**
 * `POST /api/incidents/<id>/notes` `{"text":"..."}`: appended with its author and time.
 *
 * @example
 * const detail = await addCaseNote(ctx, 'inc-3f2a', { text: 'Owner confirms the scan' });
 * detail.notes.at(-1)?.author // the OS user
 */
export async function addCaseNote(ctx: ConsoleContext, id: string, body: unknown) {
  const { text } = NoteBodySchema.parse(body);
  return changeCase(ctx, id, (c, incident, actor) =>
    addNote(store(c, actor), { incidentId: incident.id, text, author: actor }),
  );
}

/**
 * `POST /api/incidents/<id>/close` `{"resolution":"false_positive","suppress":{"days":30}}`.
 *
 * @example
 * const detail = await closeCase(ctx, 'inc-3f2a', { resolution: 'benign', note: 'Lab account' });
 * detail.status // 'closed'
 */
export async function closeCase(ctx: ConsoleContext, id: string, body: unknown) {
  const { resolution, note, suppress } = CloseBodySchema.parse(body);
  return changeCase(ctx, id, (c, incident, actor) =>
    closeIncident(store(c, actor), {
      incidentId: incident.id,
      resolution,
      actor,
      ...(note === undefined ? {} : { note }),
      ...(suppress === undefined ? {} : { suppress: { durationMs: suppress.days * DAY_MS } }),
    }),
  );
}

/**
 * `POST /api/incidents/<id>/reopen` `{"reason":"..."}` (the reason is optional).
 *
 * @example
 * const detail = await reopenCase(ctx, 'inc-3f2a', { reason: 'Seen again' });
 */
export async function reopenCase(ctx: ConsoleContext, id: string, body: unknown) {
  const { reason } = ReopenBodySchema.parse(body);
  return changeCase(ctx, id, (c, incident, actor) =>
    reopenIncident(store(c, actor), {
      incidentId: incident.id,
      actor,
      ...(reason === undefined ? {} : { reason }),
    }),
  );
}

/**
 * The case routes under `POST /api/incidents/<id>/<route>`. They work on the local store and on a
 * deployment's table alike (as the CLI's case commands do), so the session reports
 * `cases: true` whenever they are mounted.
 */
export const CASE_ROUTES: Readonly<
  Record<string, (ctx: ConsoleContext, id: string, body: unknown) => Promise<unknown>>
> = {
  assign: assignCase,
  notes: addCaseNote,
  close: closeCase,
  reopen: reopenCase,
};

import { listSuppressions, type Suppression } from '#core/cases/index.ts';
import { listAlerts } from '#core/store/queries.ts';
import type { ConsoleContext } from './context.ts';

/**
 * Suppressions as the console shows them: each with the alerts it kept from opening an incident
 * (read from the most recently seen alerts, so a busy table shows the latest ones).
 */

/** How many of the most recently seen alerts are read for the suppressed ones. */
const RECENT_ALERTS = 500;

export interface SuppressedAlert {
  readonly id: string;
  readonly title: string;
  readonly source: string;
  readonly suppressedAt: number | undefined;
}

export type SuppressionView = Suppression & { readonly suppressedAlerts: readonly SuppressedAlert[] };

/**
 * The active suppressions, newest first, optionally only those an incident's close created.
 * Reads the store directly: call it from inside `ctx.serialize` (see {@link suppressionsView}).
 *
 * @example
 * const [first] = await readSuppressions(ctx, { incidentId: 'inc-3f2a' });
 * first?.suppressedAlerts.length // alerts stored and counted, no incident, no playbook
 */
export async function readSuppressions(
  ctx: ConsoleContext,
  filter: { readonly incidentId?: string } = {},
): Promise<SuppressionView[]> {
  const store = { db: ctx.db, tableName: ctx.tableName, now: Date.now };
  const all = await listSuppressions(store);
  const chosen = all.filter((s) => filter.incidentId === undefined || s.incidentId === filter.incidentId);
  if (chosen.length === 0) return [];
  const alerts = await listAlerts(ctx.db, ctx.tableName, RECENT_ALERTS);
  return chosen.map((s) => ({
    ...s,
    suppressedAlerts: alerts
      .filter((a) => a.suppressedBy === s.id)
      .map((a) => ({ id: a.id, title: a.title, source: a.source, suppressedAt: a.suppressedAt })),
  }));
}

/**
 * `GET /api/suppressions`: every active suppression, as `riposte suppressions` lists them, with
 * the alerts each kept out.
 *
 * @example
 * const list = await suppressionsView(ctx);
 */
export function suppressionsView(ctx: ConsoleContext): Promise<SuppressionView[]> {
  return ctx.serialize(() => readSuppressions(ctx));
}

import { computeKpis } from '#core/store/kpis.ts';
import { listIncidents, queryPartition } from '#core/store/queries.ts';
import { type IncidentItem, keys } from '#core/store/table.ts';
import { SEVERITY_NAMES } from '../../output.ts';
import type { ConsoleContext } from './context.ts';

/**
 * `GET /api/stats`: the shared KPIs (as `riposte stats` computes them) and one point per
 * incident for the charts: when it opened, its source, severity and first playbook, and its
 * time to detect, to contain and to close. Locally dry-run milestones count (every local run is
 * a dry-run); on a deployment only real ones.
 */

export interface StatsPoint {
  readonly openedAt: number;
  readonly source: string;
  readonly severity: string;
  readonly playbook: string;
  readonly timeToDetectMs: number | null;
  readonly timeToContainMs: number | null;
  readonly timeToCloseMs: number | null;
}

/** The playbook charts group by: the first the incident started, for the newest incidents only. */
const PLAYBOOK_LOOKUPS = 500;

async function firstPlaybooks(ctx: ConsoleContext, incidents: readonly IncidentItem[]) {
  const out = new Map<string, string>();
  const queue = incidents.slice(0, PLAYBOOK_LOOKUPS);
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const items = await queryPartition(ctx.db, ctx.tableName, keys.incident(next.id).pk, 'EXEC#');
      const first = items
        .filter((i) => typeof i.playbookId === 'string')
        .sort((a, b) => Number(a.createdAt) - Number(b.createdAt))[0];
      if (first !== undefined) out.set(next.id, String(first.playbookId));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return out;
}

export async function statsData(ctx: ConsoleContext) {
  return ctx.serialize(async () => {
    const incidents = await listIncidents(ctx.db, ctx.tableName, 100_000);
    const includeDryRun = !ctx.remote;
    const playbooks = await firstPlaybooks(ctx, incidents);
    const points: StatsPoint[] = incidents.map((i) => {
      const contained = i.containedAt ?? (includeDryRun ? i.dryRunContainedAt : undefined);
      const closed = i.closedAt ?? i.releasedAt ?? (includeDryRun ? i.dryRunReleasedAt : undefined);
      return {
        openedAt: i.openedAt,
        source: i.source ?? 'unknown',
        severity: SEVERITY_NAMES[i.severityId] ?? String(i.severityId),
        playbook: playbooks.get(i.id) ?? 'none',
        timeToDetectMs:
          i.firstObservedAt !== undefined && i.firstObservedAt <= i.openedAt
            ? i.openedAt - i.firstObservedAt
            : null,
        timeToContainMs: contained === undefined ? null : contained - i.openedAt,
        timeToCloseMs: closed === undefined ? null : closed - i.openedAt,
      };
    });
    return { kpis: computeKpis(incidents, { includeDryRun }), points: points.reverse() };
  });
}

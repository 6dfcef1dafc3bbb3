import type { IncidentStatus } from '../lifecycle/status.ts';
import type { IncidentItem } from './table.ts';

/**
 * The shared KPIs, computed from incident milestones:
 * - time to detect (MTTD): first observed by the source → received by Riposte;
 * - time to contain (MTTR): received → containment completed;
 * - time to release: received → containment undone;
 * - time to close: received → closed by an operator with a resolution (`riposte close`).
 *
 * The counts split incidents by status, each incident in exactly one: open (new, responding,
 * awaiting approval), contained, not contained, failed, released, closed (resolved or closed).
 * The same figures are published as CloudWatch metrics by the Lambdas (`TimeToDetect`,
 * `TimeToContain`, `TimeToRelease`); this computes them from the store, for `riposte stats`.
 */

export interface Distribution {
  readonly count: number;
  readonly medianMs: number | null;
  readonly p90Ms: number | null;
  readonly meanMs: number | null;
}

export interface KpiGroup {
  readonly key: string;
  readonly incidents: number;
  /** New, responding or awaiting approval: the response is not over. */
  readonly open: number;
  readonly contained: number;
  readonly notContained: number;
  readonly failed: number;
  readonly released: number;
  /** Resolved or closed by an operator. */
  readonly closed: number;
  readonly timeToDetect: Distribution;
  readonly timeToContain: Distribution;
  readonly timeToRelease: Distribution;
  readonly timeToClose: Distribution;
}

type Bucket = 'open' | 'contained' | 'notContained' | 'failed' | 'released' | 'closed';

const BUCKETS: Record<IncidentStatus, Bucket> = {
  new: 'open',
  responding: 'open',
  awaiting_approval: 'open',
  contained: 'contained',
  not_contained: 'notContained',
  failed: 'failed',
  released: 'released',
  resolved: 'closed',
  closed: 'closed',
};

export interface Kpis {
  /** Whether dry-run milestones (local runs, samples) were counted. */
  readonly includesDryRun: boolean;
  readonly total: KpiGroup;
  readonly bySource: readonly KpiGroup[];
  readonly bySeverity: readonly KpiGroup[];
}

function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { count: 0, medianMs: null, p90Ms: null, meanMs: null };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
  return {
    count: sorted.length,
    medianMs: at(0.5),
    p90Ms: at(0.9),
    meanMs: Math.round(sorted.reduce((n, v) => n + v, 0) / sorted.length),
  };
}

function group(key: string, incidents: readonly IncidentItem[], includeDryRun: boolean): KpiGroup {
  const contained = (i: IncidentItem) => i.containedAt ?? (includeDryRun ? i.dryRunContainedAt : undefined);
  const released = (i: IncidentItem) => i.releasedAt ?? (includeDryRun ? i.dryRunReleasedAt : undefined);
  const count = (bucket: Bucket) => incidents.filter((i) => BUCKETS[i.status] === bucket).length;
  return {
    key,
    incidents: incidents.length,
    open: count('open'),
    contained: count('contained'),
    notContained: count('notContained'),
    failed: count('failed'),
    released: count('released'),
    closed: count('closed'),
    timeToDetect: distribution(
      incidents.flatMap((i) =>
        i.firstObservedAt !== undefined && i.firstObservedAt <= i.openedAt
          ? [i.openedAt - i.firstObservedAt]
          : [],
      ),
    ),
    timeToContain: distribution(
      incidents.flatMap((i) => {
        const at = contained(i);
        return at === undefined ? [] : [at - i.openedAt];
      }),
    ),
    timeToRelease: distribution(
      incidents.flatMap((i) => {
        const at = released(i);
        return at === undefined ? [] : [at - i.openedAt];
      }),
    ),
    timeToClose: distribution(
      incidents.flatMap((i) =>
        i.closedAt === undefined ? [] : [i.timeToCloseMs ?? Math.max(0, i.closedAt - i.openedAt)],
      ),
    ),
  };
}

const SEVERITY = ['Unknown', 'Informational', 'Low', 'Medium', 'High', 'Critical', 'Fatal'];

/**
 * @example
 * const kpis = computeKpis(await listIncidents(db, table), { includeDryRun: true });
 * kpis.total.timeToContain.medianMs
 */
export function computeKpis(
  incidents: readonly IncidentItem[],
  options: { readonly includeDryRun: boolean },
): Kpis {
  const by = (keyOf: (i: IncidentItem) => string): KpiGroup[] => {
    const groups = new Map<string, IncidentItem[]>();
    for (const incident of incidents) {
      const key = keyOf(incident);
      groups.set(key, [...(groups.get(key) ?? []), incident]);
    }
    return [...groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, list]) => group(key, list, options.includeDryRun));
  };
  return {
    includesDryRun: options.includeDryRun,
    total: group('all', incidents, options.includeDryRun),
    bySource: by((i) => i.source ?? 'unknown'),
    bySeverity: by((i) => SEVERITY[i.severityId] ?? String(i.severityId)),
  };
}

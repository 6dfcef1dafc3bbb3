import type { IncidentStatus } from '../lifecycle/status.ts';
import type { IncidentItem } from '../store/table.ts';

/** The filters of the incident queue (`riposte incidents`, the console). */
export interface IncidentFilter {
  readonly statuses?: readonly IncidentStatus[];
  readonly severities?: readonly number[];
  readonly minSeverity?: number;
  readonly sources?: readonly string[];
  readonly resource?: string;
  /** An owner, or null for unassigned. */
  readonly owner?: string | null;
  readonly since?: number;
}

/**
 * Whether an incident passes the filter.
 *
 * @example
 * incidents.filter((i) => matchesFilter(i, { statuses: ['contained'], minSeverity: 4 }))
 */
export function matchesFilter(i: IncidentItem, f: IncidentFilter): boolean {
  if (f.statuses !== undefined && !f.statuses.includes(i.status)) return false;
  if (f.severities !== undefined && !f.severities.includes(i.severityId)) return false;
  if (f.minSeverity !== undefined && i.severityId < f.minSeverity) return false;
  if (f.sources !== undefined) {
    const source = (i.source ?? '').toLowerCase();
    if (!f.sources.some((s) => source === s || source === `aws.${s}`)) return false;
  }
  if (f.resource !== undefined) {
    const needle = f.resource.toLowerCase();
    const hay = [i.resourceType, i.resourceUid, i.resourceName ?? '', i.resourceKey].join('\n').toLowerCase();
    if (!hay.includes(needle)) return false;
  }
  if (f.owner !== undefined && (i.owner ?? null) !== f.owner) return false;
  if (f.since !== undefined && i.openedAt < f.since) return false;
  return true;
}

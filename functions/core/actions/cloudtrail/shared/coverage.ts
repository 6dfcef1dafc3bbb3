import type { Selectors } from './trail.ts';

/**
 * Whether new event selectors log less than old ones. Each selector set is expanded into what it
 * covers:
 *
 * - basic selectors: management events by direction (read, write) and by source (the sources
 *   a selector can exclude, `kms.amazonaws.com` and `rdsdata.amazonaws.com`, and the rest), and
 *   data resources by type, value and direction;
 * - advanced selectors: each selector as a whole (its canonical JSON), since field conditions do
 *   not compare piecewise.
 *
 * Logging is reduced when the old set covers something the new one does not. A change between
 * basic and advanced selectors compares as advanced selectors, so any difference counts as reduced.
 *
 * @example
 * reducesLogging({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] },
 *                { EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }] }); // true
 */
export function reducesLogging(before: Selectors, after: Selectors): boolean {
  const covered = coverageOf(after);
  return [...coverageOf(before)].some((item) => !covered.has(item));
}

const EXCLUDABLE = ['kms.amazonaws.com', 'rdsdata.amazonaws.com', 'other'];

function directions(value: unknown): string[] {
  return value === 'ReadOnly' ? ['read'] : value === 'WriteOnly' ? ['write'] : ['read', 'write'];
}

function coverageOf(selectors: Selectors): Set<string> {
  const items = new Set<string>();
  for (const selector of selectors.AdvancedEventSelectors ?? []) items.add(`advanced:${canonical(selector)}`);
  for (const selector of selectors.EventSelectors ?? []) {
    const rw = directions(selector.ReadWriteType);
    const excluded = new Set(selector.ExcludeManagementEventSources ?? []);
    if (selector.IncludeManagementEvents !== false) {
      for (const source of EXCLUDABLE) {
        if (!excluded.has(source)) for (const d of rw) items.add(`management:${d}:${source}`);
      }
    }
    for (const resource of selector.DataResources ?? []) {
      for (const value of resource.Values ?? [])
        for (const d of rw) items.add(`data:${resource.Type}:${value}:${d}`);
    }
  }
  return items;
}

/** JSON with object keys sorted (and absent members left out), so equal selectors compare equal. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  return `{${Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}

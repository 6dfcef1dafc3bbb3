import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { get } from '../api.ts';
import { markUpdated, useLive } from '../live.ts';
import { navigate } from '../main.tsx';
import { INCIDENT_STATUS, SEVERITY } from '../status.ts';
import type { QueueRow, QueueStatus } from '../types.ts';
import { ago, SeverityBadge, StatusBadge, time } from '../ui.tsx';

/** The queue: every incident, newest first, with filters; j/k move, Enter opens. */

interface Filters {
  status: string;
  minSeverity: string;
  source: string;
  q: string;
}

const EMPTY: Filters = { status: '', minSeverity: '0', source: '', q: '' };

function readFilters(): Filters {
  try {
    return { ...EMPTY, ...(JSON.parse(sessionStorage.getItem('queue-filters') ?? '{}') as Partial<Filters>) };
  } catch {
    return EMPTY;
  }
}

export function QueuePage() {
  const [rows, setRows] = useState<QueueRow[] | undefined>();
  const [all, setAll] = useState<QueueRow[]>([]);
  const [filters, setFilters] = useState<Filters>(readFilters);
  const [selected, setSelected] = useState(0);
  const [error, setError] = useState('');
  const search = useRef<HTMLInputElement>(null);

  const load = useCallback(async () => {
    const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== '' && v !== '0'));
    try {
      const [filtered, everything] = await Promise.all([
        get<QueueRow[]>(`/api/incidents?${query.toString()}`),
        get<QueueRow[]>('/api/incidents'),
      ]);
      setRows(filtered);
      setAll(everything);
      setError('');
      markUpdated();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [filters]);

  useEffect(() => {
    sessionStorage.setItem('queue-filters', JSON.stringify(filters));
    void load();
  }, [load, filters]);
  useLive(useCallback(() => void load(), [load]));

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const target = event.target as HTMLElement | null;
      if (target !== null && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      const count = rows?.length ?? 0;
      if (event.key === 'j' || event.key === 'ArrowDown') {
        setSelected((s) => Math.min(count - 1, s + 1));
        event.preventDefault();
      } else if (event.key === 'k' || event.key === 'ArrowUp') {
        setSelected((s) => Math.max(0, s - 1));
        event.preventDefault();
      } else if (event.key === 'Enter') {
        const row = rows?.[selected];
        if (row !== undefined) navigate(`/incidents/${encodeURIComponent(row.id)}`);
      } else if (event.key === '/') {
        search.current?.focus();
        event.preventDefault();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [rows, selected]);

  useEffect(() => {
    document.querySelector('tr.selected')?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  const sources = [...new Set(all.map((r) => r.source))].sort();
  const counts = new Map<QueueStatus, number>();
  for (const row of all) counts.set(row.status, (counts.get(row.status) ?? 0) + 1);
  const set = (key: keyof Filters) => (event: Event) => {
    setFilters({ ...filters, [key]: (event.target as HTMLInputElement).value });
    setSelected(0);
  };

  return (
    <div class="page">
      <div class="page-head">
        <h1>Queue</h1>
        <p class="muted">
          {all.length} incidents ·{' '}
          {[...counts.entries()]
            .map(([status, n]) => `${n} ${INCIDENT_STATUS[status].label.toLowerCase()}`)
            .join(' · ')}
        </p>
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: <search> is not in the JSX types yet; the role says the same */}
      <form class="filters" role="search" aria-label="Filter incidents" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={filters.status} onChange={set('status')}>
            <option value="">Any status</option>
            {Object.entries(INCIDENT_STATUS).map(([key, style]) => (
              <option key={key} value={key}>
                {style.icon} {style.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Minimum severity
          <select value={filters.minSeverity} onChange={set('minSeverity')}>
            <option value="0">Any severity</option>
            {[1, 2, 3, 4, 5].map((id) => (
              <option key={id} value={String(id)}>
                {SEVERITY[id]?.label} or higher
              </option>
            ))}
          </select>
        </label>
        <label>
          Source
          <select value={filters.source} onChange={set('source')}>
            <option value="">Any source</option>
            {sources.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label class="grow">
          Search
          <input
            ref={search}
            type="search"
            placeholder="Id, title, resource or owner  ( / )"
            value={filters.q}
            onInput={set('q')}
          />
        </label>
        {filters !== EMPTY && JSON.stringify(filters) !== JSON.stringify(EMPTY) ? (
          <button type="button" class="link" onClick={() => setFilters(EMPTY)}>
            Clear filters
          </button>
        ) : null}
      </form>
      {error !== '' ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {rows === undefined ? (
        <p class="muted">Loading…</p>
      ) : rows.length === 0 ? (
        <div class="empty">
          <p>No incident matches.</p>
          <p class="muted">Send an event to riposte serve, or clear the filters.</p>
        </div>
      ) : (
        <table class="queue" aria-label="Incidents">
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Severity</th>
              <th scope="col">Incident</th>
              <th scope="col">Resource</th>
              <th scope="col">Source</th>
              <th scope="col">Owner</th>
              <th scope="col">Alerts</th>
              <th scope="col">Opened</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <tr
                key={row.id}
                class={index === selected ? 'selected' : ''}
                aria-selected={index === selected}
                onClick={() => navigate(`/incidents/${encodeURIComponent(row.id)}`)}
              >
                <td>
                  <StatusBadge status={row.status} />
                </td>
                <td>
                  <SeverityBadge id={row.severityId} />
                </td>
                <td class="title-cell">
                  <a
                    class="title-link"
                    href={`#/incidents/${encodeURIComponent(row.id)}`}
                    onClick={(e) => e.stopPropagation()}
                  >
                    {row.title}
                  </a>
                  <div class="mono muted">
                    {row.id}
                    {row.sample ? ' · sample' : ''}
                  </div>
                </td>
                <td>
                  <div>{row.resource}</div>
                  <div class="muted small">{row.resourceType}</div>
                </td>
                <td class="small">{row.source}</td>
                <td class="small">{row.owner ?? <span class="muted">unassigned</span>}</td>
                <td class="num">{row.alerts}</td>
                <td class="small" title={time(row.openedAt)}>
                  {ago(row.openedAt)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

import { useCallback, useEffect, useState } from 'preact/hooks';
import { get } from '../api.ts';
import { BarChart, type SeriesSpec, TimeChart } from '../chart.tsx';
import { markUpdated, useLive } from '../live.ts';
import type { Stats, StatsPoint } from '../types.ts';
import { duration, Panel } from '../ui.tsx';

/**
 * MTTD and MTTR (to contain, to close) over time and by source, severity and playbook, as
 * uPlot charts (medians, in minutes), with the figures `riposte stats` prints.
 */

const SERIES: readonly SeriesSpec[] = [
  { label: 'Time to detect', colour: '#7c3aed' },
  { label: 'Time to contain', colour: '#15803d' },
  { label: 'Time to close', colour: '#2563eb' },
];

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? null;
}

const FIELDS = ['timeToDetectMs', 'timeToContainMs', 'timeToCloseMs'] as const;

function medians(points: readonly StatsPoint[]): (number | null)[] {
  return FIELDS.map((f) => {
    const m = median(points.flatMap((p) => (p[f] === null ? [] : [p[f] as number])));
    return m;
  });
}

/** Medians per time bucket (an hour when the data spans under two days, else a day). */
function overTime(points: readonly StatsPoint[]): { x: number[]; values: (number | null)[][] } {
  if (points.length === 0) return { x: [], values: FIELDS.map(() => []) };
  const first = Math.min(...points.map((p) => p.openedAt));
  const last = Math.max(...points.map((p) => p.openedAt));
  const bucket = last - first < 2 * 86_400_000 ? 3_600_000 : 86_400_000;
  const groups = new Map<number, StatsPoint[]>();
  for (const p of points) {
    const key = Math.floor(p.openedAt / bucket) * bucket;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const keys = [...groups.keys()].sort((a, b) => a - b);
  const rows = keys.map((k) => medians(groups.get(k) ?? []));
  return { x: keys.map((k) => k / 1_000), values: FIELDS.map((_f, i) => rows.map((r) => r[i] ?? null)) };
}

function byKey(points: readonly StatsPoint[], key: 'source' | 'severity' | 'playbook') {
  const groups = new Map<string, StatsPoint[]>();
  for (const p of points) groups.set(p[key], [...(groups.get(p[key]) ?? []), p]);
  const categories = [...groups.keys()].sort();
  const rows = categories.map((c) => medians(groups.get(c) ?? []));
  return { categories, values: FIELDS.map((_f, i) => rows.map((r) => r[i] ?? null)) };
}

function Kpi({ label, value, detail }: { label: string; value: string; detail: string }) {
  return (
    <div class="kpi">
      <div class="kpi-label">{label}</div>
      <div class="kpi-value">{value}</div>
      <div class="muted small">{detail}</div>
    </div>
  );
}

export function StatsPage() {
  const [stats, setStats] = useState<Stats | undefined>();
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    try {
      setStats(await get<Stats>('/api/stats'));
      markUpdated();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, []);
  useEffect(() => void load(), [load]);
  useLive(useCallback(() => void load(), [load]));
  if (stats === undefined)
    return (
      <div class="page">{error !== '' ? <p class="error">{error}</p> : <p class="muted">Loading…</p>}</div>
    );
  const t = stats.kpis.total;
  const largest = Math.max(0, ...stats.points.flatMap((p) => FIELDS.map((f) => p[f] ?? 0)));
  const [unit, divisor] =
    largest < 120_000 ? ['seconds', 1_000] : largest < 7_200_000 ? ['minutes', 60_000] : ['hours', 3_600_000];
  const scale = (rows: (number | null)[][]) =>
    rows.map((r) => r.map((v) => (v === null ? null : v / divisor)));
  const series = overTime(stats.points);
  const width = 590;
  return (
    <div class="page">
      <div class="page-head">
        <h1>Stats</h1>
        <p class="muted">
          Median times (in the charts: by opening time, source, severity and playbook) over {t.incidents}{' '}
          incidents.{' '}
          {stats.kpis.includesDryRun
            ? 'Dry-run containments are counted (local runs change nothing in AWS).'
            : 'Only real containments count.'}
        </p>
      </div>
      <div class="kpis">
        <Kpi
          label="Incidents"
          value={String(t.incidents)}
          detail={`${t.open} open · ${t.contained} contained · ${t.failed} failed`}
        />
        <Kpi
          label="MTTD (time to detect)"
          value={duration(t.timeToDetect.medianMs)}
          detail={`p90 ${duration(t.timeToDetect.p90Ms)} · n=${t.timeToDetect.count}`}
        />
        <Kpi
          label="MTTR to contain"
          value={duration(t.timeToContain.medianMs)}
          detail={`p90 ${duration(t.timeToContain.p90Ms)} · n=${t.timeToContain.count}`}
        />
        <Kpi
          label="MTTR to close"
          value={duration(t.timeToClose.medianMs)}
          detail={`p90 ${duration(t.timeToClose.p90Ms)} · n=${t.timeToClose.count}`}
        />
      </div>
      {stats.points.length === 0 ? (
        <p class="muted">No incidents yet.</p>
      ) : (
        <div class="charts">
          <Panel title="Over time">
            <TimeChart
              title="Median times by opening time"
              unit={unit}
              x={series.x}
              series={SERIES}
              values={scale(series.values)}
              width={width}
            />
          </Panel>
          {(['source', 'severity', 'playbook'] as const).map((key) => {
            const data = byKey(stats.points, key);
            return (
              <Panel key={key} title={`By ${key}`}>
                <BarChart
                  title={`Median times by ${key}`}
                  unit={unit}
                  categories={data.categories}
                  series={SERIES}
                  values={scale(data.values)}
                  width={width}
                />
              </Panel>
            );
          })}
        </div>
      )}
    </div>
  );
}

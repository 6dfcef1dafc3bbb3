import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** uPlot charts: a time series of medians, and grouped bars for categories. */

export interface SeriesSpec {
  readonly label: string;
  readonly colour: string;
}

function useChart(make: (el: HTMLDivElement) => uPlot, deps: unknown[]) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (box.current === null) return;
    const chart = make(box.current);
    return () => chart.destroy();
  }, deps);
  return box;
}

const fmt =
  (unit: string) =>
  (v: number | null): string =>
    v === null ? '–' : `${v.toFixed(1)} ${unit}`;

/** Lines over time: `x` epoch seconds, each series values in minutes (null for no data). */
export function TimeChart({
  title,
  x,
  series,
  values,
  width,
  unit,
}: {
  title: string;
  unit: string;
  x: readonly number[];
  series: readonly SeriesSpec[];
  values: readonly (readonly (number | null)[])[];
  width: number;
}) {
  const box = useChart(
    (el) =>
      new uPlot(
        {
          width,
          height: 240,
          title,
          series: [
            {},
            ...series.map((s) => ({
              label: s.label,
              stroke: s.colour,
              width: 2,
              points: { show: true, size: 6 },
              spanGaps: true,
              value: (_u: uPlot, v: number | null) => fmt(unit)(v),
            })),
          ],
          axes: [{}, { label: unit }],
          scales: {
            x: {
              time: true,
              range: (_u, min, max) => [min - 3_600, max + 3_600],
            },
            y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] },
          },
        },
        [x as number[], ...(values as (number | null)[][])],
        el,
      ),
    [title, x, values, width, unit],
  );
  return <figure class="chart" ref={box} aria-label={title} />;
}

/**
 * Grouped bars: one group per category, one bar per series (values in minutes). Each bar sits
 * at its own x (group k, series i at k·(n+1)+i) so the groups never overlap.
 */
export function BarChart({
  title,
  categories,
  series,
  values,
  width,
  unit,
}: {
  title: string;
  unit: string;
  categories: readonly string[];
  series: readonly SeriesSpec[];
  values: readonly (readonly (number | null)[])[];
  width: number;
}) {
  const box = useChart(
    (el) => {
      const n = series.length;
      const stride = n + 1;
      const xs = categories.flatMap((_c, k) => series.map((_s, i) => k * stride + i));
      const data = series.map((_s, i) =>
        categories.flatMap((_c, k) => series.map((_t, j) => (j === i ? (values[i]?.[k] ?? null) : null))),
      );
      const centre = (k: number): number => k * stride + (n - 1) / 2;
      const bars = uPlot.paths.bars?.({ size: [0.9, 48], align: 0 });
      return new uPlot(
        {
          width,
          height: 240,
          title,
          series: [
            { value: (_u: uPlot, v: number) => categories[Math.floor(v / stride)] ?? '' },
            ...series.map((s) => ({
              label: s.label,
              stroke: s.colour,
              fill: `${s.colour}cc`,
              width: 1,
              ...(bars === undefined ? {} : { paths: bars }),
              points: { show: false },
              value: (_u: uPlot, v: number | null) => fmt(unit)(v),
            })),
          ],
          scales: {
            x: { time: false, range: [-0.8, categories.length * stride - 1.2] },
            y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
          },
          axes: [
            {
              splits: () => categories.map((_c, k) => centre(k)),
              values: () => categories.map((c) => (c.length > 20 ? `${c.slice(0, 19)}…` : c)),
            },
            { label: unit },
          ],
        },
        [xs, ...data],
        el,
      );
    },
    [title, categories, values, width, unit],
  );
  return <figure class="chart" ref={box} aria-label={title} />;
}

import type { ComponentChildren } from 'preact';
import { INCIDENT_STATUS, type StatusStyle, severityStyle } from './status.ts';
import type { QueueStatus } from './types.ts';

/** Small shared pieces: badges that always pair colour with an icon and a word, times, durations. */

export function Badge({ style }: { style: StatusStyle }) {
  return (
    <span
      class="badge"
      style={{ color: style.colour, borderColor: `${style.colour}55`, background: `${style.colour}12` }}
    >
      <span aria-hidden="true">{style.icon}</span> {style.label}
    </span>
  );
}

export function StatusBadge({ status }: { status: QueueStatus }) {
  return <Badge style={INCIDENT_STATUS[status]} />;
}

export function SeverityBadge({ id }: { id: number }) {
  return <Badge style={severityStyle(id)} />;
}

export function time(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  const d = new Date(ms);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)}Z`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms < 172_800_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

export function ago(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1_000));
  if (s < 60) return `${s}s ago`;
  if (s < 3_600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

export function Panel({
  title,
  children,
  actions,
}: {
  title: string;
  children: ComponentChildren;
  actions?: ComponentChildren;
}) {
  const id = `panel-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section class="panel" aria-labelledby={id}>
      <header class="panel-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </header>
      <div class="panel-body">{children}</div>
    </section>
  );
}

export function Json({ value }: { value: unknown }) {
  return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
}

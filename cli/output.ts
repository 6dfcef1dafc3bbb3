/** Terminal helpers shared by the commands. */

interface TtyStream extends NodeJS.WritableStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * A one-line progress bar on a terminal; silent when the stream is not a TTY or `enabled` is
 * false, so piped and `--json` output stays clean.
 */
export function progressBar(
  stream: TtyStream,
  enabled: boolean,
): { update: (done: number, total: number) => void; done: () => void } {
  const active = enabled && stream.isTTY === true;
  let drawn = false;
  return {
    update(done, total) {
      if (!active || total === 0) return;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 30));
      const filled = Math.round((done / total) * width);
      stream.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\n');
    },
  };
}

/** Renders rows as an aligned text table. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export const SEVERITY_NAMES: Readonly<Record<number, string>> = {
  0: 'Unknown',
  1: 'Info',
  2: 'Low',
  3: 'Medium',
  4: 'High',
  5: 'Critical',
  6: 'Fatal',
  99: 'Other',
};

export function isoTime(ms: unknown): string {
  return typeof ms === 'number' ? new Date(ms).toISOString().replace('.000Z', 'Z') : '';
}

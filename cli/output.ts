/** Terminal helpers shared by the commands: progress, tables that fit, colour, times. */
import pc from 'picocolors';
import type { CommandIo } from './command.ts';
import { table as renderTable, type TableLayout } from './table.ts';

export { abbreviateMiddle, type Fit, type TableLayout, truncateEnd, wrap } from './table.ts';

interface TtyStream extends NodeJS.WritableStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
}

type Env = Readonly<Record<string, string | undefined>>;

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

/**
 * The width tables fit on `stream`: `COLUMNS` when set, else the terminal's width; undefined
 * (no limit) when the output goes to a file or a program, which want whole values.
 */
export function terminalWidth(stream: TtyStream, env: Env = process.env): number | undefined {
  const columns = Number(env.COLUMNS);
  if (Number.isInteger(columns) && columns > 0) return columns;
  return stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0
    ? stream.columns
    : undefined;
}

/**
 * Whether to colour what goes to `stream`: on a terminal, unless `NO_COLOR` is set (any
 * non-empty value, no-color.org) or `TERM` is `dumb`; `FORCE_COLOR` (not `0`) turns it on anywhere.
 */
export function colorEnabled(stream: TtyStream, env: Env = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** picocolors' functions, on or off for `stream` ({@link colorEnabled}). */
export type Colors = ReturnType<typeof pc.createColors>;

/**
 * The colours for a command's standard output.
 *
 * @example
 * const c = colorsFor(io);
 * write(io.stdout, c.red('failed'));
 */
export function colorsFor(io: Pick<CommandIo, 'stdout' | 'env'>): Colors {
  return pc.createColors(colorEnabled(io.stdout, io.env ?? process.env));
}

/**
 * Renders rows as an aligned text table; with `layout.width` the table fits that width, its
 * shrinkable columns wrapped or abbreviated (see ./table.ts).
 */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  layout: TableLayout = {},
): string {
  return renderTable(headers, rows, layout);
}

/**
 * The layout for a command's table on its standard output: the terminal's width, bold headers
 * and the given column fits and styles when colour is on.
 */
export function layoutFor(
  io: Pick<CommandIo, 'stdout' | 'env'>,
  layout: Omit<TableLayout, 'width' | 'headerStyle'> = {},
): TableLayout {
  const env = io.env ?? process.env;
  const c = colorsFor(io);
  return {
    ...layout,
    width: terminalWidth(io.stdout, env),
    headerStyle: c.bold,
    ...(c.isColorSupported ? {} : { style: undefined }),
  };
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

/** Colours a severity name: Critical and High red, Medium yellow, lower ones dim. */
export function severityStyle(c: Colors): (text: string) => string {
  return (text) =>
    /^(Critical|Fatal|High)/.test(text) ? c.red(text) : /^Medium/.test(text) ? c.yellow(text) : c.dim(text);
}

/** Colours an incident or execution status: failures red, open yellow, done green. */
export function statusStyle(c: Colors): (text: string) => string {
  return (text) =>
    /fail|denied|timed/i.test(text)
      ? c.red(text)
      : /^(open|escalated|running|pending)/i.test(text)
        ? c.yellow(text)
        : /^(contained|closed|released|succeeded|resolved|approved)/i.test(text)
          ? c.green(text)
          : text;
}

export function isoTime(ms: unknown): string {
  return typeof ms === 'number' ? new Date(ms).toISOString().replace('.000Z', 'Z') : '';
}

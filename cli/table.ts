import stringWidth from 'string-width';

/**
 * Text tables that fit the terminal. Columns keep their natural width when the table fits;
 * otherwise the columns allowed to give way shrink (the widest first) and their cells are
 * wrapped at word boundaries, or abbreviated in the middle (ARNs and ids keep their service and
 * their name, the ends a reader needs), or cut at the end. Widths are display widths
 * (string-width: wide characters count two, colour codes none).
 */

/** How a column's cells give way when the table is too wide. */
export type Fit =
  /** never shrinks (ids, statuses, times) */
  | 'keep'
  /** wraps onto more lines at spaces (titles, reasons) */
  | 'wrap'
  /** keeps both ends with `…` in the middle (ARNs, resources) */
  | 'middle'
  /** cut at the end with `…` */
  | 'end';

export interface TableLayout {
  /** The width to fit; no limit when undefined (output piped to a file or a program). */
  readonly width?: number | undefined;
  /** Per column; `keep` by default, except the last column, which wraps. */
  readonly fit?: readonly (Fit | undefined)[];
  /** Colours a cell after it is laid out (given the text shown), per column. */
  readonly style?: readonly (((text: string) => string) | undefined)[];
  /** Colours the header row. */
  readonly headerStyle?: (text: string) => string;
}

const GAP = 2;
const MIN_SHRUNK = 8;
/** Wrapped columns give way first, down to this width. */
const WRAP_FLOOR = 16;

/** `text` cut to `width` columns with `…` in its middle. */
export function abbreviateMiddle(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  if (width <= 1) return '…'.slice(0, width);
  const chars = [...text];
  const keep = width - 1;
  const head = Math.floor(keep / 3);
  let tail = keep - head;
  let end = chars.slice(chars.length - tail).join('');
  while (stringWidth(end) > tail && tail > 0) {
    tail -= 1;
    end = chars.slice(chars.length - tail).join('');
  }
  return `${takeWidth(chars, head)}…${end}`;
}

/** `text` cut to `width` columns with `…` at its end. */
export function truncateEnd(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  return `${takeWidth([...text], Math.max(0, width - 1))}…`;
}

function takeWidth(chars: readonly string[], width: number): string {
  let out = '';
  for (const char of chars) {
    if (stringWidth(out + char) > width) break;
    out += char;
  }
  return out;
}

/** The head of a word too long for a line: up to its last `/`, `:`, `-`, `_` or `.` that fits, else `width` columns. */
function breakLong(word: string, width: number): string {
  const head = takeWidth([...word], width);
  const cut = Math.max(...['/', ':', '-', '_', '.', ','].map((c) => head.lastIndexOf(c)));
  return cut >= width / 3 ? head.slice(0, cut + 1) : head;
}

/** `text` as lines of at most `width` columns, broken at spaces (a longer word is split). */
export function wrap(text: string, width: number): string[] {
  if (stringWidth(text) <= width) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    let rest = word;
    while (stringWidth(rest) > width) {
      if (line !== '') {
        lines.push(line);
        line = '';
      }
      const piece = breakLong(rest, width);
      lines.push(piece);
      rest = rest.slice(piece.length);
    }
    if (line === '') line = rest;
    else if (stringWidth(line) + 1 + stringWidth(rest) <= width) line = `${line} ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line !== '') lines.push(line);
  return lines.length === 0 ? [''] : lines;
}

/**
 * The column widths: natural ones when they fit `width`, else shrunk widest first, wrapping
 * columns before abbreviated ones (a wrapped cell loses nothing, an abbreviated one does).
 */
function columnWidths(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  fits: readonly Fit[],
  width: number | undefined,
): number[] {
  const widths = headers.map((h, i) => Math.max(stringWidth(h), ...rows.map((r) => stringWidth(r[i] ?? ''))));
  if (width === undefined) return widths;
  let over = widths.reduce((a, b) => a + b, 0) + GAP * (headers.length - 1) - width;
  const shrink = (which: (fit: Fit) => boolean, floor: number): void => {
    const floors = widths.map((w, i) =>
      which(fits[i] ?? 'keep') ? Math.min(w, Math.max(stringWidth(headers[i] ?? ''), floor)) : w,
    );
    while (over > 0) {
      let widest = -1;
      widths.forEach((w, i) => {
        if (w > (floors[i] ?? w) && (widest === -1 || w > (widths[widest] ?? 0))) widest = i;
      });
      if (widest === -1) return;
      widths[widest] = (widths[widest] ?? 1) - 1;
      over -= 1;
    }
  };
  shrink((fit) => fit === 'wrap', WRAP_FLOOR);
  shrink((fit) => fit !== 'keep', MIN_SHRUNK);
  return widths;
}

/**
 * Renders rows as an aligned text table, fitted to `layout.width` when given.
 *
 * @example
 * table(['ID', 'RESOURCE', 'TITLE'], rows, { width: 100, fit: ['keep', 'middle', 'wrap'] });
 */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  layout: TableLayout = {},
): string {
  const fits: Fit[] = headers.map(
    (_, i) => layout.fit?.[i] ?? (i === headers.length - 1 && layout.width !== undefined ? 'wrap' : 'keep'),
  );
  const widths = columnWidths(headers, rows, fits, layout.width);
  const renderRow = (cells: readonly string[], styles: TableLayout['style'], header: boolean): string[] => {
    const columns = headers.map((_, i) => {
      const text = cells[i] ?? '';
      const w = widths[i] ?? 0;
      if (header || stringWidth(text) <= w) return [text];
      switch (fits[i]) {
        case 'wrap':
          return wrap(text, w);
        case 'middle':
          return [abbreviateMiddle(text, w)];
        case 'end':
          return [truncateEnd(text, w)];
        default:
          return [text];
      }
    });
    const height = Math.max(...columns.map((c) => c.length));
    const lines: string[] = [];
    for (let line = 0; line < height; line += 1) {
      const parts = columns.map((column, i) => {
        const text = column[line] ?? '';
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - stringWidth(text)));
        const style = header ? layout.headerStyle : styles?.[i];
        return `${text === '' || style === undefined ? text : style(text)}${i === headers.length - 1 ? '' : pad}`;
      });
      lines.push(parts.join(' '.repeat(GAP)).trimEnd());
    }
    return lines;
  };
  return [
    ...renderRow(headers, undefined, true),
    ...rows.flatMap((row) => renderRow(row, layout.style, false)),
  ].join('\n');
}

import type { LocalEvent } from './pipeline.ts';

/**
 * Events as files hold them: one EventBridge event (a JSON object), a JSON array of events (what
 * `aws events` exports and most tools write), or NDJSON / JSON Lines (one event per line, what
 * log pipelines and `jq -c` write). Every command that reads events splits a file the same way.
 */

/** How a file's content was read. */
export type EventsFormat = 'event' | 'array' | 'ndjson' | 'empty' | 'not-json';

export interface SplitEvents {
  readonly format: EventsFormat;
  /** The events, each named `file`, `file[2]` (array index) or `file:3` (line number). */
  readonly events: LocalEvent[];
  /** Why the content is not JSON, for `not-json` (the parser's message). */
  readonly problem?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Splits a file's bytes into events. A body that is one JSON value stays as it is (byte for
 * byte: size limits and parsing are the pipeline's business); an array gives one event per
 * element; lines that each parse as JSON give one event per line, and a line that does not
 * parse is still an event of its own, so it is rejected with a reason rather than lost. Empty
 * and non-JSON content is one event, marked as such, for the caller to report or reject.
 *
 * @example
 * splitEvents('exports.ndjson', bytes).events.map((e) => e.input); // ['exports.ndjson:1', 'exports.ndjson:2']
 */
export function splitEvents(input: string, body: Uint8Array | string): SplitEvents {
  const text = typeof body === 'string' ? body : utf8.decode(body);
  if (text.trim() === '') return { format: 'empty', events: [{ input, body }] };
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch (error) {
    const lines = ndjsonLines(input, text);
    if (lines !== undefined) return { format: 'ndjson', events: lines };
    return {
      format: 'not-json',
      events: [{ input, body }],
      problem: error instanceof Error ? error.message : String(error),
    };
  }
  if (Array.isArray(whole)) {
    return {
      format: 'array',
      events: whole.map((element, index) => ({ input: `${input}[${index}]`, body: JSON.stringify(element) })),
    };
  }
  return { format: 'event', events: [{ input, body }] };
}

/** One event per non-blank line, when there are several lines and at least one of them parses. */
function ndjsonLines(input: string, text: string): LocalEvent[] | undefined {
  const lines = text.split(/\r?\n/);
  const events: LocalEvent[] = [];
  let parsed = 0;
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    events.push({ input: `${input}:${index + 1}`, body: line });
    try {
      JSON.parse(line);
      parsed += 1;
    } catch {
      // Kept: the pipeline rejects it with a reason.
    }
  });
  return events.length >= 2 && parsed >= 1 ? events : undefined;
}

/** Whether a file name is one the directory walk reads as events. */
export function isEventsFile(name: string): boolean {
  return /\.(json|ndjson|jsonl)$/i.test(name);
}

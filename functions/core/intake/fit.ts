import { gzipSync } from 'node:zlib';
import type { Alert, Rejection } from '../alert.ts';
import { MAX_ITEM_BYTES, utf8Bytes } from '../store/item-size.ts';

/**
 * Room the OCSF event of an alert may take in its item: DynamoDB's 400 KB less what the item's
 * other attributes can take (summary attributes are capped: a title at 1,024 characters, a
 * resource key at about 2 KB, each 4 bytes per character at most).
 */
export const OCSF_BUDGET_BYTES = MAX_ITEM_BYTES - 24 * 1024;

/** Above this many bytes the OCSF JSON is stored gzip-compressed. */
const INLINE_LIMIT = 200_000;

/** How much of `raw_data` a degraded alert keeps. */
const RAW_KEEP_BYTES = 16 * 1024;

/** How long any string of a degraded alert may stay, in UTF-8 bytes, at the last step. */
const STRING_KEEP_BYTES = 1024;

/** Labels a degraded alert carries, one per step taken. */
export const DEGRADED_LABELS = {
  raw: 'raw-data-truncated',
  unmapped: 'unmapped-dropped',
  strings: 'strings-truncated',
} as const;

/** The OCSF attribute of an alert item: JSON inline, or gzip-compressed when large. */
export interface StoredOcsf {
  readonly field: 'ocsfJson' | 'ocsfGz';
  /** The attribute the write removes (the other form). */
  readonly other: 'ocsfJson' | 'ocsfGz';
  readonly value: string | Uint8Array;
  /** The alert as stored: `alert` itself, or a degraded copy (labelled) when it did not fit. */
  readonly alert: Alert;
}

/**
 * The OCSF event of `alert` in a form that fits its DynamoDB item, measured before the write:
 * inline JSON; else gzip; else degraded step by step (raw data cut to 16 KB, unmapped data
 * dropped, every string cut to 1 KB), each step labelled on the alert; else a rejection with the
 * reason. An event of any content up to EventBridge's 256 KB limit thus never fails its write.
 *
 * @example
 * const stored = fitOcsf(alert);
 * if ('rejected' in stored) storeRejection(stored.rejected); else write({ [stored.field]: stored.value });
 */
export function fitOcsf(alert: Alert): StoredOcsf | { readonly rejected: Rejection } {
  let candidate = alert;
  for (const degrade of [undefined, dropBulk, cutStrings] as const) {
    if (degrade !== undefined) candidate = degrade(candidate);
    const stored = encode(candidate);
    if (stored !== undefined) return stored;
  }
  return {
    rejected: {
      reason: 'too_large',
      message: `the normalized alert does not fit DynamoDB's ${MAX_ITEM_BYTES}-byte item limit, even compressed and with every string cut to ${STRING_KEEP_BYTES} bytes`,
    },
  };
}

function encode(alert: Alert): StoredOcsf | undefined {
  const json = JSON.stringify(alert.ocsf);
  const bytes = json.length > INLINE_LIMIT / 3 ? utf8Bytes(json) : json.length;
  if (bytes <= INLINE_LIMIT) return { field: 'ocsfJson', other: 'ocsfGz', value: json, alert };
  const gz = gzipSync(json);
  return gz.byteLength <= OCSF_BUDGET_BYTES
    ? { field: 'ocsfGz', other: 'ocsfJson', value: gz, alert }
    : undefined;
}

/** A copy with `raw_data` cut and `unmapped` dropped, labelled. */
function dropBulk(alert: Alert): Alert {
  const { unmapped, ...ocsf } = alert.ocsf;
  const labels = new Set(ocsf.metadata.labels ?? []);
  if (ocsf.raw_data !== undefined) {
    const cut = truncateUtf8(ocsf.raw_data, RAW_KEEP_BYTES);
    if (cut.truncated) {
      ocsf.raw_data = cut.text;
      labels.add(DEGRADED_LABELS.raw);
    }
  }
  if (unmapped !== undefined) labels.add(DEGRADED_LABELS.unmapped);
  return { ...alert, ocsf: { ...ocsf, metadata: { ...ocsf.metadata, labels: [...labels] } } };
}

/** A deep copy with every string cut to {@link STRING_KEEP_BYTES}, labelled. Iterative. */
function cutStrings(alert: Alert): Alert {
  const ocsf = structuredClone(alert.ocsf);
  const pending: Record<string, unknown>[] = [ocsf as unknown as Record<string, unknown>];
  while (pending.length > 0) {
    const node = pending.pop() as Record<string, unknown>;
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (typeof value === 'string') node[key] = truncateUtf8(value, STRING_KEEP_BYTES).text;
      else if (typeof value === 'object' && value !== null) pending.push(value as Record<string, unknown>);
    }
  }
  ocsf.metadata.labels = [...new Set([...(ocsf.metadata.labels ?? []), DEGRADED_LABELS.strings])];
  return { ...alert, ocsf };
}

/**
 * `text` cut to at most `maxBytes` UTF-8 bytes, on a character boundary.
 *
 * @example
 * truncateUtf8('héllo', 2) // { text: 'h', truncated: true }
 */
export function truncateUtf8(text: string, maxBytes: number): { text: string; truncated: boolean } {
  if (text.length <= maxBytes / 3 || utf8Bytes(text) <= maxBytes) return { text, truncated: false };
  const bytes = Buffer.from(text, 'utf8');
  let end = maxBytes;
  // Back up to the first byte of the character the cut falls in (continuation bytes are 10xxxxxx).
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return { text: bytes.subarray(0, end).toString('utf8'), truncated: true };
}

/** `text` cut to `max` characters (a summary attribute: titles, names). */
export function clipText(text: string, max = 1024): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

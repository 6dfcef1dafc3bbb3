import { z } from 'zod';
import type { Rejection } from '../alert.ts';
import { isRecord, type JsonRecord } from './read.ts';

/** EventBridge's limit on one event (PutEvents entry), in bytes. */
export const MAX_EVENT_BYTES = 256 * 1024;

/**
 * The EventBridge envelope. Only `source`, `detail-type` and `detail` are needed: published
 * events omit `version` (console sign-in docs), carry extra keys (`debug`) or odd ids, and
 * all of that is accepted.
 */
export const EnvelopeSchema = z.looseObject({
  version: z.string().optional(),
  id: z.string().optional(),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  account: z.string().optional(),
  time: z.string().optional(),
  region: z.string().optional(),
  resources: z.array(z.unknown()).optional(),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** An event that passed the envelope checks, ready for a source normalizer. */
export interface SourceEvent {
  readonly envelope: Envelope;
  readonly detail: JsonRecord;
  /** The original event as received, for OCSF `raw_data`. */
  readonly raw: string;
}

export type EnvelopeResult = { readonly event: SourceEvent } | { readonly rejected: Rejection };

/**
 * Turns raw input (bytes, text or an already-parsed value) into a {@link SourceEvent}, or a
 * rejection saying exactly what is wrong with the envelope.
 */
export function parseEnvelope(input: unknown): EnvelopeResult {
  let raw: string | undefined;
  let value: unknown = input;
  if (input instanceof Uint8Array) {
    if (input.byteLength > MAX_EVENT_BYTES) return tooLarge(input.byteLength);
    raw = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  } else if (typeof input === 'string') {
    raw = input;
  }
  if (raw !== undefined) {
    const bytes = raw.length > MAX_EVENT_BYTES / 4 ? Buffer.byteLength(raw, 'utf8') : raw.length;
    if (bytes > MAX_EVENT_BYTES) return tooLarge(bytes);
    if (raw.trim() === '') return reject('invalid_json', 'input is empty');
    try {
      value = JSON.parse(raw);
    } catch (error) {
      return reject('invalid_json', `input is not valid JSON (${(error as Error).message})`);
    }
  }
  if (!isRecord(value)) {
    return reject('not_an_object', `an event is a JSON object, got ${describe(value)}`);
  }
  if (raw === undefined) {
    // An already-parsed value need not be JSON: a cycle or a BigInt makes JSON.stringify throw,
    // and a toJSON() returning undefined makes it return undefined.
    let text: unknown;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      const why = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ');
      return reject('invalid_field', `the event cannot be serialized as JSON (${why})`);
    }
    if (typeof text !== 'string') return reject('invalid_field', 'the event cannot be serialized as JSON');
    raw = text;
    const bytes = Buffer.byteLength(raw, 'utf8');
    if (bytes > MAX_EVENT_BYTES) return tooLarge(bytes);
  }

  const detail = parseDetail(value.detail);
  if ('rejected' in detail) return detail;

  const parsed = EnvelopeSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? 'envelope');
    const missing = value[field] === undefined || value[field] === null;
    if (field === 'source' || field === 'detail-type') {
      return reject(
        missing ? 'missing_envelope_field' : 'invalid_field',
        missing
          ? `the EventBridge envelope has no "${field}" (EventBridge always sets source and detail-type)`
          : `envelope "${field}" must be a non-empty string, got ${describe(value[field])}`,
      );
    }
    return reject('invalid_field', `envelope "${field}": ${issue?.message ?? 'invalid'}`);
  }
  return { event: { envelope: parsed.data, detail: detail.detail, raw } };
}

function parseDetail(detail: unknown): { readonly detail: JsonRecord } | { readonly rejected: Rejection } {
  if (detail === undefined || detail === null) {
    return reject('missing_detail', 'the event has no "detail"');
  }
  if (isRecord(detail)) return { detail };
  if (typeof detail === 'string') {
    // Some pipelines (SNS, SQS, log shippers) deliver `detail` as a JSON-encoded string.
    try {
      const decoded: unknown = JSON.parse(detail);
      if (isRecord(decoded)) return { detail: decoded };
    } catch {
      // fall through to the rejection below
    }
    return reject('missing_detail', '"detail" is a string that does not hold a JSON object');
  }
  return reject('missing_detail', `"detail" must be an object, got ${describe(detail)}`);
}

function tooLarge(bytes: number): { readonly rejected: Rejection } {
  return reject('too_large', `event is ${bytes} bytes, over EventBridge's ${MAX_EVENT_BYTES}-byte limit`);
}

function reject(reason: Rejection['reason'], message: string): { readonly rejected: Rejection } {
  return { rejected: { reason, message } };
}

/** A short description of a JSON value's type for error messages: `null`, `an array`, `a string`... */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' || type === 'undefined' ? `an ${type}` : `a ${type}`;
}

import type { Rejection } from '../alert.ts';
import * as z from '../zod.ts';
import { isRecord, type JsonRecord } from './read.ts';

/** EventBridge's limit on one event (PutEvents entry), in bytes. */
export const MAX_EVENT_BYTES = 256 * 1024;

/**
 * The EventBridge envelope. Only `source`, `detail-type` and `detail` are needed: published
 * events omit `version` (console sign-in docs), carry extra keys (`debug`) or odd ids, and
 * all of that is accepted.
 *
 * Built in a `@__PURE__` closure: a bundle that only needs the type (esbuild cannot tell that
 * building a zod schema has no side effects) drops it.
 */
export const EnvelopeSchema = /* @__PURE__ */ (() =>
  z.looseObject({
    version: z.optional(z.string()),
    id: z.optional(z.string()),
    'detail-type': z.string().check(z.minLength(1)),
    source: z.string().check(z.minLength(1)),
    account: z.optional(z.string()),
    time: z.optional(z.string()),
    region: z.optional(z.string()),
    resources: z.optional(z.array(z.unknown())),
  }))();
export type Envelope = z.infer<typeof EnvelopeSchema>;

/**
 * Deepest nesting of objects and arrays an event may have. AWS events nest about ten levels (an
 * ASFF security-group rule sits at depth 9). The limit keeps every recursive step after it (the
 * normalizers, `JSON.stringify`, zod) far from the stack limit: 10,000 levels overflow it.
 */
export const MAX_NESTING_DEPTH = 64;

/**
 * Whether `root` nests objects and arrays more than `max` levels deep (the root is level 1).
 * Iterative, so that any depth is measured without recursion; stops at the first node too deep.
 *
 * @example
 * nestsDeeperThan({ a: { b: [1] } }, 2) // true: the array is at level 3
 */
export function nestsDeeperThan(root: unknown, max: number): boolean {
  if (typeof root !== 'object' || root === null) return false;
  const nodes: object[] = [root];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop() as Record<string, unknown>;
    const depth = (depths.pop() as number) + 1;
    for (const key in node) {
      const child = node[key];
      if (typeof child !== 'object' || child === null) continue;
      if (depth > max) return true;
      nodes.push(child);
      depths.push(depth);
    }
  }
  return false;
}

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
  if (nestsDeeperThan(value, MAX_NESTING_DEPTH)) return tooDeep();
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

  if (!isEnvelope(value)) return envelopeRejection(value);
  return { event: { envelope: value, detail: detail.detail, raw } };
}

/** What each envelope member must be, in {@link EnvelopeSchema}'s order. */
const ENVELOPE_MEMBERS: readonly (readonly [field: string, kind: 'name' | 'string' | 'array'])[] = [
  ['version', 'string'],
  ['id', 'string'],
  ['detail-type', 'name'],
  ['source', 'name'],
  ['account', 'string'],
  ['time', 'string'],
  ['region', 'string'],
  ['resources', 'array'],
];

/**
 * Exactly what {@link EnvelopeSchema} accepts, checked in place (no copy, no issue list):
 * non-empty `source` and `detail-type` strings (a `name`), the other members absent or of
 * their type.
 */
function isEnvelope(value: JsonRecord): value is Envelope {
  return (
    isNonEmptyString(value['detail-type']) &&
    isNonEmptyString(value.source) &&
    isOptionalString(value.version) &&
    isOptionalString(value.id) &&
    isOptionalString(value.account) &&
    isOptionalString(value.time) &&
    isOptionalString(value.region) &&
    (value.resources === undefined || Array.isArray(value.resources))
  );
}

function isNonEmptyString(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

/**
 * Why {@link isEnvelope} refused `value`: the first wrong member in the schema's order, with
 * the schema's own wording for the optional members.
 */
function envelopeRejection(value: JsonRecord): { readonly rejected: Rejection } {
  for (const [field, kind] of ENVELOPE_MEMBERS) {
    const member = value[field];
    if (kind === 'name') {
      if (isNonEmptyString(member)) continue;
      return member === undefined || member === null
        ? reject(
            'missing_envelope_field',
            `the EventBridge envelope has no "${field}" (EventBridge always sets source and detail-type)`,
          )
        : reject('invalid_field', `envelope "${field}" must be a non-empty string, got ${describe(member)}`);
    }
    if (member === undefined || (kind === 'string' ? typeof member === 'string' : Array.isArray(member)))
      continue;
    return reject(
      'invalid_field',
      `envelope "${field}": Invalid input: expected ${kind}, received ${receivedType(member)}`,
    );
  }
  return reject('invalid_field', 'envelope "envelope": invalid');
}

// Type words as zod's English locale writes them in "received …" (its `parsedType`, then its
// dictionary lookup), so the refusals read as they always have.
const TYPE_WORDS: { readonly [type: string]: unknown } = { nan: 'NaN' };

/** The type of a wrong member as the refusal names it: `number`, `null`, `array`, `NaN`, a class name… */
function receivedType(value: unknown): unknown {
  let type: unknown = typeof value;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) type = 'nan';
    else if (!Number.isFinite(value)) return String(value);
  } else if (value === null) {
    type = 'null';
  } else if (Array.isArray(value)) {
    type = 'array';
  } else if (
    typeof value === 'object' &&
    Object.getPrototypeOf(value) !== Object.prototype &&
    'constructor' in value &&
    value.constructor
  ) {
    type = (value.constructor as { name?: unknown }).name;
  }
  return TYPE_WORDS[type as string] ?? type;
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
      if (isRecord(decoded)) {
        // The detail sits at level 2 of the event.
        return nestsDeeperThan(decoded, MAX_NESTING_DEPTH - 1) ? tooDeep() : { detail: decoded };
      }
    } catch {
      // fall through to the rejection below
    }
    return reject('missing_detail', '"detail" is a string that does not hold a JSON object');
  }
  return reject('missing_detail', `"detail" must be an object, got ${describe(detail)}`);
}

function tooDeep(): { readonly rejected: Rejection } {
  return reject(
    'too_deep',
    `the event nests objects and arrays more than ${MAX_NESTING_DEPTH} levels deep (no AWS event does)`,
  );
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

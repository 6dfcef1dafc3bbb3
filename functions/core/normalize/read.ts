import type { RejectionReason } from '../alert.ts';
import { RiposteError } from '../errors.ts';

/**
 * Typed reads from untrusted JSON. Normalizers read source events through these helpers so
 * that a field of the wrong type becomes a {@link FieldError} (and so a typed rejection)
 * instead of a `TypeError` deep inside a mapping.
 */

export type JsonRecord = { readonly [key: string]: unknown };

/** A required field is missing or has the wrong type; carries the rejection reason. */
export class FieldError extends RiposteError {
  public readonly reason: RejectionReason;
  public readonly path: string;

  public constructor(reason: RejectionReason, path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'FieldError';
    this.reason = reason;
    this.path = path;
  }
}

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or undefined. Numbers and booleans are turned into strings. */
export function optString(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

// A decimal number as JSON writes one (sign, digits, fraction, exponent), surrounding blanks allowed.
// `Number()` alone would also take "0x10", "0o17", "0b11" and "Infinity".
const DECIMAL = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** A finite number, accepting decimal numeric strings (`"8.0"`, not `"0x10"`), or undefined. */
export function optNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && DECIMAL.test(value)) {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

/**
 * An integer (numeric strings accepted, fractions truncated), or undefined. Beyond ±2^53 − 1 a
 * number is no exact integer (and OCSF's integer fields reject it): undefined too.
 */
export function optInt(value: unknown): number | undefined {
  const n = optNumber(value);
  if (n === undefined) return undefined;
  const int = Math.trunc(n);
  return Number.isSafeInteger(int) ? int : undefined;
}

/**
 * `encodeURIComponent` that never throws: a lone surrogate (valid in a JSON string, and so in
 * an event) becomes U+FFFD instead of raising `URIError: URI malformed`.
 */
export function encodeUriComponent(text: string): string {
  return encodeURIComponent(hasSurrogate(text) ? text.replace(LONE_SURROGATE, '\uFFFD') : text);
}

const LONE_SURROGATE = /\p{Cs}/gu;

/** Whether `text` holds any UTF-16 surrogate, paired or not. */
function hasSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdfff) return true;
  }
  return false;
}

/** A boolean, accepting `"true"` and `"false"`, or undefined. */
export function optBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

export function optRecord(value: unknown): JsonRecord | undefined {
  return isRecord(value) ? value : undefined;
}

export function optArray(value: unknown): readonly unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** The strings of an array (other elements dropped); a lone string becomes a one-element list. */
export function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.length > 0 ? [value] : [];
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const item of value) {
    const s = optString(item);
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** The records of an array (other elements dropped). */
export function recordList(value: unknown): JsonRecord[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord);
}

export function requireString(record: JsonRecord, key: string, path: string): string {
  const value = record[key];
  if (value === undefined || value === null) {
    throw new FieldError('missing_field', `${path}.${key}`, 'is required');
  }
  const s = optString(value);
  if (s === undefined) throw new FieldError('invalid_field', `${path}.${key}`, 'must be a non-empty string');
  return s;
}

export function requireRecord(record: JsonRecord, key: string, path: string): JsonRecord {
  const value = record[key];
  if (value === undefined || value === null) {
    throw new FieldError('missing_field', `${path}.${key}`, 'is required');
  }
  if (!isRecord(value)) throw new FieldError('invalid_field', `${path}.${key}`, 'must be an object');
  return value;
}

/**
 * A copy of `value` without its `undefined` members, so outputs stay minimal and JSON-stable.
 * (Copying beats `delete`, which turns V8 objects into slow dictionaries.)
 */
export function compact<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const member = value[key];
    if (member !== undefined) setMember(out, key, member);
  }
  return out as T;
}

/**
 * `target[key] = value`, except that a key named `"__proto__"` (an own member after `JSON.parse`)
 * becomes an own data member instead of going through the prototype setter, which would drop it
 * and change the copy's prototype.
 */
export function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * A copy of `source` without the dotted `paths` a normalizer has mapped, for OCSF's `unmapped`.
 * Only the branches that lose a key are copied; untouched subtrees are shared.
 *
 * @param paths the mapped paths, best compiled once as {@link MappedPaths}
 *
 * @example
 * omitPaths({ a: 1, b: { c: 2, d: 3 } }, ['a', 'b.c']) // { b: { d: 3 } }
 */
export function omitPaths(
  source: JsonRecord,
  paths: MappedPaths | readonly string[],
): Record<string, unknown> | undefined {
  return omitTree(source, paths instanceof MappedPaths ? paths.tree : cachedTree(paths));
}

/** Dotted paths compiled into a tree of keys, `true` marking a mapped (omitted) member. */
type PathTree = Map<string, unknown>;

// How many compiled path lists a cache keeps (path lists are code constants, but some carry
// source keys, so the caches are bounded).
const MAX_CACHED_TREES = 1000;

/**
 * The paths a normalizer maps, compiled once (at module load) for {@link omitPaths}. A mapping
 * that consumes more paths depending on the event extends them with {@link MappedPaths.with}.
 *
 * @example
 * const MAPPED = new MappedPaths(['id', 'service.count']);
 * omitPaths(detail, MAPPED.with(['resource']));
 */
export class MappedPaths {
  public readonly paths: readonly string[];
  /** The compiled tree {@link omitPaths} walks. */
  public readonly tree: PathTree;
  private readonly extended = new Map<string, MappedPaths>();

  public constructor(paths: readonly string[]) {
    this.paths = [...paths];
    this.tree = pathTree(this.paths);
  }

  /** These paths and `more` (compiled once per distinct `more`). */
  public with(more: readonly string[]): MappedPaths {
    if (more.length === 0) return this;
    const key = more.join('\u0000');
    let paths = this.extended.get(key);
    if (paths === undefined) {
      paths = new MappedPaths([...this.paths, ...more]);
      if (this.extended.size < MAX_CACHED_TREES) this.extended.set(key, paths);
    }
    return paths;
  }
}

function cachedTree(paths: readonly string[]): PathTree {
  const cacheKey = paths.join('\u0000');
  let tree = treeCache.get(cacheKey);
  if (tree === undefined) {
    tree = pathTree(paths);
    if (treeCache.size < MAX_CACHED_TREES) treeCache.set(cacheKey, tree);
  }
  return tree;
}

// Path lists given as arrays, compiled once each.
const treeCache = new Map<string, PathTree>();

function pathTree(paths: readonly string[]): PathTree {
  const tree: PathTree = new Map();
  for (const path of paths) {
    let node = tree;
    const parts = path.split('.');
    for (let i = 0; i < parts.length; i += 1) {
      const part = parts[i] ?? '';
      if (i === parts.length - 1) {
        node.set(part, true);
      } else {
        const next = node.get(part);
        if (next === true) break;
        if (next instanceof Map) {
          node = next;
        } else {
          const created: PathTree = new Map();
          node.set(part, created);
          node = created;
        }
      }
    }
  }
  return tree;
}

function omitTree(source: JsonRecord, tree: PathTree): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let kept = 0;
  for (const key of Object.keys(source)) {
    const rule = tree.get(key);
    const value = source[key];
    if (rule === true || value === undefined || value === null) continue;
    if (rule instanceof Map && isRecord(value)) {
      const rest = omitTree(value, rule);
      if (rest !== undefined) {
        setMember(out, key, rest);
        kept += 1;
      }
      continue;
    }
    setMember(out, key, value);
    kept += 1;
  }
  return kept === 0 ? undefined : out;
}

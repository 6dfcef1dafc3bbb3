/**
 * Local evaluation of Amazon EventBridge event patterns, with EventBridge's semantics,
 * so that events are routed to Riposte's rules locally exactly as the deployed rules
 * (and `TestEventPattern`) would route them.
 *
 * Sources: the EventBridge user guide pages "Creating event patterns", "Comparison
 * operators / Content filtering in event patterns", "Matching on null values and empty
 * strings", "Arrays in event patterns" and "Best practices for event patterns"; where the
 * guide is silent, the behaviour of aws/event-ruler, the open-source engine EventBridge
 * runs, is followed (array consistency, the order of `exists: false` checks, validation
 * messages).
 */
import { invalid } from './pattern-error.ts';
import type { Leaf } from './pattern-operands.ts';
import { compileFieldValues, type FieldValues } from './pattern-values.ts';

export { InvalidEventPatternError } from './pattern-error.ts';

/** Numeric comparison operators of the `numeric` match expression. */
export type NumericOperator = '=' | '<' | '<=' | '>' | '>=';

type StringOrList = string | readonly string[];

/** A content-filter match expression, the object form of a pattern value. */
export type EventPatternExpression =
  | { readonly prefix: string | { readonly 'equals-ignore-case': string } }
  | { readonly suffix: string | { readonly 'equals-ignore-case': string } }
  | { readonly 'equals-ignore-case': string }
  | { readonly wildcard: string }
  | {
      readonly 'anything-but':
        | string
        | number
        | readonly string[]
        | readonly number[]
        | { readonly prefix: StringOrList }
        | { readonly suffix: StringOrList }
        | { readonly 'equals-ignore-case': StringOrList }
        | { readonly wildcard: StringOrList };
    }
  | {
      readonly numeric:
        | readonly [NumericOperator, number]
        | readonly ['>' | '>=', number, '<' | '<=', number];
    }
  | { readonly exists: boolean }
  | { readonly cidr: string };

/** One element of a field's value array: an exact value or a match expression. */
export type EventPatternValue = string | number | boolean | null | EventPatternExpression;

/**
 * The JSON shape of an EventBridge event pattern: fields map to an array of values
 * (ORed) or to a nested pattern; `$or` holds two or more alternative sub-patterns.
 *
 * @example
 * ```ts
 * const pattern: EventPattern = {
 *   source: ['aws.guardduty'],
 *   'detail-type': ['GuardDuty Finding'],
 *   detail: { severity: [{ numeric: ['>=', 7] }] },
 * };
 * ```
 */
export interface EventPattern {
  readonly $or?: readonly EventPattern[];
  readonly [field: string]: EventPattern | readonly EventPatternValue[] | readonly EventPattern[] | undefined;
}

/**
 * A validated, compiled event pattern. Compile once, then call {@link EventPatternMatcher.matches}
 * for every event.
 *
 * @example
 * ```ts
 * const matcher = compileEventPattern({ source: ['aws.ec2'] });
 * matcher.matches({ source: 'aws.ec2', 'detail-type': 'x', detail: {} }); // true
 * ```
 */
export interface EventPatternMatcher {
  /** The pattern this matcher was compiled from. */
  readonly pattern: EventPattern;
  /** Whether `event` (a parsed JSON event object, envelope included) matches the pattern. */
  matches(event: unknown): boolean;
}

type Path = readonly (string | number)[];

/** A flattened field of one `$or` branch: its dot-joined name and its compiled values. */
interface Field {
  readonly name: string;
  /** `keys[d]`: the event keys that may continue the name at depth `d` ("a", "a.b", "a.b.c" …). */
  readonly keys: readonly (readonly string[])[];
  readonly values: FieldValues;
}

/** The event keys that can spell `name` from each depth on, dot-joining included. */
function keysByDepth(name: string): string[][] {
  const segments = name.split('.');
  return segments.map((_, depth) =>
    segments.slice(depth).map((__, length) => segments.slice(depth, depth + length + 1).join('.')),
  );
}

/** Field names that may not be used inside `$or` (aws/event-ruler's reserved words). */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  'html',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

const isList = (value: unknown): value is readonly unknown[] => Array.isArray(value);

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !isList(value);

// ---------------------------------------------------------------------------
// Compilation: the pattern is flattened into branches (one per combination of `$or`
// alternatives), each a map from dot-joined field name to compiled values. A later
// occurrence of the same name overrides an earlier one ("only uses the last one").

type Branch = Map<string, Field>;

function compileOr(value: unknown, prefix: string | undefined, path: Path, branches: Branch[]): Branch[] {
  if (!isList(value)) invalid('It must be an Array followed with $or.', path);
  const result: Branch[] = [];
  value.forEach((alternative, i) => {
    if (!isRecord(alternative))
      invalid('Only JSON object is allowed in array of $or relationship.', [...path, i]);
    const forked = branches.map((branch) => new Map(branch));
    result.push(...compileObject(alternative, prefix, [...path, i], forked, true));
  });
  if (value.length < 2) invalid('There must have at least 2 Objects in $or relationship.', path);
  return result;
}

function compileObject(
  object: Readonly<Record<string, unknown>>,
  prefix: string | undefined,
  path: Path,
  initial: Branch[],
  insideOr: boolean,
): Branch[] {
  const keys = Object.keys(object);
  if (keys.length === 0) invalid('Empty objects are not allowed', path);
  let branches = initial;
  for (const key of keys) {
    const value = object[key];
    const keyPath = [...path, key];
    if (key === '$or') {
      branches = compileOr(value, prefix, keyPath, branches);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      invalid(`${key} is Ruler reserved fieldName which cannot be used inside $or.`, keyPath);
    }
    const name = prefix === undefined ? key : `${prefix}.${key}`;
    if (isList(value)) {
      const field: Field = { name, keys: keysByDepth(name), values: compileFieldValues(value, keyPath) };
      for (const branch of branches) branch.set(name, field);
    } else if (isRecord(value)) {
      branches = compileObject(value, name, keyPath, branches, insideOr);
    } else {
      invalid(`"${key}" must be an object or an array`, keyPath);
    }
  }
  return branches;
}

function parsePattern(pattern: unknown): Readonly<Record<string, unknown>> {
  let parsed = pattern;
  if (typeof pattern === 'string') {
    try {
      parsed = JSON.parse(pattern);
    } catch (error) {
      invalid(`Filter is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, []);
    }
  }
  if (!isRecord(parsed)) invalid('Filter is not an object', []);
  return parsed;
}

// ---------------------------------------------------------------------------
// Matching. A field's candidates are the leaf values (string, number, boolean, null)
// found at its dot-joined name; objects are not leaves and empty arrays hold none.
// Each candidate remembers which element of which event array it came from, so that
// two fields of one branch can only match inside the same array element.

interface Membership {
  readonly array: readonly unknown[];
  readonly index: number;
}

interface Candidate {
  readonly value: Leaf;
  readonly membership: readonly Membership[];
}

const isLeaf = (value: unknown): value is Leaf =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

const NO_MEMBERSHIP: readonly Membership[] = [];

function collect(
  node: unknown,
  keys: readonly (readonly string[])[],
  depth: number,
  membership: readonly Membership[],
  out: Candidate[],
): void {
  if (isList(node)) {
    for (let index = 0; index < node.length; index++) {
      collect(node[index], keys, depth, [...membership, { array: node, index }], out);
    }
    return;
  }
  const names = keys[depth];
  if (names === undefined) {
    if (isLeaf(node)) out.push({ value: node, membership });
  } else if (isRecord(node)) {
    // Dot-joining: the name "a.b.c" is found under the keys a/b/c, "a.b"/c, a/"b.c" or "a.b.c".
    for (let skipped = 0; skipped < names.length; skipped++) {
      const key = names[skipped] ?? '';
      const child = node[key];
      if (child !== undefined && Object.hasOwn(node, key))
        collect(child, keys, depth + skipped + 1, membership, out);
    }
  }
}

/** `membership` extended with `extra`, or `undefined` when they chose different elements of an array. */
function join(
  membership: readonly Membership[],
  extra: readonly Membership[],
): readonly Membership[] | undefined {
  if (extra.length === 0) return membership;
  let joined = membership;
  for (const step of extra) {
    const known = membership.find((m) => m.array === step.array);
    if (known === undefined) joined = [...joined, step];
    else if (known.index !== step.index) return undefined;
  }
  return joined;
}

/** A field of a compiled branch, with the slot its candidates are cached in during one match. */
interface BranchField extends Field {
  readonly slot: number;
}

/** The candidates of each field found so far during one `matches` call, by slot. */
type CandidateCache = (readonly Candidate[] | undefined)[];

function candidatesOf(field: BranchField, event: Readonly<Record<string, unknown>>, cache: CandidateCache) {
  let found = cache[field.slot];
  if (found === undefined) {
    const collected: Candidate[] = [];
    collect(event, field.keys, 0, NO_MEMBERSHIP, collected);
    cache[field.slot] = collected;
    found = collected;
  }
  return found;
}

/** The backtracking search over the candidates of a branch whose fields share event arrays. */
interface Search {
  readonly fields: readonly BranchField[];
  readonly candidates: readonly (readonly Candidate[])[];
  /** `later[i]`: the event arrays the fields after `i` take values from. */
  readonly later: readonly ReadonlySet<readonly unknown[]>[];
  readonly arrayIds: Map<readonly unknown[], number>;
}

/** A key for the part of `membership` that the fields still to come can see. */
function visibleKey(
  search: Search,
  membership: readonly Membership[],
  visible: ReadonlySet<readonly unknown[]>,
) {
  const ids: string[] = [];
  for (const { array, index } of membership) {
    if (!visible.has(array)) continue;
    let id = search.arrayIds.get(array);
    if (id === undefined) {
      id = search.arrayIds.size;
      search.arrayIds.set(array, id);
    }
    ids.push(`${id}:${index}`);
  }
  return ids.sort().join(',');
}

/** Whether fields `i…` match, consistently with the array elements chosen so far. */
function searchFrom(search: Search, i: number, membership: readonly Membership[]): boolean {
  const field = search.fields[i];
  if (field === undefined) return true;
  const { test, testsValues, acceptsAbsence } = field.values;
  const visible = search.later[i];
  // Choices the remaining fields cannot see lead to the same answer: try each visible choice once.
  const tried = visible === undefined || visible.size === 0 ? undefined : new Set<string>();
  let present = false;
  for (const candidate of search.candidates[i] ?? []) {
    const joined = join(membership, candidate.membership);
    if (joined === undefined) continue;
    present = true;
    if (!testsValues || !test(candidate.value)) continue;
    if (tried === undefined || visible === undefined) return searchFrom(search, i + 1, joined);
    const key = visibleKey(search, joined, visible);
    if (tried.has(key)) continue;
    tried.add(key);
    if (searchFrom(search, i + 1, joined)) return true;
  }
  return !present && acceptsAbsence && searchFrom(search, i + 1, membership);
}

/** Whether every field of a branch matches. */
function matchBranch(
  fields: readonly BranchField[],
  event: Readonly<Record<string, unknown>>,
  cache: CandidateCache,
): boolean {
  const candidates: (readonly Candidate[])[] = [];
  const satisfiable: boolean[] = [];
  let owners: Map<readonly unknown[], number> | undefined;
  let shared = false;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as BranchField;
    const { test, testsValues, acceptsAbsence } = field.values;
    const found = candidatesOf(field, event, cache);
    let satisfied = false;
    let inArrays = false;
    for (const candidate of found) {
      satisfied ||= testsValues && test(candidate.value);
      for (const { array } of candidate.membership) {
        inArrays = true;
        owners ??= new Map();
        const owner = owners.get(array);
        if (owner === undefined) owners.set(array, i);
        else if (owner !== i) shared = true;
      }
    }
    // No candidate satisfies the field: it fails, unless it may be absent and can be.
    if (!satisfied && !(acceptsAbsence && (found.length === 0 || inArrays))) return false;
    candidates.push(found);
    satisfiable.push(satisfied);
  }
  if (!shared) {
    // No event array is shared by two fields, so no choice of array element constrains another field.
    return satisfiable.every((satisfied, i) => satisfied || candidates[i]?.length === 0);
  }
  const later: ReadonlySet<readonly unknown[]>[] = [];
  let seen = new Set<readonly unknown[]>();
  for (let i = fields.length - 1; i >= 0; i--) {
    later[i] = seen;
    const arrays = (candidates[i] ?? []).flatMap((candidate) => candidate.membership.map((m) => m.array));
    if (arrays.some((array) => !seen.has(array))) seen = new Set([...seen, ...arrays]);
  }
  return searchFrom({ fields, candidates, later, arrayIds: new Map() }, 0, NO_MEMBERSHIP);
}

/**
 * Validates an EventBridge event pattern once and returns a matcher to test events with.
 *
 * @param pattern - The pattern, as a parsed JSON object or as its JSON text.
 * @returns A matcher whose `matches(event)` answers as EventBridge's `TestEventPattern` would.
 * @throws {@link InvalidEventPatternError} When the pattern is not valid; the message names the offending path.
 *
 * @example
 * ```ts
 * const isTermination = compileEventPattern({
 *   source: ['aws.ec2'],
 *   'detail-type': ['EC2 Instance State-change Notification'],
 *   detail: { state: ['terminated'] },
 * });
 * isTermination.matches({
 *   source: 'aws.ec2',
 *   'detail-type': 'EC2 Instance State-change Notification',
 *   detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
 * }); // true
 * ```
 */
export function compileEventPattern(pattern: unknown): EventPatternMatcher {
  const parsed = parsePattern(pattern);
  const compiled = compileObject(parsed, undefined, [], [new Map()], false);
  const slots = new Map<string, number>();
  const branches = compiled.map((branch) =>
    // `exists: false` is judged against the array elements chosen by the fields before it,
    // in field-name order, as event-ruler does.
    [...branch.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((field): BranchField => {
        const slot = slots.get(field.name) ?? slots.size;
        slots.set(field.name, slot);
        return { ...field, slot };
      }),
  );
  return {
    pattern: parsed as EventPattern,
    matches(event: unknown): boolean {
      if (!isRecord(event)) return false;
      const cache: CandidateCache = new Array(slots.size);
      for (const fields of branches) if (matchBranch(fields, event, cache)) return true;
      return false;
    },
  };
}

/**
 * Convenience one-shot form of {@link compileEventPattern}: validates `pattern` and tests `event`.
 * Prefer `compileEventPattern` when the same pattern is tested against many events.
 *
 * @throws {@link InvalidEventPatternError} When the pattern is not valid.
 *
 * @example
 * ```ts
 * matchesEventPattern({ detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, {
 *   source: 'custom.app',
 *   detail: { 'source-ip': '10.0.0.33' },
 * }); // true
 * ```
 */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  return compileEventPattern(pattern).matches(event);
}

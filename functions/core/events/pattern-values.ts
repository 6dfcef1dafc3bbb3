/**
 * Compiles the value array of one pattern field (`"state": ["running", {"prefix": "st"}]`)
 * into a single test, validating each element the way EventBridge does.
 */
import { invalid } from './pattern-error.ts';
import {
  type Compiled,
  comparable,
  compileCidr,
  compileWildcard,
  ignoreCaseTest,
  type Leaf,
  type LeafTest,
  numericLimitViolation,
} from './pattern-operands.ts';

type Path = readonly (string | number)[];

/** The compiled form of a field's value array. */
export interface FieldValues {
  /** Whether some leaf value of the event satisfies one of the value matchers. */
  readonly test: LeafTest;
  /** Whether the array holds anything other than `{"exists": false}`. */
  readonly testsValues: boolean;
  /** Whether the array holds `{"exists": false}`, i.e. the field may be missing. */
  readonly acceptsAbsence: boolean;
}

const isList = (value: unknown): value is readonly unknown[] => Array.isArray(value);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !isList(value);

const isString = (value: Leaf): value is string => typeof value === 'string';

function unwrap<T>(compiled: Compiled<T>, path: Path): T {
  if (!compiled.ok) invalid(compiled.reason, path);
  return compiled.value;
}

/** The single `[key, value]` of a match expression, or an error. */
function onlyEntry(expression: Record<string, unknown>, path: Path, what: string): [string, unknown] {
  const entries = Object.entries(expression);
  const [first] = entries;
  if (first === undefined) invalid(`${what} name not found`, path);
  if (entries.length > 1) invalid('Only one key allowed in match expression', path);
  return first;
}

function requireString(value: unknown, reason: string, path: Path): string {
  if (typeof value !== 'string') invalid(reason, path);
  return value;
}

/** `prefix` / `suffix`: a string, or `{"equals-ignore-case": string}`. */
function compileAffix(kind: 'prefix' | 'suffix', operand: unknown, path: Path): LeafTest {
  if (isRecord(operand)) {
    const label = kind === 'prefix' ? 'Prefix' : 'Suffix';
    const [inner, value] = onlyEntry(operand, path, `${label} expression`);
    if (inner !== 'equals-ignore-case') invalid(`Unsupported ${kind} pattern: ${inner}`, path);
    const text = requireString(value, 'equals-ignore-case match pattern must be a string', [...path, inner]);
    const test = ignoreCaseTest(text, kind);
    return (leaf) => isString(leaf) && test(leaf);
  }
  const text = requireString(operand, `${kind} match pattern must be a string`, path);
  return kind === 'prefix'
    ? (leaf) => isString(leaf) && leaf.startsWith(text)
    : (leaf) => isString(leaf) && leaf.endsWith(text);
}

function requireNumber(value: unknown, operator: string, path: Path): number {
  if (typeof value !== 'number')
    invalid(`Value of ${operator === '=' ? 'equals' : operator} must be numeric`, path);
  const scaled = comparable(value);
  if (scaled === undefined)
    invalid(numericLimitViolation(value) ?? 'Value of numeric is not supported', path);
  return scaled;
}

/** `numeric`: `[op, n]` or `[">"|">=", low, "<"|"<=", high]`. */
function compileNumeric(operand: unknown, path: Path): LeafTest {
  if (!isList(operand)) invalid('Value of numeric must be an array.', path);
  const [operator, first, upperOperator, upper] = operand;
  if (typeof operator !== 'string') {
    invalid(`Invalid member in numeric match: ${operator === undefined ? ']' : JSON.stringify(operator)}`, [
      ...path,
      0,
    ]);
  }
  if (!['=', '<', '<=', '>', '>='].includes(operator)) {
    invalid(`Unrecognized numeric range operator: ${operator}`, [...path, 0]);
  }
  const low = requireNumber(first, operator, [...path, 1]);
  if (operand.length === 2) {
    const compare: Record<string, (n: number) => boolean> = {
      '=': (n) => n === low,
      '<': (n) => n < low,
      '<=': (n) => n <= low,
      '>': (n) => n > low,
      '>=': (n) => n >= low,
    };
    const test = compare[operator] ?? (() => false);
    return (leaf) => {
      const n = typeof leaf === 'number' ? comparable(leaf) : undefined;
      return n !== undefined && test(n);
    };
  }
  if (operator !== '>' && operator !== '>=') invalid('Too many elements in numeric expression', [...path, 2]);
  if (typeof upperOperator !== 'string') {
    invalid(`Bad value in numeric range: ${JSON.stringify(upperOperator)}`, [...path, 2]);
  }
  if (upperOperator !== '<' && upperOperator !== '<=') {
    invalid(`Bad numeric range operator: ${upperOperator}`, [...path, 2]);
  }
  const high = requireNumber(upper, upperOperator, [...path, 3]);
  if (operand.length > 4) invalid('Too many terms in numeric range expression', [...path, 4]);
  if (low >= high) invalid('Bottom must be less than top', path);
  const openLow = operator === '>';
  const openHigh = upperOperator === '<';
  return (leaf) => {
    const n = typeof leaf === 'number' ? comparable(leaf) : undefined;
    return n !== undefined && (openLow ? n > low : n >= low) && (openHigh ? n < high : n <= high);
  };
}

/** `anything-but` with a nested `prefix` / `suffix` / `equals-ignore-case` / `wildcard`. */
function compileAnythingButObject(operand: Record<string, unknown>, path: Path): LeafTest {
  const [inner, value] = onlyEntry(operand, path, 'Anything-But expression');
  if (!['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(inner)) {
    invalid(`Unsupported anything-but pattern: ${inner}`, path);
  }
  const innerPath = [...path, inner];
  if (typeof value !== 'string' && !isList(value) && typeof value !== 'number') {
    invalid('Value of anything-but must be an array or single string/number value.', innerPath);
  }
  const items: readonly unknown[] = isList(value) ? value : [value];
  const excluded = items.map((item, i): ((text: string) => boolean) => {
    const itemPath = isList(value) ? [...innerPath, i] : innerPath;
    if (inner === 'equals-ignore-case') {
      const text = requireString(
        item,
        'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
        itemPath,
      );
      return ignoreCaseTest(text, 'equals');
    }
    if (inner === 'wildcard') {
      return unwrap(
        compileWildcard(requireString(item, 'wildcard match pattern must be a string', itemPath)),
        itemPath,
      );
    }
    const text = requireString(item, 'prefix/suffix match pattern must be a string', itemPath);
    if (text === '') invalid('Null prefix/suffix not allowed', itemPath);
    return inner === 'prefix' ? (leaf) => leaf.startsWith(text) : (leaf) => leaf.endsWith(text);
  });
  return (leaf) => !isString(leaf) || !excluded.some((test) => test(leaf));
}

/** `anything-but`: a string, a number, a list of strings or of numbers, or a nested operator. */
function compileAnythingBut(operand: unknown, path: Path): LeafTest {
  if (isRecord(operand)) return compileAnythingButObject(operand, path);
  if (isList(operand)) {
    operand.forEach((item, i) => {
      if (typeof item !== 'string' && typeof item !== 'number') {
        invalid('Inside anything but list, start|null|boolean is not supported.', [...path, i]);
      }
    });
    const strings = operand.filter((item): item is string => typeof item === 'string');
    if (strings.length === operand.length && strings.length > 0) {
      const set = new Set(strings);
      return (leaf) => !isString(leaf) || !set.has(leaf);
    }
    if (strings.length > 0 || operand.length === 0) {
      invalid(
        'Inside anything but list, either all values are number or string, mixed type is not supported',
        path,
      );
    }
    const set = new Set(operand.map((item, i) => requireNumber(item, 'anything-but', [...path, i])));
    return (leaf) => {
      const n = typeof leaf === 'number' ? comparable(leaf) : undefined;
      return n === undefined || !set.has(n);
    };
  }
  if (typeof operand === 'string') return (leaf) => leaf !== operand;
  if (typeof operand === 'number') {
    const excluded = requireNumber(operand, 'anything-but', path);
    return (leaf) => typeof leaf !== 'number' || comparable(leaf) !== excluded;
  }
  return invalid('Value of anything-but must be an array or single string/number value.', path);
}

/** One match expression such as `{"numeric": [">", 0]}`; `exists` is handled by the caller. */
function compileExpression(operator: string, operand: unknown, path: Path): LeafTest {
  const operandPath = [...path, operator];
  switch (operator) {
    case 'prefix':
    case 'suffix':
      return compileAffix(operator, operand, operandPath);
    case 'equals-ignore-case': {
      const test = ignoreCaseTest(
        requireString(operand, 'equals-ignore-case match pattern must be a string', operandPath),
        'equals',
      );
      return (leaf) => isString(leaf) && test(leaf);
    }
    case 'wildcard': {
      const expression = requireString(operand, 'wildcard match pattern must be a string', operandPath);
      const test = unwrap(compileWildcard(expression), operandPath);
      return (leaf) => isString(leaf) && test(leaf);
    }
    case 'cidr': {
      const test = unwrap(
        compileCidr(requireString(operand, 'cidr match pattern must be a string', operandPath)),
        operandPath,
      );
      return (leaf) => isString(leaf) && test(leaf);
    }
    case 'numeric':
      return compileNumeric(operand, operandPath);
    case 'anything-but':
      return compileAnythingBut(operand, operandPath);
    default:
      return invalid(`Unrecognized match type ${operator}`, path);
  }
}

/**
 * Compiles a field's value array. Values are ORed: strings, numbers, booleans and
 * `null` match exactly; objects are match expressions.
 */
export function compileFieldValues(values: readonly unknown[], path: Path): FieldValues {
  if (values.length === 0) invalid('Empty arrays are not allowed', path);
  const strings = new Set<string>();
  const numbers = new Set<number>();
  const literals = new Set<boolean | null>();
  const expressions: LeafTest[] = [];
  let testsValues = false;
  let acceptsAbsence = false;

  values.forEach((value, i) => {
    const valuePath = [...path, i];
    if (typeof value === 'string') strings.add(value);
    else if (typeof value === 'number' && Number.isFinite(value)) numbers.add(value);
    else if (typeof value === 'boolean' || value === null) literals.add(value);
    else if (isRecord(value)) {
      const [operator, operand] = onlyEntry(value, valuePath, 'Match expression');
      if (operator === 'exists') {
        if (typeof operand !== 'boolean') {
          invalid('exists match pattern must be either true or false.', [...valuePath, operator]);
        }
        if (operand) expressions.push(() => true);
        else acceptsAbsence = true;
        testsValues ||= operand;
        return;
      }
      expressions.push(compileExpression(operator, operand, valuePath));
    } else invalid('Match value must be String, number, true, false, or null', valuePath);
    testsValues = true;
  });

  const test: LeafTest = (leaf) => {
    if (
      typeof leaf === 'string'
        ? strings.has(leaf)
        : typeof leaf === 'number'
          ? numbers.has(leaf)
          : literals.has(leaf)
    ) {
      return true;
    }
    for (const expression of expressions) if (expression(leaf)) return true;
    return false;
  };
  return { test, testsValues, acceptsAbsence };
}

/**
 * Low-level comparisons used by the event-pattern operators: EventBridge's
 * numeric representation, case-insensitive text, wildcards and IP ranges.
 * Each `compile*` function validates its operand once and returns a fast predicate;
 * a validation failure is reported as a plain reason string for the caller to locate.
 */

/** A value a leaf of a JSON event can hold. */
export type Leaf = string | number | boolean | null;

/** A compiled test over one leaf value of the event. */
export type LeafTest = (value: Leaf) => boolean;

/** The outcome of compiling an operand: a predicate, or the reason the operand is not valid. */
export type Compiled<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

const ok = <T>(value: T): Compiled<T> => ({ ok: true, value });
const fail = <T>(reason: string): Compiled<T> => ({ ok: false, reason });

// ---------------------------------------------------------------------------
// Numbers: "limited to values between -5.0e9 and +5.0e9 inclusive, with 15 digits
// of precision, or six digits to the right of the decimal point" (content filtering,
// numeric matching). Comparable numbers are scaled by 1e6 so every comparison is an
// exact integer comparison (5e15 < 2^53).

const NUMERIC_LIMIT = 5e9;
const NUMERIC_DECIMALS = 6;

/** Number of digits right of the decimal point in the shortest decimal form of `n`. */
function decimalPlaces(n: number): number {
  const [mantissa = '', exponent = '0'] = String(Math.abs(n)).split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent));
}

/**
 * `n` (finite, at most 5e9 in magnitude) scaled by 1e6 when it has at most six decimals, as an
 * exact integer (5e15 < 2^53); `undefined` when it has more decimals.
 */
function scaled(n: number): number | undefined {
  const product = Math.round(n * 1e6);
  if (product / 1e6 === n) return product;
  // The product can round the wrong way for large magnitudes: read the shortest decimal form.
  if (decimalPlaces(n) > NUMERIC_DECIMALS) return undefined;
  const [whole = '', fraction = ''] = String(n).split('.');
  return Number(whole + fraction.padEnd(NUMERIC_DECIMALS, '0'));
}

/** Why `n` cannot take part in numeric matching, or `undefined` when it can. */
export function numericLimitViolation(n: number): string | undefined {
  if (!Number.isFinite(n) || Math.abs(n) > NUMERIC_LIMIT) {
    return 'Value must be between -5.0e9 and 5.0e9, inclusive';
  }
  if (scaled(n) === undefined) return `Only values up to ${NUMERIC_DECIMALS} decimals are supported`;
  return undefined;
}

/** `n` scaled to an exact integer, or `undefined` when it is outside EventBridge's numeric limits. */
export function comparable(n: number): number | undefined {
  return Number.isFinite(n) && Math.abs(n) <= NUMERIC_LIMIT ? scaled(n) : undefined;
}

// ---------------------------------------------------------------------------
// Case-insensitive text: each code point of the pattern matches itself, its
// lower-case or its upper-case form.

function caseVariants(pattern: string): ReadonlySet<number>[] {
  const variants: ReadonlySet<number>[] = [];
  for (const char of pattern) {
    const set = new Set<number>([char.codePointAt(0) ?? 0]);
    for (const variant of [char.toLowerCase(), char.toUpperCase()]) {
      const code = variant.codePointAt(0);
      if (code !== undefined && String.fromCodePoint(code) === variant) set.add(code);
    }
    variants.push(set);
  }
  return variants;
}

function codePoints(text: string): number[] {
  const out: number[] = [];
  for (const char of text) out.push(char.codePointAt(0) ?? 0);
  return out;
}

function alignedIgnoringCase(
  variants: readonly ReadonlySet<number>[],
  points: readonly number[],
  start: number,
) {
  for (let i = 0; i < variants.length; i++) {
    if (!variants[i]?.has(points[start + i] ?? -1)) return false;
  }
  return true;
}

/** A test of whole-string, prefix or suffix equality ignoring case. */
export function ignoreCaseTest(
  pattern: string,
  mode: 'equals' | 'prefix' | 'suffix',
): (text: string) => boolean {
  const variants = caseVariants(pattern);
  return (text) => {
    const points = codePoints(text);
    if (mode === 'equals' ? points.length !== variants.length : points.length < variants.length) return false;
    return alignedIgnoringCase(variants, points, mode === 'suffix' ? points.length - variants.length : 0);
  };
}

// ---------------------------------------------------------------------------
// Wildcards: `*` matches zero or more characters, `\*` is a literal asterisk, `\\` a
// literal backslash, any other escape is refused, and so are consecutive wildcards.

/** Position EventBridge reports: the UTF-8 offset inside the quoted JSON string. */
function reportedPosition(text: string, index: number): number {
  return new TextEncoder().encode(text.slice(0, index)).length + 1;
}

/** Compiles a wildcard expression into a test over strings. */
export function compileWildcard(expression: string): Compiled<(text: string) => boolean> {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < expression.length; i++) {
    const char = expression[i];
    if (char === '*') {
      if (expression[i + 1] === '*') {
        return fail(`Consecutive wildcard characters at pos ${reportedPosition(expression, i)}`);
      }
      parts.push(current);
      current = '';
    } else if (char === '\\') {
      const next = expression[i + 1];
      if (next !== '*' && next !== '\\') {
        return fail(`Invalid escape character at pos ${reportedPosition(expression, i)}`);
      }
      current += next;
      i++;
    } else {
      current += char;
    }
  }
  parts.push(current);
  const first = parts[0] ?? '';
  if (parts.length === 1) return ok((text: string) => text === first);
  const last = parts[parts.length - 1] ?? '';
  const middle = parts.slice(1, -1).filter((part) => part !== '');
  return ok((text: string) => {
    if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) {
      return false;
    }
    const end = text.length - last.length;
    let position = first.length;
    for (const part of middle) {
      const found = text.indexOf(part, position);
      if (found === -1 || found + part.length > end) return false;
      position = found + part.length;
    }
    return true;
  });
}

// ---------------------------------------------------------------------------
// IP addresses (IPv4 and IPv6). Strings that do not look like an address are not
// addresses; IPv4-mapped IPv6 addresses count as IPv4, as Java's InetAddress does.

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

function looksLikeIp(text: string): boolean {
  return IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);
}

function parseIpv6Groups(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string | undefined) => (half === undefined || half === '' ? [] : half.split(':'));
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill('0'), ...tail];
  const bytes: number[] = [];
  for (const group of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    const value = Number.parseInt(group, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  return bytes;
}

/** The address bytes (4 or 16) of an IP literal, or `undefined`. */
export function parseIp(text: string): number[] | undefined {
  if (IPV4_SHAPE.test(text)) {
    const bytes = text.split('.').map(Number);
    return bytes.every((byte) => byte <= 255) ? bytes : undefined;
  }
  if (!IPV6_SHAPE.test(text)) return undefined;
  const bytes = parseIpv6Groups(text);
  if (bytes === undefined) return undefined;
  const mapped = bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

/** Compiles a `cidr` operand (`"10.0.0.0/24"`, `"2001:db8::/32"`) into a test over strings. */
export function compileCidr(cidr: string): Compiled<(text: string) => boolean> {
  const slashed = cidr.split('/');
  while (slashed.length > 0 && slashed[slashed.length - 1] === '') slashed.pop();
  if (slashed.length !== 2) return fail("Malformed CIDR, one '/' required");
  const [address = '', bits = ''] = slashed;
  if (!/^[+-]?[0-9]+$/.test(bits) || Math.abs(Number(bits)) > 2 ** 31 - 1) {
    return fail('Malformed CIDR, mask bits must be an integer');
  }
  const maskBits = Number(bits);
  if (maskBits < 0) return fail('Malformed CIDR, mask bits must not be negative');
  if (!looksLikeIp(address)) return fail(`Nonstandard IP address: ${address}`);
  const network = parseIp(address);
  if (network === undefined) return fail(`Invalid IP address: ${address}`);
  if (network.length === 4 && maskBits > 31) return fail('IPv4 mask bits must be < 32');
  if (network.length === 16 && maskBits > 127) return fail('IPv6 mask bits must be < 128');
  const mask = network.map((_, i) => {
    const bitsHere = Math.min(8, Math.max(0, maskBits - i * 8));
    return (0xff << (8 - bitsHere)) & 0xff;
  });
  const base = network.map((byte, i) => byte & (mask[i] ?? 0));
  return ok((text: string) => {
    const bytes = parseIp(text);
    if (bytes === undefined || bytes.length !== base.length) return false;
    return bytes.every((byte, i) => (byte & (mask[i] ?? 0)) === base[i]);
  });
}

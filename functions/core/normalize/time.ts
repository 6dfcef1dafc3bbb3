/**
 * Timestamps as AWS security services actually publish them, turned into OCSF `timestamp_t`
 * (epoch milliseconds, UTC):
 *
 * - ISO 8601 with any fraction length (`2019-04-18T14:51:55.000000Z`) and with or without an
 *   offset (no offset means UTC, as every AWS service writes UTC);
 * - epoch seconds or milliseconds, as numbers or numeric strings (`1513721039`,
 *   `1555599782.881`, `1528413920000`);
 * - Inspector's console-style `Dec 3, 2021, 6:02:30 PM` and `Wed Sep 04 16:59:44.356 UTC 2024`.
 *
 * Anything else yields `undefined`: callers fall back to another field, never to "now".
 */

const MONTHS: Readonly<Record<string, number>> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

// "Dec 3, 2021, 6:02:30 PM" (Inspector, ECR console format)
const MDY_12H = /^([A-Za-z]{3})[a-z]* (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2})(?::(\d{2}))? ?([AaPp][Mm])$/;
// "Wed Sep 04 16:59:44.356 UTC 2024" (Java Date.toString style)
const JAVA_DATE =
  /^(?:[A-Za-z]{3} )?([A-Za-z]{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))? (?:UTC|GMT) (\d{4})$/;

// Epoch seconds or milliseconds as a numeric string (`1513721039`, `1555599782.881`).
const EPOCH_DIGITS = /^\d+(\.\d+)?$/;
// Epoch values above this are milliseconds; below, seconds. 1e11 s is the year 5138, 1e11 ms is 1973.
const MILLIS_THRESHOLD = 1e11;
// OCSF timestamps are non-negative; reject values past year 9999.
const MAX_MS = 253_402_300_799_999;

/** Epoch milliseconds for a timestamp in any of the formats above, or `undefined`. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  // The formats cannot be mistaken for one another; the commonest is tried first.
  const iso = fromIso(text);
  if (iso !== undefined) return iso;
  if (EPOCH_DIGITS.test(text)) return fromEpoch(Number(text));
  return fromMdy(text) ?? fromJavaDate(text);
}

function fromEpoch(n: number): number | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  const ms = n >= MILLIS_THRESHOLD ? n : n * 1000;
  return valid(Math.round(ms));
}

function valid(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_MS ? ms : undefined;
}

/**
 * An ISO 8601 timestamp of the shape
 * `YYYY-MM-DD[(T| )hh:mm[:ss[(.|,)fraction]]][blanks][Z|z|±hh[[:]mm]]`, read by one left-to-right
 * scan (no optional part can be given back to let a later one match, so no backtracking is needed).
 */
function fromIso(text: string): number | undefined {
  const end = text.length;
  if (end < 10 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (year < 0 || month < 0 || day < 0) return undefined;

  let at = 10;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let millis = 0;
  const separator = text.charCodeAt(at);
  const h = separator === UPPER_T || separator === SPACE ? digitsAt(text, at + 1, 2) : -1;
  const mi = h >= 0 && text.charCodeAt(at + 3) === COLON ? digitsAt(text, at + 4, 2) : -1;
  if (mi >= 0) {
    hour = h;
    minute = mi;
    at += 6;
    const s = text.charCodeAt(at) === COLON ? digitsAt(text, at + 1, 2) : -1;
    if (s >= 0) {
      second = s;
      at += 3;
      const mark = text.charCodeAt(at);
      const fractionEnd = mark === DOT || mark === COMMA ? digitRunEnd(text, at + 1) : at + 1;
      if (fractionEnd > at + 1) {
        millis = fractionDigits(text, at + 1, fractionEnd);
        at = fractionEnd;
      }
    }
  }
  while (at < end && isBlank(text.charCodeAt(at))) at += 1;
  const offset = zoneOffsetAt(text, at);
  if (offset === undefined) return undefined;
  const base = utc(year, month - 1, day, hour, minute, second, millis);
  return base === undefined ? undefined : valid(base - offset);
}

const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const COMMA = 0x2c;
const PLUS = 0x2b;
const SPACE = 0x20;
const UPPER_T = 0x54;
const UPPER_Z = 0x5a;
const LOWER_Z = 0x7a;
const DIGIT_0 = 0x30;

/** The value of the `count` ASCII digits at `start`, or -1 when any of them is not a digit. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i += 1) {
    const digit = text.charCodeAt(i) - DIGIT_0;
    if (!(digit >= 0 && digit <= 9)) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** The index just past the run of ASCII digits starting at `start`. */
function digitRunEnd(text: string, start: number): number {
  let i = start;
  while (digitsAt(text, i, 1) >= 0) i += 1;
  return i;
}

/** Milliseconds of the fraction digits in `text[start, end)`, as {@link fraction} computes them. */
function fractionDigits(text: string, start: number, end: number): number {
  // Up to three digits are exact milliseconds ("5" → 500, "25" → 250, "356" → 356).
  if (end - start <= 3) return digitsAt(text, start, end - start) * 10 ** (3 - (end - start));
  return fraction(text.slice(start, end));
}

/**
 * What `\s` matches (and `String.prototype.trim` removes): ECMAScript white space and line
 * terminators.
 */
function isBlank(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    code === SPACE ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * The offset in milliseconds of the zone designator that ends `text` at `at` (none, `Z`, `z`,
 * `±hh`, `±hhmm` or `±hh:mm`), or `undefined` when the rest of `text` is not one, or is past
 * ±14:00 or minute 59.
 */
function zoneOffsetAt(text: string, at: number): number | undefined {
  const rest = text.length - at;
  if (rest === 0) return 0;
  const sign = text.charCodeAt(at);
  if (rest === 1 && (sign === UPPER_Z || sign === LOWER_Z)) return 0;
  if (sign !== PLUS && sign !== DASH) return undefined;
  const hours = digitsAt(text, at + 1, 2);
  const minuteAt = rest === 6 && text.charCodeAt(at + 3) === COLON ? at + 4 : at + 3;
  const minutes = rest === 3 ? 0 : text.length - minuteAt === 2 ? digitsAt(text, minuteAt, 2) : -1;
  if (hours < 0 || minutes < 0) return undefined;
  // Real offsets run from -12:00 to +14:00; anything past 14 hours or 59 minutes is not a zone.
  if (hours > 14 || minutes > 59 || (hours === 14 && minutes > 0)) return undefined;
  return (sign === DASH ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}

function fromMdy(text: string): number | undefined {
  const m = MDY_12H.exec(text);
  if (m === null) return undefined;
  const [, mon = '', d, y, h, mi, s = '0', ampm = ''] = m;
  const month = MONTHS[mon.toLowerCase()];
  const hour12 = Number(h);
  if (month === undefined || hour12 < 1 || hour12 > 12) return undefined;
  const hour = (hour12 % 12) + (ampm.toLowerCase() === 'pm' ? 12 : 0);
  const ms = utc(Number(y), month, Number(d), hour, Number(mi), Number(s), 0);
  return ms === undefined ? undefined : valid(ms);
}

function fromJavaDate(text: string): number | undefined {
  const m = JAVA_DATE.exec(text);
  if (m === null) return undefined;
  const [, mon = '', d, h, mi, s, frac = '', y] = m;
  const month = MONTHS[mon.toLowerCase()];
  if (month === undefined) return undefined;
  const ms = utc(Number(y), month, Number(d), Number(h), Number(mi), Number(s), fraction(frac));
  return ms === undefined ? undefined : valid(ms);
}

/** Milliseconds of a decimal fraction of a second (`"356"` → 356, `"1"` → 100). */
function fraction(digits: string): number {
  return digits === '' ? 0 : Math.round(Number(`0.${digits}`) * 1000);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Epoch milliseconds of a UTC calendar date and time, or `undefined` when any part is out of
 * range. Every part is checked because `Date.UTC` silently rolls overflows over (Feb 30 → Mar 2,
 * minute 75 → the next hour, second 60 → the next minute) and maps years 0–99 to 1900–1999.
 * Years before 1970 are refused: OCSF timestamps are non-negative.
 */
function utc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
): number | undefined {
  if (year < 1970 || year > 9999 || month < 0 || month > 11 || day < 1) return undefined;
  const leap = month === 1 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0);
  if (day > (DAYS_IN_MONTH[month] ?? 31) + (leap ? 1 : 0)) return undefined;
  // Leap seconds (:60) are refused too: AWS smears them, so a :60 is malformed, not a leap second.
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const days = daysSinceEpoch(year, month) + day - 1;
  return days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
}

/** Days before each month (0-based) in a common year. */
const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** Leap years from year 1 to `year` (proleptic Gregorian). */
function leapYearsThrough(year: number): number {
  return Math.floor(year / 4) - Math.floor(year / 100) + Math.floor(year / 400);
}

/**
 * Days from 1970-01-01 to the first day of `month` (0-based) of `year` (1970 or later): what
 * `Date.UTC` computes for valid dates, without the call.
 */
function daysSinceEpoch(year: number, month: number): number {
  // February 29 of `year` lies before `month` only from March on.
  const leapDays = leapYearsThrough(month < 2 ? year - 1 : year) - leapYearsThrough(1969);
  return (year - 1970) * 365 + leapDays + (DAYS_BEFORE_MONTH[month] ?? 0);
}

/** The first of `values` that parses as a timestamp. */
export function firstTimestamp(...values: unknown[]): number | undefined {
  for (const value of values) {
    const ms = parseTimestamp(value);
    if (ms !== undefined) return ms;
  }
  return undefined;
}

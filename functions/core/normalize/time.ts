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

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
// "Dec 3, 2021, 6:02:30 PM" (Inspector, ECR console format)
const MDY_12H = /^([A-Za-z]{3})[a-z]* (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2})(?::(\d{2}))? ?([AaPp][Mm])$/;
// "Wed Sep 04 16:59:44.356 UTC 2024" (Java Date.toString style)
const JAVA_DATE =
  /^(?:[A-Za-z]{3} )?([A-Za-z]{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))? (?:UTC|GMT) (\d{4})$/;

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
  if (/^\d+(\.\d+)?$/.test(text)) return fromEpoch(Number(text));
  return fromIso(text) ?? fromMdy(text) ?? fromJavaDate(text);
}

function fromEpoch(n: number): number | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  const ms = n >= MILLIS_THRESHOLD ? n : n * 1000;
  return valid(Math.round(ms));
}

function valid(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_MS ? ms : undefined;
}

function fromIso(text: string): number | undefined {
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const offset = zoneOffsetMs(zone);
  if (offset === undefined) return undefined;
  const base = utc(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), fraction(frac));
  return base === undefined ? undefined : valid(base - offset);
}

/** The offset of an ISO zone designator in milliseconds, or `undefined` past ±14:00 or minute 59. */
function zoneOffsetMs(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  // Real offsets run from -12:00 to +14:00; anything past 14 hours or 59 minutes is not a zone.
  if (hours > 14 || minutes > 59 || (hours === 14 && minutes > 0)) return undefined;
  return sign * (hours * 60 + minutes) * 60_000;
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
  return Date.UTC(year, month, day, hour, minute, second, millis);
}

/** The first of `values` that parses as a timestamp. */
export function firstTimestamp(...values: unknown[]): number | undefined {
  for (const value of values) {
    const ms = parseTimestamp(value);
    if (ms !== undefined) return ms;
  }
  return undefined;
}

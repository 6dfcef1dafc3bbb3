import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstTimestamp, parseTimestamp } from '../../../functions/core/normalize/time.ts';

/** Epoch milliseconds of an ISO instant, computed independently of the code under test. */
const ms = (iso: string): number => Date.parse(iso);

describe('parseTimestamp', () => {
  describe('ISO 8601, as GuardDuty, Config, Access Analyzer, CloudTrail and ASFF write it', () => {
    it.each([
      // [input, expected instant]
      ['2025-03-14T09:27:41Z', '2025-03-14T09:27:41.000Z'], // EventBridge envelope `time`
      ['2025-03-14T09:27:39.513Z', '2025-03-14T09:27:39.513Z'], // GuardDuty createdAt (millis)
      ['2019-04-18T14:51:55.000000Z', '2019-04-18T14:51:55.000Z'], // 2019 ASFF (microseconds)
      ['2019-04-18T14:51:55.123456Z', '2019-04-18T14:51:55.123Z'],
      ['2019-04-18T14:51:55.1Z', '2019-04-18T14:51:55.100Z'], // one fraction digit
      ['1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z'], // the c7n corpus envelope time
      ['2025-03-14T09:27:39', '2025-03-14T09:27:39.000Z'], // no offset means UTC
      ['2025-03-14 09:27:39', '2025-03-14T09:27:39.000Z'], // space instead of T
      ['2025-03-14T09:27Z', '2025-03-14T09:27:00.000Z'], // no seconds
      ['2025-03-14', '2025-03-14T00:00:00.000Z'], // date only
      ['2025-03-14T09:27:39.513+02:00', '2025-03-14T07:27:39.513Z'], // offset east
      ['2025-03-14T09:27:39-0530', '2025-03-14T14:57:39.000Z'], // offset west, no colon
      ['2025-03-14T09:27:39+01', '2025-03-14T08:27:39.000Z'], // hour-only offset
      ['2025-03-14T09:27:39+14:00', '2025-03-13T19:27:39.000Z'], // the easternmost zone (Kiribati)
      ['2025-03-14T09:27:39-12:00', '2025-03-14T21:27:39.000Z'], // the westernmost zone
      ['2025-03-14T09:27:59.999Z', '2025-03-14T09:27:59.999Z'], // second 59 is the last one
      ['2025-03-14T09:27:39,250Z', '2025-03-14T09:27:39.250Z'], // comma fraction separator
      ['2025-03-14T09:27:39z', '2025-03-14T09:27:39.000Z'], // lower-case zulu
      ['  2025-03-14T09:27:39Z\n', '2025-03-14T09:27:39.000Z'], // surrounding whitespace
      ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'], // leap day of a leap year
      ['2000-02-29T12:00:00Z', '2000-02-29T12:00:00.000Z'], // leap day of a 400-year
    ])('%j is %s', (input, expected) => {
      // Prepare
      const expectedMs = ms(expected);

      // Act
      const result = parseTimestamp(input);

      // Assess
      expect(result).toBe(expectedMs);
    });
  });

  describe('epoch numbers and numeric strings', () => {
    it.each([
      // [input, expected instant, where the corpus has it]
      [1513721039, '2017-12-19T22:03:59.000Z'], // GuardDuty additionalInfo.apiCalls[].firstSeen (seconds)
      [1513612691.551, '2017-12-18T15:58:11.551Z'], // GuardDuty s3BucketDetails[].createdAt (fractional seconds)
      [1555599782.881, '2019-04-18T15:03:02.881Z'], // Kinesis approximateArrivalTimestamp
      [1492735675000, '2017-04-21T00:47:55.000Z'], // GuardDuty instanceDetails.launchTime (milliseconds)
      ['1513721039', '2017-12-19T22:03:59.000Z'],
      ['1555599782.881', '2019-04-18T15:03:02.881Z'],
      ['1528413920000', '2018-06-07T23:25:20.000Z'],
      [0, '1970-01-01T00:00:00.000Z'],
      ['0', '1970-01-01T00:00:00.000Z'],
    ])('%j is %s', (input, expected) => {
      // Prepare
      const expectedMs = ms(expected);

      // Act
      const result = parseTimestamp(input);

      // Assess
      expect(result).toBe(expectedMs);
    });

    it('reads values from 1e11 up as milliseconds and below as seconds', () => {
      // Prepare
      const justBelow = 99_999_999_999;
      const threshold = 100_000_000_000;

      // Act
      const seconds = parseTimestamp(justBelow);
      const millis = parseTimestamp(threshold);

      // Assess
      expect(seconds).toBe(justBelow * 1000);
      expect(millis).toBe(threshold);
    });
  });

  describe("Inspector's console-style formats", () => {
    it.each([
      ['Dec 3, 2021, 6:02:30 PM', '2021-12-03T18:02:30.000Z'], // inspector2 corpus updatedAt
      ['Dec 3, 2021, 6:02:13 PM', '2021-12-03T18:02:13.000Z'], // pushedAt
      ['Oct 16, 2019, 12:00:00 AM', '2019-10-16T00:00:00.000Z'], // vendorCreatedAt: 12 AM is midnight
      ['Oct 16, 2019, 12:00:00 PM', '2019-10-16T12:00:00.000Z'], // 12 PM is noon
      ['Oct 16, 2019, 11:59 pm', '2019-10-16T23:59:00.000Z'], // no seconds, lower-case pm
      ['December 3, 2021, 6:02:30 PM', '2021-12-03T18:02:30.000Z'], // full month name
      ['Dec 3, 2021 6:02:30 PM', '2021-12-03T18:02:30.000Z'], // no comma before the time
      ['Wed Sep 04 16:59:44.356 UTC 2024', '2024-09-04T16:59:44.356Z'], // Java Date.toString
      ['Wed Sep 04 16:59:44 GMT 2024', '2024-09-04T16:59:44.000Z'],
      ['Sep 04 16:59:44 UTC 2024', '2024-09-04T16:59:44.000Z'], // no weekday
    ])('%j is %s', (input, expected) => {
      // Prepare
      const expectedMs = ms(expected);

      // Act
      const result = parseTimestamp(input);

      // Assess
      expect(result).toBe(expectedMs);
    });
  });

  describe('anything else is undefined, never "now"', () => {
    it.each([
      ['Feb 30 (ISO)', '2025-02-30T00:00:00Z'],
      ['Feb 29 of a common year', '2023-02-29T00:00:00Z'],
      ['April 31', '2025-04-31T10:00:00Z'],
      ['month 13', '2025-13-01T00:00:00Z'],
      ['day 0', '2025-01-00T00:00:00Z'],
      ['hour 24', '2025-01-01T24:00:00Z'],
      ['hour 25', '2025-01-01T25:00:00Z'],
      ['minute 60', '2025-01-01T10:60:00Z'],
      ['second 61', '2025-01-01T10:00:61Z'],
      // AWS smears leap seconds, so a :60 is malformed; it used to roll over to the next minute.
      ['second 60, even at a real leap second', '2016-12-31T23:59:60Z'],
      ['second 60 (ISO)', '2025-01-01T10:00:60Z'],
      ['second 60 (console style)', 'Dec 3, 2021, 6:02:60 PM'],
      ['second 60 (Java style)', 'Wed Sep 04 16:59:60 UTC 2024'],
      ['a year before the epoch', '1969-12-31T23:59:59Z'],
      ['an offset of +14:30', '2025-01-01T00:00:00+14:30'],
      ['Feb 29 of a century year', '1900-02-29T00:00:00Z'],
      ['Feb 30 (console style)', 'Feb 30, 2024, 1:00:00 PM'],
      ['hour 13 PM (console style)', 'Dec 3, 2021, 13:02:30 PM'],
      ['hour 0 AM (console style)', 'Dec 3, 2021, 0:02:30 AM'],
      ['an unknown month (console style)', 'Foo 3, 2021, 6:02:30 PM'],
      ['Feb 30 (Java style)', 'Fri Feb 30 10:00:00 UTC 2024'],
      ['an unknown month (Java style)', 'Wed Foo 04 16:59:44 UTC 2024'],
      ['a non-UTC zone (Java style)', 'Wed Sep 04 16:59:44 PDT 2024'],
      ['year 0 (Date.UTC maps it to 1900)', '0000-01-01T00:00:00Z'],
      ['past year 9999', '10000-01-01T00:00:00Z'],
      ['free text', 'yesterday'],
      ['a placeholder', 'GeneratedFindingTime'],
      ['an empty string', ''],
      ['blanks', '   '],
      ['a negative epoch string', '-1'],
      ['an exponent', '1e3'],
      ['a date with trailing garbage', '2025-03-14T09:27:39Zjunk'],
    ])('%s (%j)', (_label, input) => {
      // Prepare: nothing beyond the input

      // Act
      const result = parseTimestamp(input);

      // Assess
      expect(result).toBeUndefined();
    });

    it.each([
      ['a negative number', -1],
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['milliseconds past year 9999', 253_402_300_800_000],
      ['null', null],
      ['undefined', undefined],
      ['a boolean', true],
      ['an object', { time: '2025-03-14T09:27:39Z' }],
      ['an array', ['2025-03-14T09:27:39Z']],
    ])('%s', (_label, input) => {
      // Prepare: nothing beyond the input

      // Act
      const result = parseTimestamp(input);

      // Assess
      expect(result).toBeUndefined();
    });

    it('accepts the last representable millisecond of year 9999', () => {
      // Prepare
      const last = '9999-12-31T23:59:59.999Z';

      // Act
      const result = parseTimestamp(last);

      // Assess
      expect(result).toBe(253_402_300_799_999);
    });
  });

  describe('doubtful behaviour', () => {
    // Fixed (time.ts utc()): the console-style and Java-style parsers range-check the time of day
    // like the ISO path, instead of letting Date.UTC roll "6:75:30 PM" over to 19:15:30.
    it.each([
      ['minute 75 (console style)', 'Dec 3, 2021, 6:75:30 PM'],
      ['second 99 (console style)', 'Dec 3, 2021, 6:02:99 PM'],
      ['hour 25 (Java style)', 'Wed Sep 04 25:59:44 UTC 2024'],
      ['minute 75 (Java style)', 'Wed Sep 04 16:75:44 UTC 2024'],
      ['second 61 (Java style)', 'Wed Sep 04 16:59:61 UTC 2024'],
    ])('rejects %s (%j)', (_label, input) => {
      // Prepare: nothing beyond the input

      // Act
      const result = parseTimestamp(input);

      // Assess
      expect(result).toBeUndefined();
    });

    it('keeps a valid instant whose sub-millisecond fraction rounds up at midnight', () => {
      // Prepare
      const lastInstantOfTheYear = '2025-12-31T23:59:59.9999Z';
      const acceptable = [Date.parse('2025-12-31T23:59:59.999Z'), Date.parse('2026-01-01T00:00:00.000Z')];

      // Act
      const result = parseTimestamp(lastInstantOfTheYear);

      // Assess: truncation or rounding are both acceptable, refusing it is not
      expect(acceptable).toContain(result);
    });

    // Fixed (time.ts utc()): years before 1970 are refused before Date.UTC can map 0-99 to 19xx.
    it.each([
      ['ISO year 0099', '0099-01-01T00:00:00Z'],
      ['console-style year 0099', 'Dec 31, 0099, 1:00:00 PM'],
      ['Java-style year 0080', 'Wed Dec 31 10:00:00 UTC 0080'],
    ])('rejects a two-digit-era year (%s, %j) instead of reading it as 19xx', (_label, input) => {
      // Prepare: nothing beyond the input

      // Act
      const result = parseTimestamp(input);

      // Assess
      expect(result).toBeUndefined();
    });

    // Fixed (time.ts zoneOffsetMs): offsets past 14 hours or 59 minutes are refused.
    it.each([
      ['hours 99', '2025-01-01T00:00:00+99:00'],
      ['minutes 75', '2025-01-01T00:00:00+05:75'],
    ])('rejects an impossible UTC offset (%s)', (_label, input) => {
      // Prepare: nothing beyond the input

      // Act
      const result = parseTimestamp(input);

      // Assess
      expect(result).toBeUndefined();
    });
  });
});

describe('parseTimestamp on any instant', () => {
  const instant = fc.date({
    min: new Date('1970-01-01T00:00:00.000Z'),
    max: new Date('9999-12-31T23:59:59.999Z'),
    noInvalidDate: true,
  });

  it('reads every ISO 8601 instant from 1970 to 9999 as Date does, with or without an offset', () => {
    // Prepare: the instant written in UTC and in a zone `offset` minutes east of it
    const input = fc.tuple(instant, fc.integer({ min: -12 * 60, max: 14 * 60 }));

    // Act & Assess
    fc.assert(
      fc.property(input, ([date, offset]) => {
        const utc = date.toISOString();
        const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, -1);
        const sign = offset < 0 ? '-' : '+';
        const zone = `${sign}${String(Math.trunc(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
        expect(parseTimestamp(utc)).toBe(date.getTime());
        // Only a local date outside 1970–9999 is refused.
        const localMs = date.getTime() + offset * 60_000;
        const inRange = localMs >= 0 && localMs < Date.UTC(10_000, 0, 1);
        expect(parseTimestamp(`${local}${zone}`)).toBe(inRange ? date.getTime() : undefined);
      }),
      { numRuns: 5_000, seed: 1_970 },
    );
  });

  it('rounds any fraction length to the millisecond as a decimal number would', () => {
    // Prepare
    const digits = fc.string({ unit: fc.constantFrom('0', '1', '4', '5', '9'), minLength: 1, maxLength: 9 });

    // Act & Assess
    fc.assert(
      fc.property(digits, (fraction) => {
        const expected = Date.UTC(2024, 5, 1, 12, 0, 0) + Math.round(Number(`0.${fraction}`) * 1000);
        expect(parseTimestamp(`2024-06-01T12:00:00.${fraction}Z`)).toBe(expected);
      }),
      { numRuns: 2_000, seed: 1_000 },
    );
  });
});

describe('firstTimestamp', () => {
  it('returns the first candidate that parses, skipping invalid ones', () => {
    // Prepare
    const candidates = [undefined, 'not a date', '2025-02-30T00:00:00Z', '2025-03-14T09:27:39Z', 0];

    // Act
    const result = firstTimestamp(...candidates);

    // Assess
    expect(result).toBe(ms('2025-03-14T09:27:39Z'));
  });

  it('returns the epoch itself (0) rather than skipping it as falsy', () => {
    // Prepare
    const candidates = ['junk', 0, '2025-03-14T09:27:39Z'];

    // Act
    const result = firstTimestamp(...candidates);

    // Assess
    expect(result).toBe(0);
  });

  it('is undefined when nothing parses, or for no candidates', () => {
    // Prepare
    const candidates = [null, 'GeneratedFindingTime', -3];

    // Act
    const some = firstTimestamp(...candidates);
    const none = firstTimestamp();

    // Assess
    expect(some).toBeUndefined();
    expect(none).toBeUndefined();
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Rejection } from '../../../functions/core/alert.ts';
import {
  describe as describeValue,
  type EnvelopeResult,
  EnvelopeSchema,
  MAX_EVENT_BYTES,
  parseEnvelope,
  type SourceEvent,
} from '../../../functions/core/normalize/envelope.ts';
import { loadFixture, loadFixtureText } from '../../support/fixtures.ts';

const CONFIG_FIXTURE = 'config/compliance-change-s3-versioning-non-compliant.json';

function accepted(result: EnvelopeResult): SourceEvent {
  if ('rejected' in result)
    throw new Error(`expected an accepted envelope, got ${JSON.stringify(result.rejected)}`);
  return result.event;
}

function rejected(result: EnvelopeResult): Rejection {
  if (!('rejected' in result)) throw new Error('expected a rejection, got an accepted envelope');
  return result.rejected;
}

/** A minimal event padded with a `padding` detail member to exactly `bytes` UTF-8 bytes. */
function eventOfSize(bytes: number, fill = 'x'): string {
  const skeleton = JSON.stringify({
    source: 'riposte.test',
    'detail-type': 'Padding',
    detail: { padding: '' },
  });
  const fillBytes = Buffer.byteLength(fill, 'utf8');
  const room = bytes - Buffer.byteLength(skeleton, 'utf8');
  const repeats = Math.floor(room / fillBytes);
  const text = skeleton.replace(
    '"padding":""',
    `"padding":"${fill.repeat(repeats)}${'x'.repeat(room - repeats * fillBytes)}"`,
  );
  if (Buffer.byteLength(text, 'utf8') !== bytes) throw new Error('eventOfSize miscounted');
  return text;
}

describe('parseEnvelope', () => {
  it('accepts JSON text and keeps it verbatim as raw', () => {
    // Prepare
    const text = loadFixtureText(CONFIG_FIXTURE);

    // Act
    const event = accepted(parseEnvelope(text));

    // Assess
    expect(event.raw).toBe(text);
    expect(event.envelope).toMatchObject({
      version: '0',
      id: '8a0c2e4b-6d8f-4a0c-2e4b-6d8f0a2c4e6b',
      'detail-type': 'Config Rules Compliance Change',
      source: 'aws.config',
      account: '444455556666',
      time: '2025-03-03T10:20:31Z',
      region: 'eu-west-1',
      resources: [],
    });
    expect(event.detail.configRuleName).toBe('s3-bucket-versioning-enabled');
  });

  it('decodes bytes, including a view into a larger buffer', () => {
    // Prepare
    const text = loadFixtureText(CONFIG_FIXTURE);
    const framed = Buffer.from(`GARBAGE-BEFORE${text}GARBAGE-AFTER`, 'utf8');
    const start = 'GARBAGE-BEFORE'.length;
    const view = new Uint8Array(framed.buffer, framed.byteOffset + start, Buffer.byteLength(text, 'utf8'));

    // Act
    const event = accepted(parseEnvelope(view));

    // Assess
    expect(event.raw).toBe(text);
    expect(event.envelope.source).toBe('aws.config');
  });

  it('accepts an already-parsed object and serializes it for raw', () => {
    // Prepare
    const value = loadFixture(CONFIG_FIXTURE);

    // Act
    const event = accepted(parseEnvelope(value));

    // Assess
    expect(event.raw).toBe(JSON.stringify(value));
    expect(event.detail).toEqual(value.detail);
  });

  it('needs only source, detail-type and detail: no version, extra keys and odd ids are fine', () => {
    // Prepare: like the console sign-in docs event (no version) and the c7n events (debug key)
    const value = {
      source: 'aws.signin',
      'detail-type': 'AWS Console Sign In via CloudTrail',
      id: '343l',
      debug: true,
      detail: {},
    };

    // Act
    const event = accepted(parseEnvelope(value));

    // Assess
    expect(event.envelope.version).toBeUndefined();
    expect(event.envelope.id).toBe('343l');
    expect(event.envelope.debug).toBe(true);
  });

  it('decodes a detail sent as a JSON string (SNS, SQS and log shippers do that)', () => {
    // Prepare
    const value = loadFixture(CONFIG_FIXTURE);
    const detail = value.detail;
    value.detail = JSON.stringify(detail);

    // Act
    const event = accepted(parseEnvelope(value));

    // Assess
    expect(event.detail).toEqual(detail);
  });

  describe('rejections', () => {
    it.each([
      ['empty text', '', 'invalid_json', /input is empty/],
      ['blank text', ' \n\t ', 'invalid_json', /input is empty/],
      ['empty bytes', new Uint8Array(0), 'invalid_json', /input is empty/],
      [
        'truncated JSON',
        '{"source":"aws.guardduty","detail-type":"GuardDuty Finding","detail":{',
        'invalid_json',
        /not valid JSON/,
      ],
      ['garbage', 'hello', 'invalid_json', /not valid JSON/],
      ['JSON null', 'null', 'not_an_object', /got null/],
      ['JSON array', '[{"source":"aws.config"}]', 'not_an_object', /got an array/],
      ['JSON number', '42', 'not_an_object', /got a number/],
      ['JSON string', '"event"', 'not_an_object', /got a string/],
      ['JSON boolean', 'true', 'not_an_object', /got a boolean/],
      ['a parsed null', null, 'not_an_object', /got null/],
      ['undefined', undefined, 'not_an_object', /got an undefined/],
      ['a parsed array', [], 'not_an_object', /got an array/],
      ['a parsed number', 7, 'not_an_object', /got a number/],
    ])('%s → %s', (_label, input, reason, message) => {
      // Prepare: nothing beyond the input

      // Act
      const rejection = rejected(parseEnvelope(input));

      // Assess
      expect(rejection.reason).toBe(reason);
      expect(rejection.message).toMatch(message);
    });

    it.each([
      ['absent', undefined, /has no "detail"/],
      ['null', null, /has no "detail"/],
      ['an array', [{ id: 'x' }], /must be an object, got an array/],
      ['a number', 5, /must be an object, got a number/],
      ['a string that is not JSON', 'finding', /string that does not hold a JSON object/],
      ['a JSON string holding an array', '[1,2]', /string that does not hold a JSON object/],
      ['a JSON string holding null', 'null', /string that does not hold a JSON object/],
    ])('detail %s → missing_detail', (_label, detail, message) => {
      // Prepare
      const value: Record<string, unknown> = { source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding' };
      if (detail !== undefined) value.detail = detail;

      // Act
      const rejection = rejected(parseEnvelope(value));

      // Assess
      expect(rejection).toEqual({ reason: 'missing_detail', message: expect.stringMatching(message) });
    });

    it.each([
      ['source absent', { 'detail-type': 'GuardDuty Finding' }, 'missing_envelope_field', /no "source"/],
      ['detail-type absent', { source: 'aws.guardduty' }, 'missing_envelope_field', /no "detail-type"/],
      [
        'source null',
        { source: null, 'detail-type': 'GuardDuty Finding' },
        'missing_envelope_field',
        /no "source"/,
      ],
      [
        'source a number',
        { source: 42, 'detail-type': 'GuardDuty Finding' },
        'invalid_field',
        /"source" must be a non-empty string, got a number/,
      ],
      [
        'source empty',
        { source: '', 'detail-type': 'GuardDuty Finding' },
        'invalid_field',
        /"source" must be a non-empty string, got a string/,
      ],
      [
        'detail-type an object',
        { source: 'aws.guardduty', 'detail-type': { a: 1 } },
        'invalid_field',
        /"detail-type" must be a non-empty string/,
      ],
      [
        'resources not an array',
        { source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', resources: 'arn' },
        'invalid_field',
        /envelope "resources"/,
      ],
      [
        'time a number',
        { source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', time: 1700000000 },
        'invalid_field',
        /envelope "time"/,
      ],
      [
        'account a number',
        { source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', account: 111122223333 },
        'invalid_field',
        /envelope "account"/,
      ],
    ])('%s → %s', (_label, envelope, reason, message) => {
      // Prepare
      const value = { ...envelope, detail: { id: 'x' } };

      // Act
      const rejection = rejected(parseEnvelope(value));

      // Assess
      expect(rejection.reason).toBe(reason);
      expect(rejection.message).toMatch(message);
    });
  });

  describe("EventBridge's 256 KB limit", () => {
    it('is 262144 bytes', () => {
      // Prepare: nothing

      // Act
      const limit = MAX_EVENT_BYTES;

      // Assess
      expect(limit).toBe(262_144);
    });

    it.each([
      ['text', (s: string): unknown => s],
      ['bytes', (s: string): unknown => Buffer.from(s, 'utf8')],
      ['a parsed object', (s: string): unknown => JSON.parse(s)],
    ])('accepts exactly the limit and refuses one byte more, given %s', (_label, as) => {
      // Prepare
      const atLimit = eventOfSize(MAX_EVENT_BYTES);
      const overLimit = eventOfSize(MAX_EVENT_BYTES + 1);

      // Act
      const atResult = parseEnvelope(as(atLimit));
      const overResult = parseEnvelope(as(overLimit));

      // Assess
      expect(accepted(atResult).envelope.source).toBe('riposte.test');
      expect(rejected(overResult)).toEqual({
        reason: 'too_large',
        message: "event is 262145 bytes, over EventBridge's 262144-byte limit",
      });
    });

    it('counts UTF-8 bytes, not characters', () => {
      // Prepare: "€" is 3 bytes, so this text has far fewer characters than bytes
      const overLimit = eventOfSize(MAX_EVENT_BYTES + 2, '€');
      const atLimit = eventOfSize(MAX_EVENT_BYTES, '€');

      // Act
      const overResult = parseEnvelope(overLimit);
      const atResult = parseEnvelope(atLimit);

      // Assess
      expect(overLimit.length).toBeLessThan(MAX_EVENT_BYTES / 2);
      expect(rejected(overResult).reason).toBe('too_large');
      expect(accepted(atResult).raw).toBe(atLimit);
    });

    it('checks the size before parsing, so oversized garbage is too_large rather than invalid_json', () => {
      // Prepare
      const garbage = '{'.repeat(MAX_EVENT_BYTES + 10);

      // Act
      const rejection = rejected(parseEnvelope(garbage));

      // Assess
      expect(rejection.reason).toBe('too_large');
    });
  });
});

describe('the envelope check and EnvelopeSchema', () => {
  const FIELDS = [
    'version',
    'id',
    'detail-type',
    'source',
    'account',
    'time',
    'region',
    'resources',
  ] as const;
  class Sensor {
    public readonly kind = 'sensor';
  }
  const member = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom<unknown>(undefined, 'x', '', null) },
    fc.jsonValue({ maxDepth: 1 }),
    fc.constantFrom<unknown>(
      Number.NaN,
      Number.POSITIVE_INFINITY,
      new Sensor(),
      Object.create(null),
      new Date(0),
    ),
  );
  const usual = (value: string): fc.Arbitrary<unknown> =>
    fc.oneof({ weight: 8, arbitrary: fc.constant(value) }, { weight: 2, arbitrary: member });
  const envelope = fc.record(
    Object.fromEntries(
      FIELDS.map((field) => [
        field,
        field === 'source' || field === 'detail-type'
          ? usual('aws.guardduty')
          : field === 'resources'
            ? fc.oneof({ weight: 8, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: member })
            : usual('0'),
      ]),
    ),
    { requiredKeys: [] },
  );

  it('accepts exactly what the schema accepts, and words a wrong optional member as the schema does', () => {
    // Prepare: envelopes whose members are right, absent or of any other type (in-process values too)
    const checked = { accepted: 0, refused: 0 };

    // Act & Assess
    fc.assert(
      fc.property(envelope, (members) => {
        const value = { ...members, detail: { id: 'x' } };
        const result = parseEnvelope(value);
        const schema = EnvelopeSchema.safeParse(value);
        expect('event' in result).toBe(schema.success);
        if (schema.success) {
          checked.accepted += 1;
          return;
        }
        checked.refused += 1;
        const issue = schema.error.issues[0];
        const field = String(issue?.path[0]);
        if (field !== 'source' && field !== 'detail-type') {
          expect(rejected(result)).toEqual({
            reason: 'invalid_field',
            message: `envelope "${field}": ${issue?.message}`,
          });
        } else {
          expect(rejected(result).message).toContain(`"${field}"`);
        }
      }),
      { numRuns: 3_000, seed: 20_240_501 },
    );
    expect(checked.accepted).toBeGreaterThan(50);
    expect(checked.refused).toBeGreaterThan(50);
  });
});

describe('describe (a JSON value for messages)', () => {
  it.each([
    [null, 'null'],
    [[1], 'an array'],
    ['x', 'a string'],
    [1, 'a number'],
    [true, 'a boolean'],
    [{}, 'an object'],
    [undefined, 'an undefined'],
  ])('%j → %s', (value, expected) => {
    // Prepare: nothing beyond the value

    // Act
    const result = describeValue(value);

    // Assess
    expect(result).toBe(expected);
  });

  it('names a BigInt with its article', () => {
    // Prepare
    const value = 1n;

    // Act
    const result = describeValue(value);

    // Assess
    expect(result).toBe('a bigint');
  });
});

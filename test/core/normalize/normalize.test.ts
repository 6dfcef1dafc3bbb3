import { describe, expect, it } from 'vitest';
import {
  AlertSchema,
  type NormalizeOutput,
  REJECTION_REASONS,
  type Rejection,
} from '../../../functions/core/alert.ts';
import { MAX_EVENT_BYTES } from '../../../functions/core/normalize/envelope.ts';
import { NORMALIZERS, normalize } from '../../../functions/core/normalize/index.ts';
import { loadFixture, loadFixtureText } from '../../support/fixtures.ts';
import { set } from '../../support/normalize.ts';

const GUARDDUTY = 'guardduty/instance-backdoor-cc-dns-high.json';
const GUARDDUTY_VIA_CLOUDTRAIL = 'guardduty/api-call-archivefindings-via-cloudtrail.json';
const EC2_API_CALL = 'cloudtrail/api-call-ec2-authorize-sg-ingress-world-open.json';

function only(outputs: NormalizeOutput[]): NormalizeOutput {
  const [first] = outputs;
  if (outputs.length !== 1 || first === undefined)
    throw new Error(`expected one output, got ${outputs.length}`);
  return first;
}

function rejectionOf(outputs: NormalizeOutput[]): Rejection {
  const output = only(outputs);
  if (!('rejected' in output))
    throw new Error(`expected a rejection, got an alert (class ${output.alert.ocsf.class_uid})`);
  return output.rejected;
}

/** A GuardDuty finding event, padded through an unmapped detail member to exactly `bytes` UTF-8 bytes. */
function guardDutyEventOfSize(bytes: number): string {
  const event = set(loadFixture(GUARDDUTY), 'detail.service.additionalInfo.padding', '');
  const skeleton = JSON.stringify(event);
  const room = bytes - Buffer.byteLength(skeleton, 'utf8');
  if (room < 0) throw new Error('the fixture is already larger than the requested size');
  const text = skeleton.replace('"padding":""', `"padding":"${'p'.repeat(room)}"`);
  if (Buffer.byteLength(text, 'utf8') !== bytes) throw new Error('guardDutyEventOfSize miscounted');
  return text;
}

describe('normalize: routing on source and detail-type', () => {
  it('routes aws.guardduty + GuardDuty Finding to the finding normalizer (2004)', () => {
    // Prepare
    const event = loadFixture(GUARDDUTY);

    // Act
    const output = only(normalize(event));

    // Assess
    expect(output).toMatchObject({ alert: { source: 'aws.guardduty', ocsf: { class_uid: 2004 } } });
  });

  it('routes aws.guardduty + AWS API Call via CloudTrail to API Activity (6003), not to a finding', () => {
    // Prepare
    const event = loadFixture(GUARDDUTY_VIA_CLOUDTRAIL);

    // Act
    const output = only(normalize(event));

    // Assess
    expect(output).toMatchObject({
      alert: { source: 'aws.guardduty', ocsf: { class_uid: 6003, type_uid: 600399 } },
    });
    if ('alert' in output) expect(output.alert.ocsf.finding_info).toBeUndefined();
  });

  it('routes an API call from any aws.* source, keeping that source', () => {
    // Prepare
    const ec2 = loadFixture(EC2_API_CALL);
    const kms = set(loadFixture(EC2_API_CALL), 'source', 'aws.kms');

    // Act
    const [fromEc2, fromKms] = [ec2, kms].map((event) => only(normalize(event)));

    // Assess
    expect(fromEc2).toMatchObject({ alert: { source: 'aws.ec2', ocsf: { class_uid: 6003 } } });
    expect(fromKms).toMatchObject({ alert: { source: 'aws.kms', ocsf: { class_uid: 6003 } } });
  });

  it('routes riposte.custom with any detail-type', () => {
    // Prepare
    const event = set(loadFixture('custom/alert-detection-finding-edr.json'), 'detail-type', 'Whatever');

    // Act
    const output = only(normalize(event));

    // Assess
    expect(output).toMatchObject({ alert: { source: 'riposte.custom' } });
  });

  it.each([
    // [source, detail-type, reason, message]
    [
      'aws.guardduty',
      'GuardDuty Runtime Protection Status Change',
      'unsupported_detail_type',
      'no normalizer for source "aws.guardduty" with detail-type "GuardDuty Runtime Protection Status Change"',
    ],
    [
      'aws.config',
      'Config Configuration Item Change',
      'unsupported_detail_type',
      'no normalizer for source "aws.config" with detail-type "Config Configuration Item Change"',
    ],
    [
      'aws.signin',
      'Something Else',
      'unsupported_detail_type',
      'no normalizer for source "aws.signin" with detail-type "Something Else"',
    ],
    [
      'aws.ec2',
      'EC2 Instance State-change Notification',
      'unsupported_source',
      'no normalizer for source "aws.ec2" with detail-type "EC2 Instance State-change Notification"',
    ],
    ['acme.app', 'GuardDuty Finding', 'unsupported_source', 'no normalizer for source "acme.app"'],
    ['acme.app', 'AWS API Call via CloudTrail', 'unsupported_source', 'no normalizer for source "acme.app"'],
  ])('refuses %s / %s as %s', (source, detailType, reason, message) => {
    // Prepare
    const event = set(set(loadFixture(GUARDDUTY), 'source', source), 'detail-type', detailType);

    // Act
    const rejection = rejectionOf(normalize(event));

    // Assess
    expect(rejection).toEqual({ reason, message });
  });

  it('refuses Security Hub Insight Results as not_a_finding', () => {
    // Prepare
    const event = {
      version: '0',
      id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
      'detail-type': 'Security Hub Insight Results',
      source: 'aws.securityhub',
      account: '111122223333',
      time: '2025-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:securityhub:us-east-1:111122223333:action/custom/insight'],
      detail: {
        actionName: 'name',
        actionDescription: 'description',
        insightArn: 'arn:aws:securityhub:us-east-1:111122223333:insight/111122223333/custom/0a1b2c3d',
        insightName: 'Top resources',
        resultType: 'ResourceAwsEc2InstanceId',
        'number of results': '1',
        insightResults: [{ 'i-0123456789abcdef0': 5 }],
      },
    };

    // Act
    const rejection = rejectionOf(normalize(event));

    // Assess
    expect(rejection.reason).toBe('not_a_finding');
  });

  it('declares every route once', () => {
    // Prepare
    const routes = NORMALIZERS.map((n) => `${n.source} / ${n.detailType}`);

    // Act
    const unique = new Set(routes);

    // Assess
    expect(unique.size).toBe(routes.length);
    expect(routes).toEqual(
      expect.arrayContaining([
        'aws.guardduty / GuardDuty Finding',
        'aws.guardduty / GuardDuty Malware Protection Object Scan Result',
        'aws.macie / Macie Finding',
        'aws.access-analyzer / Access Analyzer Finding',
        'aws.config / Config Rules Compliance Change',
        '* / AWS API Call via CloudTrail',
        'aws.signin / AWS Console Sign In via CloudTrail',
        'riposte.custom / *',
      ]),
    );
  });
});

describe('normalize: bad input comes back as a typed rejection', () => {
  it.each([
    [
      'truncated JSON text',
      '{"version":"0","source":"aws.guardduty","detail-type":"GuardDuty Finding","detail":{"id":',
      'invalid_json',
    ],
    ['truncated JSON bytes', Buffer.from('{"source":"aws.config","detail":{'), 'invalid_json'],
    ['text that is not JSON', 'GuardDuty Finding', 'invalid_json'],
    ['empty text', '', 'invalid_json'],
    ['blank text', '\n\n', 'invalid_json'],
    ['empty bytes', new Uint8Array(0), 'invalid_json'],
    ['JSON null', 'null', 'not_an_object'],
    ['a parsed null', null, 'not_an_object'],
    ['a JSON array', '[]', 'not_an_object'],
    ['an array of events', [{ source: 'aws.guardduty' }], 'not_an_object'],
    ['a JSON number', '8', 'not_an_object'],
    ['a parsed number', 8, 'not_an_object'],
    ['a JSON string', '"aws.guardduty"', 'not_an_object'],
    ['a JSON boolean', 'false', 'not_an_object'],
    ['undefined', undefined, 'not_an_object'],
  ])('%s → %s', (_label, input, reason) => {
    // Prepare: nothing beyond the input

    // Act
    const rejection = rejectionOf(normalize(input));

    // Assess
    expect(rejection.reason).toBe(reason);
    expect(rejection.message.length).toBeGreaterThan(0);
  });

  it('accepts a detail delivered as a JSON string, with the same alert as the object form', () => {
    // Prepare
    const asObject = loadFixture(GUARDDUTY);
    const asString = loadFixture(GUARDDUTY);
    set(asString, 'detail', JSON.stringify(asString.detail));

    // Act
    const fromObject = only(normalize(asObject));
    const fromString = only(normalize(asString));

    // Assess
    if (!('alert' in fromObject) || !('alert' in fromString)) throw new Error('expected two alerts');
    expect(fromString.alert.id).toBe(fromObject.alert.id);
    expect(fromString.alert.ocsf.severity_id).toBe(4);
    expect(fromString.alert.ocsf.finding_info).toEqual(fromObject.alert.ocsf.finding_info);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['a string that is not JSON', 'Backdoor:EC2/C&CActivity.B!DNS'],
    ['an array', [{ id: 'a4c8e2f61b3d4e7f9a0b1c2d3e4f5a6b' }]],
  ])('refuses a detail that is %s as missing_detail', (_label, detail) => {
    // Prepare
    const event = set(loadFixture(GUARDDUTY), 'detail', detail);

    // Act
    const rejection = rejectionOf(normalize(event));

    // Assess
    expect(rejection.reason).toBe('missing_detail');
  });

  it.each(['source', 'detail-type'])('refuses an envelope without %s as missing_envelope_field', (field) => {
    // Prepare
    const event = set(loadFixture(GUARDDUTY), field, undefined);

    // Act
    const rejection = rejectionOf(normalize(event));

    // Assess
    expect(rejection).toEqual({
      reason: 'missing_envelope_field',
      message: expect.stringContaining(`"${field}"`),
    });
  });

  it('accepts numbers as strings: severity "8.0" is High', () => {
    // Prepare
    const event = set(loadFixture(GUARDDUTY), 'detail.severity', '8.0');

    // Act
    const output = only(normalize(event));

    // Assess
    expect(output).toMatchObject({ alert: { ocsf: { severity_id: 4, severity: 'High' } } });
  });

  it('refuses a field of the wrong type (detail.resource a string) as invalid_field', () => {
    // Prepare
    const event = set(loadFixture(GUARDDUTY), 'detail.resource', 'i-0a1b2c3d4e5f60718');

    // Act
    const rejection = rejectionOf(normalize(event));

    // Assess
    expect(rejection).toEqual({ reason: 'invalid_field', message: 'detail.resource: must be an object' });
  });

  describe('size', () => {
    it('refuses an event over 256 KB as too_large, as text, bytes or a parsed object', () => {
      // Prepare
      const text = guardDutyEventOfSize(MAX_EVENT_BYTES + 1);

      // Act
      const results = [text, Buffer.from(text), JSON.parse(text)].map((input: unknown) =>
        rejectionOf(normalize(input)),
      );

      // Assess
      for (const rejection of results) {
        expect(rejection).toEqual({
          reason: 'too_large',
          message: "event is 262145 bytes, over EventBridge's 262144-byte limit",
        });
      }
    });

    it('accepts an event of exactly 256 KB, and one just under', () => {
      // Prepare
      const atLimit = guardDutyEventOfSize(MAX_EVENT_BYTES);
      const justUnder = guardDutyEventOfSize(MAX_EVENT_BYTES - 1);

      // Act
      const results = [atLimit, justUnder].map((text) => only(normalize(Buffer.from(text))));

      // Assess
      for (const output of results) {
        expect(output).toMatchObject({ alert: { ocsf: { class_uid: 2004, severity_id: 4 } } });
      }
    });
  });

  it('gives every rejection a known reason and a message', () => {
    // Prepare
    const inputs: unknown[] = [
      '',
      '{',
      'null',
      [],
      { source: 'aws.guardduty' },
      { source: 'x', 'detail-type': 'y', detail: {} },
      set(loadFixture(GUARDDUTY), 'detail.id', undefined),
      guardDutyEventOfSize(MAX_EVENT_BYTES + 100),
    ];

    // Act
    const rejections = inputs.map((input) => rejectionOf(normalize(input)));

    // Assess
    for (const rejection of rejections) {
      expect(REJECTION_REASONS).toContain(rejection.reason);
      expect(rejection.message).not.toBe('');
    }
    expect(rejections.map((r) => r.reason)).toEqual([
      'invalid_json',
      'invalid_json',
      'not_an_object',
      'not_an_object',
      'missing_detail',
      'unsupported_source',
      'missing_field',
      'too_large',
    ]);
  });

  it('produces alerts that satisfy AlertSchema', () => {
    // Prepare
    const text = loadFixtureText(GUARDDUTY);

    // Act
    const output = only(normalize(text));

    // Assess
    expect('alert' in output && AlertSchema.safeParse(output.alert).success).toBe(true);
  });

  // Fixed (envelope.ts parseEnvelope): an already-parsed value that JSON.stringify refuses (a
  // cycle, a BigInt) used to make normalize() throw; it is now a rejection (a cycle nests without
  // end, so it is too deep).
  it.each([
    [
      'a circular object',
      (): unknown => {
        const event: Record<string, unknown> = {
          source: 'aws.guardduty',
          'detail-type': 'GuardDuty Finding',
          detail: {},
        };
        event.self = event;
        return event;
      },
    ],
    [
      'a BigInt member',
      (): unknown => ({ source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', detail: { count: 1n } }),
    ],
  ])('never throws, even for %s', (label, build) => {
    // Prepare
    const input = build();

    // Act
    const run = () => normalize(input);

    // Assess
    expect(run).not.toThrow();
    expect(run()).toEqual([
      {
        rejected:
          label === 'a circular object'
            ? { reason: 'too_deep', message: expect.stringMatching(/more than 64 levels deep/) }
            : {
                reason: 'invalid_field',
                message: expect.stringMatching(/^the event cannot be serialized as JSON \([^\n]+\)$/),
              },
      },
    ]);
  });
});

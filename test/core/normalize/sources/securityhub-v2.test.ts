import { describe, expect, it } from 'vitest';
import { primaryResource } from '../../../../functions/core/intake/resource.ts';
import { alertIdFor } from '../../../../functions/core/normalize/common.ts';
import { normalize } from '../../../../functions/core/normalize/index.ts';
import { alertProducer } from '../../../../functions/core/normalize/product.ts';
import { matchesTrigger } from '../../../../functions/core/playbooks/trigger.ts';
import { loadFixture } from '../../../support/fixtures.ts';
import { alertFrom, rejectionFrom, set } from '../../../support/normalize.ts';

const V2_GUARDDUTY = 'securityhub/findings-imported-v2-guardduty.json';
const V2_PARTNER = 'securityhub/findings-imported-v2-partner-claims-aws.json';
const V2_CONTROL = 'securityhub/findings-imported-v2-control-s3-public-access.json';
const ASFF_CONTROL = 'securityhub/imported-control-s3-public-access-failed.json';
const NATIVE = 'securityhub/native-guardduty-credential-exfiltration.json';
const ASFF = 'securityhub/imported-guardduty-credential-exfiltration.json';
const GUARDDUTY_ARN =
  'arn:aws:guardduty:us-east-1:111122223333:detector/5eb2f1c6a0d94e7bb1c2d3e4f5a6b7c8/finding/8cc3a9d1e2f04b5a9c6d7e8f9a0b1c2d';
const PARTNER_PRODUCT = 'arn:aws:securityhub:us-east-1:444455556666:product/acme-security/acme-xdr';
const CREDENTIAL_TRIGGER = {
  sources: ['aws.securityhub'],
  findingTypes: ['*InstanceCredentialExfiltration*'],
};

describe('Security Hub Findings Imported V2 (OCSF) → alert', () => {
  it('keeps the OCSF finding with Riposte conventions', () => {
    // Prepare
    const event = loadFixture(V2_GUARDDUTY);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.source).toBe('aws.securityhub');
    expect(alert.sample).toBe(false);
    expect(alert.ocsf).toMatchObject({
      class_uid: 2004,
      type_uid: 200401,
      severity_id: 4,
      severity: 'High',
      status_id: 1,
      time: 1715679012318,
      metadata: {
        version: '1.6.0',
        profiles: ['cloud'],
        uid: '0d7c2b1a-9e8f-4a6b-8c5d-3e2f1a0b9c8d',
        logged_time: Date.parse('2024-05-14T09:31:02Z'),
        product: { name: 'GuardDuty', uid: 'arn:aws:securityhub:us-east-1::product/aws/guardduty' },
      },
      cloud: { provider: 'AWS', region: 'us-east-1', account: { uid: '111122223333', type_id: 10 } },
    });
    expect(alert.ocsf.evidences).toEqual([
      {
        api: { operation: 'ListBuckets', service: { name: 's3.amazonaws.com' } },
        src_endpoint: { ip: '198.51.100.7' },
      },
    ]);
    expect(alert.ocsf.raw_data).toContain('Findings Imported V2');
  });

  it('moves attributes the class does not define, and Security Hub’s own metadata.uid, to unmapped', () => {
    // Prepare
    const event = loadFixture(V2_GUARDDUTY);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf).not.toHaveProperty('riposte_demo_extension');
    expect(alert.ocsf.unmapped).toEqual({
      riposte_demo_extension: { note: 'an attribute no OCSF finding class defines' },
      'metadata.uid': 'riposte-demo-securityhub-finding-0001',
    });
  });

  it('is the same alert, on the same primary resource, as the GuardDuty finding natively and as ASFF', () => {
    // Prepare
    const v2 = loadFixture(V2_GUARDDUTY);

    // Act
    const [fromV2, native, asff] = [v2, loadFixture(NATIVE), loadFixture(ASFF)].map((e) => alertFrom(e));

    // Assess
    expect(fromV2?.id).toBe(alertIdFor(GUARDDUTY_ARN));
    expect(fromV2?.id).toBe(native?.id);
    expect(fromV2?.id).toBe(asff?.id);
    expect(primaryResource(alertFrom(loadFixture(V2_GUARDDUTY))).key).toBe(
      '111122223333|-|AWS::IAM::Role|riposte-demo-app',
    );
  });

  it('proves an AWS producer only by an AWS product ARN in metadata.product.uid', () => {
    // Prepare
    const event = loadFixture(V2_GUARDDUTY);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alertProducer(alert)).toEqual({ id: 'aws/guardduty', aws: true });
    expect(matchesTrigger(CREDENTIAL_TRIGGER, alert)).toBe(true);
  });

  it('treats a partner product claiming to be AWS GuardDuty as the partner (hostile)', () => {
    // Prepare: name "GuardDuty", vendor "AWS", the GuardDuty finding ARN copied, a partner product ARN
    const event = loadFixture(V2_PARTNER);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alertProducer(alert)).toEqual({ id: 'acme-security/acme-xdr', aws: false });
    expect(alert.id).toBe(alertIdFor(`product:${PARTNER_PRODUCT}|${GUARDDUTY_ARN}`));
    expect(alert.id).not.toBe(alertIdFor(GUARDDUTY_ARN));
    expect(matchesTrigger(CREDENTIAL_TRIGGER, alert)).toBe(false);
    expect(matchesTrigger({ ...CREDENTIAL_TRIGGER, products: ['acme-security/*'] }, alert)).toBe(true);
  });

  it.each([
    ['a bare product name', 'aws/guardduty'],
    [
      'a product ARN with an account (custom integration)',
      'arn:aws:securityhub:us-east-1:111122223333:product/aws/guardduty',
    ],
    ['a product ARN of another form', 'arn:aws:securityhub:us-east-1::productv2/aws/guardduty'],
  ])('fails closed on %s', (_case, uid) => {
    // Prepare
    const event = set(loadFixture(V2_GUARDDUTY), 'detail.findings', [
      {
        ...findingOf(loadFixture(V2_GUARDDUTY)),
        metadata: { product: { name: 'GuardDuty', vendor_name: 'AWS', uid } },
      },
    ]);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alertProducer(alert).aws).toBe(false);
    expect(alert.id).toBe(alertIdFor(`product:${uid}|${GUARDDUTY_ARN}`));
    expect(matchesTrigger(CREDENTIAL_TRIGGER, alert)).toBe(false);
  });

  it('keeps a control finding’s compliance, and answers the same trigger as its ASFF copy with the same alert', () => {
    // Prepare
    const event = loadFixture(V2_CONTROL);
    const publicBucket = {
      sources: ['aws.securityhub'],
      controls: ['S3.8'],
      classUids: [2003],
      resourceTypes: ['AWS::S3::Bucket'],
    };

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf).toMatchObject({
      class_uid: 2003,
      activity_id: 2,
      compliance: { control: 'S3.8', status_id: 3 },
      remediation: { references: ['https://docs.aws.amazon.com/console/securityhub/S3.8/remediation'] },
    });
    expect(alert.ocsf.resources?.[0]).toMatchObject({
      type: 'AWS::S3::Bucket',
      name: 'riposte-demo-reports',
    });
    expect(alertProducer(alert)).toEqual({ id: 'aws/securityhub', aws: true });
    expect(matchesTrigger(publicBucket, alert)).toBe(true);
    expect(alert.id).toBe(alertFrom(loadFixture(ASFF_CONTROL)).id);
  });

  it('keeps a finding’s own unmapped, merged when an object and under its name otherwise', () => {
    // Prepare
    const merged = set(loadFixture(V2_GUARDDUTY), 'detail.findings', [
      { ...findingOf(loadFixture(V2_GUARDDUTY)), unmapped: { vendor_field: 1 } },
    ]);
    const scalar = set(loadFixture(V2_GUARDDUTY), 'detail.findings', [
      { ...findingOf(loadFixture(V2_GUARDDUTY)), unmapped: 'opaque' },
    ]);

    // Act
    const [fromObject, fromScalar] = [merged, scalar].map((event) => alertFrom(event).ocsf.unmapped);

    // Assess
    expect(fromObject).toMatchObject({ vendor_field: 1, riposte_demo_extension: expect.anything() });
    expect(fromScalar).toMatchObject({ unmapped: 'opaque', riposte_demo_extension: expect.anything() });
  });

  it('takes the severity from its caption when severity_id is missing, and the envelope account when the finding has none', () => {
    // Prepare
    const finding = findingOf(loadFixture(V2_GUARDDUTY));
    delete finding.severity_id;
    finding.severity = 'critical';
    finding.cloud = { provider: 'AWS', region: 'us-east-1' };
    const event = set(loadFixture(V2_GUARDDUTY), 'detail.findings', [finding]);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf).toMatchObject({ severity_id: 5, severity: 'Critical' });
    expect(alert.ocsf.cloud.account).toEqual({ uid: '111122223333', type: 'AWS Account', type_id: 10 });
  });

  it.each([
    [
      'finding_info.uid missing',
      'finding_info',
      { title: 'x' },
      'missing_field',
      'detail.findings[0].finding_info.uid:',
    ],
    [
      'product uid blank',
      'metadata',
      { product: { uid: '  ' } },
      'invalid_field',
      'detail.findings[0].metadata.product.uid: must be a non-blank string',
    ],
    [
      'severity_id out of the enum',
      'severity_id',
      7,
      'invalid_field',
      'detail.findings[0].severity_id: must be one of',
    ],
    [
      'a class Riposte does not take',
      'class_uid',
      2005,
      'invalid_field',
      'detail.findings[0].class_uid: 2005 is not a finding class',
    ],
    [
      'an activity that is not a finding activity',
      'activity_id',
      99,
      'invalid_field',
      'detail.findings[0].activity_id: 99',
    ],
    ['time not a timestamp', 'time', '2024-05-14', 'invalid_field', 'detail.findings[0].time:'],
    [
      'a compliance class without compliance',
      'class_uid',
      2003,
      'invalid_field',
      'detail.findings[0].compliance: Compliance Finding requires compliance',
    ],
  ])('rejects a finding with %s, in one line', (_case, key, value, reason, start) => {
    // Prepare
    const finding = { ...findingOf(loadFixture(V2_GUARDDUTY)), [key]: value };
    const event = set(loadFixture(V2_GUARDDUTY), 'detail.findings', [finding]);

    // Act
    const rejected = rejectionFrom(event);

    // Assess
    expect(rejected.reason).toBe(reason);
    expect(rejected.message.startsWith(start), rejected.message).toBe(true);
    expect(rejected.message).not.toContain('\n');
  });

  it('rejects an event without findings, and refuses each bad element of a batch on its own', () => {
    // Prepare
    const empty = set(loadFixture(V2_GUARDDUTY), 'detail.findings', []);
    const batch = set(loadFixture(V2_GUARDDUTY), 'detail.findings', [
      findingOf(loadFixture(V2_GUARDDUTY)),
      'nope',
    ]);

    // Act
    const outputs = normalize(batch);

    // Assess
    expect(rejectionFrom(empty)).toEqual({ reason: 'not_a_finding', message: 'detail.findings is empty' });
    expect(outputs).toHaveLength(2);
    expect(outputs[0]).toHaveProperty('alert');
    expect(outputs[1]).toEqual({
      rejected: { reason: 'invalid_field', message: 'detail.findings[1]: an OCSF finding must be an object' },
    });
  });

  it('puts the compromised principal first in an AWS GuardDuty attack sequence', () => {
    // Prepare
    const finding = findingOf(loadFixture(V2_GUARDDUTY));
    finding.finding_info = { uid: 'seq-1', types: ['AttackSequence:S3/CompromisedData'] };
    finding.resources = [
      { type: 'AWS::S3::Bucket', uid: 'arn:aws:s3:::riposte-demo-invoices' },
      ...(finding.resources as unknown[]),
    ];
    const event = set(loadFixture(V2_GUARDDUTY), 'detail.findings', [finding]);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf.resources?.map((r) => r.type)).toEqual(['AWS::IAM::AccessKey', 'AWS::S3::Bucket']);
  });
});

function findingOf(event: Record<string, unknown>): Record<string, unknown> {
  const detail = event.detail as { findings: Record<string, unknown>[] };
  return detail.findings[0] ?? {};
}

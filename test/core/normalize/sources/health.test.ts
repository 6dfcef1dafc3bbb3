import { describe, expect, it } from 'vitest';
import { alertIdFor } from '../../../../functions/core/normalize/common.ts';
import { healthTime } from '../../../../functions/core/normalize/sources/health.ts';
import { loadFixture } from '../../../support/fixtures.ts';
import { alertFrom, rejectionFrom, set } from '../../../support/normalize.ts';

const EXPOSED = 'health/risk-credentials-exposed.json';
const SUSPECTED_ORG = 'health/risk-compromise-suspected-org.json';
const ABUSE = 'health/abuse-report.json';
const MAINTENANCE = 'health/maintenance-scheduled.json';
const EXPOSED_ARN =
  'arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/AWS_RISK_CREDENTIALS_EXPOSED_6d1f0c2e9a';

describe('AWS Health RISK event → Detection Finding 2004', () => {
  it('maps an exposed access key to a new High finding on that key, keyed by event and account', () => {
    // Prepare
    const event = loadFixture(EXPOSED);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.id).toBe(alertIdFor(`${EXPOSED_ARN}/account/111122223333`));
    expect(alert.source).toBe('aws.health');
    expect(alert.sample).toBe(false);
    expect(alert.ocsf).toMatchObject({
      class_uid: 2004,
      activity_id: 1,
      severity_id: 4,
      status_id: 1,
      is_alert: true,
      time: Date.parse('2026-11-30T09:12:41Z'),
      message: 'AWS found an access key exposed publicly: AKIAEXAMPLEEXPOSED01',
      metadata: {
        product: { name: 'AWS Health', vendor_name: 'AWS' },
        labels: ['severity-policy:health:exposed'],
      },
      cloud: { account: { uid: '111122223333' }, region: 'global' },
    });
    expect(alert.ocsf.finding_info).toMatchObject({
      uid: `${EXPOSED_ARN}/account/111122223333`,
      uid_alt: EXPOSED_ARN,
      types: ['AWS_RISK_CREDENTIALS_EXPOSED'],
      created_time: Date.parse('2026-11-30T09:12:41Z'),
    });
    expect(alert.ocsf.finding_info?.desc).toContain('AKIAEXAMPLEEXPOSED01');
    expect(alert.ocsf.resources).toEqual([
      { type: 'AWS::IAM::AccessKey', uid: 'AKIAEXAMPLEEXPOSED01', region: 'global' },
    ]);
  });

  it('takes the affected account of an organization view, and rates a suspicion Medium', () => {
    // Prepare: delivered to the management account about a member account
    const event = loadFixture(SUSPECTED_ORG);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf.cloud.account?.uid).toBe('444455556666');
    expect(alert.ocsf.severity_id).toBe(3);
    expect(alert.ocsf.activity_id).toBe(2);
    expect(alert.ocsf.metadata.labels).toEqual(['severity-policy:health:suspected']);
    expect(alert.id).toBe(
      alertIdFor(`${String((event.detail as { eventArn: string }).eventArn)}/account/444455556666`),
    );
  });

  it('gives the same event in two accounts two alerts (the event ARN is not unique to an account)', () => {
    // Prepare
    const mine = loadFixture(EXPOSED);
    const theirs = set(loadFixture(EXPOSED), 'account', '444455556666');

    // Act / Assess
    expect(alertFrom(mine).id).not.toBe(alertFrom(theirs).id);
  });

  it('rates a compromised key Critical and closes the finding when Health closes the event', () => {
    // Prepare
    const compromised = set(loadFixture(EXPOSED), 'detail.eventTypeCode', 'AWS_RISK_CREDENTIALS_COMPROMISED');
    const closed = set(loadFixture(EXPOSED), 'detail.statusCode', 'closed');

    // Act
    const critical = alertFrom(compromised);
    const resolved = alertFrom(closed);

    // Assess
    expect(critical.ocsf.severity_id).toBe(5);
    expect(resolved.ocsf.status_id).toBe(4);
    expect(resolved.ocsf.activity_id).toBe(3);
  });

  it('maps an abuse report to a High finding on the reported instance', () => {
    // Act
    const alert = alertFrom(loadFixture(ABUSE));

    // Assess
    expect(alert.ocsf.severity_id).toBe(4);
    expect(alert.ocsf.finding_info?.types).toEqual(['AWS_ABUSE_DOS_REPORT']);
    expect(alert.ocsf.resources).toEqual([
      { type: 'AWS::EC2::Instance', uid: 'i-0123456789abcdef0', region: 'eu-west-1' },
    ]);
  });

  it('rejects an operational Health event as not a finding, with the reason', () => {
    // Act
    const rejection = rejectionFrom(loadFixture(MAINTENANCE));

    // Assess
    expect(rejection.reason).toBe('not_a_finding');
    expect(rejection.message).toContain('EC2 Health event is an operational notice');
  });

  it('rejects a RISK event without its type code', () => {
    // Prepare
    const event = loadFixture(EXPOSED);
    delete (event.detail as Record<string, unknown>).eventTypeCode;

    // Act
    const rejection = rejectionFrom(event);

    // Assess
    expect(rejection.reason).toBe('missing_field');
    expect(rejection.message).toContain('eventTypeCode');
  });
});

describe('healthTime', () => {
  it.each([
    ['Mon, 30 Nov 2026 09:12:41 GMT', Date.parse('2026-11-30T09:12:41Z')],
    ['2026-11-30T09:12:41Z', Date.parse('2026-11-30T09:12:41Z')],
    ['Mon, 31 Nov 2026 09:12:41 GMT', undefined],
    ['Mon, 30 Nov 2026 24:12:41 GMT', undefined],
    ['30 Nov 2026', undefined],
    [42, 42_000],
  ])('reads %j as %j', (input, expected) => {
    expect(healthTime(input)).toBe(expected);
  });
});

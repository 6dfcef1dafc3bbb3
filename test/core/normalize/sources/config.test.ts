import { describe, expect, it } from 'vitest';
import { alertIdFor } from '../../../../functions/core/normalize/common.ts';
import { loadFixture } from '../../../support/fixtures.ts';
import { alertFrom, rejectionFrom, set } from '../../../support/normalize.ts';

const NON_COMPLIANT = 'config/compliance-change-s3-versioning-non-compliant.json';
const FIRST_COMPLIANT = 'config/compliance-change-ebs-encrypted-compliant-first-evaluation.json';

const RULE_ARN = 'arn:aws:config:eu-west-1:111122223333:config-rule/config-rule-r1p0st';
const BUCKET = 'riposte-demo-reports-111122223333';

describe('Config Rules Compliance Change → Compliance Finding 2003', () => {
  it('maps a COMPLIANT → NON_COMPLIANT change to a Medium Update that fails the control', () => {
    // Prepare
    const event = loadFixture(NON_COMPLIANT);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.id).toBe(alertIdFor(`${RULE_ARN}|AWS::S3::Bucket|${BUCKET}`));
    expect(alert.source).toBe('aws.config');
    expect(alert.sample).toBe(false);
    expect(alert.ocsf).toMatchObject({
      class_uid: 2003,
      class_name: 'Compliance Finding',
      category_uid: 2,
      activity_id: 2,
      activity_name: 'Update',
      type_uid: 200302,
      severity_id: 3,
      severity: 'Medium',
      status_id: 1,
      status: 'New',
      time: Date.parse('2025-03-03T10:20:29.907Z'),
      message: `s3-bucket-versioning-enabled: AWS::S3::Bucket ${BUCKET} is NON_COMPLIANT`,
    });
    expect(alert.ocsf.compliance).toEqual({
      control: 's3-bucket-versioning-enabled',
      status_id: 3,
      status: 'Fail',
      status_detail: 'Versioning is suspended on this bucket.',
    });
    expect(alert.ocsf.resources).toEqual([{ type: 'AWS::S3::Bucket', uid: BUCKET, region: 'eu-west-1' }]);
  });

  it('takes the account from awsAccountId, not the (aggregator) envelope account', () => {
    // Prepare
    const event = loadFixture(NON_COMPLIANT);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(event.account).toBe('444455556666');
    expect(alert.ocsf.cloud).toEqual({
      provider: 'AWS',
      region: 'eu-west-1',
      account: { uid: '111122223333', type_id: 10, type: 'AWS Account' },
    });
  });

  it('fills finding_info from the rule, the evaluation times and the annotation', () => {
    // Prepare
    const event = loadFixture(NON_COMPLIANT);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf.finding_info).toEqual({
      uid: `${RULE_ARN}|AWS::S3::Bucket|${BUCKET}`,
      title: `s3-bucket-versioning-enabled: AWS::S3::Bucket ${BUCKET} is NON_COMPLIANT`,
      desc: 'Versioning is suspended on this bucket.',
      types: ['Config:s3-bucket-versioning-enabled'],
      modified_time: Date.parse('2025-03-03T10:20:02.411Z'),
      last_seen_time: Date.parse('2025-03-03T10:20:29.907Z'),
      src_url:
        'https://eu-west-1.console.aws.amazon.com/config/home?region=eu-west-1#/rules/details?configRuleName=s3-bucket-versioning-enabled',
    });
    expect(alert.ocsf.unmapped).toMatchObject({
      messageType: 'ComplianceChangeNotification',
      oldEvaluationResult: { complianceType: 'COMPLIANT' },
    });
  });

  it('maps a first evaluation (no oldEvaluationResult) that is COMPLIANT to an Informational Create that passes', () => {
    // Prepare
    const event = loadFixture(FIRST_COMPLIANT);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(event.detail).not.toHaveProperty('oldEvaluationResult');
    expect(alert.ocsf).toMatchObject({
      class_uid: 2003,
      activity_id: 1,
      activity_name: 'Create',
      type_uid: 200301,
      severity_id: 1,
      status_id: 4,
      status: 'Resolved',
      compliance: { control: 'encrypted-volumes', status_id: 1, status: 'Pass' },
      resources: [{ type: 'AWS::EC2::Volume', uid: 'vol-0a1b2c3d4e5f6a7b8', region: 'us-east-1' }],
      cloud: { account: { uid: '111122223333' }, region: 'us-east-1' },
    });
  });

  it.each([
    // [new complianceType, with an old result?, activity, compliance status_id, compliance status, finding status_id]
    ['COMPLIANT', true, 3, 1, 'Pass', 4],
    ['NON_COMPLIANT', false, 1, 3, 'Fail', 1],
    // Changed: NOT_APPLICABLE and unknown results used to Close the finding; only COMPLIANT does.
    ['NOT_APPLICABLE', true, 2, 99, 'NOT_APPLICABLE', 4],
    ['INSUFFICIENT_DATA', true, 2, 0, 'Unknown', 0],
    ['SOMETHING_NEW', true, 2, 99, 'SOMETHING_NEW', 99],
    ['NOT_APPLICABLE', false, 1, 99, 'NOT_APPLICABLE', 4],
    ['constructor', true, 2, 99, 'constructor', 99], // not read from Object.prototype
  ])(
    '%s (old result: %s) → activity %i, compliance %i %s',
    (complianceType, hadOld, activityId, complianceId, complianceStatus, statusId) => {
      // Prepare
      const event = set(
        loadFixture(NON_COMPLIANT),
        'detail.newEvaluationResult.complianceType',
        complianceType,
      );
      if (!hadOld) set(event, 'detail.oldEvaluationResult', undefined);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.activity_id).toBe(activityId);
      expect(alert.ocsf.type_uid).toBe(200300 + activityId);
      expect(alert.ocsf.compliance?.status_id).toBe(complianceId);
      expect(alert.ocsf.compliance?.status).toBe(complianceStatus);
      expect(alert.ocsf.status_id).toBe(statusId);
    },
  );

  it('reads rule, resource type and id from the evaluation qualifier when the top level lacks them', () => {
    // Prepare
    const event = loadFixture(NON_COMPLIANT);
    set(event, 'detail.resourceType', undefined);
    set(event, 'detail.resourceId', undefined);
    set(event, 'detail.configRuleName', undefined);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf.resources).toEqual([{ type: 'AWS::S3::Bucket', uid: BUCKET, region: 'eu-west-1' }]);
    expect(alert.ocsf.compliance?.control).toBe('s3-bucket-versioning-enabled');
    expect(alert.id).toBe(alertIdFor(`${RULE_ARN}|AWS::S3::Bucket|${BUCKET}`));
  });

  describe('alert id', () => {
    it('is the same for a re-delivery and for a later evaluation of the same rule and resource', () => {
      // Prepare
      const original = loadFixture(NON_COMPLIANT);
      const redelivery = set(
        set(loadFixture(NON_COMPLIANT), 'id', '12121212-3434-4565-8787-909090909090'),
        'time',
        '2025-03-03T11:00:00Z',
      );
      const later = set(
        loadFixture(NON_COMPLIANT),
        'detail.newEvaluationResult.evaluationResultIdentifier.orderingTimestamp',
        '2025-03-10T10:20:02.411Z',
      );
      set(later, 'detail.newEvaluationResult.complianceType', 'COMPLIANT');

      // Act
      const [first, second, third] = [original, redelivery, later].map(alertFrom);

      // Assess
      expect(second?.id).toBe(first?.id);
      expect(third?.id).toBe(first?.id);
      expect(third?.ocsf.activity_id).toBe(3);
    });

    it('differs for another resource or another rule', () => {
      // Prepare
      const original = loadFixture(NON_COMPLIANT);
      const otherResource = set(loadFixture(NON_COMPLIANT), 'detail.resourceId', 'another-bucket');
      const otherRule = set(loadFixture(NON_COMPLIANT), 'detail.configRuleARN', `${RULE_ARN}x`);

      // Act
      const ids = [original, otherResource, otherRule].map((event) => alertFrom(event).id);

      // Assess
      expect(new Set(ids).size).toBe(3);
    });
  });

  describe('bad input', () => {
    it.each([
      [
        'no newEvaluationResult',
        'detail.newEvaluationResult',
        undefined,
        'missing_field',
        'detail.newEvaluationResult: is required',
      ],
      [
        'newEvaluationResult a string',
        'detail.newEvaluationResult',
        'NON_COMPLIANT',
        'invalid_field',
        'detail.newEvaluationResult: must be an object',
      ],
      [
        'no complianceType',
        'detail.newEvaluationResult.complianceType',
        undefined,
        'missing_field',
        'detail.newEvaluationResult.complianceType: is required',
      ],
    ])('%s → %s', (_label, path, value, reason, message) => {
      // Prepare
      const event = set(loadFixture(NON_COMPLIANT), path, value);

      // Act
      const rejection = rejectionFrom(event);

      // Assess
      expect(rejection).toEqual({ reason, message });
    });

    it('refuses an event that names no resource anywhere', () => {
      // Prepare
      const event = loadFixture(NON_COMPLIANT);
      set(event, 'detail.resourceId', undefined);
      set(
        event,
        'detail.newEvaluationResult.evaluationResultIdentifier.evaluationResultQualifier.resourceId',
        undefined,
      );

      // Act
      const rejection = rejectionFrom(event);

      // Assess
      expect(rejection).toEqual({ reason: 'missing_field', message: 'detail.resourceId: is required' });
    });
  });
});

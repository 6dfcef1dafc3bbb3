import { describe, expect, it } from 'vitest';
import { alertIdFor } from '../../../../functions/core/normalize/common.ts';
import { loadFixture } from '../../../support/fixtures.ts';
import { alertFrom, rejectionFrom, set } from '../../../support/normalize.ts';

const PUBLIC_BUCKET = 'access-analyzer/finding-s3-bucket-public.json';
const ANALYZER = 'arn:aws:access-analyzer:us-east-1:444455556666:analyzer/OrgAnalyzer';
const FINDING_ID = '5b7d9f1b-3d5f-4a7c-9e1b-3d5f7a9c1e3b';

describe('Access Analyzer Finding → Detection Finding 2004', () => {
  it('maps a public bucket to a new High finding (the documented policy, named in a label)', () => {
    // Prepare
    const event = loadFixture(PUBLIC_BUCKET);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.id).toBe(alertIdFor(`${ANALYZER}/finding/${FINDING_ID}`));
    expect(alert.source).toBe('aws.access-analyzer');
    expect(alert.sample).toBe(false);
    expect(alert.ocsf).toMatchObject({
      class_uid: 2004,
      activity_id: 1,
      activity_name: 'Create',
      type_uid: 200401,
      severity_id: 4,
      severity: 'High',
      status_id: 1,
      status: 'New',
      is_alert: true,
      time: Date.parse('2025-04-22T05:33:21Z'),
      message: 'AWS::S3::Bucket arn:aws:s3:::riposte-demo-public-assets is publicly accessible',
      metadata: {
        product: { name: 'IAM Access Analyzer', vendor_name: 'AWS' },
        labels: ['severity-policy:access-analyzer:PublicAccess'],
        uid: 'e4b6d8f0-a2c4-4e6b-8d0f-a2c4e6b8d0f2',
      },
    });
    expect(alert.ocsf.finding_info).toEqual({
      uid: `${ANALYZER}/finding/${FINDING_ID}`,
      uid_alt: FINDING_ID,
      title: 'AWS::S3::Bucket arn:aws:s3:::riposte-demo-public-assets is publicly accessible',
      types: ['AccessAnalyzer:AWS::S3::Bucket/PublicAccess'],
      created_time: Date.parse('2025-04-22T05:33:21Z'),
      modified_time: Date.parse('2025-04-22T05:33:21Z'),
      last_seen_time: Date.parse('2025-04-22T05:33:21Z'),
    });
    expect(alert.ocsf.resources).toEqual([
      {
        type: 'AWS::S3::Bucket',
        uid: 'arn:aws:s3:::riposte-demo-public-assets',
        name: 'riposte-demo-public-assets',
        region: 'us-east-1',
      },
    ]);
    expect(alert.ocsf.unmapped).toMatchObject({
      principal: { AWS: '*' },
      action: ['s3:GetObject', 's3:ListBucket'],
    });
  });

  it('takes the account from the finding, not from the (organization analyzer) envelope', () => {
    // Prepare
    const event = loadFixture(PUBLIC_BUCKET);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(event.account).toBe('444455556666');
    expect(alert.ocsf.cloud.account?.uid).toBe('111122223333');
    expect(alert.ocsf.cloud.region).toBe('us-east-1');
  });

  it.each([
    [
      'shared with another account',
      { isPublic: false, principal: { AWS: '444455556666' } },
      3,
      'ExternalAccess',
      true,
    ],
    ['an analysis error', { isPublic: undefined, error: 'ACCESS_DENIED' }, 1, 'AnalysisError', false],
  ])('rates a finding %s by the documented policy', (_label, changes, severityId, kind, isAlert) => {
    // Prepare
    const event = loadFixture(PUBLIC_BUCKET);
    for (const [key, value] of Object.entries(changes)) set(event, `detail.${key}`, value);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf.severity_id).toBe(severityId);
    expect(alert.ocsf.metadata.labels).toEqual([`severity-policy:access-analyzer:${kind}`]);
    expect(alert.ocsf.finding_info?.types).toEqual([`AccessAnalyzer:AWS::S3::Bucket/${kind}`]);
    expect(alert.ocsf.is_alert).toBe(isAlert);
  });

  it.each([
    ['ARCHIVED', false, 3, 5, 'Archived'],
    ['RESOLVED', false, 3, 4, 'Resolved'],
    ['ACTIVE', true, 3, 6, 'Deleted'],
  ])(
    'closes a finding with status %s (isDeleted %s)',
    (status, isDeleted, activityId, statusId, statusName) => {
      // Prepare
      const event = loadFixture(PUBLIC_BUCKET);
      set(event, 'detail.status', status);
      set(event, 'detail.isDeleted', isDeleted);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.activity_id).toBe(activityId);
      expect(alert.ocsf.type_uid).toBe(200403);
      expect(alert.ocsf.status_id).toBe(statusId);
      expect(alert.ocsf.status).toBe(statusName);
    },
  );

  it('keeps an unknown status as Other with its own caption', () => {
    // Prepare
    const event = set(loadFixture(PUBLIC_BUCKET), 'detail.status', 'PENDING_REVIEW');

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf.status_id).toBe(99);
    expect(alert.ocsf.status).toBe('PENDING_REVIEW');
    expect(alert.ocsf.activity_id).toBe(1);
  });

  describe('alert id', () => {
    it('is the same for a re-delivery and for an update, different for another finding', () => {
      // Prepare
      const original = loadFixture(PUBLIC_BUCKET);
      const redelivery = set(loadFixture(PUBLIC_BUCKET), 'id', 'abababab-cdcd-4efe-8f0f-121212121212');
      const update = set(loadFixture(PUBLIC_BUCKET), 'detail.updatedAt', '2025-04-23T08:00:00Z');
      const another = set(loadFixture(PUBLIC_BUCKET), 'detail.id', '6c8e0a2c-4e6f-4b8d-0f2a-4c6e8b0d2f4a');

      // Act
      const [first, second, third, fourth] = [original, redelivery, update, another].map(alertFrom);

      // Assess
      expect(second?.id).toBe(first?.id);
      expect(third?.id).toBe(first?.id);
      expect(third?.ocsf.activity_id).toBe(2);
      expect(fourth?.id).not.toBe(first?.id);
    });

    it('falls back to account and region when the envelope names no analyzer', () => {
      // Prepare
      const event = set(loadFixture(PUBLIC_BUCKET), 'resources', []);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.finding_info?.uid).toBe(
        `access-analyzer:111122223333:us-east-1/finding/${FINDING_ID}`,
      );
    });
  });

  describe('bad input', () => {
    it.each([
      ['no resource', 'detail.resource', undefined, 'missing_field', 'detail.resource: is required'],
      [
        'resource an object',
        'detail.resource',
        { arn: 'arn:aws:s3:::x' },
        'invalid_field',
        'detail.resource: must be a non-empty string',
      ],
      ['no id', 'detail.id', undefined, 'missing_field', 'detail.id: is required'],
    ])('%s → %s', (_label, path, value, reason, message) => {
      // Prepare
      const event = set(loadFixture(PUBLIC_BUCKET), path, value);

      // Act
      const rejection = rejectionFrom(event);

      // Assess
      expect(rejection).toEqual({ reason, message });
    });
  });
});

import { describe, expect, it } from 'vitest';
import { alertIdFor } from '../../../../functions/core/normalize/common.ts';
import { loadFixture } from '../../../support/fixtures.ts';
import { alertFrom, rejectionFrom, set } from '../../../support/normalize.ts';

const SENSITIVE = 'macie/finding-sensitive-data-s3-object-personal.json';
const POLICY_SAMPLE = 'macie/finding-policy-s3-bucket-public-sample.json';

const SENSITIVE_ARN = 'arn:aws:macie2:us-east-1:111122223333:finding/3c5e7a9c1e3b5d7f9a1c3e5b7d9f1a3c';

describe('Macie Finding', () => {
  describe('SensitiveData:S3Object/Personal → Data Security Finding 2006', () => {
    it('is a new High Data Security Finding keyed on the Macie finding ARN', () => {
      // Prepare
      const event = loadFixture(SENSITIVE);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.id).toBe(alertIdFor(SENSITIVE_ARN));
      expect(alert.source).toBe('aws.macie');
      expect(alert.sample).toBe(false);
      expect(alert.ocsf).toMatchObject({
        class_uid: 2006,
        class_name: 'Data Security Finding',
        category_uid: 2,
        activity_id: 1,
        type_uid: 200601,
        severity_id: 4,
        severity: 'High',
        status_id: 1,
        is_alert: true,
        count: 1,
        time: Date.parse('2025-05-14T04:12:31.402Z'),
        message: 'The S3 object contains personal information.',
        cloud: { region: 'us-east-1', account: { uid: '111122223333' }, cloud_partition: 'aws' },
        metadata: { product: { name: 'Macie', vendor_name: 'AWS' } },
      });
      expect(alert.ocsf.finding_info).toEqual({
        uid: SENSITIVE_ARN,
        uid_alt: '3c5e7a9c1e3b5d7f9a1c3e5b7d9f1a3c',
        title: 'The S3 object contains personal information.',
        desc: 'The object contains personal information such as first or last names, addresses, or identification numbers.',
        types: ['SensitiveData:S3Object/Personal'],
        created_time: Date.parse('2025-05-14T04:12:31.402Z'),
        modified_time: Date.parse('2025-05-14T04:12:31.402Z'),
        src_url:
          'https://us-east-1.console.aws.amazon.com/macie/home?region=us-east-1#findings?search=id%3D3c5e7a9c1e3b5d7f9a1c3e5b7d9f1a3c',
      });
    });

    it('takes the account from the finding, not the (administrator) envelope', () => {
      // Prepare
      const event = loadFixture(SENSITIVE);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(event.account).toBe('444455556666');
      expect(alert.ocsf.cloud.account?.uid).toBe('111122223333');
    });

    it('keeps an empty bucket tag value as ""', () => {
      // Prepare
      const event = set(loadFixture(SENSITIVE), 'detail.resourcesAffected.s3Bucket.tags', [
        { key: 'Backup', value: '' },
        { key: 'Owner', value: 'hr' },
      ]);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.resources?.[0]?.tags).toEqual([
        { name: 'Backup', value: '' },
        { name: 'Owner', value: 'hr' },
      ]);
    });

    it('lists the bucket and the object as resources', () => {
      // Prepare
      const event = loadFixture(SENSITIVE);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.resources).toEqual([
        {
          type: 'AWS::S3::Bucket',
          uid: 'arn:aws:s3:::riposte-demo-hr-exports',
          name: 'riposte-demo-hr-exports',
          region: 'us-east-1',
          cloud_partition: 'aws',
          tags: [{ name: 'DataClassification', value: 'confidential' }],
          data: {
            public_access: expect.objectContaining({ effectivePermission: 'NOT_PUBLIC' }),
            default_server_side_encryption: expect.objectContaining({ encryptionType: 'aws:kms' }),
            owner: {
              displayName: 'hr-platform',
              id: '1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c',
            },
          },
        },
        {
          type: 'AWS::S3::Object',
          uid: 'arn:aws:s3:::riposte-demo-hr-exports/exports/2025-05/employees.csv',
          name: 'exports/2025-05/employees.csv',
          region: 'us-east-1',
          data: {
            path: 'riposte-demo-hr-exports/exports/2025-05/employees.csv',
            size: 482113,
            version_id: 'x7Rk2mQp9LzT4vBn.8cWd1YsHfJ3aGe0',
            etag: '9b2cf535f27731c974343645a3985328',
          },
        },
      ]);
      expect(alert.ocsf.unmapped).toMatchObject({
        category: 'CLASSIFICATION',
        classificationDetails: {
          result: { sensitiveData: [{ category: 'PERSONAL_INFORMATION', totalCount: 1204 }] },
        },
      });
    });
  });

  describe('Policy:IAMUser/S3BucketPublic (a sample) → Detection Finding 2004', () => {
    it('is a sample: flagged, labelled, not an alert', () => {
      // Prepare
      const event = loadFixture(POLICY_SAMPLE);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.sample).toBe(true);
      expect(alert.ocsf).toMatchObject({
        class_uid: 2004,
        type_uid: 200401,
        severity_id: 4,
        is_alert: false,
        metadata: { labels: ['sample'] },
      });
      expect(alert.ocsf.resources).toEqual([
        expect.objectContaining({ type: 'AWS::S3::Bucket', uid: 'arn:aws:s3:::macie-sample-finding-bucket' }),
      ]);
    });
  });

  describe('mapping rules', () => {
    it.each([
      ['Low', 2],
      ['Medium', 3],
      ['High', 4],
      ['LOW', 2],
      ['Severe', 0],
      [undefined, 0],
    ])('severity.description %j → severity_id %i', (description, severityId) => {
      // Prepare
      const event = set(loadFixture(SENSITIVE), 'detail.severity.description', description);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.severity_id).toBe(severityId);
    });

    it.each([
      ['archived', { archived: true }, 3, 5],
      ['seen again (count 4, later updatedAt)', { count: 4, updatedAt: '2025-05-20T04:12:31.402Z' }, 2, 1],
    ])('a finding %s → activity %i, status %i', (_label, changes, activityId, statusId) => {
      // Prepare
      const event = loadFixture(POLICY_SAMPLE);
      for (const [key, value] of Object.entries(changes)) set(event, `detail.${key}`, value);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.activity_id).toBe(activityId);
      expect(alert.ocsf.type_uid).toBe(200400 + activityId);
      expect(alert.ocsf.status_id).toBe(statusId);
    });

    it('classifies by category too: a CLASSIFICATION finding of another type is 2006', () => {
      // Prepare
      const event = set(loadFixture(SENSITIVE), 'detail.type', 'CustomIdentifier:S3Object/Employee');

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.class_uid).toBe(2006);
    });
  });

  describe('alert id', () => {
    it('is the same for a re-delivery and an update, different for another finding', () => {
      // Prepare
      const original = loadFixture(SENSITIVE);
      const redelivery = set(loadFixture(SENSITIVE), 'id', 'cdcdcdcd-efef-4a0a-8b1b-2c2c2c2c2c2c');
      const update = set(
        set(loadFixture(SENSITIVE), 'detail.count', 2),
        'detail.updatedAt',
        '2025-05-15T00:00:00Z',
      );
      const another = set(loadFixture(SENSITIVE), 'detail.id', '4d6f8b0d2f4a6c8e0b2d4f6a8c0e2b4d');

      // Act
      const [first, second, third, fourth] = [original, redelivery, update, another].map(alertFrom);

      // Assess
      expect(second?.id).toBe(first?.id);
      expect(third?.id).toBe(first?.id);
      expect(third?.ocsf.activity_id).toBe(2);
      expect(fourth?.id).not.toBe(first?.id);
    });
  });

  describe('bad input', () => {
    it.each([
      ['no id', 'detail.id', undefined, 'missing_field', 'detail.id: is required'],
      [
        'type an array',
        'detail.type',
        ['SensitiveData'],
        'invalid_field',
        'detail.type: must be a non-empty string',
      ],
    ])('%s → %s', (_label, path, value, reason, message) => {
      // Prepare
      const event = set(loadFixture(SENSITIVE), path, value);

      // Act
      const rejection = rejectionFrom(event);

      // Assess
      expect(rejection).toEqual({ reason, message });
    });

    it('tolerates a finding without resourcesAffected', () => {
      // Prepare
      const event = set(loadFixture(SENSITIVE), 'detail.resourcesAffected', null);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.resources).toBeUndefined();
      expect(alert.ocsf.class_uid).toBe(2006);
    });
  });
});

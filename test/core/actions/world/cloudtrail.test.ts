import { describe, expect, it } from 'vitest';
import {
  CloudTrailWorldSchema,
  handleCloudTrail,
} from '../../../../functions/core/actions/world/cloudtrail.ts';

const event = (i: number, name: string) => ({
  eventId: `e${i}`,
  eventName: name,
  eventSource: 'kms.amazonaws.com',
  eventTime: new Date(Date.parse('2026-11-01T00:00:00Z') + i * 60_000).toISOString(),
  resources: [{ type: 'AWS::KMS::Key', name: i % 2 === 0 ? 'key-even' : 'key-odd' }],
});

describe('world: CloudTrail LookupEvents', () => {
  it('filters by one attribute and a time range, newest first, in pages of 50', () => {
    // Prepare
    const cloudtrail = CloudTrailWorldSchema.parse({
      events: Array.from({ length: 120 }, (_, i) => event(i, 'Decrypt')),
    });
    const query = {
      LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'key-even' }],
      EndTime: new Date('2026-11-01T01:00:00Z'),
    };

    // Act
    const first = handleCloudTrail(cloudtrail, 'LookupEvents', query) as {
      Events: { EventId: string }[];
      NextToken?: string;
    };

    // Assess: 31 even events at or before minute 60 (0, 2, … 60): one page, newest first.
    expect(first.Events).toHaveLength(31);
    expect(first.Events[0]?.EventId).toBe('e60');
    expect(first.NextToken).toBeUndefined();
  });

  it('pages with NextToken and refuses two attributes', () => {
    // Prepare
    const cloudtrail = CloudTrailWorldSchema.parse({
      events: Array.from({ length: 70 }, (_, i) => event(i, 'Decrypt')),
    });

    // Act
    const first = handleCloudTrail(cloudtrail, 'LookupEvents', {}) as {
      Events: unknown[];
      NextToken: string;
    };
    const second = handleCloudTrail(cloudtrail, 'LookupEvents', { NextToken: first.NextToken }) as {
      Events: unknown[];
    };

    // Assess
    expect([first.Events.length, second.Events.length]).toEqual([50, 20]);
    expect(() =>
      handleCloudTrail(cloudtrail, 'LookupEvents', {
        LookupAttributes: [
          { AttributeKey: 'EventName', AttributeValue: 'Decrypt' },
          { AttributeKey: 'EventSource', AttributeValue: 'kms.amazonaws.com' },
        ],
      }),
    ).toThrow(expect.objectContaining({ name: 'InvalidLookupAttributesException' }));
  });
});

describe('world: CloudTrail trails', () => {
  const world = () =>
    CloudTrailWorldSchema.parse({
      trails: {
        own: { s3BucketName: 'logs', isLogging: false },
        org: { accountId: '999988887777', isOrganizationTrail: true, s3BucketName: 'org-logs' },
      },
    });

  it('starts a trail named by name or ARN, and answers a new trail’s default selectors', () => {
    // Prepare
    const cloudtrail = world();

    // Act
    handleCloudTrail(cloudtrail, 'StartLogging', {
      Name: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/own',
    });

    // Assess
    expect(handleCloudTrail(cloudtrail, 'GetTrailStatus', { Name: 'own' })).toEqual({ IsLogging: true });
    expect(handleCloudTrail(cloudtrail, 'GetEventSelectors', { TrailName: 'own' })).toMatchObject({
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
    });
  });

  it('lets a member read but not change the management account’s organization trail', () => {
    // Prepare
    const cloudtrail = world();

    // Act & Assess
    expect(handleCloudTrail(cloudtrail, 'GetTrail', { Name: 'org' })).toMatchObject({
      Trail: { TrailARN: 'arn:aws:cloudtrail:eu-west-1:999988887777:trail/org', IsOrganizationTrail: true },
    });
    expect(() => handleCloudTrail(cloudtrail, 'StopLogging', { Name: 'org' })).toThrow(
      expect.objectContaining({ name: 'AccessDeniedException' }),
    );
    expect(() => handleCloudTrail(cloudtrail, 'GetTrail', { Name: 'gone' })).toThrow(
      expect.objectContaining({ name: 'TrailNotFoundException' }),
    );
  });
});

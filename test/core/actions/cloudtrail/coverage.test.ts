import { describe, expect, it } from 'vitest';
import { canonical, reducesLogging } from '../../../../functions/core/actions/cloudtrail/shared/coverage.ts';
import { apiShape } from '../../../../functions/core/actions/cloudtrail/shared/history.ts';

const ALL = { EventSelectors: [{ ReadWriteType: 'All' as const, IncludeManagementEvents: true }] };

describe('reducesLogging', () => {
  it.each([
    [
      'read-only management events',
      { EventSelectors: [{ ReadWriteType: 'ReadOnly' as const, IncludeManagementEvents: true }] },
      true,
    ],
    ['no management events', { EventSelectors: [{ IncludeManagementEvents: false }] }, true],
    [
      'KMS events excluded',
      {
        EventSelectors: [
          { IncludeManagementEvents: true, ExcludeManagementEventSources: ['kms.amazonaws.com'] },
        ],
      },
      true,
    ],
    ['the same selectors', ALL, false],
    [
      'more data events',
      {
        EventSelectors: [
          {
            IncludeManagementEvents: true,
            DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::b/'] }],
          },
        ],
      },
      false,
    ],
  ])('from all management events to %s: %s', (_label, after, expected) => {
    expect(reducesLogging(ALL, after)).toBe(expected);
  });

  it('counts an advanced selector that disappeared as a reduction', () => {
    // Prepare
    const advanced = {
      AdvancedEventSelectors: [
        { Name: 'm', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
      ],
    };

    // Act & Assess
    expect(reducesLogging(advanced, ALL)).toBe(true);
    expect(reducesLogging(advanced, advanced)).toBe(false);
  });
});

describe('selector shapes', () => {
  it('turns CloudTrail’s recorded camelCase into the API’s members, and compares canonically', () => {
    expect(
      apiShape({ eventSelectors: [{ readWriteType: 'All', dataResources: [{ type: 't', values: ['v'] }] }] }),
    ).toEqual({
      EventSelectors: [{ ReadWriteType: 'All', DataResources: [{ Type: 't', Values: ['v'] }] }],
    });
    expect(canonical({ b: 1, a: [{ d: undefined, c: 2 }] })).toBe('{"a":[{"c":2}],"b":1}');
  });
});

import { describe, expect, it } from 'vitest';
import { primaryResource } from '../../../../functions/core/intake/resource.ts';
import { loadFixture } from '../../../support/fixtures.ts';
import { alertFrom } from '../../../support/normalize.ts';

describe('trail resources', () => {
  it('keeps the trail a GuardDuty finding names as affected after the principal, which stays primary', () => {
    // Act
    const alert = alertFrom(loadFixture('guardduty/iam-stealth-cloudtrail-logging-disabled.json'));

    // Assess
    expect(alert.ocsf.resources?.map((r) => [r.type, r.uid, r.region])).toEqual([
      ['AWS::IAM::AccessKey', 'AKIARIPOSTEDEMO2KEYX', 'us-east-1'],
      [
        'AWS::CloudTrail::Trail',
        'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-audit-trail',
        'us-east-1',
      ],
    ]);
    expect(primaryResource(alert)).toMatchObject({ type: 'AWS::IAM::User', uid: 'mallory' });
  });

  it('names the trail of a PutEventSelectors by its trailName', () => {
    // Act
    const alert = alertFrom(loadFixture('cloudtrail/api-call-cloudtrail-puteventselectors.json'));

    // Assess
    expect(alert.ocsf.resources).toEqual([
      { type: 'AWS::CloudTrail::Trail', uid: 'main-trail', region: 'eu-west-1' },
    ]);
    expect(alert.ocsf.message).toBe('CloudTrail PutEventSelectors on main-trail');
    expect(alert.ocsf.metadata.labels).toContain('signal:cloudtrail-tampering');
  });
});

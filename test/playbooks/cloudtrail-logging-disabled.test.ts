import { describe, expect, it } from 'vitest';
import { exampleWorld, scenario } from '../../cli/local/testkit.ts';
import playbook from '../../playbooks/cloudtrail-logging-disabled.ts';
import { guardDutyInstanceFinding } from '../support/events.ts';
import { type FixtureEvent, loadFixture } from '../support/fixtures.ts';

const ORG_TRAIL = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-audit-trail';
const MAIN_TRAIL = 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/main-trail';
const GUARDDUTY_LOW = { sources: { guardduty: { minSeverity: 2 } } };

const stopLogging = (): FixtureEvent => loadFixture('cloudtrail/api-call-cloudtrail-stoplogging.json');
const putSelectors = (): FixtureEvent => loadFixture('cloudtrail/api-call-cloudtrail-puteventselectors.json');
const deleteTrail = (): FixtureEvent => loadFixture('cloudtrail/api-call-cloudtrail-deletetrail.json');
const stealth = (): FixtureEvent => loadFixture('guardduty/iam-stealth-cloudtrail-logging-disabled.json');

/** The StopLogging fixture on `trail` (a name or ARN). */
function stopped(trail: string): FixtureEvent {
  const event = stopLogging();
  (event.detail as { requestParameters: unknown }).requestParameters = { name: trail };
  return event;
}

describe('cloudtrail-logging-disabled trigger', () => {
  it('triggers on the four trail calls and on the GuardDuty finding', () => {
    expect(playbook).toTriggerOn(stopLogging());
    expect(playbook).toTriggerOn(putSelectors());
    expect(playbook).toTriggerOn(deleteTrail());
    const update = stopLogging();
    (update.detail as { eventName: string }).eventName = 'UpdateTrail';
    expect(playbook).toTriggerOn(update);
    expect(playbook).toTriggerOn(stealth(), GUARDDUTY_LOW);
    // GuardDuty rates the finding Low: the default GuardDuty rule (Medium and above) does not deliver it.
    expect(playbook).not.toTriggerOn(stealth());
  });

  it('does not trigger on a failed call, another call or another finding', () => {
    // Prepare
    const failed = stopLogging();
    Object.assign(failed.detail as object, { errorCode: 'AccessDenied', errorMessage: 'not authorized' });
    const insight = stopLogging();
    (insight.detail as { eventName: string }).eventName = 'PutInsightSelectors';

    // Act & Assess
    expect(playbook).not.toTriggerOn(failed);
    expect(playbook).not.toTriggerOn(insight);
    expect(playbook).not.toTriggerOn(loadFixture('cloudtrail/api-call-kms-schedulekeydeletion.json'));
    expect(playbook).not.toTriggerOn(guardDutyInstanceFinding());
  });
});

describe('cloudtrail-logging-disabled', () => {
  it('starts a stopped trail, reads it back, and contains the calling user after approval', async () => {
    // Act
    const result = await scenario(playbook).event(stopLogging()).approve().run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.mutations('restore-trail-logging')).toEqual([
      { api: 'StartLogging', params: { Name: ORG_TRAIL } },
    ]);
    expect(result.calls('restore-trail-logging').at(-1)).toEqual({
      api: 'GetTrailStatus',
      params: { Name: ORG_TRAIL },
    });
    expect(result.world.cloudtrail.trails['org-audit-trail']?.isLogging).toBe(true);
    expect(result.path).toContain('Notify: logging restored');
    expect(result.world.iam.users.mallory?.accessKeys.map((k) => k.status)).toEqual(['Inactive']);
    expect(result.path).toContain('Notify: caller contained');
  });

  it('restores the event selectors a PutEventSelectors reduced, from the previous PutEventSelectors', async () => {
    // Act
    const result = await scenario(playbook).event(putSelectors()).approve().run();

    // Assess
    expect(result.mutations('restore-trail-logging')).toEqual([
      {
        api: 'PutEventSelectors',
        params: {
          TrailName: MAIN_TRAIL,
          EventSelectors: [
            {
              ReadWriteType: 'All',
              IncludeManagementEvents: true,
              DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::payments-exports/'] }],
              ExcludeManagementEventSources: [],
            },
          ],
        },
      },
    ]);
    expect(result.world.cloudtrail.trails['main-trail']?.eventSelectors[0]?.ReadWriteType).toBe('All');
    expect(result.path).toContain('Notify: logging restored');
    expect(result.mutations('revoke-role-sessions').map((c) => c.params.RoleName)).toEqual(['ci-deployer']);
  });

  it('does not guess selectors it cannot establish: nothing is put back', async () => {
    // Act
    const result = await scenario(playbook)
      .event(putSelectors())
      .editWorld((world) => {
        world.cloudtrail.events = world.cloudtrail.events.filter(
          (e) => !e.eventSource.startsWith('cloudtrail'),
        );
      })
      .deny()
      .run();

    // Assess
    expect(result.mutations('restore-trail-logging')).toEqual([]);
    expect(result.world.cloudtrail.trails['main-trail']?.eventSelectors[0]?.ReadWriteType).toBe('ReadOnly');
    expect(result.path).toContain('Notify: logging restored');
  });

  it('leaves selectors a PutEventSelectors widened as they are', async () => {
    // Act
    const result = await scenario(playbook)
      .event(putSelectors())
      .editWorld((world) => {
        const trail = world.cloudtrail.trails['main-trail'];
        if (trail !== undefined) {
          trail.eventSelectors = [
            {
              ReadWriteType: 'All',
              IncludeManagementEvents: true,
              DataResources: [
                {
                  Type: 'AWS::S3::Object',
                  Values: ['arn:aws:s3:::payments-exports/', 'arn:aws:s3:::audit/'],
                },
              ],
              ExcludeManagementEventSources: [],
            },
          ];
        }
      })
      .deny()
      .run();

    // Assess
    expect(result.mutations('restore-trail-logging')).toEqual([]);
  });

  it('reports a deleted trail and changes nothing on it', async () => {
    // Act
    const result = await scenario(playbook).event(deleteTrail()).deny().run();

    // Assess
    expect(result.path).toContain('Notify: trail deleted');
    expect(result.mutations('restore-trail-logging')).toEqual([]);
    expect(result.calls('restore-trail-logging').map((c) => c.params.LookupAttributes)).toContainEqual([
      { AttributeKey: 'EventName', AttributeValue: 'CreateTrail' },
    ]);
  });

  it.each([
    ['an organization trail of the management account', 'management-org-trail', 'Notify: organization trail'],
    ['a trail of another home Region', 'main-trail', 'Notify: other Region'],
  ])('reports %s and changes nothing on it', async (_label, trail, step) => {
    // Act
    const result = await scenario(playbook).event(stopped(trail)).deny().run();

    // Assess
    expect(result.path).toContain(step);
    expect(result.mutations()).toEqual([]);
  });

  it('refuses a protected trail (tag in another case, with spaces)', async () => {
    // Act
    const result = await scenario(playbook)
      .event(stopLogging())
      .editWorld((world) => {
        const trail = world.cloudtrail.trails['org-audit-trail'];
        if (trail !== undefined) trail.tags = { ' RIPOSTE:protected': 'True ' };
      })
      .deny()
      .run();

    // Assess
    expect(result.path).toContain('Notify: trail refused');
    expect(result.mutations()).toEqual([]);
    expect(result.world.cloudtrail.trails['org-audit-trail']?.isLogging).toBe(false);
  });

  it('answers the GuardDuty finding on the trail it names, and contains the principal after approval', async () => {
    // Prepare
    const before = exampleWorld().cloudtrail.trails['org-audit-trail'];

    // Act
    const result = await scenario(playbook).configure(GUARDDUTY_LOW).event(stealth()).approve().run();

    // Assess
    expect(before?.isLogging).toBe(false);
    expect(result.mutations('restore-trail-logging')).toEqual([
      { api: 'StartLogging', params: { Name: ORG_TRAIL } },
    ]);
    expect(result.mutations('contain-iam-user').map((c) => c.api)).toContain('UpdateAccessKey');
  });

  it('restores logging but contains no one when the approval is denied', async () => {
    // Act
    const result = await scenario(playbook).event(stopLogging()).deny().run();

    // Assess
    expect(result.world.cloudtrail.trails['org-audit-trail']?.isLogging).toBe(true);
    expect(result.path).toContain('Approve containing the caller: denied');
    expect(result.mutations('contain-iam-user')).toEqual([]);
  });
});

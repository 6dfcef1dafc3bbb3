import { describe, expect, it } from 'vitest';
import { actorOf, apiCallView } from '../../../functions/core/actions/actor.ts';
import { guardDutyAccessKeyFinding } from '../../support/events.ts';
import { loadFixture } from '../../support/fixtures.ts';
import { alertFrom } from '../../support/normalize.ts';

describe('actorOf', () => {
  it('names the role behind an assumed-role session, not the session', () => {
    // Act
    const { ocsf } = alertFrom(loadFixture('cloudtrail/api-call-kms-schedulekeydeletion.json'));

    // Assess
    expect(actorOf(ocsf)).toEqual({
      type: 'AssumedRole',
      name: 'ci-deployer',
      arn: 'arn:aws:iam::111122223333:role/ci-deployer',
      account: '111122223333',
      invokedBy: '',
      accessKeyIds: [],
    });
    expect(apiCallView(ocsf)).toBe('kms:ScheduleKeyDeletion');
  });

  it('names an IAM user and the long-term key it signed with', () => {
    // Act
    const { ocsf } = alertFrom(loadFixture('cloudtrail/api-call-kms-disablekey.json'));

    // Assess
    expect(actorOf(ocsf)).toMatchObject({
      type: 'IAMUser',
      name: 'payments-deployer',
      arn: 'arn:aws:iam::111122223333:user/payments-deployer',
      accessKeyIds: ['AKIAPAYMENTSATTACK02'],
    });
  });

  it('keeps the service that called on the principal’s behalf', () => {
    // Prepare
    const event = loadFixture('cloudtrail/api-call-kms-schedulekeydeletion.json');
    ((event.detail as Record<string, unknown>).userIdentity as Record<string, unknown>).invokedBy =
      'cloudformation.amazonaws.com';

    // Act & Assess
    expect(actorOf(alertFrom(event).ocsf).invokedBy).toBe('cloudformation.amazonaws.com');
  });

  it('takes a GuardDuty finding’s principal from its access key', () => {
    // Act
    const { ocsf } = alertFrom(guardDutyAccessKeyFinding({}));

    // Assess
    expect(actorOf(ocsf).type).toBe('IAMUser');
    expect(actorOf(ocsf).name).not.toBe('');
  });

  it('reads the call a GuardDuty finding describes when the alert records none itself', () => {
    // Act
    const { ocsf } = alertFrom(loadFixture('guardduty/iam-stealth-cloudtrail-logging-disabled.json'));

    // Assess
    expect(apiCallView(ocsf)).toBe('cloudtrail:StopLogging');
    expect(actorOf(ocsf)).toMatchObject({
      type: 'IAMUser',
      name: 'mallory',
      accessKeyIds: ['AKIARIPOSTEDEMO2KEYX'],
    });
  });
});

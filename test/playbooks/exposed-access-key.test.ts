import { describe, expect, it } from 'vitest';
import { scenario, triggersOn } from '../../cli/local/testkit.ts';
import type { WorldData } from '../../functions/core/actions/world/index.ts';
import { renderDefinition } from '../../functions/core/playbooks/compile.ts';
import playbook from '../../playbooks/exposed-access-key.ts';
import { guardDutyAccessKeyFinding } from '../support/events.ts';
import { type FixtureEvent, loadFixture } from '../support/fixtures.ts';

const KEY = 'AKIAEXAMPLEEXPOSED01';
const OTHER_KEY = 'AKIACIDEPLOYERKEY002';
const USER = 'ci-deployer';

/** The AWS Health exposed-key fixture, with another event type code when given. */
function exposed(code?: string): FixtureEvent {
  const event = loadFixture('health/risk-credentials-exposed.json');
  if (code !== undefined) (event.detail as Record<string, unknown>).eventTypeCode = code;
  return event;
}

/** The same report, moved into a custom alert: what anyone allowed to send `riposte.custom` could forge. */
function forgedCustom(): FixtureEvent {
  const event = loadFixture('custom/alert-detection-finding-edr.json');
  const ocsf = (event.detail as { ocsf: Record<string, unknown> }).ocsf;
  ocsf.finding_info = { uid: 'forged-1', title: 'exposed key', types: ['AWS_RISK_CREDENTIALS_EXPOSED'] };
  ocsf.resources = [{ type: 'AWS::IAM::AccessKey', uid: KEY }];
  return event;
}

const keysOf = (world: WorldData, user = USER) =>
  Object.fromEntries((world.iam.users[user]?.accessKeys ?? []).map((k) => [k.accessKeyId, k.status]));

describe('exposed-access-key trigger', () => {
  it.each([
    'AWS_RISK_CREDENTIALS_EXPOSED',
    'AWS_RISK_CREDENTIALS_EXPOSURE_SUSPECTED',
    'AWS_RISK_CREDENTIALS_COMPROMISED',
    'AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED',
    'AWS_RISK_IAM_QUARANTINE',
  ])('triggers on an AWS Health %s event naming a key', (code) => {
    expect(playbook).toTriggerOn(exposed(code));
  });

  it('triggers on the organization view of a member account’s key', () => {
    expect(playbook).toTriggerOn(loadFixture('health/risk-compromise-suspected-org.json'));
  });

  it('does not trigger on GuardDuty IAM findings (iam-credential-compromise answers them)', () => {
    // Act
    const verdict = triggersOn(playbook, guardDutyAccessKeyFinding());

    // Assess
    expect(verdict.triggers).toBe(false);
    expect(verdict.reason).toMatch(/source aws\.guardduty is not one of aws\.health/);
  });

  it('does not trigger on a forged report: a custom alert, or an event claiming aws.health from elsewhere', () => {
    // Prepare
    const config = { sources: { custom: { enabled: true, accounts: ['111122223333'] } } };
    const relabelled = { ...exposed(), source: 'riposte.custom' };

    // Act
    const custom = triggersOn(playbook, forgedCustom(), config);

    // Assess
    expect(custom.triggers).toBe(false);
    expect(custom.reason).toMatch(/source riposte\.custom is not one of aws\.health/);
    expect(playbook).not.toTriggerOn(relabelled);
  });

  it('does not trigger on other Health events: abuse reports, operational notices, a risk naming no key', () => {
    // Prepare
    const namesUser = exposed();
    (namesUser.detail as Record<string, unknown>).affectedEntities = [
      { entityValue: 'arn:aws:iam::111122223333:user/ci-deployer' },
    ];

    // Act & Assess
    expect(playbook).not.toTriggerOn(loadFixture('health/abuse-report.json'));
    expect(playbook).not.toTriggerOn(loadFixture('health/maintenance-scheduled.json'));
    expect(playbook).not.toTriggerOn(namesUser);
    expect(triggersOn(playbook, namesUser).reason).toMatch(/resource type AWS::IAM::User/);
  });
});

describe('exposed-access-key', () => {
  it('deactivates exactly the named key, reports AWS’s quarantine, reads the activity, contains the user after approval', async () => {
    // Act
    const result = await scenario(playbook).event(exposed()).approve().run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.mutations('deactivate-access-key')).toEqual([
      { api: 'UpdateAccessKey', params: { UserName: USER, AccessKeyId: KEY, Status: 'Inactive' } },
    ]);
    expect(result.calls('deactivate-access-key').map((c) => c.api)).toEqual([
      'GetAccessKeyLastUsed',
      'GetUser',
      'ListAccessKeys',
      'ListAttachedUserPolicies',
      'UpdateAccessKey',
      'ListAccessKeys',
    ]);
    expect(result.path).toContain('Notify: AWS quarantine');
    expect(result.calls('summarize-key-activity')[0]?.params).toMatchObject({
      LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: KEY }],
      StartTime: new Date('2026-11-29T09:12:41Z'),
    });
    expect(result.path).toContain('Approve containing the user');
    expect(result.mutations('contain-iam-user').map((c) => c.api)).toEqual([
      'UpdateAccessKey',
      'PutUserPolicy',
    ]);
    expect(keysOf(result.world)).toEqual({ [KEY]: 'Inactive', [OTHER_KEY]: 'Inactive' });
    expect(result.world.iam.users[USER]?.attachedPolicies.map((p) => p.policyName)).toEqual([
      'AWSCompromisedKeyQuarantineV3',
    ]);
    expect(result.path).toContain('Notify: contained');
    expect(result.calls().map((c) => c.api)).not.toContain('DeleteAccessKey');
  });

  it('keeps the key deactivated and the user untouched when the approval is denied', async () => {
    // Act
    const result = await scenario(playbook).event(exposed()).deny().run();

    // Assess
    expect(result.mutations('deactivate-access-key').length).toBe(1);
    expect(result.mutations('contain-iam-user')).toEqual([]);
    expect(keysOf(result.world)).toEqual({ [KEY]: 'Inactive', [OTHER_KEY]: 'Active' });
    expect(result.path).not.toContain('Notify: contained');
  });

  it('does not report a quarantine when AWS attached none (a customer policy of that name is not AWS’s)', async () => {
    // Act
    const result = await scenario(playbook)
      .event(exposed())
      .editWorld((world) => {
        const user = world.iam.users[USER];
        if (user !== undefined) {
          user.attachedPolicies = [
            {
              policyName: 'AWSCompromisedKeyQuarantineV3',
              policyArn: 'arn:aws:iam::111122223333:policy/AWSCompromisedKeyQuarantineV3',
            },
          ];
        }
      })
      .approve()
      .run();

    // Assess
    expect(result.path).not.toContain('Notify: AWS quarantine');
    expect(result.status).toBe('SUCCEEDED');
  });

  it('fails closed, changing nothing, when the key is not a key of a user of the account', async () => {
    // Act
    const result = await scenario(playbook)
      .event(exposed())
      .editWorld((world) => {
        delete world.iam.users[USER];
      })
      .run();

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.path).toEqual(expect.arrayContaining(['Notify: key not found', 'Fail: key not found']));
    expect(result.mutations()).toEqual([]);
    expect(result.actions.find((a) => a.action === 'deactivate-access-key')?.error).toMatch(
      /AccessKeyNotFoundError: access key AKIAEXAMPLEEXPOSED01 does not exist in this account/,
    );
  });

  it('fails closed when the key belongs to another account than the one the event is about', async () => {
    // Prepare: the organization view reports account 444455556666's key; the world is 111122223333.
    const org = loadFixture('health/risk-compromise-suspected-org.json');

    // Act
    const result = await scenario(playbook)
      .event(org)
      .editWorld((world) => {
        world.iam.users[USER]?.accessKeys.push({
          accessKeyId: 'AKIAEXAMPLESUSPECT01',
          status: 'Active',
          createDate: '2025-01-01T00:00:00Z',
        });
        world.iam.users[USER]?.accessKeys.splice(1, 1);
      })
      .run();

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.path).toContain('Fail: key not found');
    expect(result.actions.find((a) => a.action === 'deactivate-access-key')?.error).toMatch(
      /not to a user of the incident's account 444455556666/,
    );
    expect(result.mutations()).toEqual([]);
  });

  it('notifies and stops when a safety rail protects the key’s user', async () => {
    // Act
    const result = await scenario(playbook)
      .event(exposed())
      .editWorld((world) => {
        const user = world.iam.users[USER];
        if (user !== undefined) user.tags = { ...user.tags, ' Riposte:Protected ': ' TRUE ' };
      })
      .run();

    // Assess
    expect(result.path).toContain('Notify: key refused');
    expect(result.mutations()).toEqual([]);
    expect(keysOf(result.world)[KEY]).toBe('Active');
  });

  it('deactivates the key of one of Riposte’s own users but never contains that user', async () => {
    // Act
    const result = await scenario(playbook)
      .event(exposed())
      .editWorld((world) => {
        const user = world.iam.users[USER];
        if (user !== undefined) {
          world.iam.users['riposte-ci'] = user;
          delete world.iam.users[USER];
        }
      })
      .approve()
      .run();

    // Assess
    expect(result.mutations('deactivate-access-key').map((c) => c.params.UserName)).toEqual(['riposte-ci']);
    expect(result.path).toContain('Notify: user not containable');
    expect(result.mutations('contain-iam-user')).toEqual([]);
  });

  it('goes on to the user when the activity cannot be read', async () => {
    // Act
    const result = await scenario(playbook)
      .event(exposed())
      .failAction('summarize-key-activity', 'AwsAccessDeniedError')
      .approve()
      .run();

    // Assess
    expect(result.path).toContain('Notify: activity not read');
    expect(result.path).toContain('Notify: contained');
  });

  it('does nothing again for a key already inactive, and still verifies it', async () => {
    // Act
    const result = await scenario(playbook)
      .event(exposed())
      .editWorld((world) => {
        const key = world.iam.users[USER]?.accessKeys.find((k) => k.accessKeyId === KEY);
        if (key !== undefined) key.status = 'Inactive';
      })
      .deny()
      .run();

    // Assess
    expect(result.mutations('deactivate-access-key')).toEqual([]);
    expect(result.path).not.toContain('Notify: key not verified');
  });

  it('fails by name, after a notification, when the key or the user reads back otherwise', () => {
    // Act
    const definition = JSON.stringify(JSON.parse(renderDefinition(playbook)));

    // Assess
    const has = (text: string) => definition.includes(text);
    expect(has('"Variable":"$.steps.key.output.verification.verified"')).toBe(true);
    expect(has('"ResultPath":"$.steps.keyNotVerified","Next":"Fail: key not verified"')).toBe(true);
    expect(has('"Fail: key not verified":{"Type":"Fail","Error":"ContainmentNotVerifiedError"')).toBe(true);
    expect(has('"Variable":"$.steps.containUser.output.verification.verified"')).toBe(true);
    expect(has('"Fail: user not verified":{"Type":"Fail","Error":"ContainmentNotVerifiedError"')).toBe(true);
  });
});

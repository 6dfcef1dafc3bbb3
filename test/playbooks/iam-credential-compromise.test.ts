import { describe, expect, it } from 'vitest';
import { exampleWorld, scenario } from '../../cli/local/testkit.ts';
import { normalize } from '../../functions/core/normalize/index.ts';
import { matchesTrigger } from '../../functions/core/playbooks/trigger.ts';
import playbook from '../../playbooks/iam-credential-compromise.ts';
import { consoleSignIn, guardDutyAccessKeyFinding, guardDutyInstanceFinding } from '../support/events.ts';

const USER = 'payments-deployer';
const ROLE = 'payments-app-role';
const PROTECTED_USER = 'break-glass-admin';

/** Whether the playbook's own trigger starts it for `event` (the test kit runs it regardless). */
function triggers(event: unknown): boolean {
  return normalize(event).some((out) => 'alert' in out && matchesTrigger(playbook.trigger, out.alert));
}

/** The keys of a user of the example world that are Active before any containment. */
function activeKeys(userName: string): string[] {
  const user = exampleWorld().iam.users[userName];
  return (user?.accessKeys ?? []).filter((k) => k.status === 'Active').map((k) => k.accessKeyId);
}

describe('iam-credential-compromise', () => {
  it.each([
    ['a user key finding', true, guardDutyAccessKeyFinding({ userType: 'IAMUser' })],
    ['an assumed-role key finding', true, guardDutyAccessKeyFinding({ userType: 'AssumedRole' })],
    ['a successful root sign-in', true, consoleSignIn({ root: true, success: true })],
    ['an EC2 finding', false, guardDutyInstanceFinding()],
  ])('its trigger, given %s, starts it: %s', (_label, expected, event) => {
    // Act
    const started = triggers(event);

    // Assess
    expect(started).toBe(expected);
  });

  it('contains an IAM user: every active key deactivated, deny-all attached, console password removed, notified', async () => {
    // Prepare
    const keys = activeKeys(USER);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    const finding = guardDutyAccessKeyFinding({
      type: 'UnauthorizedAccess:IAMUser/TorIPCaller',
      userType: 'IAMUser',
      userName: USER,
      accessKeyId: 'AKIAPAYMENTSATTACK02',
    });

    // Act
    const result = await scenario(playbook).event(finding).run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual([
      'Load context',
      'Prepare context',
      'Playbook',
      'Sample?',
      'User or role?',
      'Enrich user',
      'Deactivate keys and console access',
      'Notify: user contained',
      'Done: user',
      'Record outcome',
    ]);
    const mutations = result.mutations('contain-iam-user');
    const updates = mutations.filter((c) => c.api === 'UpdateAccessKey');
    expect(updates.map((c) => c.params)).toEqual(
      keys.map((id) => ({ UserName: USER, AccessKeyId: id, Status: 'Inactive' })),
    );
    expect(result.mutations().some((c) => c.api === 'DeleteAccessKey')).toBe(false);
    expect(mutations.filter((c) => c.api === 'PutUserPolicy').map((c) => c.params.PolicyName)).toEqual([
      'riposte-deny-all',
    ]);
    expect(mutations.filter((c) => c.api === 'DeleteLoginProfile').map((c) => c.params)).toEqual([
      { UserName: USER },
    ]);
    expect(result.actions.map((a) => a.action)).toEqual(['enrich-principal', 'contain-iam-user', 'notify']);
    // The world says the same: keys kept but inactive, deny-all in place, no console password.
    const user = result.world.iam.users[USER];
    expect(user?.accessKeys.map((k) => [k.accessKeyId, k.status])).toEqual(
      keys.map((id) => [id, 'Inactive']),
    );
    expect(Object.keys(user?.inlinePolicies ?? {})).toContain('riposte-deny-all');
    expect(user?.loginProfile).toBeUndefined();
  });

  it('revokes the sessions of a role whose temporary key was used', async () => {
    // Prepare
    const finding = guardDutyAccessKeyFinding({ userType: 'AssumedRole', userName: ROLE });

    // Act
    const result = await scenario(playbook).event(finding).run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Revoke role sessions');
    expect(result.path).toContain('Notify: role contained');
    expect(result.path).not.toContain('Deactivate keys and console access');
    expect(result.mutations()).toEqual([
      expect.objectContaining({
        api: 'PutRolePolicy',
        params: expect.objectContaining({ RoleName: ROLE, PolicyName: 'riposte-revoke-older-sessions' }),
      }),
    ]);
    const document: unknown = JSON.parse(
      String(result.mutations('revoke-role-sessions')[0]?.params.PolicyDocument),
    );
    expect(document).toMatchObject({
      Statement: [
        { Effect: 'Deny', Condition: { DateLessThan: { 'aws:TokenIssueTime': expect.any(String) } } },
      ],
    });
    expect(Object.keys(result.world.iam.roles[ROLE]?.inlinePolicies ?? {})).toContain(
      'riposte-revoke-older-sessions',
    );
  });

  it('refuses to contain a protected user and changes nothing', async () => {
    // Prepare
    const finding = guardDutyAccessKeyFinding({
      userName: PROTECTED_USER,
      accessKeyId: 'AKIABREAKGLASSKEY001',
    });
    const before = exampleWorld().iam.users[PROTECTED_USER];

    // Act
    const result = await scenario(playbook).event(finding).run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: user refused');
    expect(result.path).not.toContain('Notify: user contained');
    expect(result.actions.find((a) => a.action === 'contain-iam-user')?.error).toMatch(
      /^ProtectedResourceError/,
    );
    expect(result.mutations()).toEqual([]);
    expect(result.world.iam.users[PROTECTED_USER]).toEqual(before);
  });

  it('only notifies for a sample finding', async () => {
    // Act
    const result = await scenario(playbook)
      .event(guardDutyAccessKeyFinding({ sample: true }))
      .run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: sample');
    expect(result.path).not.toContain('User or role?');
    expect(result.actions.map((a) => a.action)).toEqual(['notify']);
    expect(result.mutations()).toEqual([]);
  });

  it('alerts for a manual response on a successful root sign-in, and changes nothing', async () => {
    // Prepare
    const before = exampleWorld().iam;

    // Act
    const result = await scenario(playbook)
      .event(consoleSignIn({ root: true, success: true }))
      .run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: manual response');
    expect(result.path).not.toContain('Enrich user');
    expect(result.path).not.toContain('Enrich role');
    expect(result.actions.map((a) => a.action)).toEqual(['notify']);
    expect(result.mutations()).toEqual([]);
    expect(result.world.iam).toEqual(before);
  });

  it('ends failed, notified and recorded, when containment keeps failing after its retries', async () => {
    // Prepare
    const keys = activeKeys(USER);

    // Act
    const result = await scenario(playbook)
      .event(guardDutyAccessKeyFinding())
      .failAction('contain-iam-user', 'Throttling')
      .run();

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('PlaybookFailed');
    expect(result.path.slice(-3)).toEqual(['Notify failure', 'Record failure', 'Failed']);
    expect(result.path).not.toContain('Notify: user contained');
    // One attempt and three retries of a throttled call, then the failure notification.
    expect(result.actions.filter((a) => a.action === 'contain-iam-user')).toHaveLength(4);
    expect(result.actions.at(-1)?.action).toBe('notify');
    expect(result.mutations()).toEqual([]);
    expect(result.world.iam.users[USER]?.accessKeys.map((k) => k.accessKeyId)).toEqual(keys);
    expect(result.world.iam.users[USER]?.accessKeys.every((k) => k.status === 'Active')).toBe(true);
  });
});

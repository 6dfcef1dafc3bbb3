import { beforeAll, describe, expect, it, vi } from 'vitest';
import { scenario } from '../../cli/local/testkit.ts';
import iamCompromise from '../../playbooks/iam-credential-compromise.ts';
import iamRelease from '../../playbooks/iam-credential-release.ts';
import { guardDutyAccessKeyFinding } from '../support/events.ts';

const USER = 'payments-deployer';
const ATTACKER_KEY = 'AKIAPAYMENTSATTACK02';
const OTHER_KEY = 'AKIAPAYMENTSDEPLOY01';

/** The e-mails the notify steps of the last execution would publish (world mode records them). */
function emails(result: Awaited<ReturnType<ReturnType<typeof scenario>['run']>>): string[] {
  return result
    .calls('notify')
    .filter((c) => c.api === 'Publish')
    .map((c) => String(c.params.Message));
}

describe('iam-credential-release', () => {
  beforeAll(() => {
    // The notify action reads its channels from the environment on first use.
    vi.stubEnv('NOTIFY_TOPIC_ARN', 'arn:aws:sns:eu-west-1:111122223333:riposte-alerts');
  });

  it('keeps the key the finding names inactive, reactivates the others and asks to rotate it', async () => {
    // Prepare
    const s = scenario(iamCompromise)
      .event(guardDutyAccessKeyFinding({ userName: USER, accessKeyId: ATTACKER_KEY }))
      .andThen(iamRelease);

    // Act
    const result = await s.run();

    // Assess
    expect(result.executions[0]?.path).toContain('Deactivate keys and console access');
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: released');
    const keys = result.world.iam.users[USER]?.accessKeys.map((k) => [k.accessKeyId, k.status]);
    expect(keys).toEqual([
      [OTHER_KEY, 'Active'],
      [ATTACKER_KEY, 'Inactive'],
    ]);
    expect(
      result
        .mutations('release-iam-user')
        .filter((c) => c.api === 'UpdateAccessKey')
        .map((c) => c.params),
    ).toEqual([{ UserName: USER, AccessKeyId: OTHER_KEY, Status: 'Active' }]);
    const [email] = emails(result);
    expect(email).toContain('TO DO BY HAND:');
    expect(email).toContain(`rotate access key ${ATTACKER_KEY} of IAM user ${USER}`);
    expect(email).not.toContain(`rotate access key ${OTHER_KEY}`);
  });

  it('says there is nothing to release when the containment was refused, and changes nothing', async () => {
    // Prepare: the break-glass user carries the protected tag, so containment is refused.
    const s = scenario(iamCompromise)
      .event(
        guardDutyAccessKeyFinding({ userName: 'break-glass-admin', accessKeyId: 'AKIABREAKGLASSKEY001' }),
      )
      .andThen(iamRelease);

    // Act
    const result = await s.run();

    // Assess
    expect(result.executions[0]?.path).toContain('Notify: user refused');
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: nothing to release (user)');
    expect(result.path).not.toContain('Notify: released');
    expect(result.actions.find((a) => a.action === 'release-iam-user')?.error).toMatch(
      /^NothingToReleaseError: nothing to release: incident .* was never contained/,
    );
    expect(result.mutations('release-iam-user')).toEqual([]);
    const [email] = emails(result);
    expect(email).toContain('Nothing to release');
    expect(email).toContain('releaseUser: nothing-to-release: nothing to release');
  });

  it.each([
    ['user', { userName: USER, accessKeyId: ATTACKER_KEY }, 'release-iam-user', 'riposte-deny-all'],
    [
      'role',
      { userType: 'AssumedRole' as const, userName: 'payments-app-role' },
      'release-role-sessions',
      'riposte-revoke-older-sessions',
    ],
  ])(
    'leaves a %s tagged protected since its containment alone and says so',
    async (kind, finding, action, policy) => {
      // Prepare: contained unprotected, then tagged protected (spelled as a person might)
      const s = scenario(iamCompromise)
        .event(guardDutyAccessKeyFinding(finding))
        .approve()
        .andThen(iamRelease, (world) => {
          const principal = kind === 'user' ? world.iam.users[USER] : world.iam.roles['payments-app-role'];
          if (principal !== undefined) principal.tags['riposte:protected'] = ' True ';
        });

      // Act
      const result = await s.run();

      // Assess
      expect(result.executions[0]?.status).toBe('SUCCEEDED');
      expect(result.status).toBe('SUCCEEDED');
      expect(result.path).toContain(`Notify: refused (${kind})`);
      expect(result.path).not.toContain('Notify: released');
      expect(result.actions.find((a) => a.action === action)?.error).toMatch(
        /^ProtectedResourceError: release of IAM (user|role) .* refused: it now carries the protected tag/,
      );
      expect(result.mutations(action)).toEqual([]);
      expect(emails(result)[0]).toContain(`IAM ${kind} release refused by a safety rail`);
      const principal =
        kind === 'user' ? result.world.iam.users[USER] : result.world.iam.roles['payments-app-role'];
      expect(Object.keys(principal?.inlinePolicies ?? {})).toContain(policy);
    },
  );
});

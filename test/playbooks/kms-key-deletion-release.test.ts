import { describe, expect, it } from 'vitest';
import { scenario } from '../../cli/local/testkit.ts';
import release from '../../playbooks/kms-key-deletion-release.ts';
import playbook from '../../playbooks/kms-key-deletion-scheduled.ts';
import { loadFixture } from '../support/fixtures.ts';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const scheduled = () => loadFixture('cloudtrail/api-call-kms-schedulekeydeletion.json');
const disabled = () => loadFixture('cloudtrail/api-call-kms-disablekey.json');

describe('kms-key-deletion-release', () => {
  it('removes the calling role’s revocation and leaves the key as restored', async () => {
    // Act
    const result = await scenario(playbook).event(scheduled()).approve().andThen(release).run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.mutations('release-role-sessions')).toEqual([
      {
        api: 'DeleteRolePolicy',
        params: { RoleName: 'ci-deployer', PolicyName: 'riposte-revoke-older-sessions' },
      },
    ]);
    expect(result.world.iam.roles['ci-deployer']?.inlinePolicies).toEqual({});
    expect(result.world.kms.keys[KEY]).toMatchObject({ keyState: 'Enabled' });
    expect(result.path).toContain('Notify: released');
  });

  it('reactivates the calling user’s keys except the one the call was signed with', async () => {
    // Act
    const result = await scenario(playbook)
      .event(disabled())
      .editWorld((world) => {
        const key = world.kms.keys[KEY];
        if (key !== undefined) {
          key.keyState = 'Disabled';
          delete key.deletionDate;
        }
      })
      .approve()
      .andThen(release)
      .run();

    // Assess
    const keys = result.world.iam.users['payments-deployer']?.accessKeys ?? [];
    expect(keys.map((k) => [k.accessKeyId, k.status])).toEqual([
      ['AKIAPAYMENTSDEPLOY01', 'Active'],
      ['AKIAPAYMENTSATTACK02', 'Inactive'],
    ]);
    expect(result.world.kms.keys[KEY]).toMatchObject({ keyState: 'Enabled' });
  });

  it('releases nothing when the containment of the caller was denied', async () => {
    // Act
    const result = await scenario(playbook).event(scheduled()).deny().andThen(release).run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: nothing to release (role)');
    expect(result.mutations()).toEqual([]);
  });

  it('has nothing to release for a caller that was not containable', async () => {
    // Prepare
    const event = scheduled();
    ((event.detail as Record<string, unknown>).userIdentity as Record<string, unknown>).type = 'Root';

    // Act
    const result = await scenario(playbook).event(event).approve().andThen(release).run();

    // Assess
    expect(result.path).toContain('Notify: cannot release');
    expect(result.mutations()).toEqual([]);
  });
});

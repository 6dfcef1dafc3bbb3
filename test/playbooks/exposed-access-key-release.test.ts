import { describe, expect, it } from 'vitest';
import { scenario } from '../../cli/local/testkit.ts';
import { releasePlaybookFor } from '../../functions/core/playbooks/releases.ts';
import { actionsUndoneBy } from '../../functions/core/playbooks/undo.ts';
import playbook from '../../playbooks/exposed-access-key.ts';
import release from '../../playbooks/exposed-access-key-release.ts';
import { loadFixture } from '../support/fixtures.ts';

const KEY = 'AKIAEXAMPLEEXPOSED01';
const OTHER_KEY = 'AKIACIDEPLOYERKEY002';
const USER = 'ci-deployer';
const exposed = () => loadFixture('health/risk-credentials-exposed.json');

describe('exposed-access-key-release', () => {
  it('is the release of incidents exposed-access-key worked on', () => {
    expect(
      releasePlaybookFor({ resourceType: 'AWS::IAM::AccessKey', playbookId: 'exposed-access-key' }),
    ).toBe('exposed-access-key-release');
    // It undoes the user's containment only: the key's deactivation is never offered as undone.
    expect([...actionsUndoneBy(release)]).toEqual(['contain-iam-user']);
  });

  it('reactivates the user’s other key and removes deny-all; the exposed key stays inactive', async () => {
    // Act
    const result = await scenario(playbook).event(exposed()).approve().andThen(release).run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const user = result.world.iam.users[USER];
    expect(user?.accessKeys.map((k) => [k.accessKeyId, k.status])).toEqual([
      [KEY, 'Inactive'],
      [OTHER_KEY, 'Active'],
    ]);
    expect(Object.keys(user?.inlinePolicies ?? {})).toEqual(['deploy-artifacts']);
    expect(
      result.mutations('release-iam-user').map((c) => c.params.AccessKeyId ?? c.params.PolicyName),
    ).toEqual([OTHER_KEY, 'riposte-deny-all']);
    expect(result.path).toContain('Notify: released');
  });

  it('releases nothing when the containment of the user was denied: the exposed key stays inactive', async () => {
    // Act
    const result = await scenario(playbook).event(exposed()).deny().andThen(release).run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: nothing to release');
    expect(result.mutations()).toEqual([]);
    expect(result.world.iam.users[USER]?.accessKeys.find((k) => k.accessKeyId === KEY)?.status).toBe(
      'Inactive',
    );
  });

  it('leaves the user alone when it is tagged protected since its containment, and says so', async () => {
    // Prepare: contained unprotected, then tagged protected (spelled as a person might)
    const s = scenario(playbook)
      .event(exposed())
      .approve()
      .andThen(release, (world) => {
        const user = world.iam.users[USER];
        if (user !== undefined) user.tags['riposte:protected'] = ' TRUE';
      });

    // Act
    const result = await s.run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: refused');
    expect(result.path).not.toContain('Notify: released');
    expect(result.actions.find((a) => a.action === 'release-iam-user')?.error).toMatch(
      /^ProtectedResourceError: release of IAM user ci-deployer refused/,
    );
    expect(result.mutations('release-iam-user')).toEqual([]);
    expect(Object.keys(result.world.iam.users[USER]?.inlinePolicies ?? {})).toContain('riposte-deny-all');
  });
});

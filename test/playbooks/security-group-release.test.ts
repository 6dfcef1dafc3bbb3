import { describe, expect, it } from 'vitest';
import { scenario } from '../../cli/local/testkit.ts';
import type { WorldData } from '../../functions/core/actions/world/index.ts';
import playbook from '../../playbooks/security-group-open-to-world.ts';
import release from '../../playbooks/security-group-release.ts';
import { type FixtureEvent, loadFixture } from '../support/fixtures.ts';

const GROUP = 'sg-0c4e6a8b2d1f3e5a7';

/** CloudTrail's AuthorizeSecurityGroupIngress from 0.0.0.0/0, by the role ci-deployer or the user payments-deployer. */
function opened(by: 'user' | 'role'): FixtureEvent {
  const event = loadFixture('cloudtrail/api-call-ec2-authorize-sg-ingress-world-open.json');
  const detail = event.detail as Record<string, unknown>;
  detail.userIdentity =
    by === 'role'
      ? JSON.parse(JSON.stringify(detail.userIdentity).replaceAll('Developer', 'ci-deployer'))
      : (loadFixture('cloudtrail/api-call-kms-disablekey.json').detail as Record<string, unknown>)
          .userIdentity;
  return event;
}

const CALLERS = {
  user: { name: 'payments-deployer', action: 'release-iam-user', policy: 'riposte-deny-all' },
  role: { name: 'ci-deployer', action: 'release-role-sessions', policy: 'riposte-revoke-older-sessions' },
} as const;

describe('security-group-release: a caller protected since its containment', () => {
  it.each(['user', 'role'] as const)('restores the rules, leaves the %s alone and says so', async (kind) => {
    // Prepare: the group opened by the caller, both contained; the caller tagged protected since
    const caller = CALLERS[kind];
    const principalOf = (world: WorldData) =>
      kind === 'user' ? world.iam.users[caller.name] : world.iam.roles[caller.name];
    const s = scenario(playbook)
      .event(opened(kind))
      .approve()
      .andThen(release, (world) => {
        const principal = principalOf(world);
        if (principal !== undefined) principal.tags['riposte:protected'] = 'True ';
      });

    // Act
    const result = await s.run();

    // Assess
    expect(result.executions[0]?.path).toContain('Notify: caller contained');
    expect(result.status).toBe('SUCCEEDED');
    expect(result.mutations('restore-world-open-ingress').map((c) => c.params.GroupId)).toEqual([GROUP]);
    expect(result.path).toContain(`Notify: caller refused (${kind})`);
    expect(result.actions.find((a) => a.action === caller.action)?.error).toMatch(
      /^ProtectedResourceError: release of IAM (user|role) .* refused: it now carries the protected tag/,
    );
    expect(result.mutations(caller.action)).toEqual([]);
    expect(Object.keys(principalOf(result.world)?.inlinePolicies ?? {})).toContain(caller.policy);
  });
});

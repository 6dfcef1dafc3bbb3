import { describe, expect, it } from 'vitest';
import { scenario } from '../../cli/local/testkit.ts';
import type { WorldData } from '../../functions/core/actions/world/index.ts';
import cloudtrailLoggingDisabled from '../../playbooks/cloudtrail-logging-disabled.ts';
import kmsKeyDeletionScheduled from '../../playbooks/kms-key-deletion-scheduled.ts';
import securityGroupOpenToWorld from '../../playbooks/security-group-open-to-world.ts';
import { type FixtureEvent, loadFixture } from '../support/fixtures.ts';

/**
 * The caller's containment (the `containCaller` fragment) past the hourly containment limit, in
 * every playbook that uses it. With a limit of 0 every containment asks for a `blast-radius`
 * approval: the playbook's own change first, then, after the approval to contain the caller
 * (which replaces the incident's recorded approval), the caller's.
 */
const NO_CONTAINMENT = { safety: { blastRadiusPerHour: 0 } };

/** Approve everything but containing the caller past the limit. */
const denyCallerOverLimit = (message: string): boolean => !/containment limit.*the calling/.test(message);

/** The AuthorizeSecurityGroupIngress fixture, made by the IAM user payments-deployer. */
function openedByUser(): FixtureEvent {
  const event = loadFixture('cloudtrail/api-call-ec2-authorize-sg-ingress-world-open.json');
  const detail = event.detail as { userIdentity: unknown };
  detail.userIdentity = (
    loadFixture('cloudtrail/api-call-kms-disablekey.json').detail as typeof detail
  ).userIdentity;
  return event;
}

/** The AuthorizeSecurityGroupIngress fixture, made through a session of the role ci-deployer. */
function openedByRole(): FixtureEvent {
  const event = loadFixture('cloudtrail/api-call-ec2-authorize-sg-ingress-world-open.json');
  const detail = event.detail as { userIdentity: unknown };
  detail.userIdentity = JSON.parse(
    JSON.stringify(detail.userIdentity).replaceAll('Developer', 'ci-deployer'),
  );
  return event;
}

const keysOf = (world: WorldData, user: string) => world.iam.users[user]?.accessKeys.map((k) => k.status);

const USERS = [
  {
    playbook: kmsKeyDeletionScheduled,
    event: () => loadFixture('cloudtrail/api-call-kms-disablekey.json'),
    user: 'payments-deployer',
    change: 'restore-kms-key',
  },
  {
    playbook: cloudtrailLoggingDisabled,
    event: () => loadFixture('cloudtrail/api-call-cloudtrail-stoplogging.json'),
    user: 'mallory',
    change: 'restore-trail-logging',
  },
  {
    playbook: securityGroupOpenToWorld,
    event: openedByUser,
    user: 'payments-deployer',
    change: 'revoke-world-open-ingress',
  },
] as const;

const ROLES = [
  {
    playbook: kmsKeyDeletionScheduled,
    event: () => loadFixture('cloudtrail/api-call-kms-schedulekeydeletion.json'),
    change: 'restore-kms-key',
  },
  {
    playbook: securityGroupOpenToWorld,
    event: openedByRole,
    change: 'revoke-world-open-ingress',
  },
] as const;

describe('contain-caller fragment: past the hourly containment limit', () => {
  it.each(USERS)(
    '$playbook.id: contains the calling user once the over-limit approval is given',
    async (c) => {
      // Act
      const result = await scenario(c.playbook).event(c.event()).configure(NO_CONTAINMENT).approve().run();

      // Assess
      expect(result.status).toBe('SUCCEEDED');
      expect(result.mutations(c.change).length).toBeGreaterThan(0);
      expect(result.path).toEqual(
        expect.arrayContaining([
          'Approve containing the caller',
          'Contain the calling user',
          'Approve over the containment limit (calling user)',
          'Contain the calling user (approved)',
          'Notify: caller contained',
        ]),
      );
      expect(result.stepErrors?.join('\n')).toMatch(/BlastRadiusExceededError/);
      expect(keysOf(result.world, c.user)?.every((s) => s === 'Inactive')).toBe(true);
    },
  );

  it.each(USERS)(
    '$playbook.id: leaves the calling user alone when the over-limit approval is denied',
    async (c) => {
      // Act
      const result = await scenario(c.playbook)
        .event(c.event())
        .configure(NO_CONTAINMENT)
        .decideBy(denyCallerOverLimit)
        .run();

      // Assess
      expect(result.status).toBe('SUCCEEDED');
      expect(result.mutations(c.change).length).toBeGreaterThan(0);
      expect(result.path).toContain('Approve containing the caller');
      expect(result.path).toContain('Approve over the containment limit (calling user): denied');
      expect(result.path).not.toContain('Contain the calling user (approved)');
      expect(result.path).not.toContain('Notify: caller contained');
      expect(result.mutations('contain-iam-user')).toEqual([]);
      expect(keysOf(result.world, c.user)).toContain('Active');
    },
  );

  it.each(ROLES)(
    '$playbook.id: revokes the calling role’s sessions once the over-limit approval is given',
    async (c) => {
      // Act
      const result = await scenario(c.playbook).event(c.event()).configure(NO_CONTAINMENT).approve().run();

      // Assess
      expect(result.status).toBe('SUCCEEDED');
      expect(result.path).toEqual(
        expect.arrayContaining([
          'Approve over the containment limit (calling role)',
          'Revoke the calling role’s sessions (approved)',
          'Notify: caller contained',
        ]),
      );
      expect(result.mutations('revoke-role-sessions').map((m) => m.params.RoleName)).toEqual(['ci-deployer']);
    },
  );

  it.each(ROLES)(
    '$playbook.id: revokes nothing when the over-limit approval for the role is denied',
    async (c) => {
      // Act
      const result = await scenario(c.playbook)
        .event(c.event())
        .configure(NO_CONTAINMENT)
        .decideBy(denyCallerOverLimit)
        .run();

      // Assess
      expect(result.status).toBe('SUCCEEDED');
      expect(result.path).toContain('Approve over the containment limit (calling role): denied');
      expect(result.path).not.toContain('Notify: caller contained');
      expect(result.mutations('revoke-role-sessions')).toEqual([]);
    },
  );

  it('within the limit, asks no over-limit approval', async () => {
    // Act
    const result = await scenario(kmsKeyDeletionScheduled)
      .event(loadFixture('cloudtrail/api-call-kms-schedulekeydeletion.json'))
      .approve()
      .run();

    // Assess
    expect(result.path).toContain('Notify: caller contained');
    expect(result.path.filter((s) => s.includes('containment limit'))).toEqual([]);
    expect(result.mutations('revoke-role-sessions').map((m) => m.params.RoleName)).toEqual(['ci-deployer']);
  });
});

import { describe, expect, it } from 'vitest';
import { scenario } from '../../cli/local/testkit.ts';
import type { WorldData } from '../../functions/core/actions/world/index.ts';
import playbook from '../../playbooks/exposed-access-key.ts';
import { type FixtureEvent, loadFixture } from '../support/fixtures.ts';

/** exposed-access-key past the hourly containment limit (0 a rolling hour: every containment asks). */
const KEY = 'AKIAEXAMPLEEXPOSED01';
const OTHER_KEY = 'AKIACIDEPLOYERKEY002';
const USER = 'ci-deployer';
const NO_CONTAINMENT = { safety: { blastRadiusPerHour: 0 } };

const exposed = (): FixtureEvent => loadFixture('health/risk-credentials-exposed.json');

const keysOf = (world: WorldData) =>
  Object.fromEntries((world.iam.users[USER]?.accessKeys ?? []).map((k) => [k.accessKeyId, k.status]));

describe('exposed-access-key: the key past the hourly containment limit', () => {
  it('deactivates the key once the over-limit approval is given, then stops and says the user is left', async () => {
    // Act
    const result = await scenario(playbook).event(exposed()).configure(NO_CONTAINMENT).approve().run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(
      expect.arrayContaining([
        'Deactivate the key',
        'Approve over the containment limit (key)',
        'Deactivate the key (approved)',
        'Key verified? (approved)',
        'Notify: key deactivated (approved)',
        'Done: key deactivated (approved)',
      ]),
    );
    expect(result.mutations('deactivate-access-key')).toEqual([
      { api: 'UpdateAccessKey', params: { UserName: USER, AccessKeyId: KEY, Status: 'Inactive' } },
    ]);
    expect(result.mutations('contain-iam-user')).toEqual([]);
    expect(keysOf(result.world)).toEqual({ [KEY]: 'Inactive', [OTHER_KEY]: 'Active' });
  });

  it('changes nothing when the over-limit approval is denied', async () => {
    // Act
    const result = await scenario(playbook).event(exposed()).configure(NO_CONTAINMENT).deny().run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Approve over the containment limit (key): denied');
    expect(result.path).not.toContain('Deactivate the key (approved)');
    expect(result.mutations()).toEqual([]);
    expect(keysOf(result.world)).toEqual({ [KEY]: 'Active', [OTHER_KEY]: 'Active' });
  });
});

/**
 * The key is deactivated within the limit; by the time a person approves containing the user,
 * other incidents have filled the hour. The local world writes no lease (dry-run), so the limit
 * is reached by making the first containment of the user fail as the rail does.
 */
describe('exposed-access-key: the user past the hourly containment limit', () => {
  it('contains the user once the over-limit approval is given, and reads it back', async () => {
    // Act
    const result = await scenario(playbook)
      .event(exposed())
      .failAction('contain-iam-user', 'BlastRadiusExceededError', 1)
      .approve()
      .run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(
      expect.arrayContaining([
        'Approve containing the user',
        'Contain the user',
        'Approve over the containment limit (user)',
        'Contain the user (approved)',
        'User verified? (approved)',
        'Notify: contained',
      ]),
    );
    expect(result.mutations('contain-iam-user').map((c) => c.api)).toEqual([
      'UpdateAccessKey',
      'PutUserPolicy',
    ]);
    expect(keysOf(result.world)).toEqual({ [KEY]: 'Inactive', [OTHER_KEY]: 'Inactive' });
  });

  it('leaves the user alone when the over-limit approval is denied', async () => {
    // Act
    const result = await scenario(playbook)
      .event(exposed())
      .failAction('contain-iam-user', 'BlastRadiusExceededError', 1)
      .decideBy((message) => !message.includes('Contain the key’s user anyway'))
      .run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Approve containing the user');
    expect(result.path).toContain('Approve over the containment limit (user): denied');
    expect(result.path).not.toContain('Notify: contained');
    expect(result.mutations('contain-iam-user')).toEqual([]);
    expect(keysOf(result.world)).toEqual({ [KEY]: 'Inactive', [OTHER_KEY]: 'Active' });
  });
});

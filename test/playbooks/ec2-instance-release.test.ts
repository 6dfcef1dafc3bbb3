import { beforeAll, describe, expect, it, vi } from 'vitest';
import { scenario } from '../../cli/local/testkit.ts';
import type { WorldData } from '../../functions/core/actions/world/index.ts';
import compromise from '../../playbooks/ec2-instance-compromise.ts';
import release from '../../playbooks/ec2-instance-release.ts';
import { guardDutyInstanceFinding } from '../support/events.ts';

const INSTANCE = 'i-0a1b2c3d4e5f60718';
const ROLE = 'payments-app-role';

/** The e-mails the notify steps of the last execution would publish (world mode records them). */
function emails(result: Awaited<ReturnType<ReturnType<typeof scenario>['run']>>): string[] {
  return result
    .calls('notify')
    .filter((c) => c.api === 'Publish')
    .map((c) => String(c.params.Message));
}

/** Isolation of the instance (approved), then its release with `edit` applied in between. */
const isolatedThenReleased = (edit?: (world: WorldData) => void) =>
  scenario(compromise)
    .event(guardDutyInstanceFinding({ instanceId: INSTANCE }))
    .approve()
    .andThen(release, edit)
    .run();

const instanceOf = (world: WorldData) => world.ec2.instances.find((i) => i.instanceId === INSTANCE);

describe('ec2-instance-release', () => {
  beforeAll(() => {
    // The notify action reads its channels from the environment on first use.
    vi.stubEnv('NOTIFY_TOPIC_ARN', 'arn:aws:sns:eu-west-1:111122223333:riposte-alerts');
  });

  it('restores the isolated instance and notifies', async () => {
    // Act
    const result = await isolatedThenReleased();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: released');
    expect(result.mutations('release-instance').map((c) => c.api)).toContain(
      'ModifyNetworkInterfaceAttribute',
    );
    expect(instanceOf(result.world)?.tags['riposte:status']).toBe('released');
  });

  it.each([
    [
      'the instance',
      (w: WorldData) => Object.assign(instanceOf(w)?.tags ?? {}, { 'riposte:protected': ' TRUE' }),
    ],
    [
      'its instance role',
      (w: WorldData) => Object.assign(w.iam.roles[ROLE]?.tags ?? {}, { 'riposte:protected': 'True ' }),
    ],
  ])(
    'changes nothing and says so when %s is tagged protected since the isolation',
    async (_label, protect) => {
      // Act
      const result = await isolatedThenReleased((w) => {
        protect(w);
      });

      // Assess
      expect(result.executions[0]?.path).toContain('Notify: isolated');
      expect(result.status).toBe('SUCCEEDED');
      expect(result.path).toContain('Notify: refused');
      expect(result.path).not.toContain('Notify: released');
      expect(result.actions.find((a) => a.action === 'release-instance')?.error).toMatch(
        /^ProtectedResourceError: release of EC2 instance i-0a1b2c3d4e5f60718 refused/,
      );
      expect(result.mutations('release-instance')).toEqual([]);
      expect(instanceOf(result.world)?.tags['riposte:status']).toBe('quarantined');
      expect(emails(result)[0]).toContain('Instance release refused by a safety rail');
    },
  );

  it('says there is nothing to release when the instance was never isolated', async () => {
    // Act
    const result = await scenario(release)
      .event(guardDutyInstanceFinding({ instanceId: INSTANCE }))
      .run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: nothing to release');
    expect(result.mutations('release-instance')).toEqual([]);
  });
});

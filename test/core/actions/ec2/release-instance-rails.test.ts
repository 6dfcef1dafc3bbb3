import { describe, expect, it } from 'vitest';
import { isolateInstanceAction } from '../../../../functions/core/actions/ec2/isolate-instance.ts';
import { releaseInstanceAction } from '../../../../functions/core/actions/ec2/release-instance.ts';
import { ProtectedResourceError } from '../../../../functions/core/actions/errors.ts';
import type { LocalWorld } from '../../../../functions/core/actions/world/index.ts';
import { INSTANCE, ROLE, worldSetup } from './support.ts';

/** Isolates the instance (its role's sessions revoked or not), as an incident did before the release. */
async function isolated(revokeRoleSessions: boolean) {
  const setup = worldSetup();
  await isolateInstanceAction.run({ instanceId: INSTANCE, revokeRoleSessions }, setup.env);
  return { ...setup, before: structuredClone(setup.world.state), made: setup.env.recorder.mutations.length };
}

const instanceTags = (world: LocalWorld) =>
  world.state.ec2.instances.find((i) => i.instanceId === INSTANCE)?.tags ?? {};

describe('release-instance: the rails at release time', () => {
  it.each([' TRUE', 'true', 'True  '])(
    'refuses an instance tagged protected (%j) since its isolation, before any change',
    async (value) => {
      // Prepare
      const { world, env, made } = await isolated(true);
      instanceTags(world)['riposte:protected'] = value;
      const before = structuredClone(world.state);

      // Act
      const run = releaseInstanceAction.run({ instanceId: INSTANCE }, env);

      // Assess
      await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
      await expect(run).rejects.toThrow(
        /EC2 instance i-0a1b2c3d4e5f60718 refused: it now carries the protected tag/,
      );
      expect(env.recorder.mutations.slice(made)).toEqual([]);
      expect(world.state).toEqual(before);
    },
  );

  it('refuses when the instance role whose sessions were revoked is tagged protected since, before any change', async () => {
    // Prepare
    const { world, env, made } = await isolated(true);
    const role = world.state.iam.roles[ROLE];
    if (role !== undefined) role.tags['riposte:protected'] = ' TRUE ';
    const before = structuredClone(world.state);

    // Act
    const run = releaseInstanceAction.run({ instanceId: INSTANCE }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    await expect(run).rejects.toThrow(/IAM role payments-app-role refused/);
    expect(env.recorder.mutations.slice(made)).toEqual([]);
    expect(env.recorder.calls.slice(-1).map((c) => c.api)).toEqual(['GetRole']);
    expect(world.state).toEqual(before);
    expect(Object.keys(world.state.iam.roles[ROLE]?.inlinePolicies ?? {})).toContain(
      'riposte-revoke-older-sessions',
    );
  });

  it('releases the instance when its protected role was never revoked (the role is not touched)', async () => {
    // Prepare
    const { world, env, made } = await isolated(false);
    const role = world.state.iam.roles[ROLE];
    if (role !== undefined) role.tags['riposte:protected'] = 'true';

    // Act
    const released = await releaseInstanceAction.run({ instanceId: INSTANCE }, env);

    // Assess
    expect(released.roleSessions).toMatchObject({ action: 'not-revoked' });
    expect(env.recorder.mutations.slice(made).filter((c) => c.service === 'iam')).toEqual([]);
    expect(env.recorder.mutations.slice(made).length).toBeGreaterThan(0);
  });

  it('releases the instance when its role no longer exists (nothing of it to release)', async () => {
    // Prepare
    const { world, env } = await isolated(true);
    delete world.state.iam.roles[ROLE];

    // Act
    const released = await releaseInstanceAction.run({ instanceId: INSTANCE }, env);

    // Assess
    expect(released.roleSessions).toMatchObject({ action: 'absent' });
    expect(released.networkInterfaces.every((eni) => eni.action === 'restored')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { NothingToReleaseError, ProtectedResourceError } from '../../../../functions/core/actions/errors.ts';
import { releaseDbInstanceAction } from '../../../../functions/core/actions/rds/release-db-instance.ts';
import { restrictDbInstanceAction } from '../../../../functions/core/actions/rds/restrict-db-instance.ts';
import { DriftingWorld, worldEnv } from '../../../support/drifting-world.ts';

const DB = 'orders-db';

describe('release-db-instance', () => {
  it('restores PubliclyAccessible from the capture, reads it back, and keeps the snapshot', async () => {
    // Prepare
    const world = new DriftingWorld();
    const env = worldEnv(world);
    await restrictDbInstanceAction.run({ dbInstance: DB }, env);
    const seen = env.recorder.calls.length;

    // Act
    const output = await releaseDbInstanceAction.run({ dbInstance: DB }, env);

    // Assess
    expect(env.recorder.calls.slice(seen).map((c) => c.api)).toEqual([
      'DescribeDBInstances',
      'ListTagsForResource',
      'ModifyDBInstance',
      'DescribeDBInstances',
    ]);
    expect(world.state.rds.instances[DB]?.publiclyAccessible).toBe(true);
    // Riposte's snapshots only (the example world also holds a publicly shared one).
    expect(Object.keys(world.state.rds.snapshots).filter((id) => id.startsWith('riposte-'))).toEqual([
      output.snapshotIdentifier,
    ]);
    expect(output).toMatchObject({
      restoredPubliclyAccessible: true,
      changedByThisRun: true,
      verification: { verified: true, basis: 'read-back' },
    });
  });

  it('changes nothing when the instance already is as it was', async () => {
    // Prepare
    const world = new DriftingWorld();
    const env = worldEnv(world);
    await restrictDbInstanceAction.run({ dbInstance: DB }, env);
    const db = world.state.rds.instances[DB];
    if (db !== undefined) db.publiclyAccessible = true;
    const seen = env.recorder.mutations.length;

    // Act
    const output = await releaseDbInstanceAction.run({ dbInstance: DB }, env);

    // Assess
    expect(env.recorder.mutations.slice(seen)).toEqual([]);
    expect(output).toMatchObject({ changedByThisRun: false, verification: { verified: true } });
  });

  it('says nothing to release when this incident restricted nothing, before any call', async () => {
    // Prepare
    const env = worldEnv(new DriftingWorld());

    // Act
    const run = releaseDbInstanceAction.run({ dbInstance: DB }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(NothingToReleaseError);
    expect(env.recorder.calls).toEqual([]);
  });

  it('refuses an instance tagged protected since containment, and changes nothing', async () => {
    // Prepare
    const world = new DriftingWorld();
    const env = worldEnv(world);
    await restrictDbInstanceAction.run({ dbInstance: DB }, env);
    const db = world.state.rds.instances[DB];
    if (db !== undefined) db.tags['Riposte:Protected '] = ' true';
    const seen = env.recorder.mutations.length;

    // Act
    const run = releaseDbInstanceAction.run({ dbInstance: DB }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    expect(env.recorder.mutations.slice(seen)).toEqual([]);
    expect(db?.publiclyAccessible).toBe(false);
  });
});

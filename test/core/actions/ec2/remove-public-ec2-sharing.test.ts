import { describe, expect, it } from 'vitest';
import { removePublicEc2SharingAction } from '../../../../functions/core/actions/ec2/remove-public-ec2-sharing.ts';
import { ProtectedResourceError, ResourceNotFoundError } from '../../../../functions/core/actions/errors.ts';
import { LocalWorld } from '../../../../functions/core/actions/world/index.ts';
import { InvalidInputError } from '../../../../functions/core/errors.ts';
import { actionEnv } from '../../../support/action-env.ts';
import { DriftingWorld, failed, worldEnv } from '../../../support/drifting-world.ts';

const SNAPSHOT = 'snap-0e1f2a3b4c5d6e7f8';
const IMAGE = 'ami-0f1e2d3c4b5a69788';

describe('remove-public-ec2-sharing', () => {
  it('removes group all, keeps the account share, verifies, and reports block public access', async () => {
    // Prepare
    const env = worldEnv(new DriftingWorld());

    // Act
    const output = await removePublicEc2SharingAction.run({ resourceId: IMAGE }, env);

    // Assess
    expect(output.unshared).toEqual([{ resourceId: IMAGE, accountsKept: ['444455556666'] }]);
    expect(output.verification).toMatchObject({ verified: true, basis: 'read-back' });
    expect(output.blockPublicAccess).toEqual({ snapshots: 'unblocked', images: 'unblocked' });
  });

  it('sends nothing when the snapshot is private already', async () => {
    // Prepare
    const env = worldEnv(new DriftingWorld());
    await removePublicEc2SharingAction.run({ resourceId: SNAPSHOT }, env);
    const sent = env.recorder.mutations.length;

    // Act
    const output = await removePublicEc2SharingAction.run({ resourceId: SNAPSHOT }, env);

    // Assess
    expect(env.recorder.mutations).toHaveLength(sent);
    expect(output.changedByThisRun).toEqual([]);
  });

  it('reports NOT VERIFIED when the snapshot is public again right after the change', async () => {
    // Prepare
    const world = new DriftingWorld('ModifySnapshotAttribute', (state) => {
      state.ec2.snapshots
        .find((s) => s.snapshotId === SNAPSHOT)
        ?.createVolumePermissions.push({ group: 'all' });
    });

    // Act
    const output = await removePublicEc2SharingAction.run({ resourceId: SNAPSHOT }, worldEnv(world));

    // Assess
    expect(output.verification.verified).toBe(false);
    expect(failed(output.verification)).toEqual([`${SNAPSHOT} shared with every AWS account`]);
  });

  it('reports block public access unknown when the reads are refused, and goes on', async () => {
    // Prepare
    const world = new DriftingWorld();
    world.state.ec2.snapshotBlockPublicAccess = 'unauthorized';
    world.state.ec2.imageBlockPublicAccess = 'unauthorized';

    // Act
    const output = await removePublicEc2SharingAction.run({ resourceId: SNAPSHOT }, worldEnv(world));

    // Assess
    expect(output.blockPublicAccess).toEqual({ snapshots: 'unknown', images: 'unknown' });
    expect(output.changedByThisRun).toEqual([SNAPSHOT]);
  });

  it('refuses a named protected snapshot before any change', async () => {
    // Prepare
    const world = LocalWorld.fromFile('examples/world.json');
    const snapshot = world.state.ec2.snapshots.find((s) => s.snapshotId === SNAPSHOT);
    if (snapshot !== undefined) snapshot.tags['riposte:protected'] = 'true';
    const env = actionEnv({ mode: { kind: 'world', world } });

    // Act
    const run = removePublicEc2SharingAction.run({ resourceId: SNAPSHOT }, env);

    // Assess
    await expect(run).rejects.toThrow(ProtectedResourceError);
    expect(env.recorder.mutations).toEqual([]);
  });

  it('refuses an account other than the incident’s, and a snapshot that does not exist', async () => {
    // Prepare
    const env = worldEnv(new DriftingWorld());

    // Act
    const other = removePublicEc2SharingAction.run({ resourceId: '999988887777' }, env);
    const missing = removePublicEc2SharingAction.run({ resourceId: 'snap-0000000000000dead' }, env);

    // Assess
    await expect(other).rejects.toThrow(InvalidInputError);
    await expect(missing).rejects.toThrow(ResourceNotFoundError);
  });
});

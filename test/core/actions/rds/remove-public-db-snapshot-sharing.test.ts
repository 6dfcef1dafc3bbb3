import { describe, expect, it } from 'vitest';
import { ProtectedResourceError, ResourceNotFoundError } from '../../../../functions/core/actions/errors.ts';
import { enrichDbSnapshotSharingAction } from '../../../../functions/core/actions/rds/enrich-db-snapshot-sharing.ts';
import { removePublicDbSnapshotSharingAction } from '../../../../functions/core/actions/rds/remove-public-db-snapshot-sharing.ts';
import { LocalWorld } from '../../../../functions/core/actions/world/index.ts';
import { actionEnv } from '../../../support/action-env.ts';
import { DriftingWorld, failed, worldEnv } from '../../../support/drifting-world.ts';

const DB = {
  snapshotIdentifier: 'payments-db-before-migration',
  resourceType: 'AWS::RDS::DBSnapshot',
} as const;
const CLUSTER = {
  snapshotIdentifier: 'ledger-cluster-2025-04-08',
  resourceType: 'AWS::RDS::DBClusterSnapshot',
};

describe('remove-public-db-snapshot-sharing', () => {
  it('removes all from restore, keeps the account, and verifies', async () => {
    // Prepare
    const world = new DriftingWorld();
    const env = worldEnv(world);

    // Act
    const output = await removePublicDbSnapshotSharingAction.run(DB, env);

    // Assess
    expect(env.recorder.mutations.map((c) => [c.api, c.params])).toEqual([
      [
        'ModifyDBSnapshotAttribute',
        { DBSnapshotIdentifier: DB.snapshotIdentifier, AttributeName: 'restore', ValuesToRemove: ['all'] },
      ],
    ]);
    expect(output).toMatchObject({ wasPublic: true, accountsKept: ['444455556666'] });
    expect(output.verification.verified).toBe(true);
    expect(world.state.rds.snapshots[DB.snapshotIdentifier]?.restore).toEqual(['444455556666']);
  });

  it('takes the identifier from an ARN, and handles cluster snapshots', async () => {
    // Prepare
    const env = worldEnv(new DriftingWorld());

    // Act
    const output = await removePublicDbSnapshotSharingAction.run(
      removePublicDbSnapshotSharingAction.input.parse({
        ...CLUSTER,
        snapshotIdentifier: `arn:aws:rds:eu-west-1:111122223333:cluster-snapshot:${CLUSTER.snapshotIdentifier}`,
      }),
      env,
    );

    // Assess
    expect(output).toMatchObject({
      kind: 'cluster',
      snapshotIdentifier: CLUSTER.snapshotIdentifier,
      accountsKept: [],
    });
    expect(env.recorder.mutations.map((c) => c.api)).toEqual(['ModifyDBClusterSnapshotAttribute']);
  });

  it('reports NOT VERIFIED when all is back right after the change', async () => {
    // Prepare
    const world = new DriftingWorld('ModifyDBSnapshotAttribute', (state) => {
      state.rds.snapshots[DB.snapshotIdentifier]?.restore.push('all');
    });

    // Act
    const output = await removePublicDbSnapshotSharingAction.run(DB, worldEnv(world));

    // Assess
    expect(failed(output.verification)).toEqual([`${DB.snapshotIdentifier} shared with every AWS account`]);
  });

  it('refuses a protected snapshot and a missing one, changing nothing', async () => {
    // Prepare
    const world = LocalWorld.fromFile('examples/world.json');
    const snapshot = world.state.rds.snapshots[DB.snapshotIdentifier];
    if (snapshot !== undefined) snapshot.tags['Riposte:protected '] = 'True';
    const env = actionEnv({ mode: { kind: 'world', world } });

    // Act
    const protectedRun = removePublicDbSnapshotSharingAction.run(DB, env);
    const missing = removePublicDbSnapshotSharingAction.run(
      { ...DB, snapshotIdentifier: 'no-such-snapshot' },
      env,
    );

    // Assess
    await expect(protectedRun).rejects.toThrow(ProtectedResourceError);
    await expect(missing).rejects.toThrow(ResourceNotFoundError);
    expect(env.recorder.mutations).toEqual([]);
  });
});

describe('enrich-db-snapshot-sharing', () => {
  it('reads tags and who may restore, with DescribeDBSnapshots and DescribeDBSnapshotAttributes', async () => {
    // Prepare
    const env = worldEnv(new DriftingWorld());

    // Act
    const output = await enrichDbSnapshotSharingAction.run(DB, env);

    // Assess
    expect(output).toEqual({
      snapshotIdentifier: DB.snapshotIdentifier,
      kind: 'db',
      tags: { owner: 'payments-team' },
      public: true,
      accounts: ['444455556666'],
      protected: false,
    });
    expect(env.recorder.calls.map((c) => c.api)).toEqual([
      'DescribeDBSnapshots',
      'DescribeDBSnapshotAttributes',
    ]);
  });
});

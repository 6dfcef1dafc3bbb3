import { describe, expect, it } from 'vitest';
import { ProtectedResourceError } from '../../../../functions/core/actions/errors.ts';
import { restrictDbInstanceAction } from '../../../../functions/core/actions/rds/restrict-db-instance.ts';
import { ClusterMemberError } from '../../../../functions/core/actions/rds/shared/rails.ts';
import { InvalidInputError } from '../../../../functions/core/errors.ts';
import { actionEnv, executionFacts, StaticSafetyRails } from '../../../support/action-env.ts';
import { DriftingWorld, failed, worldEnv } from '../../../support/drifting-world.ts';

const DB = 'orders-db';
const ARN = 'arn:aws:rds:eu-west-1:111122223333:db:orders-db';

describe('restrict-db-instance', () => {
  it('snapshots the instance, tagged with the incident, then makes it private and reads it back', async () => {
    // Prepare
    const world = new DriftingWorld();
    const env = worldEnv(world);

    // Act
    const output = await restrictDbInstanceAction.run({ dbInstance: ARN }, env);

    // Assess
    expect(env.recorder.calls.map((c) => c.api)).toEqual([
      'DescribeDBInstances',
      'ListTagsForResource',
      'CreateDBSnapshot',
      'DescribeDBSnapshots',
      'ModifyDBInstance',
      'DescribeDBInstances',
    ]);
    const snapshotId = `riposte-${env.execution.incidentId.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-orders-db`;
    expect(env.recorder.mutations.map((c) => c.params)).toEqual([
      {
        DBSnapshotIdentifier: snapshotId,
        DBInstanceIdentifier: DB,
        Tags: [{ Key: 'riposte:incident', Value: env.execution.incidentId }],
      },
      { DBInstanceIdentifier: DB, PubliclyAccessible: false, ApplyImmediately: true },
    ]);
    expect(world.state.rds.instances[DB]?.publiclyAccessible).toBe(false);
    expect(output).toMatchObject({
      previousPubliclyAccessible: true,
      changedByThisRun: true,
      snapshot: { identifier: snapshotId, status: 'creating', createdByThisRun: true },
      verification: { verified: true, basis: 'read-back' },
    });
    expect(output.evidence).toMatchObject({ engine: 'postgres', endpoint: { port: 5432 } });
    expect(await env.state.load(`rds-db-instance:${DB}`)).toMatchObject({ previousPubliclyAccessible: true });
  });

  it('on a rerun keeps the first capture and the snapshot, and changes nothing', async () => {
    // Prepare
    const world = new DriftingWorld();
    const env = worldEnv(world);
    await restrictDbInstanceAction.run({ dbInstance: DB }, env);
    const seen = env.recorder.mutations.length;

    // Act
    const output = await restrictDbInstanceAction.run({ dbInstance: DB }, env);

    // Assess
    expect(env.recorder.mutations.slice(seen).map((c) => c.api)).toEqual(['CreateDBSnapshot']);
    // Riposte's snapshots only (the example world also holds a publicly shared one).
    expect(Object.keys(world.state.rds.snapshots).filter((id) => id.startsWith('riposte-'))).toHaveLength(1);
    expect(output).toMatchObject({
      previousPubliclyAccessible: true,
      changedByThisRun: false,
      snapshot: { createdByThisRun: false },
    });
  });

  it('reports unverified when the instance reads public again after the change', async () => {
    // Prepare
    const world = new DriftingWorld('ModifyDBInstance', (w) => {
      const db = w.rds.instances[DB];
      if (db !== undefined) db.publiclyAccessible = true;
    });

    // Act
    const output = await restrictDbInstanceAction.run({ dbInstance: DB }, worldEnv(world));

    // Assess
    expect(output.verification.verified).toBe(false);
    expect(failed(output.verification)).toEqual([`DB instance ${DB} PubliclyAccessible`]);
  });

  it('names the read replicas it leaves as they are', async () => {
    // Act
    const output = await restrictDbInstanceAction.run(
      { dbInstance: 'reports-db' },
      worldEnv(new DriftingWorld()),
    );

    // Assess
    expect(output.notes.join('\n')).toMatch(/read replica reports-db-replica/);
  });

  it('refuses an Aurora cluster member before any write', async () => {
    // Prepare
    const env = worldEnv(new DriftingWorld());

    // Act
    const run = restrictDbInstanceAction.run({ dbInstance: 'analytics-aurora-1' }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ClusterMemberError);
    expect(env.recorder.mutations).toEqual([]);
  });

  it('refuses an instance whose protected tag is spaced and cased differently, before the snapshot', async () => {
    // Prepare
    const world = new DriftingWorld();
    const db = world.state.rds.instances['reports-db'];
    if (db !== undefined) db.tags[' Riposte:Protected'] = 'TRUE ';
    const env = actionEnv({
      mode: { kind: 'world', world },
      safety: new StaticSafetyRails(executionFacts()),
    });

    // Act
    const run = restrictDbInstanceAction.run({ dbInstance: 'reports-db' }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    expect(env.recorder.mutations).toEqual([]);
  });

  it('refuses an instance ARN of another account before any call', async () => {
    // Prepare
    const env = worldEnv(new DriftingWorld());

    // Act
    const run = restrictDbInstanceAction.run(
      { dbInstance: 'arn:aws:rds:eu-west-1:444455556666:db:orders-db' },
      env,
    );

    // Assess
    await expect(run).rejects.toBeInstanceOf(InvalidInputError);
    expect(env.recorder.calls).toEqual([]);
  });

  it.each(['not an id!', '1-starts-with-a-digit', 'arn:aws:rds:eu-west-1:111122223333:snapshot:x'])(
    'rejects %s at the input edge',
    (value) => {
      // Act
      const parsed = restrictDbInstanceAction.input.safeParse({ dbInstance: value });

      // Assess
      expect(parsed.success).toBe(false);
    },
  );
});

import { describe, expect, it } from 'vitest';
import { ResourceNotFoundError } from '../../../../functions/core/actions/errors.ts';
import { enrichDbInstanceAction } from '../../../../functions/core/actions/rds/enrich-db-instance.ts';
import { DriftingWorld, worldEnv } from '../../../support/drifting-world.ts';

describe('enrich-db-instance', () => {
  it.each([
    [
      'orders-db',
      { publiclyAccessible: true, clusterMember: false, protected: false, approvalRequired: true },
    ],
    ['reports-db', { environment: 'staging', approvalRequired: false }],
    ['ledger-db', { protected: true }],
    ['analytics-aurora-1', { clusterMember: true }],
  ])('describes %s read-only', async (db, expected) => {
    // Prepare
    const env = worldEnv(new DriftingWorld());

    // Act
    const output = await enrichDbInstanceAction.run({ dbInstance: db }, env);

    // Assess
    expect(output).toMatchObject(expected);
    expect(env.recorder.calls.map((c) => c.api)).toEqual(['DescribeDBInstances', 'ListTagsForResource']);
    expect(env.recorder.mutations).toEqual([]);
  });

  it('says a missing instance does not exist', async () => {
    // Act
    const run = enrichDbInstanceAction.run({ dbInstance: 'no-such-db' }, worldEnv(new DriftingWorld()));

    // Assess
    await expect(run).rejects.toBeInstanceOf(ResourceNotFoundError);
  });
});

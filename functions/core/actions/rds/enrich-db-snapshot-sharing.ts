import { rdsService } from '../services/rds.ts';
import { defineAction } from '../types.ts';
import { DbSharingSchema, DbSnapshotInputSchema, readDbSharing } from './shared/snapshot-sharing.ts';

export const EnrichDbSnapshotSharingOutputSchema = DbSharingSchema.extend({
  /** Carries the protected tag: containment will refuse it. */
  protected: DbSharingSchema.shape.public,
});

/**
 * Who may copy or restore a manual DB snapshot or DB cluster snapshot: its tags, whether it is
 * public (`restore` holds `all`) and the accounts it is shared with. Read-only:
 * `DescribeDBSnapshots` or `DescribeDBClusterSnapshots` (`TagList`), then
 * `DescribeDBSnapshotAttributes` or `DescribeDBClusterSnapshotAttributes`.
 *
 * @example
 * const output = await enrichDbSnapshotSharingAction.run({ snapshotIdentifier: 'payments-db-before-migration', resourceType: 'AWS::RDS::DBSnapshot' }, env);
 * output.public; // true
 */
export const enrichDbSnapshotSharingAction = defineAction({
  id: 'enrich-db-snapshot-sharing',
  family: 'enrich',
  services: rdsService,
  description:
    'Describes who may restore an RDS DB snapshot or DB cluster snapshot (public, accounts) and its tags.',
  input: DbSnapshotInputSchema,
  output: EnrichDbSnapshotSharingOutputSchema,
  iamActions: [
    'rds:DescribeDBSnapshots',
    'rds:DescribeDBClusterSnapshots',
    'rds:DescribeDBSnapshotAttributes',
    'rds:DescribeDBClusterSnapshotAttributes',
  ],
  target: (input) => input.snapshotIdentifier,
  async run(input, env) {
    const sharing = await readDbSharing(env.clients.rds, input);
    return { ...sharing, protected: env.safety.standing(sharing.tags).protected };
  },
});

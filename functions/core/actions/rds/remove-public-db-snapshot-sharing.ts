import { z } from 'zod';
import { rdsService } from '../services/rds.ts';
import { defineAction } from '../types.ts';
import { readChecks, VerificationSchema, verification } from '../verify/check.ts';
import { sharingChecks } from '../verify/sharing.ts';
import {
  DbSnapshotInputSchema,
  readDbSharing,
  readRestore,
  removePublicRestore,
} from './shared/snapshot-sharing.ts';

export const RemovePublicDbSnapshotSharingOutputSchema = z.object({
  snapshotIdentifier: z.string(),
  kind: z.enum(['db', 'cluster']),
  /** Whether it was public before this run. */
  wasPublic: z.boolean(),
  changedByThisRun: z.boolean(),
  /** The accounts it stays shared with. */
  accountsKept: z.array(z.string()),
  /** The `restore` attribute read back: no `all`, the accounts unchanged. */
  verification: VerificationSchema,
  notes: z.array(z.string()),
});
export type RemovePublicDbSnapshotSharingOutput = z.infer<typeof RemovePublicDbSnapshotSharingOutputSchema>;

/**
 * Stops sharing a manual RDS DB snapshot or DB cluster snapshot with every AWS account, and only
 * that: the accounts it is shared with one by one keep their access.
 *
 * Calls, in order: `DescribeDBSnapshots` or `DescribeDBClusterSnapshots` (tags),
 * `DescribeDBSnapshotAttributes` or `DescribeDBClusterSnapshotAttributes`,
 * `safety.assertContainable` with the snapshot's tags, then, if `restore` holds `all`,
 * `ModifyDBSnapshotAttribute` or `ModifyDBClusterSnapshotAttribute` with
 * `AttributeName: 'restore', ValuesToRemove: ['all']`, and the attribute read again as
 * `verification`. RDS has no block public access setting for snapshots (Security Hub RDS.1 is
 * the control that watches them).
 *
 * There is no release: sharing a database snapshot with everyone again is not an undo anyone
 * should automate.
 *
 * AWS: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBSnapshotAttribute.html,
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBClusterSnapshotAttribute.html,
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/share-snapshot.html
 *
 * @example
 * const { output } = await runAction(removePublicDbSnapshotSharingAction, { snapshotIdentifier: 'payments-db-before-migration', resourceType: 'AWS::RDS::DBSnapshot' }, env);
 * output.accountsKept; // ['444455556666']
 */
export const removePublicDbSnapshotSharingAction = defineAction({
  id: 'remove-public-db-snapshot-sharing',
  family: 'contain',
  services: rdsService,
  description:
    'Stops sharing an RDS DB snapshot or DB cluster snapshot with every AWS account (restore: all removed); account shares stay.',
  input: DbSnapshotInputSchema,
  output: RemovePublicDbSnapshotSharingOutputSchema,
  iamActions: [
    'rds:DescribeDBSnapshots',
    'rds:DescribeDBClusterSnapshots',
    'rds:DescribeDBSnapshotAttributes',
    'rds:DescribeDBClusterSnapshotAttributes',
    'rds:ModifyDBSnapshotAttribute',
    'rds:ModifyDBClusterSnapshotAttribute',
  ],
  target: (input) => input.snapshotIdentifier,
  async run(input, env): Promise<RemovePublicDbSnapshotSharingOutput> {
    const { rds } = env.clients;
    const before = await readDbSharing(rds, input);
    await env.safety.assertContainable({ resource: input.snapshotIdentifier, tags: before.tags });
    if (before.public) await removePublicRestore(rds, input);
    const checks = await readChecks(`${input.snapshotIdentifier} restore attribute`, async () =>
      sharingChecks(input.snapshotIdentifier, await readRestore(rds, input), before.accounts),
    );
    return {
      snapshotIdentifier: input.snapshotIdentifier,
      kind: before.kind,
      wasPublic: before.public,
      changedByThisRun: before.public,
      accountsKept: before.accounts,
      verification: verification(checks, env),
      notes: [
        'anyone may have copied or restored the snapshot while it was public: treat its data as exposed',
        'RDS has no block public access setting for snapshots: watch Security Hub RDS.1',
      ],
    };
  },
});

import {
  type DBClusterSnapshotAttribute,
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBSnapshotAttributeCommand,
  type Tag,
} from '@aws-sdk/client-rds';
import { z } from 'zod';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.ts';
import type { ActionEnv } from '../../types.ts';

/**
 * Who may copy or restore a manual DB snapshot or DB cluster snapshot: its `restore` attribute
 * (`all`: every AWS account, else account ids). The reads and the one change the public-sharing
 * actions make: `ValuesToRemove: ['all']`, which leaves the accounts as they are.
 */

type Rds = ActionEnv['clients']['rds'];

export const DbSnapshotInputSchema = z.object({
  /** The snapshot's identifier (or its ARN: the identifier is taken from it). */
  snapshotIdentifier: z
    .string()
    .min(1)
    .max(255)
    .transform((id) => (id.startsWith('arn:') ? (id.split(':').pop() ?? id) : id))
    .pipe(z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'a DB snapshot identifier')),
  /** The incident's resource type: a DB snapshot or a DB cluster snapshot. */
  resourceType: z.string().pipe(z.enum(['AWS::RDS::DBSnapshot', 'AWS::RDS::DBClusterSnapshot'])),
});
export type DbSnapshotInput = z.infer<typeof DbSnapshotInputSchema>;

export const DbSharingSchema = z.object({
  snapshotIdentifier: z.string(),
  kind: z.enum(['db', 'cluster']),
  tags: z.record(z.string(), z.string()),
  public: z.boolean(),
  accounts: z.array(z.string()),
});
export type DbSharing = z.infer<typeof DbSharingSchema>;

const kindOf = (input: DbSnapshotInput): DbSharing['kind'] =>
  input.resourceType === 'AWS::RDS::DBSnapshot' ? 'db' : 'cluster';

function tagsOf(list: readonly Tag[] | undefined): Record<string, string> {
  return Object.fromEntries(
    (list ?? []).flatMap((t) => (t.Key === undefined ? [] : [[t.Key, t.Value ?? '']])),
  );
}

function notFound(error: unknown, id: string): unknown {
  return hasErrorCode(error, 'DBSnapshotNotFound') || hasErrorCode(error, 'DBClusterSnapshotNotFoundFault')
    ? new ResourceNotFoundError(`RDS snapshot ${id} does not exist`, { cause: error })
    : error;
}

function restoreOf(
  attributes: readonly DBClusterSnapshotAttribute[] | undefined,
): Pick<DbSharing, 'public' | 'accounts'> {
  const values = attributes?.find((a) => a.AttributeName === 'restore')?.AttributeValues ?? [];
  return { public: values.includes('all'), accounts: values.filter((v) => v !== 'all').sort() };
}

/** The `restore` attribute alone: `DescribeDBSnapshotAttributes` or `DescribeDBClusterSnapshotAttributes`. */
export async function readRestore(
  rds: Rds,
  input: DbSnapshotInput,
): Promise<Pick<DbSharing, 'public' | 'accounts'>> {
  const id = input.snapshotIdentifier;
  try {
    if (kindOf(input) === 'db') {
      const out = await rds.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: id }));
      return restoreOf(out.DBSnapshotAttributesResult?.DBSnapshotAttributes);
    }
    const out = await rds.send(
      new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: id }),
    );
    return restoreOf(out.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes);
  } catch (error) {
    throw notFound(error, id);
  }
}

/** The snapshot's tags (`DescribeDBSnapshots` / `DescribeDBClusterSnapshots`, `TagList`) and its `restore` attribute. */
export async function readDbSharing(rds: Rds, input: DbSnapshotInput): Promise<DbSharing> {
  const id = input.snapshotIdentifier;
  const kind = kindOf(input);
  let tags: Record<string, string>;
  try {
    if (kind === 'db') {
      const out = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id }));
      tags = tagsOf(out.DBSnapshots?.[0]?.TagList);
    } else {
      const out = await rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: id }));
      tags = tagsOf(out.DBClusterSnapshots?.[0]?.TagList);
    }
  } catch (error) {
    throw notFound(error, id);
  }
  return { snapshotIdentifier: id, kind, tags, ...(await readRestore(rds, input)) };
}

/** Removes `all` from the snapshot's `restore` attribute (`ModifyDB[Cluster]SnapshotAttribute`). */
export async function removePublicRestore(rds: Rds, input: DbSnapshotInput): Promise<void> {
  const change = { AttributeName: 'restore', ValuesToRemove: ['all'] };
  if (kindOf(input) === 'db') {
    await rds.send(
      new ModifyDBSnapshotAttributeCommand({ DBSnapshotIdentifier: input.snapshotIdentifier, ...change }),
    );
  } else {
    await rds.send(
      new ModifyDBClusterSnapshotAttributeCommand({
        DBClusterSnapshotIdentifier: input.snapshotIdentifier,
        ...change,
      }),
    );
  }
}

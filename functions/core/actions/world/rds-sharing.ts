import { z } from 'zod';
import { UnsupportedWorldCallError, WorldApiError } from './errors.ts';
import type { RdsWorld } from './rds.ts';

/**
 * Who may copy or restore a manual DB snapshot or DB cluster snapshot of the local world: its
 * `restore` attribute (account ids; `all` makes it public). Answers
 * `DescribeDBSnapshotAttributes`, `ModifyDBSnapshotAttribute`, `DescribeDBClusterSnapshots`,
 * `DescribeDBClusterSnapshotAttributes` and `ModifyDBClusterSnapshotAttribute` in AWS's shapes,
 * with RDS's error codes (`DBSnapshotNotFound`, `DBClusterSnapshotNotFoundFault`,
 * `InvalidParameterValue`, `InvalidDBSnapshotState` for an automated snapshot, which cannot be
 * shared). DB instances and the rest of the DB snapshots are in `rds.ts`.
 */

/** `restore`: `all` or 12-digit account ids. */
export const RestoreSchema = z.array(z.union([z.literal('all'), z.string().regex(/^\d{12}$/)])).default([]);

export const DbClusterSnapshot = z.strictObject({
  dbClusterIdentifier: z.string(),
  engine: z.string().default('aurora-postgresql'),
  status: z.string().default('available'),
  snapshotType: z.string().default('manual'),
  tags: z.record(z.string(), z.string()).default({}),
  restore: RestoreSchema,
});

type Params = Readonly<Record<string, unknown>>;
type Kind = 'db' | 'cluster';
type Shared = { snapshotType: string; tags: Record<string, string>; restore: z.infer<typeof RestoreSchema> };

const NAMES = {
  db: { id: 'DBSnapshotIdentifier', notFound: 'DBSnapshotNotFound', noun: 'DBSnapshot' },
  cluster: {
    id: 'DBClusterSnapshotIdentifier',
    notFound: 'DBClusterSnapshotNotFoundFault',
    noun: 'DBClusterSnapshot',
  },
} as const;

function rdsError(code: string, message: string): WorldApiError {
  return Object.assign(new WorldApiError(code, message), { Code: code });
}

/** The snapshot the request names (identifiers are case-insensitive). */
function find(state: RdsWorld, kind: Kind, params: Params): [string, Shared] {
  const raw = params[NAMES[kind].id];
  if (typeof raw !== 'string' || raw === '')
    throw rdsError('InvalidParameterValue', `${NAMES[kind].id} is required`);
  const id = raw.toLowerCase();
  const list: Record<string, Shared> = kind === 'db' ? state.snapshots : state.clusterSnapshots;
  const snapshot = Object.hasOwn(list, id) ? list[id] : undefined;
  if (snapshot === undefined) throw rdsError(NAMES[kind].notFound, `${NAMES[kind].noun} ${raw} not found.`);
  return [id, snapshot];
}

function attributes(state: RdsWorld, kind: Kind, params: Params): Record<string, unknown> {
  const [id, snapshot] = find(state, kind, params);
  const result = [{ AttributeName: 'restore', AttributeValues: [...snapshot.restore] }];
  return kind === 'db'
    ? { DBSnapshotAttributesResult: { DBSnapshotIdentifier: id, DBSnapshotAttributes: result } }
    : {
        DBClusterSnapshotAttributesResult: {
          DBClusterSnapshotIdentifier: id,
          DBClusterSnapshotAttributes: result,
        },
      };
}

const ModifySchema = z.object({
  AttributeName: z.literal('restore'),
  ValuesToAdd: z.array(z.string()).optional(),
  ValuesToRemove: z.array(z.string()).optional(),
});

function modify(state: RdsWorld, kind: Kind, params: Params): Record<string, unknown> {
  const [, snapshot] = find(state, kind, params);
  const parsed = ModifySchema.safeParse(params);
  if (!parsed.success) {
    throw rdsError(
      'InvalidParameterValue',
      `invalid attribute change: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  }
  if (snapshot.snapshotType === 'automated') {
    throw rdsError('InvalidDBSnapshotState', 'An automated snapshot cannot be shared.');
  }
  const remove = new Set(parsed.data.ValuesToRemove ?? []);
  const kept = snapshot.restore.filter((v) => !remove.has(v));
  const added = (parsed.data.ValuesToAdd ?? []).filter((v) => !kept.includes(v));
  snapshot.restore = RestoreSchema.parse([...kept, ...added]);
  return attributes(state, kind, params);
}

function describeClusterSnapshot(state: RdsWorld, params: Params): Record<string, unknown> {
  const [id] = find(state, 'cluster', params);
  const snapshot = state.clusterSnapshots[id] as z.infer<typeof DbClusterSnapshot>;
  return {
    DBClusterSnapshots: [
      {
        DBClusterSnapshotIdentifier: id,
        DBClusterIdentifier: snapshot.dbClusterIdentifier,
        DBClusterSnapshotArn: `arn:${state.partition}:rds:${state.region}:${state.accountId}:cluster-snapshot:${id}`,
        Engine: snapshot.engine,
        Status: snapshot.status,
        SnapshotType: snapshot.snapshotType,
        TagList: Object.entries(snapshot.tags).map(([Key, Value]) => ({ Key, Value })),
      },
    ],
  };
}

const HANDLERS: Readonly<Record<string, (state: RdsWorld, params: Params) => Record<string, unknown>>> = {
  DescribeDBSnapshotAttributes: (s, p) => attributes(s, 'db', p),
  ModifyDBSnapshotAttribute: (s, p) => modify(s, 'db', p),
  DescribeDBClusterSnapshots: describeClusterSnapshot,
  DescribeDBClusterSnapshotAttributes: (s, p) => attributes(s, 'cluster', p),
  ModifyDBClusterSnapshotAttribute: (s, p) => modify(s, 'cluster', p),
};

/**
 * Answers the snapshot-sharing calls of the RDS client; anything else is not modelled.
 *
 * @example
 * handleRdsSharing(rds, 'DescribeDBSnapshotAttributes', { DBSnapshotIdentifier: 'payments-db-before-migration' });
 * // { DBSnapshotAttributesResult: { DBSnapshotIdentifier, DBSnapshotAttributes: [{ AttributeName: 'restore', AttributeValues: ['all', '444455556666'] }] } }
 */
export function handleRdsSharing(state: RdsWorld, api: string, params: Params): Record<string, unknown> {
  const handler = Object.hasOwn(HANDLERS, api) ? HANDLERS[api] : undefined;
  if (handler === undefined) throw new UnsupportedWorldCallError('rds', api);
  return handler(state, params);
}

import { z } from 'zod';
import { UnsupportedWorldCallError, WorldApiError } from './errors.ts';

/**
 * The Amazon RDS side of a local world: manual DB snapshots and DB cluster snapshots, with their
 * `restore` attribute (the accounts allowed to copy or restore them; `all` makes one public). It
 * answers DescribeDBSnapshots / DescribeDBClusterSnapshots (with `TagList`), the
 * Describe…SnapshotAttributes calls and the Modify…SnapshotAttribute calls, in AWS's shapes.
 */

const TagsSchema = z.record(z.string(), z.string()).default({});
/** `restore`: `all` or 12-digit account ids. */
const RestoreSchema = z.array(z.union([z.literal('all'), z.string().regex(/^\d{12}$/)])).default([]);

const SnapshotSchema = z.strictObject({
  /** The DB instance (DB snapshot) or cluster (cluster snapshot) it was taken of. */
  source: z.string().min(1),
  engine: z.string().default('postgres'),
  snapshotType: z.enum(['manual', 'automated']).default('manual'),
  tags: TagsSchema,
  restore: RestoreSchema,
});

export const RdsWorldSchema = z.strictObject({
  accountId: z
    .string()
    .regex(/^\d{12}$/)
    .default('123456789012'),
  region: z.string().default('us-east-1'),
  /** DB snapshots by identifier. */
  dbSnapshots: z.record(z.string(), SnapshotSchema).default({}),
  /** DB cluster snapshots by identifier. */
  clusterSnapshots: z.record(z.string(), SnapshotSchema).default({}),
});
export type RdsWorld = z.infer<typeof RdsWorldSchema>;
type Params = Readonly<Record<string, unknown>>;
type Kind = 'db' | 'cluster';

const NAMES = {
  db: { id: 'DBSnapshotIdentifier', arn: 'snapshot', notFound: 'DBSnapshotNotFound', noun: 'DBSnapshot' },
  cluster: {
    id: 'DBClusterSnapshotIdentifier',
    arn: 'cluster-snapshot',
    notFound: 'DBClusterSnapshotNotFoundFault',
    noun: 'DBClusterSnapshot',
  },
} as const;

function listOf(state: RdsWorld, kind: Kind): RdsWorld['dbSnapshots'] {
  return kind === 'db' ? state.dbSnapshots : state.clusterSnapshots;
}

function find(state: RdsWorld, kind: Kind, params: Params): [string, RdsWorld['dbSnapshots'][string]] {
  const id = params[NAMES[kind].id];
  if (typeof id !== 'string' || id === '') {
    throw new WorldApiError('MissingParameter', `${NAMES[kind].id} is required`);
  }
  const snapshot = Object.hasOwn(listOf(state, kind), id) ? listOf(state, kind)[id] : undefined;
  if (snapshot === undefined) {
    throw new WorldApiError(NAMES[kind].notFound, `${NAMES[kind].noun} ${id} not found.`);
  }
  return [id, snapshot];
}

function arnOf(state: RdsWorld, kind: Kind, id: string): string {
  return `arn:aws:rds:${state.region}:${state.accountId}:${NAMES[kind].arn}:${id}`;
}

function describe(state: RdsWorld, kind: Kind, params: Params): Record<string, unknown> {
  const [id, snapshot] = find(state, kind, params);
  const common = {
    Engine: snapshot.engine,
    SnapshotType: snapshot.snapshotType,
    Status: 'available',
    TagList: Object.entries(snapshot.tags).map(([Key, Value]) => ({ Key, Value })),
  };
  return kind === 'db'
    ? {
        DBSnapshots: [
          {
            DBSnapshotIdentifier: id,
            DBInstanceIdentifier: snapshot.source,
            DBSnapshotArn: arnOf(state, kind, id),
            ...common,
          },
        ],
      }
    : {
        DBClusterSnapshots: [
          {
            DBClusterSnapshotIdentifier: id,
            DBClusterIdentifier: snapshot.source,
            DBClusterSnapshotArn: arnOf(state, kind, id),
            ...common,
          },
        ],
      };
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
    throw new WorldApiError(
      'InvalidParameterValue',
      `invalid attribute change: ${parsed.error.issues[0]?.message}`,
    );
  }
  if (snapshot.snapshotType === 'automated') {
    throw new WorldApiError('InvalidDBSnapshotState', 'An automated snapshot cannot be shared.');
  }
  const remove = new Set(parsed.data.ValuesToRemove ?? []);
  const kept = snapshot.restore.filter((v) => !remove.has(v));
  const added = (parsed.data.ValuesToAdd ?? []).filter((v) => !kept.includes(v));
  snapshot.restore = RestoreSchema.parse([...kept, ...added]);
  return attributes(state, kind, params);
}

const HANDLERS: Readonly<Record<string, (state: RdsWorld, params: Params) => Record<string, unknown>>> = {
  DescribeDBSnapshots: (s, p) => describe(s, 'db', p),
  DescribeDBClusterSnapshots: (s, p) => describe(s, 'cluster', p),
  DescribeDBSnapshotAttributes: (s, p) => attributes(s, 'db', p),
  DescribeDBClusterSnapshotAttributes: (s, p) => attributes(s, 'cluster', p),
  ModifyDBSnapshotAttribute: (s, p) => modify(s, 'db', p),
  ModifyDBClusterSnapshotAttribute: (s, p) => modify(s, 'cluster', p),
};

/**
 * Answers one RDS call from the world, applying writes in place.
 *
 * @example
 * handleRds(world.rds, 'DescribeDBSnapshotAttributes', { DBSnapshotIdentifier: 'payments-nightly' });
 * // { DBSnapshotAttributesResult: { DBSnapshotIdentifier, DBSnapshotAttributes: [{ AttributeName: 'restore', AttributeValues: ['all'] }] } }
 */
export function handleRds(state: RdsWorld, api: string, params: Params): Record<string, unknown> {
  const handler = Object.hasOwn(HANDLERS, api) ? HANDLERS[api] : undefined;
  if (handler === undefined) throw new UnsupportedWorldCallError('rds', api);
  return handler(state, params);
}

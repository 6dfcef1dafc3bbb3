import { z } from 'zod';
import { UnsupportedWorldCallError, WorldApiError } from './errors.ts';
import { DbClusterSnapshot, handleRdsSharing, RestoreSchema } from './rds-sharing.ts';

/**
 * The Amazon RDS part of the local world: DB instances of the incident's account (engine,
 * endpoint, public accessibility, cluster membership, read replicas, tags) and the DB snapshots
 * taken of them.
 *
 * It answers the regional RDS client: `DescribeDBInstances`, `ListTagsForResource` (DB instance
 * and DB snapshot ARNs), `ModifyDBInstance` (`PubliclyAccessible` only), `CreateDBSnapshot` and
 * `DescribeDBSnapshots`, with the error codes RDS uses (`DBInstanceNotFound`,
 * `DBSnapshotNotFound`, `DBSnapshotAlreadyExists`, `InvalidDBInstanceState`,
 * `InvalidParameterValue`). `ModifyDBInstance` applies `PubliclyAccessible` at once: the API
 * reference says changes to it "are applied immediately regardless of the value of the
 * ApplyImmediately parameter"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html).
 * A new snapshot stays `creating`, as on AWS for the first minutes. Who may restore a DB
 * snapshot or a DB cluster snapshot (`restore`) is answered by `rds-sharing.ts`.
 */

const IsoDate = z.iso.datetime({ offset: true });
const Identifier = z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,254}$/);

// --- DB instances -----------------------------------------------------------------------------

const DbInstance = z.strictObject({
  engine: z.string(),
  engineVersion: z.string(),
  instanceClass: z.string().default('db.t4g.medium'),
  /** `DBInstanceStatus`; ModifyDBInstance and CreateDBSnapshot need `available`. */
  status: z.string().default('available'),
  publiclyAccessible: z.boolean(),
  endpoint: z.strictObject({ address: z.string(), port: z.number().int() }),
  vpcId: z.string().optional(),
  securityGroups: z.array(z.string()).default([]),
  /** Aurora: the cluster the instance belongs to. */
  dbClusterIdentifier: z.string().optional(),
  /** For a read replica: its source instance. */
  readReplicaSource: z.string().optional(),
  /** For a source instance: its read replicas. */
  readReplicas: z.array(z.string()).default([]),
  tags: z.record(z.string(), z.string()).default({}),
});
type InstanceRecord = z.infer<typeof DbInstance>;

// --- DB snapshots -----------------------------------------------------------------------------

const DbSnapshot = z.strictObject({
  dbInstanceIdentifier: z.string(),
  engine: z.string(),
  status: z.string().default('creating'),
  snapshotType: z.string().default('manual'),
  createdAt: IsoDate,
  tags: z.record(z.string(), z.string()).default({}),
  /** The `restore` attribute: the accounts that may copy or restore it; `all` makes it public. */
  restore: RestoreSchema,
});

/**
 * The RDS world section. `RdsWorldSchema.parse({})` has no instance.
 *
 * @example
 * const rds = RdsWorldSchema.parse({ instances: { 'orders-db': { engine: 'postgres', engineVersion: '16.4', publiclyAccessible: true, endpoint: { address: 'orders-db.c1.eu-west-1.rds.amazonaws.com', port: 5432 } } } });
 * handleRds(rds, 'ModifyDBInstance', { DBInstanceIdentifier: 'orders-db', PubliclyAccessible: false, ApplyImmediately: true });
 * rds.instances['orders-db']?.publiclyAccessible; // false
 */
export const RdsWorldSchema = z.strictObject({
  accountId: z
    .string()
    .regex(/^\d{12}$/)
    .default('111122223333'),
  region: z.string().default('eu-west-1'),
  partition: z.string().default('aws'),
  instances: z.record(Identifier, DbInstance).default({}),
  snapshots: z.record(Identifier, DbSnapshot).default({}),
  /** DB cluster snapshots (Aurora), by identifier. */
  clusterSnapshots: z.record(Identifier, DbClusterSnapshot).default({}),
});
export type RdsWorld = z.infer<typeof RdsWorldSchema>;
type Params = Readonly<Record<string, unknown>>;

function rdsError(code: string, message: string): WorldApiError {
  return Object.assign(new WorldApiError(code, message), { Code: code });
}

/** The ARN of a DB instance (`db`) or DB snapshot (`snapshot`) of the world. */
export function rdsArnOf(state: RdsWorld, kind: 'db' | 'snapshot', id: string): string {
  return `arn:${state.partition}:rds:${state.region}:${state.accountId}:${kind}:${id}`;
}

/** The instance an identifier or DB instance ARN names (RDS identifiers are case-insensitive). */
function instanceOf(state: RdsWorld, value: unknown): [string, InstanceRecord] {
  if (typeof value !== 'string' || value === '')
    throw rdsError('InvalidParameterValue', 'DBInstanceIdentifier is required');
  const arn = /^arn:[^:]+:rds:[^:]+:(\d{12}):db:(.+)$/.exec(value);
  const id = (arn?.[2] ?? value).toLowerCase();
  const found = Object.hasOwn(state.instances, id) ? state.instances[id] : undefined;
  if (found === undefined || (arn !== null && arn[1] !== state.accountId))
    throw rdsError('DBInstanceNotFound', `DBInstance ${value} not found.`);
  return [id, found];
}

function tagList(tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

function describeInstance(state: RdsWorld, id: string, db: InstanceRecord): Record<string, unknown> {
  return {
    DBInstanceIdentifier: id,
    DBInstanceArn: rdsArnOf(state, 'db', id),
    DBInstanceClass: db.instanceClass,
    Engine: db.engine,
    EngineVersion: db.engineVersion,
    DBInstanceStatus: db.status,
    PubliclyAccessible: db.publiclyAccessible,
    Endpoint: { Address: db.endpoint.address, Port: db.endpoint.port },
    VpcSecurityGroups: db.securityGroups.map((g) => ({ VpcSecurityGroupId: g, Status: 'active' })),
    ...(db.vpcId === undefined ? {} : { DBSubnetGroup: { VpcId: db.vpcId } }),
    ...(db.dbClusterIdentifier === undefined ? {} : { DBClusterIdentifier: db.dbClusterIdentifier }),
    ...(db.readReplicaSource === undefined
      ? {}
      : { ReadReplicaSourceDBInstanceIdentifier: db.readReplicaSource }),
    ReadReplicaDBInstanceIdentifiers: [...db.readReplicas],
    // PubliclyAccessible has no member in PendingModifiedValues: it applies at once.
    PendingModifiedValues: {},
    TagList: tagList(db.tags),
  };
}

function describeSnapshot(state: RdsWorld, id: string): Record<string, unknown> {
  const snap = state.snapshots[id];
  if (snap === undefined) throw rdsError('DBSnapshotNotFound', `DBSnapshot ${id} not found.`);
  return {
    DBSnapshotIdentifier: id,
    DBSnapshotArn: rdsArnOf(state, 'snapshot', id),
    DBInstanceIdentifier: snap.dbInstanceIdentifier,
    Engine: snap.engine,
    Status: snap.status,
    SnapshotType: snap.snapshotType,
    SnapshotCreateTime: snap.createdAt,
    TagList: tagList(snap.tags),
  };
}

function tagsOfArn(state: RdsWorld, arn: unknown): Record<string, string> {
  const match = typeof arn === 'string' ? /^arn:[^:]+:rds:[^:]+:\d{12}:(db|snapshot):(.+)$/.exec(arn) : null;
  if (match === null) throw rdsError('InvalidParameterValue', `Invalid resource name: ${String(arn)}`);
  if (match[1] === 'db') return instanceOf(state, arn)[1].tags;
  const snap = state.snapshots[(match[2] as string).toLowerCase()];
  if (snap === undefined) throw rdsError('DBSnapshotNotFound', `DBSnapshot ${match[2]} not found.`);
  return snap.tags;
}

function requireAvailable(id: string, db: InstanceRecord): void {
  if (db.status !== 'available')
    throw rdsError('InvalidDBInstanceState', `Instance ${id} is not in available state (${db.status}).`);
}

type Handler = (state: RdsWorld, params: Params) => Record<string, unknown>;

const HANDLERS: Readonly<Record<string, Handler>> = {
  DescribeDBInstances(state, params) {
    if (params.DBInstanceIdentifier === undefined) {
      return {
        DBInstances: Object.entries(state.instances).map(([id, db]) => describeInstance(state, id, db)),
      };
    }
    const [id, db] = instanceOf(state, params.DBInstanceIdentifier);
    return { DBInstances: [describeInstance(state, id, db)] };
  },
  ListTagsForResource(state, params) {
    return { TagList: tagList(tagsOfArn(state, params.ResourceName)) };
  },
  ModifyDBInstance(state, params) {
    const [id, db] = instanceOf(state, params.DBInstanceIdentifier);
    const modelled = new Set(['DBInstanceIdentifier', 'PubliclyAccessible', 'ApplyImmediately']);
    const other = Object.keys(params).filter((key) => !modelled.has(key));
    if (other.length > 0) throw new UnsupportedWorldCallError('rds', `ModifyDBInstance ${other.join(', ')}`);
    if (typeof params.PubliclyAccessible !== 'boolean')
      throw rdsError('InvalidParameterValue', 'PubliclyAccessible must be a boolean');
    requireAvailable(id, db);
    db.publiclyAccessible = params.PubliclyAccessible;
    return { DBInstance: describeInstance(state, id, db) };
  },
  CreateDBSnapshot(state, params) {
    const [instanceId, db] = instanceOf(state, params.DBInstanceIdentifier);
    const raw = params.DBSnapshotIdentifier;
    if (
      typeof raw !== 'string' ||
      !Identifier.safeParse(raw).success ||
      raw.includes('--') ||
      raw.endsWith('-')
    )
      throw rdsError('InvalidParameterValue', `Invalid snapshot identifier: ${String(raw)}`);
    const id = raw.toLowerCase();
    if (Object.hasOwn(state.snapshots, id))
      throw rdsError(
        'DBSnapshotAlreadyExists',
        `Cannot create the snapshot because a snapshot with the identifier ${raw} already exists.`,
      );
    requireAvailable(instanceId, db);
    const tags = (params.Tags as { Key: string; Value: string }[] | undefined) ?? [];
    state.snapshots[id] = {
      dbInstanceIdentifier: instanceId,
      engine: db.engine,
      status: 'creating',
      snapshotType: 'manual',
      createdAt: new Date().toISOString(),
      tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
      restore: [],
    };
    return { DBSnapshot: describeSnapshot(state, id) };
  },
  DescribeDBSnapshots(state, params) {
    if (typeof params.DBSnapshotIdentifier !== 'string')
      throw new UnsupportedWorldCallError('rds', 'DescribeDBSnapshots without DBSnapshotIdentifier');
    return { DBSnapshots: [describeSnapshot(state, params.DBSnapshotIdentifier.toLowerCase())] };
  },
};

/**
 * Answers one call of the RDS client from the world, applying writes to `state` in place.
 * Anything not modelled throws {@link UnsupportedWorldCallError}.
 *
 * @example
 * handleRds(rds, 'DescribeDBInstances', { DBInstanceIdentifier: 'orders-db' }); // { DBInstances: [ … ] }
 */
export function handleRds(state: RdsWorld, api: string, params: Params): Record<string, unknown> {
  const handler = Object.hasOwn(HANDLERS, api) ? HANDLERS[api] : undefined;
  if (handler === undefined) return handleRdsSharing(state, api, params);
  return handler(state, params);
}

import { randomBytes } from 'node:crypto';
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { RiposteError } from '../errors.ts';
import { suppressionId } from '../intake/suppression.ts';
import { appendCaseLog } from '../lifecycle/log.ts';
import { type LifecycleStore, publishLifecycle } from '../lifecycle/record.ts';
import { queryPartition } from '../store/queries.ts';
import {
  caseKeys,
  keys,
  type SuppressionItem,
  SuppressionItemSchema,
  sortableTime,
  TABLE_KEYS,
} from '../store/table.ts';
import {
  type CreateSuppressionInput,
  CreateSuppressionInputSchema,
  parseCaseInput,
  type RemoveSuppressionInput,
  RemoveSuppressionInputSchema,
} from './schemas.ts';

/**
 * Suppressions: a resource and a finding type an operator judged a false positive, for a while.
 * Ingest honours them (functions/core/intake/suppression.ts). Each create and remove is audited
 * with an item under the suppression's partition that never expires, and on the case log of the
 * incident that created it; the suppression itself carries a TTL and is also checked for expiry
 * whenever it is read.
 */

/** A suppression as operators see it. */
export type Suppression = Omit<SuppressionItem, 'pk' | 'sk'> & { readonly active: boolean };

/** One audited change of a suppression. */
export interface SuppressionAudit {
  readonly suppressionId: string;
  readonly action: 'created' | 'removed';
  readonly at: number;
  readonly actor: string;
  readonly resourceKey: string;
  readonly findingType: string;
  readonly expiresAtMs: number;
  readonly incidentId?: string;
}

/** Raised when no suppression has the id (or prefix) given. */
export class SuppressionNotFoundError extends RiposteError {
  public constructor(message: string) {
    super(message);
    this.name = 'SuppressionNotFoundError';
  }
}

function view(item: SuppressionItem, now: number): Suppression {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return { ...rest, active: item.expiresAtMs > now };
}

async function audit(store: LifecycleStore, entry: SuppressionAudit): Promise<void> {
  await store.db.send(
    new PutCommand({
      TableName: store.tableName,
      Item: {
        ...caseKeys.suppressionAudit(
          entry.suppressionId,
          sortableTime(entry.at),
          randomBytes(6).toString('hex'),
        ),
        ...entry,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  if (entry.incidentId !== undefined) {
    const days = Math.round((entry.expiresAtMs - entry.at) / 86_400_000);
    await appendCaseLog(store.db, store.tableName, entry.incidentId, {
      at: entry.at,
      kind: entry.action === 'created' ? 'suppression-created' : 'suppression-removed',
      actor: entry.actor,
      text:
        entry.action === 'created'
          ? `suppressed ${entry.findingType} on ${entry.resourceKey} for ${days} day(s)`
          : `suppression of ${entry.findingType} on ${entry.resourceKey} removed`,
      data: { suppressionId: entry.suppressionId, expiresAtMs: entry.expiresAtMs },
    });
  }
  await publishLifecycle(store, {
    kind: entry.action === 'created' ? 'suppressionCreated' : 'suppressionRemoved',
    detail: {
      incidentId: entry.incidentId ?? '-',
      at: entry.at,
      actor: entry.actor,
      suppressionId: entry.suppressionId,
      resourceKey: entry.resourceKey,
      findingType: entry.findingType,
      expiresAt: entry.expiresAtMs,
    },
  });
}

/**
 * Creates (or renews: the id is deterministic per resource and finding type) a suppression.
 *
 * @example
 * await createSuppression(store, {
 *   resourceKey: '111122223333|us-east-1|AWS::EC2::Instance|i-0abc', findingType: 'Recon:EC2/PortProbeUnprotectedPort',
 *   durationMs: 30 * 86_400_000, actor: 'alice', incidentId: 'inc-123',
 * });
 */
export async function createSuppression(
  store: LifecycleStore,
  input: CreateSuppressionInput,
): Promise<Suppression> {
  const parsed = parseCaseInput(CreateSuppressionInputSchema, input);
  const createdAt = store.now();
  const id = suppressionId(parsed.resourceKey, parsed.findingType);
  const expiresAtMs = createdAt + parsed.durationMs;
  const item: SuppressionItem = {
    ...keys.suppression(id),
    id,
    resourceKey: parsed.resourceKey,
    findingType: parsed.findingType,
    createdAt,
    createdBy: parsed.actor,
    expiresAtMs,
    ...(parsed.incidentId === undefined ? {} : { incidentId: parsed.incidentId }),
    ...(parsed.reason === undefined ? {} : { reason: parsed.reason }),
  };
  await store.db.send(
    new PutCommand({
      TableName: store.tableName,
      Item: {
        ...item,
        gsi1pk: 'SUPPRESSIONS',
        gsi1sk: `${sortableTime(createdAt)}#${id}`,
        // DynamoDB TTL (seconds): removes the item some time after it expired.
        [TABLE_KEYS.ttlAttribute]: Math.ceil(expiresAtMs / 1000),
      },
    }),
  );
  await audit(store, {
    suppressionId: id,
    action: 'created',
    at: createdAt,
    actor: parsed.actor,
    resourceKey: parsed.resourceKey,
    findingType: parsed.findingType,
    expiresAtMs,
    ...(parsed.incidentId === undefined ? {} : { incidentId: parsed.incidentId }),
  });
  return view(item, createdAt);
}

/**
 * Suppressions, newest first; expired ones (not yet deleted by the TTL) only with `includeExpired`.
 *
 * @example
 * for (const s of await listSuppressions(store)) console.log(s.id, s.findingType, new Date(s.expiresAtMs));
 */
export async function listSuppressions(
  store: Pick<LifecycleStore, 'db' | 'tableName' | 'now'>,
  options: { readonly includeExpired?: boolean } = {},
): Promise<Suppression[]> {
  const now = store.now();
  const out: Suppression[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await store.db.send(
      new QueryCommand({
        TableName: store.tableName,
        IndexName: TABLE_KEYS.gsi1.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.gsi1.partitionKey },
        ExpressionAttributeValues: { ':pk': 'SUPPRESSIONS' },
        ScanIndexForward: false,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const raw of page.Items ?? []) {
      const parsed = SuppressionItemSchema.safeParse(raw);
      if (parsed.success) out.push(view(parsed.data, now));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return options.includeExpired === true ? out : out.filter((s) => s.active);
}

/**
 * Removes a suppression (by id or a unique prefix of at least 6 characters); audited. Ingest
 * stops honouring it at once.
 *
 * @example
 * await removeSuppression(store, { id: '3f2a9c', actor: 'alice' });
 */
export async function removeSuppression(
  store: LifecycleStore,
  input: RemoveSuppressionInput,
): Promise<Suppression> {
  const { id: prefix, actor } = parseCaseInput(RemoveSuppressionInputSchema, input);
  const all = await listSuppressions(store, { includeExpired: true });
  const matches = all.filter((s) => s.id === prefix || s.id.startsWith(prefix));
  const exact = matches.find((s) => s.id === prefix);
  if (matches.length > 1 && exact === undefined) {
    throw new SuppressionNotFoundError(
      `"${prefix}" matches ${matches.length} suppressions: give more of the id`,
    );
  }
  const target = exact ?? matches[0];
  if (target === undefined) throw new SuppressionNotFoundError(`no suppression "${prefix}"`);
  const out = await store.db
    .send(
      new DeleteCommand({
        TableName: store.tableName,
        Key: keys.suppression(target.id),
        ConditionExpression: 'attribute_exists(pk)',
        ReturnValues: 'ALL_OLD',
      }),
    )
    .catch((error: unknown) => {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
        throw new SuppressionNotFoundError(`suppression ${target.id} was removed meanwhile`);
      }
      throw error;
    });
  const removed = SuppressionItemSchema.parse(out.Attributes);
  await audit(store, {
    suppressionId: removed.id,
    action: 'removed',
    at: store.now(),
    actor,
    resourceKey: removed.resourceKey,
    findingType: removed.findingType,
    expiresAtMs: removed.expiresAtMs,
    ...(removed.incidentId === undefined ? {} : { incidentId: removed.incidentId }),
  });
  return view(removed, store.now());
}

/**
 * The audit of one suppression (created, renewed, removed), oldest first.
 *
 * @example
 * const history = await suppressionAudit(store, '3f2a9c0d…');
 */
export async function suppressionAudit(
  store: Pick<LifecycleStore, 'db' | 'tableName'>,
  id: string,
): Promise<SuppressionAudit[]> {
  const items = await queryPartition(store.db, store.tableName, keys.suppression(id).pk, 'AUDIT#');
  return items.map((item) => ({
    suppressionId: String(item.suppressionId),
    action: item.action === 'removed' ? 'removed' : 'created',
    at: Number(item.at),
    actor: String(item.actor),
    resourceKey: String(item.resourceKey),
    findingType: String(item.findingType),
    expiresAtMs: Number(item.expiresAtMs),
    ...(typeof item.incidentId === 'string' ? { incidentId: item.incidentId } : {}),
  }));
}

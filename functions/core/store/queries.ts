import { gunzipSync } from 'node:zlib';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type OcsfEvent, OcsfEventSchema } from '../ocsf/schema.ts';
import { declares } from '../permissions.ts';
import type * as z from '../zod.ts';
import {
  type AlertItem,
  AlertItemSchema,
  type IncidentItem,
  IncidentItemSchema,
  type RejectedItem,
  RejectedItemSchema,
  TABLE_KEYS,
} from './table.ts';

/**
 * What reading incidents, alerts and executions takes: queries of an item's partition and of
 * the time index, and the item reads of `show` and `alerts show`.
 */
export const STORE_READ_CALLS = [
  declares({
    service: 'dynamodb',
    actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    resource: 'table',
    why: 'reads incidents, alerts, executions and the case log',
  }),
  declares({
    service: 'dynamodb',
    actions: ['dynamodb:Query'],
    resource: 'table-index',
    why: 'lists incidents, alerts and rejections by time',
  }),
] as const;

/** Reads of the store for operators (CLI locally, and against a deployed table). */

/**
 * Every item of partition `pk` whose sort key starts with `skPrefix`, in sort-key order, read
 * consistently and across pages.
 *
 * @example
 * const executions = await queryPartition(db, tableName, keys.incident('inc-123').pk, 'EXEC#');
 */
export async function queryPartition(
  db: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  skPrefix: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
        ScanIndexForward: true,
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

async function queryIndex<S extends z.ZodMiniType>(
  db: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  schema: S,
  limit: number,
): Promise<z.infer<S>[]> {
  const items: z.infer<S>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: TABLE_KEYS.gsi1.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.gsi1.partitionKey },
        ExpressionAttributeValues: { ':pk': partition },
        ScanIndexForward: false,
        Limit: Math.min(limit - items.length, 500),
        ExclusiveStartKey: startKey,
      }),
    );
    for (const raw of out.Items ?? []) items.push(schema.parse(raw));
    startKey = out.LastEvaluatedKey;
  } while (startKey !== undefined && items.length < limit);
  return items;
}

/** Alerts, most recently seen first. */
export function listAlerts(
  db: DynamoDBDocumentClient,
  tableName: string,
  limit = 1000,
): Promise<AlertItem[]> {
  return queryIndex(db, tableName, 'ALERTS', AlertItemSchema, limit);
}

/** Incidents, most recently opened first. */
export function listIncidents(
  db: DynamoDBDocumentClient,
  tableName: string,
  limit = 1000,
): Promise<IncidentItem[]> {
  return queryIndex(db, tableName, 'INCIDENTS', IncidentItemSchema, limit);
}

/** Rejected events, most recent first. */
export function listRejected(
  db: DynamoDBDocumentClient,
  tableName: string,
  limit = 1000,
): Promise<RejectedItem[]> {
  return queryIndex(db, tableName, 'REJECTED', RejectedItemSchema, limit);
}

/** The OCSF event stored with an alert, inline or compressed. */
export function alertOcsf(item: AlertItem): OcsfEvent {
  const json =
    item.ocsfJson ?? (item.ocsfGz === undefined ? undefined : gunzipSync(item.ocsfGz).toString('utf8'));
  if (json === undefined) throw new Error(`alert ${item.id} has no stored OCSF event`);
  return OcsfEventSchema.parse(JSON.parse(json));
}

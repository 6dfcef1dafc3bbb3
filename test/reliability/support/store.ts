import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStore } from '../../../cli/local/store.ts';
import { createTableLike } from '../../support/tables.ts';

/**
 * Store helpers of the reliability suites: a fresh table per case on one embedded DynamoDB,
 * whole-table scans, and item sizes counted the way DynamoDB counts them.
 */

let tables = 0;

/**
 * A view of `store` on a new, empty table with the same layout. Close the store, not the view.
 *
 * @example
 * const view = await freshTable(store, 'faults');
 */
export async function freshTable(store: LocalStore, prefix: string): Promise<LocalStore> {
  tables += 1;
  const tableName = await createTableLike(store, `${prefix}-${process.pid}-${tables}`);
  return {
    ...store,
    tableName,
    close: async () => {
      throw new Error('close the shared store, not a view of it');
    },
  };
}

/** Every item of a table, unmarshalled. */
export async function scanAll(
  db: DynamoDBDocumentClient,
  tableName: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
    startKey = out.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

/** DynamoDB's item size limit: 400 KB, counted in UTF-8 bytes of names and values. */
export const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;

/**
 * An upper bound of an item's size as DynamoDB counts it: attribute names plus values, strings
 * in UTF-8 bytes (not UTF-16 code units, which is what the embedded dynalite checks), numbers at
 * their 21-byte maximum, 3 bytes of overhead per map or list.
 */
export function dynamoItemBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'bigint') return 21;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((n: number, v) => n + dynamoItemBytes(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + dynamoItemBytes(v), 0);
  if (typeof value === 'object') {
    return (
      3 +
      Object.entries(value).reduce(
        (n: number, [k, v]) => n + Buffer.byteLength(k, 'utf8') + dynamoItemBytes(v),
        0,
      )
    );
  }
  return 0;
}

import { existsSync, mkdirSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { TABLE_KEYS } from '#core/store/table.ts';
import { assertStoreFree } from './owner.ts';

/** The local table's name (the deployed one is named by CloudFormation). */
export const LOCAL_TABLE = 'riposte-local';

/** An embedded DynamoDB (dynalite on a loopback port) holding Riposte's table. */
export interface LocalStore {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly endpoint: string;
  /** Where the data lives, or undefined when in memory. */
  readonly dataDir: string | undefined;
  close(): Promise<void>;
}

export interface LocalStoreOptions {
  /** Folder for the LevelDB data; kept across runs. In memory when undefined. */
  readonly dataDir?: string;
  /**
   * Refuse a `dataDir` that holds no store yet instead of creating one (read commands: a
   * mistyped `--data-dir` must not leave an empty store behind).
   * @default false: the folder and the table are created when missing
   */
  readonly mustExist?: boolean;
}

/** Raised when the local store cannot be opened, e.g. another Riposte process holds it. */
export class LocalStoreError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalStoreError';
  }
}

/** Raised by a read command on a data folder that holds no store. */
export class StoreNotFoundError extends LocalStoreError {
  public constructor(dataDir: string) {
    super(
      `no local store at ${dataDir}: check --data-dir, or fill one first (riposte demo, replay, run --data-dir or serve)`,
    );
    this.name = 'StoreNotFoundError';
  }
}

/** Whether `dataDir` holds an embedded store (LevelDB keeps a CURRENT file in every database). */
export function storeExists(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'CURRENT'));
}

/**
 * Starts the embedded DynamoDB and creates Riposte's table (same keys, index and TTL attribute
 * as the CDK table) when it does not exist yet.
 *
 * @example
 * const store = await openLocalStore({ dataDir: '.riposte/db' });
 * try { ... } finally { await store.close(); }
 */
export async function openLocalStore(options: LocalStoreOptions = {}): Promise<LocalStore> {
  const dataDir = options.dataDir === undefined ? undefined : path.resolve(options.dataDir);
  if (dataDir !== undefined) {
    // A running `riposte serve` owns its folder: a second process would meet a locked database.
    assertStoreFree(dataDir);
    if (options.mustExist === true && !storeExists(dataDir)) throw new StoreNotFoundError(dataDir);
    mkdirSync(dataDir, { recursive: true });
  }
  const server = dynalite({
    ...(dataDir === undefined ? {} : { path: dataDir }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  guardFromBrowsers(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const raw = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
  const db = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const close = async (): Promise<void> => {
    raw.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  try {
    await ensureTable(raw, LOCAL_TABLE);
  } catch (error) {
    await close().catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    throw new LocalStoreError(
      /lock/i.test(message)
        ? `the local store ${dataDir} is in use by another riposte process`
        : `cannot open the local store${dataDir === undefined ? '' : ` at ${dataDir}`}: ${message}`,
      { cause: error },
    );
  }
  return { db, tableName: LOCAL_TABLE, endpoint, dataDir, close };
}

/**
 * Keeps web pages out of the embedded DynamoDB. dynalite answers any origin (it sends
 * `Access-Control-Allow-Origin: *` and answers preflights), so without this a page in the
 * operator's browser that finds the loopback port could read alerts and forge incidents or
 * approvals. The SDK never sends `Origin`, a browser always does on a cross-origin request; a
 * Host other than the loopback address (DNS rebinding) is refused too.
 */
function guardFromBrowsers(server: Server): void {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const port = (server.address() as AddressInfo | null)?.port;
    if (req.headers.origin !== undefined || req.headers.host !== `127.0.0.1:${port}`) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('the embedded store admits riposte only\n');
      return;
    }
    for (const handler of handlers) handler(req, res);
  });
}

async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  let status: string | undefined;
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    status = out.Table?.TableStatus;
  } catch (error) {
    if (
      !(error instanceof ResourceNotFoundException) &&
      !(error instanceof Error && error.name === 'ResourceNotFoundException')
    ) {
      throw error;
    }
  }
  if (status === 'ACTIVE') return;
  if (status === 'CREATING') {
    // A store closed while its table was being created: the table holds nothing yet.
    if (await becomesActive(client, tableName, 1_000)) return;
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    await waitUntilGone(client, tableName);
  }
  await createTable(client, tableName);
  if (!(await becomesActive(client, tableName, 5_000))) {
    throw new Error(`table ${tableName} did not become ACTIVE`);
  }
}

/** Polls until the table and its indexes are ACTIVE (the embedded DynamoDB creates them asynchronously). */
async function becomesActive(client: DynamoDBClient, tableName: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const table = out.Table;
    if (
      table?.TableStatus === 'ACTIVE' &&
      (table.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE')
    ) {
      return true;
    }
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function waitUntilGone(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    try {
      await client.send(new DescribeTableCommand({ TableName: tableName }));
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const { partitionKey, sortKey, gsi1 } = TABLE_KEYS;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: partitionKey, AttributeType: 'S' },
        { AttributeName: sortKey, AttributeType: 'S' },
        { AttributeName: gsi1.partitionKey, AttributeType: 'S' },
        { AttributeName: gsi1.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: gsi1.indexName,
          KeySchema: [
            { AttributeName: gsi1.partitionKey, KeyType: 'HASH' },
            { AttributeName: gsi1.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
}

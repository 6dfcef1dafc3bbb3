import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseConfig, type RiposteConfig } from '#core/config/schema.ts';
import { type PlaybookRoute, RecordingDispatcher } from '#core/intake/dispatch.ts';
import { isRecord } from '#core/normalize/read.ts';
import { type Deployment, describeDeployment } from '../aws/stack.ts';
import { UsageError } from '../command.ts';
import { runningServer } from './owner.ts';
import { LocalPipeline } from './pipeline.ts';
import { type LocalStore, LocalStoreError, openLocalStore } from './store.ts';

/** Where the local runtime keeps its data, relative to the working directory. */
export const LOCAL_DIR = '.riposte';

/**
 * Reads the `riposte` configuration from the nearest `cdk.json` (walking up from `cwd`), the
 * same context the CDK app deploys with; defaults when there is none.
 */
export function loadProjectConfig(cwd: string): RiposteConfig {
  let dir = path.resolve(cwd);
  for (;;) {
    const file = path.join(dir, 'cdk.json');
    if (existsSync(file)) {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      const context = isRecord(parsed) && isRecord(parsed.context) ? parsed.context : {};
      return parseConfig(context.riposte);
    }
    const parent = path.dirname(dir);
    if (parent === dir) return parseConfig({});
    dir = parent;
  }
}

export interface LocalRuntime {
  readonly store: LocalStore;
  readonly config: RiposteConfig;
  readonly pipeline: LocalPipeline;
  readonly dispatcher: RecordingDispatcher;
  /** Aborted on Ctrl-C: long operations stop at the next batch boundary. */
  readonly signal: AbortSignal;
}

export interface LocalRuntimeOptions {
  readonly cwd: string;
  /** Data folder; `<cwd>/.riposte/db` by default. */
  readonly dataDir?: string;
  /** Playbook routes; the local runtime has none until playbooks are deployed locally. */
  readonly routes?: readonly PlaybookRoute[];
}

/**
 * Opens the local runtime (embedded store, rules, dispatcher), runs `fn`, and always closes the
 * store, also on Ctrl-C: the signal is held until the running batch has been written, so the
 * store is left consistent.
 */
export async function withLocalRuntime<T>(
  options: LocalRuntimeOptions,
  fn: (rt: LocalRuntime) => Promise<T>,
): Promise<T> {
  const config = loadProjectConfig(options.cwd);
  const store = await openLocalStore({ dataDir: options.dataDir ?? path.join(options.cwd, LOCAL_DIR, 'db') });
  const dispatcher = new RecordingDispatcher();
  const pipeline = new LocalPipeline({ store, config, dispatcher, routes: options.routes ?? [] });
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    return await fn({ store, config, pipeline, dispatcher, signal: abort.signal });
  } finally {
    process.off('SIGINT', onSignal);
    await store.close();
    if (abort.signal.aborted) process.exitCode = 130;
  }
}

/**
 * The table an operator command reads: the local store, or a deployed Riposte table.
 */
export interface StoreHandle {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  /** True for a deployed table (AWS, default credentials), false for the local store. */
  readonly remote: boolean;
  /** Where the data comes from, for messages: `.riposte/db`, `table riposte-AlertStore… of stack Riposte (eu-west-1)`. */
  readonly description: string;
  /**
   * For a deployed table: the region given with `--region`, undefined for the SDK's default
   * (AWS_REGION, profile). Every AWS client of the command uses it: {@link awsClientConfig}.
   */
  readonly region: string | undefined;
  /** The stack's outputs, when the table was found through `--stack`. */
  readonly deployment: Deployment | undefined;
  close(): Promise<void>;
}

export interface StoreSelection {
  readonly cwd: string;
  /** Local store folder; `<cwd>/.riposte/db` by default. */
  readonly dataDir?: string | undefined;
  /** The deployed Riposte stack's name: its `TableName` output names the table. */
  readonly stack?: string | undefined;
  /** The deployed table's name (without a stack). */
  readonly table?: string | undefined;
  /** The deployment's region; the SDK's default (AWS_REGION, profile) when undefined. */
  readonly region?: string | undefined;
}

/** The `parseArgs` options of commands that read either store (spread into their options). */
export const STORE_OPTIONS = {
  'data-dir': { type: 'string' },
  stack: { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
} as const;

/**
 * The store a command's parsed {@link STORE_OPTIONS} select, for {@link openStoreFor}.
 *
 * @example
 * const { values } = parseArgs({ args, options: { ...STORE_OPTIONS } });
 * const store = await openStoreFor(storeSelection(io.cwd, values));
 */
export function storeSelection(
  cwd: string,
  values: {
    readonly 'data-dir'?: string | undefined;
    readonly stack?: string | undefined;
    readonly table?: string | undefined;
    readonly region?: string | undefined;
  },
): StoreSelection {
  return {
    cwd,
    dataDir: values['data-dir'],
    stack: values.stack,
    table: values.table,
    region: values.region,
  };
}

/** The local store folder a selection names (absolute): `--data-dir`, else `<cwd>/.riposte/db`. */
export function localDataDir(selection: Pick<StoreSelection, 'cwd' | 'dataDir'>): string {
  return selection.dataDir === undefined
    ? path.join(selection.cwd, LOCAL_DIR, 'db')
    : path.resolve(selection.cwd, selection.dataDir);
}

/** Help lines for {@link STORE_OPTIONS}. */
export const STORE_HELP = `  --data-dir DIR   local store folder (default .riposte/db)
  --stack NAME     read the deployed Riposte stack NAME instead: its table is found with
                   CloudFormation DescribeStacks (output TableName), with the default AWS
                   credentials; the stack must be in a COMPLETE state
  --table NAME     read the deployed DynamoDB table NAME instead, without a stack
                   (--stack and --table exclude each other)
  --region REGION  the deployment's region (default: AWS_REGION or your profile's)`;

/** SDK client settings for `region` (the SDK's default region when undefined). */
export function awsClientConfig(region: string | undefined): { region?: string } {
  return region === undefined ? {} : { region };
}

/**
 * Opens the store a read command works on: the deployed table when `stack` or `table` is given
 * (a DynamoDBDocumentClient with the default credential chain, so the same query functions run
 * on both), else the local store in `dataDir`.
 *
 * With `stack`, the table is the stack's `TableName` output, read with CloudFormation
 * `DescribeStacks` (one client for the call, in `region`); the stack must exist, be in a
 * COMPLETE state and be a Riposte stack, else a `DeploymentError` (`../aws/stack.ts`) says which. `stack`
 * with `table` is a usage error: one names the other.
 *
 * @example
 * const store = await openStoreFor({ cwd, stack: 'Riposte', region: 'eu-west-1' });
 * try { await listIncidents(store.db, store.tableName); } finally { await store.close(); }
 */
export async function openStoreFor(
  selection: StoreSelection,
  options: OpenStoreOptions = {},
): Promise<StoreHandle> {
  const { stack, region, dataDir } = selection;
  if ((stack !== undefined || selection.table !== undefined) && dataDir !== undefined) {
    throw new UsageError('--data-dir reads the local store; it excludes --stack and --table');
  }
  if (stack !== undefined && selection.table !== undefined) {
    throw new UsageError(
      "--stack and --table exclude each other: --stack reads the table's name from the stack's outputs",
    );
  }
  if (stack === undefined && selection.table === undefined) {
    if (region !== undefined) throw new UsageError('--region goes with --stack or --table (a deployment)');
    const folder = localDataDir(selection);
    const served = options.throughServe === true ? runningServer(folder)?.store : undefined;
    if (served !== undefined) return servedStore(selection.cwd, folder, served);
    const store = await openLocalStore({ dataDir: folder, mustExist: true });
    await waitForActiveTable(store).catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
    return {
      db: store.db,
      tableName: store.tableName,
      remote: false,
      description: displayPath(selection.cwd, folder),
      region: undefined,
      deployment: undefined,
      close: () => store.close(),
    };
  }
  let deployment: Deployment | undefined;
  if (stack !== undefined) {
    const cloudFormation = new CloudFormationClient(awsClientConfig(region));
    try {
      deployment = await describeDeployment(cloudFormation, stack);
    } finally {
      cloudFormation.destroy();
    }
  }
  const tableName = deployment?.tableName ?? selection.table ?? '';
  const raw = new DynamoDBClient(awsClientConfig(region));
  const db = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const resolvedRegion = await raw.config.region().catch(() => undefined);
  return {
    db,
    tableName,
    remote: true,
    description: `table ${tableName}${stack === undefined ? '' : ` of stack ${stack}`}${resolvedRegion === undefined ? '' : ` (${resolvedRegion})`}`,
    region,
    deployment,
    close: async () => raw.destroy(),
  };
}

/** How {@link openStoreFor} opens a local store. */
export interface OpenStoreOptions {
  /**
   * When a running `riposte serve` holds the folder, work on its embedded DynamoDB (the same
   * table, through its loopback endpoint) instead of refusing. For commands whose writes are
   * plain store operations (the case commands), not for those that run playbooks.
   * @default false: a held folder is refused with `StoreInUseError`
   */
  readonly throughServe?: boolean;
}

/** The store of the `riposte serve` holding `folder`, through its embedded DynamoDB's endpoint. */
function servedStore(
  cwd: string,
  folder: string,
  served: { endpoint: string; tableName: string },
): StoreHandle {
  const raw = new DynamoDBClient({
    endpoint: served.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
  return {
    db: DynamoDBDocumentClient.from(raw, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    }),
    tableName: served.tableName,
    remote: false,
    description: `${displayPath(cwd, folder)} (through riposte serve)`,
    region: undefined,
    deployment: undefined,
    close: async () => raw.destroy(),
  };
}

/** `folder` relative to `cwd` when it is inside it, else absolute. */
export function displayPath(cwd: string, folder: string): string {
  const relative = path.relative(cwd, folder);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? folder : relative;
}

/**
 * Waits until the local table is ACTIVE. The embedded DynamoDB creates a new table as CREATING
 * and activates it a tick later; until then every read and write fails with
 * ResourceNotFoundException, so a command on a fresh data folder must wait before its first
 * request (and must not close the store before the table is active, or it stays CREATING on
 * disk).
 *
 * @example
 * const store = await openLocalStore({ dataDir });
 * await waitForActiveTable(store);
 */
export async function waitForActiveTable(
  store: Pick<LocalStore, 'db' | 'tableName'>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await store.db.send(new DescribeTableCommand({ TableName: store.tableName }));
    const table = out.Table;
    const active =
      table?.TableStatus === 'ACTIVE' &&
      (table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (active) return;
    if (Date.now() > deadline) {
      throw new LocalStoreError(
        `the local table ${store.tableName} is still ${table?.TableStatus ?? 'missing'} after ${timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

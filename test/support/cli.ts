import { PassThrough, Readable } from 'node:stream';
import { z } from 'zod';
import { main } from '../../cli/main.ts';
import { REPO_ROOT } from './fixtures.ts';

/** What one CLI invocation left: its exit status and everything it wrote. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where the CLI runs and what it reads on stdin. */
export interface CliOptions {
  /** The working directory; the repository root by default. */
  readonly cwd?: string;
  /** stdin's content; empty by default. stdin is never a terminal. */
  readonly stdin?: string;
}

/**
 * Runs the `riposte` CLI in-process with in-memory streams, from the repository root unless
 * told otherwise.
 *
 * @example
 * const result = await cli(['show', incidentId, '--json']);
 * expect(result.code).toBe(0);
 */
export async function cli(argv: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin, 'utf8')]);
  const code = await main(argv, { stdout, stderr, stdin, cwd: options.cwd ?? REPO_ROOT });
  return { code, stdout: out, stderr: err };
}

/**
 * Runs an example event through `riposte run --approve --json` on `dataDir` and returns the id of
 * the incident it opened.
 *
 * @example
 * const incidentId = await runEvent(dataDir, 'examples/events/guardduty-ec2-c2-activity.json');
 */
export async function runEvent(dataDir: string, file: string): Promise<string> {
  const ran = await cli(['run', file, '--data-dir', dataDir, '--approve', '--json']);
  if (ran.stdout === '') throw new Error(`riposte run ${file} printed nothing (${ran.code}): ${ran.stderr}`);
  return z.object({ incident: z.object({ id: z.string() }) }).parse(JSON.parse(ran.stdout)).incident.id;
}

/**
 * Runs `fn` with the AWS SDK's DynamoDB clients pointed at `endpoint` (an embedded DynamoDB
 * standing in for a deployed table) with placeholder credentials, and restores the environment.
 *
 * @example
 * await withDynamoDbEndpoint(store.endpoint, () => cli(['incidents', '--table', store.tableName]));
 */
export async function withDynamoDbEndpoint<T>(endpoint: string, fn: () => Promise<T>): Promise<T> {
  const names = ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
  const saved = names.map((name) => process.env[name]);
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  try {
    return await fn();
  } finally {
    names.forEach((name, index) => {
      const value = saved[index];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    });
  }
}

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { OperatorError } from '../command.ts';

/**
 * The embedded store has one owner at a time. `riposte serve` holds its data folder for as long
 * as it runs and says so in `<data-dir>/serve.json`; other commands look there first and read
 * through the server's API, or refuse with one line, instead of meeting a locked database.
 */

/** The file `riposte serve` writes into its data folder while it runs. */
export const SERVE_FILE = 'serve.json';

const ServerRecordSchema = z.object({
  pid: z.number().int().positive(),
  port: z.number().int().min(0).max(65_535),
  url: z.string().min(1),
  /** The server's embedded DynamoDB (loopback only, refusing browsers) and its table. */
  store: z
    .object({
      endpoint: z.string().regex(/^http:\/\/127\.0\.0\.1:\d{1,5}$/),
      tableName: z.string().min(1),
    })
    .optional(),
});

/**
 * A running `riposte serve`: its process id, port and base URL (`http://127.0.0.1:4680`), and
 * the endpoint of the embedded DynamoDB it holds, where case commands write meanwhile.
 */
export type ServerRecord = z.infer<typeof ServerRecordSchema>;

/** Raised when a command needs a data folder that a running `riposte serve` holds. */
export class StoreInUseError extends OperatorError {
  public readonly server: ServerRecord;

  public constructor(server: ServerRecord) {
    super(`riposte serve is running (pid ${server.pid}); stop it or use its API at ${server.url}`);
    this.name = 'StoreInUseError';
    this.server = server;
  }
}

/** `<dataDir>/serve.json`. */
export function serveFile(dataDir: string): string {
  return path.join(path.resolve(dataDir), SERVE_FILE);
}

/** Whether a process with this id exists (signal 0 checks without sending anything). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

/**
 * The `riposte serve` holding `dataDir`, or undefined when none runs. A `serve.json` left by a
 * server that died (its pid no longer exists) or that cannot be read is ignored.
 *
 * @example
 * const server = runningServer('.riposte/db');
 * if (server !== undefined) await fetch(`${server.url}/incidents`);
 */
export function runningServer(dataDir: string): ServerRecord | undefined {
  let text: string;
  try {
    text = readFileSync(serveFile(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const record = ServerRecordSchema.safeParse(parsed);
  if (!record.success || !isAlive(record.data.pid)) return undefined;
  return record.data;
}

/**
 * Fails with {@link StoreInUseError} when a running `riposte serve` holds `dataDir`.
 *
 * @example
 * assertStoreFree(dataDir); // then open the store
 */
export function assertStoreFree(dataDir: string): void {
  const server = runningServer(dataDir);
  if (server !== undefined) throw new StoreInUseError(server);
}

/**
 * Records `server` as the owner of `dataDir` and returns the function that gives the folder
 * back (it removes the file only while it still names this server).
 *
 * @example
 * const release = claimStore(dataDir, { pid: process.pid, port, url });
 * try { ... } finally { release(); }
 */
export function claimStore(dataDir: string, server: ServerRecord): () => void {
  const file = serveFile(dataDir);
  writeFileSync(file, `${JSON.stringify(server)}\n`, { mode: 0o600 });
  return () => {
    try {
      const current = ServerRecordSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (current.success && current.data.pid === server.pid && current.data.port === server.port)
        rmSync(file, { force: true });
    } catch {
      // Already gone.
    }
  };
}

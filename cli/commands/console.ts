import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { loadPlaybooks } from '#core/playbooks/registry.ts';
import { listIncidents } from '#core/store/queries.ts';
import { type Command, UsageError, write } from '../command.ts';
import { ChangeFeed } from '../console/feed.ts';
import { osUser } from '../console/local.ts';
import { consoleHandler } from '../console/server.ts';
import {
  awsClientConfig,
  openStoreFor,
  STORE_HELP,
  STORE_OPTIONS,
  type StoreHandle,
  storeSelection,
} from '../local/runtime.ts';

/** The default port of `riposte console` (serve's console is on serve's port). */
export const DEFAULT_CONSOLE_PORT = 4681;
/** How often a console on a deployment looks for changes in the table. */
const POLL_MS = 5_000;

const HELP = `Usage: riposte console [--port N] [--data-dir DIR | --stack NAME | --table NAME] [--region REGION]

The web console on http://127.0.0.1:${DEFAULT_CONSOLE_PORT}/ (loopback only): the queue, each incident
with its alerts, timeline and executions drawn as their state machines, stats and playbooks.
\`riposte serve\` serves the same console at its own address, with live executions and approvals
that wait; use this command to read a store without serving events, or a deployment.

With --stack (or --table) it reads the deployed table with your AWS credentials (nothing is
hosted: the page talks to this process only) and decides pending approvals as \`riposte approve
--stack\` does; it looks for changes every ${POLL_MS / 1000} s. Ctrl-C stops it.

Options:
  --port N         port on 127.0.0.1 (default ${DEFAULT_CONSOLE_PORT}; 0 picks a free one)
${STORE_HELP}`;

/** The caller, for notes and decisions: the STS caller ARN on a deployment, else the OS user. */
async function actorFor(store: StoreHandle): Promise<() => Promise<string>> {
  if (!store.remote) return async () => osUser();
  const sts = new STSClient(awsClientConfig(store.region));
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    const arn = identity.Arn ?? osUser();
    return async () => arn;
  } finally {
    sts.destroy();
  }
}

/** Bumps the feed when the incidents' latest change moves (a deployment changes under us). */
function pollForChanges(store: StoreHandle, feed: ChangeFeed): () => void {
  let last = '';
  const timer = setInterval(() => {
    void listIncidents(store.db, store.tableName, 1_000).then(
      (incidents) => {
        const signature = incidents
          .map((i) => `${i.id}:${i.lastAlertAt}:${i.status}:${i.containedAt ?? ''}:${i.closedAt ?? ''}`)
          .join('|');
        if (last !== '' && signature !== last) feed.bump();
        last = signature;
      },
      () => undefined,
    );
  }, POLL_MS);
  return () => clearInterval(timer);
}

export const consoleCommand: Command = {
  name: 'console',
  summary: 'the web console on 127.0.0.1 (local store, or a deployment with --stack)',
  help: HELP,
  async run(args, io) {
    const { values } = parseArgs({
      args: [...args],
      options: { port: { type: 'string' }, ...STORE_OPTIONS },
    });
    const port = values.port === undefined ? DEFAULT_CONSOLE_PORT : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new UsageError('--port must be an integer from 0 to 65535');
    const store = await openStoreFor(storeSelection(io.cwd, values));
    const feed = new ChangeFeed();
    let bound = port;
    let tail: Promise<unknown> = Promise.resolve();
    const serialize = <T>(task: () => Promise<T>): Promise<T> => {
      const run = tail.then(task, task);
      tail = run.catch(() => undefined);
      return run;
    };
    const handle = consoleHandler(
      {
        db: store.db,
        tableName: store.tableName,
        remote: store.remote,
        description: store.description,
        region: store.region,
        deployment: store.deployment,
        dataDir: undefined,
        playbooks: await loadPlaybooks(),
        feed,
        gate: undefined,
        tracker: undefined,
        serialize,
        actor: await actorFor(store),
        release: undefined,
      },
      { port: () => bound },
    );
    const server = createServer((req, res) => {
      void handle(req, res).then((handled) => {
        if (!handled) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('not found\n');
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    }).catch(async (error: unknown) => {
      await store.close();
      const code = (error as { code?: unknown }).code;
      throw code === 'EADDRINUSE' ? new UsageError(`port ${port} is in use (try --port N)`) : error;
    });
    bound = (server.address() as AddressInfo).port;
    const stopPolling = store.remote ? pollForChanges(store, feed) : () => undefined;
    write(io.stdout, `riposte console: http://127.0.0.1:${bound}/ on ${store.description}. Ctrl-C to stop.`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    stopPolling();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await tail;
    await store.close();
    write(io.stdout, 'riposte console: stopped.');
    return 0;
  },
};

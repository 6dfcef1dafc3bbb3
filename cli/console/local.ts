import { userInfo } from 'node:os';
import type { Playbook } from '#core/playbooks/sdk.ts';
import { LocalApprovalGate } from '../local/approvals.ts';
import type { ApprovalDecider } from '../local/engine.ts';
import type { LocalResponseOptions } from '../local/response.ts';
import type { LocalStore } from '../local/store.ts';
import { ExecutionTracker } from './executions.ts';
import { ChangeFeed } from './feed.ts';
import { startLocalRelease } from './release.ts';
import { type ConsoleHandler, consoleHandler } from './server.ts';

/** The OS user: who decides, assigns and writes notes locally. */
export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'local operator';
  }
}

export interface ServeConsoleOptions {
  readonly store: LocalStore;
  readonly description: string;
  readonly dataDir: string;
  readonly playbooks: readonly Playbook[];
  /** The response options every execution runs with (world, config, decider). */
  readonly response: Omit<LocalResponseOptions, 'approve' | 'waitForApproval'>;
  /** Answers approvals at once (`--approve`/`--deny`); without it approvals wait for a person. */
  readonly approve: ApprovalDecider | undefined;
  readonly serialize: <T>(task: () => Promise<T>) => Promise<T>;
  readonly port: () => number;
  /** After a release started from the console ends. */
  readonly onReleaseEnd: (summary: string) => Promise<void>;
}

/** What `riposte serve` runs the console and its executions with. */
export interface ServeConsole {
  readonly feed: ChangeFeed;
  readonly gate: LocalApprovalGate | undefined;
  readonly tracker: ExecutionTracker;
  /** The response options for dispatched executions (waiting approvals included). */
  readonly response: LocalResponseOptions;
  readonly handle: ConsoleHandler;
  /** Expires waiting approvals and waits for running executions to end. */
  close(): Promise<void>;
}

/**
 * @example
 * const live = serveConsole({ store, description, dataDir, playbooks, response, approve: undefined, serialize, port, onReleaseEnd });
 * if (await live.handle(req, res)) return;
 */
export function serveConsole(options: ServeConsoleOptions): ServeConsole {
  const feed = new ChangeFeed();
  const { db, tableName } = options.store;
  const gate =
    options.approve === undefined
      ? new LocalApprovalGate({ db, tableName, onChange: (id) => feed.bump(id) })
      : undefined;
  const tracker = new ExecutionTracker((id) => feed.bump(id));
  const response: LocalResponseOptions = {
    ...options.response,
    approve: options.approve ?? (async () => false),
    ...(gate === undefined ? {} : { waitForApproval: (request) => gate.wait(request) }),
  };
  const handle = consoleHandler(
    {
      db,
      tableName,
      remote: false,
      description: options.description,
      region: undefined,
      deployment: undefined,
      dataDir: options.dataDir,
      playbooks: options.playbooks,
      feed,
      gate,
      tracker,
      serialize: options.serialize,
      actor: async () => osUser(),
      release: (incidentId) =>
        options.serialize(() =>
          startLocalRelease(
            { playbooks: options.playbooks, tracker, response, onEnd: options.onReleaseEnd },
            incidentId,
          ),
        ),
    },
    { port: options.port },
  );
  return {
    feed,
    gate,
    tracker,
    response,
    handle,
    close: async () => {
      await gate?.close();
      await tracker.idle();
    },
  };
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig, type RiposteConfig } from '#core/config/schema.ts';
import { type PlaybookRoute, RecordingDispatcher } from '#core/intake/dispatch.ts';
import { isRecord } from '#core/normalize/read.ts';
import { LocalPipeline } from './pipeline.ts';
import { type LocalStore, openLocalStore } from './store.ts';

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

import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { ACTIONS } from '#core/actions/registry.ts';
import type { RunnerDeps } from '#core/actions/runner.ts';
import { DynamoSafetyRails } from '#core/actions/safety.ts';
import { DynamoContainmentState, DynamoTimeline } from '#core/actions/state.ts';
import { SafetyPolicySchema } from '#core/actions/types.ts';
import { InvalidWorldError, LocalWorld, WorldSchema } from '#core/actions/world/index.ts';
import type { RiposteConfig } from '#core/config/schema.ts';
import type { StartRequest } from '#core/intake/dispatch.ts';
import type { Playbook } from '#core/playbooks/sdk.ts';
import {
  type ApprovalDecider,
  type LocalEngineEvent,
  type LocalEngineOptions,
  type LocalExecutionResult,
  runPlaybookLocally,
} from './engine.ts';
import { issuePath, readJsonFile } from './inputs.ts';
import type { LocalStore } from './store.ts';

/**
 * The response side of the local runtime: the action runner wired to the embedded store (state,
 * timeline, blast-radius counters), the world file (or real AWS with `--live`), and the local
 * approval decider.
 */
export interface LocalResponseOptions {
  readonly store: LocalStore;
  readonly config: RiposteConfig;
  /** The world actions see, or `live` to call AWS with the default credentials. */
  readonly world: LocalWorld | 'live';
  readonly approve: ApprovalDecider;
  /** Approval states wait for a person through this (see `LocalEngineOptions.waitForApproval`). */
  readonly waitForApproval?: LocalEngineOptions['waitForApproval'];
  readonly onEvent?: (event: LocalEngineEvent) => void;
  readonly now?: () => number;
}

export function localRunnerDeps(options: LocalResponseOptions): Omit<RunnerDeps, 'family' | 'onResponse'> {
  const { db, tableName } = options.store;
  const now = options.now ?? Date.now;
  const policy = SafetyPolicySchema.parse(options.config.safety ?? {});
  return {
    actions: new Map(ACTIONS.map((action) => [action.id, action])),
    store: { db, tableName, now },
    baseMode: options.world === 'live' ? { kind: 'live' } : { kind: 'world', world: options.world },
    killSwitch: async () => false,
    rails: (execution, dryRun) => new DynamoSafetyRails({ db, tableName, policy, execution, now, dryRun }),
    state: (execution) =>
      new DynamoContainmentState({ db, tableName, incidentId: execution.incidentId, now }),
    timeline: (execution) => new DynamoTimeline({ db, tableName, execution, now }),
    defaultRegion: process.env.AWS_REGION ?? 'us-east-1',
  };
}

/** Runs the executions the local dispatcher recorded, in order. */
export async function runDispatched(
  requests: readonly StartRequest[],
  playbooks: readonly Playbook[],
  options: LocalResponseOptions,
): Promise<LocalExecutionResult[]> {
  const runner = localRunnerDeps(options);
  const results: LocalExecutionResult[] = [];
  for (const request of requests) {
    const playbook = playbooks.find((p) => p.id === request.route.id);
    if (playbook === undefined) continue;
    results.push(
      await runPlaybookLocally(playbook, request.input, {
        runner,
        approve: options.approve,
        ...(options.waitForApproval === undefined ? {} : { waitForApproval: options.waitForApproval }),
        ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
      }),
    );
  }
  return results;
}

/** An approval decider from `--approve` / `--deny`, else a prompt on a terminal, else deny. */
export function approvalDecider(
  choice: 'approve' | 'deny' | undefined,
  io: {
    readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
    readonly stderr: NodeJS.WritableStream;
  },
): ApprovalDecider {
  if (choice !== undefined) return async () => choice === 'approve';
  return async ({ playbook, message }) => {
    if (io.stdin.isTTY !== true) {
      io.stderr.write(
        `approval requested by ${playbook} (${message}): no terminal, denied. Use --approve.\n`,
      );
      return false;
    }
    const rl = createInterface({ input: io.stdin, output: io.stderr });
    try {
      const answer = await rl.question(`\n${playbook} asks: ${message}\nApprove? [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      rl.close();
    }
  };
}

/**
 * A world file: one line of error when it is missing, empty, not JSON or not a world (naming the
 * field, or the top level for a file that is, say, an array).
 */
export function loadWorld(file: string): LocalWorld {
  const data = readJsonFile(process.cwd(), file, 'the world file');
  const parsed = WorldSchema.safeParse(data);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${issuePath(i.path)}: ${i.message}`).join('; ');
    throw new InvalidWorldError(`the world file "${file}" is not a world: ${details}`, {
      cause: parsed.error,
    });
  }
  return new LocalWorld(parsed.data);
}

/** Where a data folder keeps the world its runs left behind. */
export const WORLD_FILE_NAME = 'world.json';

/** The world file persisted in `dataDir` (`<dataDir>/world.json`). */
export function persistedWorldFile(dataDir: string): string {
  return path.join(dataDir, WORLD_FILE_NAME);
}

/**
 * The world for a run on the store in `dataDir`: the world the previous runs on that store left
 * (`<dataDir>/world.json`, written by {@link saveWorld}) when there is one, else `fallbackFile`.
 * Without a data folder (an in-memory store) it is always `fallbackFile`.
 *
 * Locally the world lives in memory, per process: persisting it beside the store keeps the two
 * consistent, so `riposte release` in a later process sees the containment `riposte run` made.
 *
 * @example
 * const world = loadWorldFor(dataDir, EXAMPLE_WORLD);
 * await runDispatched(requests, playbooks, { store, config, world, approve });
 * await saveWorld(dataDir, world);
 */
export function loadWorldFor(dataDir: string | undefined, fallbackFile: string): LocalWorld {
  if (dataDir === undefined) return loadWorld(fallbackFile);
  const file = persistedWorldFile(dataDir);
  if (!existsSync(file)) return loadWorld(fallbackFile);
  try {
    return new LocalWorld(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InvalidWorldError(
      `the persisted world ${file} cannot be read (${message}); delete it to start again from ${fallbackFile}`,
      { cause: error },
    );
  }
}

/**
 * Writes the world's current state to `<dataDir>/world.json` (atomically: a crash leaves the
 * previous file). Does nothing without a data folder.
 */
export async function saveWorld(dataDir: string | undefined, world: LocalWorld): Promise<void> {
  if (dataDir === undefined) return;
  await mkdir(dataDir, { recursive: true });
  const file = persistedWorldFile(dataDir);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(world.state, null, 2)}\n`, 'utf8');
  await rename(temporary, file);
}

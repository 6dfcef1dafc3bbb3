import { createInterface } from 'node:readline/promises';
import { ACTIONS } from '#core/actions/registry.ts';
import type { RunnerDeps } from '#core/actions/runner.ts';
import { DynamoSafetyRails } from '#core/actions/safety.ts';
import { DynamoContainmentState, DynamoTimeline } from '#core/actions/state.ts';
import { SafetyPolicySchema } from '#core/actions/types.ts';
import { LocalWorld } from '#core/actions/world/index.ts';
import type { RiposteConfig } from '#core/config/schema.ts';
import type { StartRequest } from '#core/intake/dispatch.ts';
import type { Playbook } from '#core/playbooks/sdk.ts';
import {
  type ApprovalDecider,
  type LocalEngineEvent,
  type LocalExecutionResult,
  runPlaybookLocally,
} from './engine.ts';
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

/** The example world shipped with the repository. */
export function loadWorld(file: string): LocalWorld {
  return LocalWorld.fromFile(file);
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { cli } from './cli.ts';
import { FIXTURES_DIR } from './fixtures.ts';

/** The containment actions: a call they make changes a resource to cut an attacker off. */
export const CONTAINMENT_ACTIONS = new Set([
  'isolate-instance',
  'contain-iam-user',
  'revoke-role-sessions',
  'block-bucket-public-access',
]);

const READ = /^(Describe|Get|List|Head)/;

const RunJsonSchema = z.object({
  alerts: z.array(z.record(z.string(), z.unknown())),
  incident: z.record(z.string(), z.unknown()).nullable(),
  executions: z.array(
    z.object({
      playbook: z.string(),
      status: z.string(),
      actions: z.array(
        z.object({
          action: z.string(),
          dryRun: z.boolean(),
          calls: z.array(z.object({ api: z.string(), params: z.record(z.string(), z.unknown()) })),
        }),
      ),
    }),
  ),
});
export type RunJson = z.infer<typeof RunJsonSchema>;

/** What `riposte run` did with one event: its JSON output and the containment calls in it. */
export interface AttackRun {
  readonly output: RunJson;
  /** `<api> <params>` of every state-changing call a containment action made. */
  readonly containmentCalls: readonly string[];
}

/** The path of an attack fixture (`test/fixtures/events/attacks/<name>`). */
export function attackFixture(name: string): string {
  return path.join(FIXTURES_DIR, 'attacks', name);
}

/** A fresh folder for a run's store, and optionally its `cdk.json` (`context.riposte`). */
export function runFolder(riposte?: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'riposte-attack-'));
  if (riposte !== undefined) {
    writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ context: { riposte } }));
  }
  return dir;
}

/**
 * Runs `riposte run <file> --approve --json` on the example world with the store in `dataDir`,
 * from `cwd` (whose `cdk.json` is the configuration), and lists the containment calls made.
 *
 * @example
 * const { containmentCalls } = await runAttack(attackFixture('securityhub-forged-customer-product-backdoor.json'));
 * expect(containmentCalls).toEqual([]);
 */
export async function runAttack(
  file: string,
  options: { readonly dataDir?: string; readonly cwd?: string } = {},
): Promise<AttackRun> {
  const dataDir = options.dataDir ?? runFolder();
  const ran = await cli(['run', file, '--approve', '--json', '--data-dir', dataDir], {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  if (ran.stdout === '') throw new Error(`riposte run printed nothing (${ran.code}): ${ran.stderr}`);
  const output = RunJsonSchema.parse(JSON.parse(ran.stdout));
  const containmentCalls = output.executions.flatMap((execution) =>
    execution.actions
      .filter((action) => CONTAINMENT_ACTIONS.has(action.action))
      .flatMap((action) => action.calls.filter((call) => !READ.test(call.api)))
      .map((call) => `${call.api} ${JSON.stringify(call.params)}`),
  );
  return { output, containmentCalls };
}

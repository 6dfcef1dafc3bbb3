/**
 * How `cdk synth` grows with the number of playbooks: 1, 10 and 50 generated playbooks (copies
 * of a small playbook under different ids, in a temporary folder named by
 * `RIPOSTE_PLAYBOOKS_DIR`), each synthesized in process exactly as `bin/app.ts` does it (config
 * from the context, `loadPlaybooks()`, the Riposte stack, cdk-nag's AWS Solutions checks), then
 * `app.synth()` into a temporary folder. Loading aws-cdk-lib and cdk-nag is a fixed cost of the
 * process, not of the playbooks: it is paid once, by a warm-up synth, before timing. Asset
 * bundling is skipped (`aws:cdk:bundling-stacks: []`, what `cdk synth --exclusively` does for
 * the stacks not selected): it is the same eight Lambda bundles whatever the number of
 * playbooks (bench/cold-start.ts measures them).
 *
 * Reported: time per synth (median of rounds, sizes interleaved), time per playbook and its
 * ratio 50 vs 10 (≤ 1: no superlinear growth), the time each playbook adds over the stack
 * without playbooks, 50 vs 10 (~1: linear), the one-off import of the playbook files, and how
 * many playbooks fit in one stack under CloudFormation's 500-resource limit.
 *
 * Usage: npm run bench:synth [-- --json]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../functions/core/config/schema.ts';
import { loadPlaybooks, PLAYBOOKS_DIR_ENV } from '../functions/core/playbooks/registry.ts';
import { RiposteStack } from '../lib/riposte-stack.ts';
import { type BenchResult, isMain, median, REPO_ROOT, runAsScript } from './support.ts';

/** Playbook counts timed; 0 is the baseline (the stack without playbooks). */
export const SIZES = [0, 1, 10, 50] as const;

export interface SynthScaleBench {
  readonly rounds: number;
  readonly runs: readonly {
    readonly playbooks: number;
    readonly ms: number;
    /** ms / playbooks. */
    readonly msPerPlaybook: number;
    /** (ms − ms with 0 playbooks) / playbooks: what each playbook adds. */
    readonly addedMsPerPlaybook: number;
    /** Importing (transpiling) the playbook files, cold, once per process, per playbook. */
    readonly importMsPerPlaybook: number;
    readonly stateMachines: number;
    readonly resources: number;
    readonly templateKb: number;
  }[];
  /** Time per playbook with 50 playbooks / with 10 (≤ 1: no superlinear growth). */
  readonly perPlaybookRatio50vs10: number;
  /** Added time per playbook with 50 / with 10, the fixed cost removed (~1: linear). */
  readonly addedPerPlaybookRatio50vs10: number;
  /** CloudFormation resources of the stack without playbooks, and added by each playbook. */
  readonly fixedResources: number;
  readonly resourcesPerPlaybook: number;
  /** Playbooks that fit in one stack under CloudFormation's resource limit. */
  readonly maxPlaybooksPerStack: number;
}

/** CloudFormation's limit of resources in one stack. */
export const CFN_MAX_RESOURCES = 500;

/** A small playbook (enrich, notify) under another id, importing the SDK by absolute URL. */
function playbookSource(id: string): string {
  const core = (file: string): string => pathToFileURL(path.join(REPO_ROOT, 'functions', 'core', file)).href;
  return `import { enrichInstanceAction } from '${core('actions/ec2.ts')}';
import { definePlaybook } from '${core('playbooks/sdk.ts')}';

export default definePlaybook({
  id: '${id}',
  version: '1.0.0',
  title: 'Generated playbook ${id}',
  description: 'Enriches an instance and notifies (synth benchmark).',
  owner: 'bench',
  changelog: { '1.0.0': 'Generated.' },
  trigger: { sources: ['aws.guardduty'], findingTypes: ['Recon:EC2/*'], minSeverity: 4, resourceTypes: ['AWS::EC2::Instance'] },
  steps: (flow) =>
    flow
      .run('instance', enrichInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') }), { name: 'Enrich instance' })
      .notify('told', { subject: 'Instance enriched' }, { name: 'Notify' }),
});
`;
}

/** Writes `count` generated playbooks into a new folder under `dir`. */
function generate(dir: string, count: number): string {
  const playbooks = path.join(dir, `playbooks-${count}`);
  mkdirSync(playbooks, { recursive: true });
  for (let i = 0; i < count; i += 1) {
    const id = `bench-playbook-${String(i).padStart(3, '0')}`;
    writeFileSync(path.join(playbooks, `${id}.ts`), playbookSource(id));
  }
  return playbooks;
}

/** Synthesizes the app as bin/app.ts builds it, with the playbooks of `playbooksDir`; ms and counts. */
async function synth(
  playbooksDir: string,
  outdir: string,
): Promise<{ ms: number; stateMachines: number; resources: number; templateKb: number; playbooks: number }> {
  const previous = process.env[PLAYBOOKS_DIR_ENV];
  process.env[PLAYBOOKS_DIR_ENV] = playbooksDir;
  try {
    const t0 = performance.now();
    // bin/app.ts, with the context the CDK CLI would pass and an explicit synth.
    const app = new App({
      outdir,
      context: { '@aws-cdk/core:enableTelemetry': false, 'aws:cdk:bundling-stacks': [] },
    });
    const config = parseConfig(app.node.tryGetContext('riposte'));
    const playbooks = await loadPlaybooks();
    new RiposteStack(app, 'Riposte', { config, playbooks });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    const assembly = app.synth();
    const ms = performance.now() - t0;
    const template = readFileSync(path.join(assembly.directory, 'Riposte.template.json'), 'utf8');
    const resources = Object.values(
      (JSON.parse(template) as { Resources: Record<string, { Type: string }> }).Resources,
    );
    return {
      ms,
      playbooks: playbooks.length,
      stateMachines: resources.filter((r) => r.Type === 'AWS::StepFunctions::StateMachine').length,
      resources: resources.length,
      templateKb: Math.round(Buffer.byteLength(template) / 1024),
    };
  } finally {
    if (previous === undefined) delete process.env[PLAYBOOKS_DIR_ENV];
    else process.env[PLAYBOOKS_DIR_ENV] = previous;
  }
}

export async function run(
  options: { readonly rounds?: number; readonly sizes?: readonly number[] } = {},
): Promise<BenchResult<SynthScaleBench>> {
  const rounds = options.rounds ?? 3;
  // 0 (the baseline), 10 and 50 are needed for the ratios.
  const sizes = [...new Set([0, 10, 50, ...(options.sizes ?? SIZES)])].sort((a, b) => a - b);
  const dir = mkdtempSync(path.join(tmpdir(), 'riposte-synth-'));
  try {
    const folders = new Map<number, string>(sizes.map((count) => [count, generate(dir, count)]));
    let out = 0;
    const outdir = (): string => {
      out += 1;
      return path.join(dir, `out-${out}`);
    };
    // Importing the playbook files (tsx transpiles each) is a per-playbook cost of a real synth
    // that happens once per process: timed here, cold, and not again in the rounds.
    const importMs = new Map<number, number>();
    for (const count of sizes) {
      const t0 = performance.now();
      await loadPlaybooks(folders.get(count) as string);
      importMs.set(count, performance.now() - t0);
    }
    // Warm-up: loads the CDK, cdk-nag and the domain code, and JIT-compiles them.
    await synth(folders.get(sizes[1] ?? 0) as string, outdir());
    const times = new Map<number, number[]>(sizes.map((count) => [count, []]));
    const shapes = new Map<
      number,
      { stateMachines: number; resources: number; templateKb: number; playbooks: number }
    >();
    for (let round = 0; round < rounds; round += 1) {
      for (const count of sizes) {
        const result = await synth(folders.get(count) as string, outdir());
        times.get(count)?.push(result.ms);
        shapes.set(count, result);
      }
    }
    const baseline = median(times.get(0) ?? []);
    const runs = sizes.map((count) => {
      const ms = median(times.get(count) ?? []);
      const shape = shapes.get(count);
      if (shape === undefined || shape.playbooks !== count || shape.stateMachines !== count) {
        throw new Error(`synth of ${count} playbooks: ${JSON.stringify(shape)}`);
      }
      return {
        playbooks: count,
        ms: Math.round(ms),
        msPerPlaybook: count === 0 ? 0 : Math.round(ms / count),
        addedMsPerPlaybook: count === 0 ? 0 : Math.round((ms - baseline) / count),
        importMsPerPlaybook: count === 0 ? 0 : Math.round((importMs.get(count) ?? 0) / count),
        stateMachines: shape.stateMachines,
        resources: shape.resources,
        templateKb: shape.templateKb,
      };
    });
    const at = (count: number) => runs.find((r) => r.playbooks === count) as SynthScaleBench['runs'][number];
    const resourcesPerPlaybook = (at(50).resources - at(0).resources) / 50;
    const data: SynthScaleBench = {
      rounds,
      runs,
      fixedResources: at(0).resources,
      resourcesPerPlaybook,
      maxPlaybooksPerStack: Math.floor((CFN_MAX_RESOURCES - at(0).resources) / resourcesPerPlaybook),
      perPlaybookRatio50vs10: Number((at(50).msPerPlaybook / at(10).msPerPlaybook).toFixed(2)),
      addedPerPlaybookRatio50vs10: Number((at(50).addedMsPerPlaybook / at(10).addedMsPerPlaybook).toFixed(2)),
    };
    return {
      name: 'synthScale',
      title:
        'synth scale: bin/app.ts in process (cdk-nag included), generated playbooks, asset bundling skipped, ' +
        `median of ${rounds} interleaved rounds after a warm-up`,
      rows: [
        ...runs.map((r) => ({
          what:
            r.playbooks === 0
              ? 'no playbook (baseline)'
              : `${r.playbooks} playbook${r.playbooks === 1 ? '' : 's'}`,
          figure:
            `${(r.ms / 1000).toFixed(1)} s` +
            (r.playbooks === 0
              ? ''
              : `, ${r.msPerPlaybook} ms per playbook, ${r.addedMsPerPlaybook} ms added per playbook`) +
            `, ${r.resources} resources, template ${r.templateKb} KB` +
            (r.playbooks === 0 ? '' : `; + import ${r.importMsPerPlaybook} ms per playbook (once)`),
        })),
        {
          what: 'time per playbook, 50 vs 10',
          figure: `${data.perPlaybookRatio50vs10.toFixed(2)}x`,
          target: '<= 1 (not superlinear)',
          ok: data.perPlaybookRatio50vs10 <= 1,
        },
        {
          what: 'added time per playbook, 50 vs 10',
          figure: `${data.addedPerPlaybookRatio50vs10.toFixed(2)}x`,
          target: '~1 (linear)',
        },
        {
          what: 'playbooks one stack can hold (500 resources)',
          figure: `${data.maxPlaybooksPerStack} (${data.fixedResources} resources + ${data.resourcesPerPlaybook} per playbook)`,
        },
      ],
      data,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runAsScript(() => run());

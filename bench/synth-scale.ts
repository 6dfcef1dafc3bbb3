/**
 * How the deployment grows with the number of playbooks: 0, 1, 50 and 200 generated playbooks
 * (bench/generated-playbooks.ts, written as files to a temporary folder named by
 * `RIPOSTE_PLAYBOOKS_DIR`), each synthesized in process exactly as `bin/app.ts` does it (config
 * from the context, `loadPlaybooks()`, the Riposte stack, cdk-nag's AWS Solutions checks), then
 * `app.synth()` into a temporary folder. Loading aws-cdk-lib and cdk-nag is a fixed cost of the
 * process, not of the playbooks: it is paid once, by a warm-up synth, before timing. Asset
 * bundling is skipped (`aws:cdk:bundling-stacks: []`, what `cdk synth --exclusively` does for
 * the stacks not selected): it is the same eight Lambda bundles whatever the number of
 * playbooks (bench/cold-start.ts measures them).
 *
 * Reported, per size: synth time, the parent template's size and resources (the template
 * CloudFormation limits to 1 MB and 500 resources), all templates together (the parent and one
 * nested stack per playbook), what each playbook adds (KB and resources, in all and in the
 * parent), whether every documented limit holds (bench/deployment-limits.ts), and how many
 * playbooks the parent can hold under its resource and size limits.
 *
 * Usage: npm run bench:synth [-- --json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../functions/core/config/schema.ts';
import { loadPlaybooks, PLAYBOOKS_DIR_ENV } from '../functions/core/playbooks/registry.ts';
import { RiposteStack } from '../lib/riposte-stack.ts';
import { LIMITS, limitViolations, measureAssembly } from './deployment-limits.ts';
import { writeGeneratedPlaybooks } from './generated-playbooks.ts';
import { type BenchResult, isMain, median, runAsScript } from './support.ts';

/** Playbook counts timed; 0 is the baseline (the stack without playbooks). */
export const SIZES = [0, 1, 50, 200] as const;

interface Shape {
  readonly playbooks: number;
  readonly stateMachines: number;
  /** The parent template. */
  readonly rootKb: number;
  readonly rootResources: number;
  /** The parent and every nested template. */
  readonly templates: number;
  readonly totalKb: number;
  readonly totalResources: number;
  readonly violations: readonly string[];
}

export interface SynthScaleBench {
  readonly rounds: number;
  readonly runs: readonly (Shape & {
    readonly ms: number;
    /** ms / playbooks. */
    readonly msPerPlaybook: number;
    /** (ms − ms with 0 playbooks) / playbooks: what each playbook adds. */
    readonly addedMsPerPlaybook: number;
    /** Importing (transpiling) the playbook files, cold, once per process, per playbook. */
    readonly importMsPerPlaybook: number;
    /** (all templates − the baseline's) / playbooks. */
    readonly kbPerPlaybook: number;
    readonly resourcesPerPlaybook: number;
    /** What each playbook adds to the parent template. */
    readonly rootKbPerPlaybook: number;
    readonly rootResourcesPerPlaybook: number;
  })[];
  /** Playbooks the parent template can hold: under 500 resources, and under 1 MB. */
  readonly maxPlaybooksByResources: number;
  readonly maxPlaybooksByTemplateSize: number;
}

/** Synthesizes the app as bin/app.ts builds it, with the playbooks of `playbooksDir`; ms and shape. */
async function synth(playbooksDir: string, outdir: string): Promise<Shape & { ms: number }> {
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
    const stack = new RiposteStack(app, 'Riposte', { config, playbooks });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    const assembly = app.synth();
    const ms = performance.now() - t0;
    const figures = measureAssembly(assembly.directory, 'Riposte');
    const root = figures.templates[0];
    return {
      ms,
      playbooks: playbooks.length,
      stateMachines: stack.playbooks.machines.size,
      rootKb: Number(((root?.bytes ?? 0) / 1024).toFixed(1)),
      rootResources: root?.resources ?? 0,
      templates: figures.templates.length,
      totalKb: Number((figures.totalBytes / 1024).toFixed(1)),
      totalResources: figures.totalResources,
      violations: limitViolations(figures),
    };
  } finally {
    if (previous === undefined) delete process.env[PLAYBOOKS_DIR_ENV];
    else process.env[PLAYBOOKS_DIR_ENV] = previous;
  }
}

export async function run(
  options: { readonly rounds?: number; readonly sizes?: readonly number[] } = {},
): Promise<BenchResult<SynthScaleBench>> {
  const rounds = options.rounds ?? 2;
  // 0 is the baseline the per-playbook figures are measured from.
  const sizes = [...new Set([0, ...(options.sizes ?? SIZES)])].sort((a, b) => a - b);
  const dir = mkdtempSync(path.join(tmpdir(), 'riposte-synth-'));
  try {
    const folders = new Map<number, string>(
      sizes.map((count) => [count, writeGeneratedPlaybooks(dir, count)]),
    );
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
    const shapes = new Map<number, Shape>();
    for (let round = 0; round < rounds; round += 1) {
      for (const count of sizes) {
        const result = await synth(folders.get(count) as string, outdir());
        times.get(count)?.push(result.ms);
        shapes.set(count, result);
        rmSync(path.join(dir, `out-${out}`), { recursive: true, force: true });
      }
    }
    const shapeOf = (count: number): Shape => {
      const shape = shapes.get(count);
      if (shape === undefined || shape.playbooks !== count || shape.stateMachines !== count) {
        throw new Error(`synth of ${count} playbooks: ${JSON.stringify(shape)}`);
      }
      return shape;
    };
    const base = shapeOf(0);
    const baseMs = median(times.get(0) ?? []);
    const per = (value: number, count: number, digits: number): number =>
      count === 0 ? 0 : Number((value / count).toFixed(digits));
    const runs = sizes.map((count) => {
      const ms = median(times.get(count) ?? []);
      const shape = shapeOf(count);
      return {
        ...shape,
        ms: Math.round(ms),
        msPerPlaybook: per(ms, count, 0),
        addedMsPerPlaybook: per(ms - baseMs, count, 0),
        importMsPerPlaybook: per(importMs.get(count) ?? 0, count, 0),
        kbPerPlaybook: per(shape.totalKb - base.totalKb, count, 1),
        resourcesPerPlaybook: per(shape.totalResources - base.totalResources, count, 2),
        rootKbPerPlaybook: per(shape.rootKb - base.rootKb, count, 2),
        rootResourcesPerPlaybook: per(shape.rootResources - base.rootResources, count, 2),
      };
    });
    const largestRun = runs.at(-1) as SynthScaleBench['runs'][number];
    const data: SynthScaleBench = {
      rounds,
      runs,
      maxPlaybooksByResources: Math.floor(
        (LIMITS.resourcesPerTemplate - base.rootResources) /
          Math.max(largestRun.rootResourcesPerPlaybook, 1e-9),
      ),
      maxPlaybooksByTemplateSize: Math.floor(
        (LIMITS.templateBytesFromS3 / 1024 - base.rootKb) / Math.max(largestRun.rootKbPerPlaybook, 1e-9),
      ),
    };
    return {
      name: 'synthScale',
      title:
        'synth scale: bin/app.ts in process (cdk-nag included), generated playbooks, asset bundling skipped, ' +
        `median of ${rounds} interleaved rounds after a warm-up; one nested stack per playbook`,
      rows: [
        ...runs.map((r) => ({
          what:
            r.playbooks === 0
              ? 'no playbook (baseline)'
              : `${r.playbooks} playbook${r.playbooks === 1 ? '' : 's'}`,
          figure:
            `${(r.ms / 1000).toFixed(1)} s; parent ${r.rootKb} KB, ${r.rootResources} resources; ` +
            `${r.templates} templates ${r.totalKb} KB, ${r.totalResources} resources` +
            (r.playbooks === 0
              ? ''
              : `; per playbook ${r.kbPerPlaybook} KB and ${r.resourcesPerPlaybook} resources ` +
                `(parent +${r.rootKbPerPlaybook} KB, +${r.rootResourcesPerPlaybook}), ` +
                `${r.addedMsPerPlaybook} ms added, import ${r.importMsPerPlaybook} ms (once)`),
          target: 'every limit',
          ok: r.violations.length === 0,
        })),
        {
          what: 'playbooks the parent template can hold',
          figure:
            `${data.maxPlaybooksByResources} (500 resources), ${data.maxPlaybooksByTemplateSize} (1 MB); ` +
            'each nested template holds one playbook',
        },
      ],
      data,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runAsScript(() => run());

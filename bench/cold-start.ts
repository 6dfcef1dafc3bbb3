/**
 * Lambda cold start, as far as the code decides it: each function is bundled with esbuild
 * exactly as CDK bundles it (`BUNDLING` in lib/function-defaults.ts: ESM, minified, keep-names,
 * source map, node22, platform node, mainFields module then main, the createRequire banner, the
 * AWS SDK v3 bundled), and also with the SDK left to the runtime (`@aws-sdk/*` external, what
 * Lambda's Node.js runtime would provide), then
 * - each bundle's size (what Lambda downloads and parses), and
 * - the time to import it in a fresh `node` process, minus the time of the same fresh process
 *   importing an empty module: median of paired differences over interleaved rounds (fewer for
 *   the action functions), with the deployed `NODE_OPTIONS=--enable-source-maps` and dummy
 *   environment values (importing reads the environment and builds clients; it calls no AWS API).
 *
 * For the external variant `@aws-sdk/*` resolves to this repository's copy, as the runtime's own
 * copy would in Lambda. The two variants of a function are measured in the same rounds, so their
 * ratio holds whatever the machine's load; the deployed variant is the one the targets apply to.
 *
 * Usage: npm run bench:cold-start [-- --json]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BUNDLING } from '../lib/function-defaults.ts';
import { type BenchResult, isMain, median, REPO_ROOT, runAsScript } from './support.ts';

/** The deployed functions and their entries (as in lib/). */
export const LAMBDA_ENTRIES: readonly { readonly name: string; readonly entry: string }[] = [
  { name: 'ingest', entry: 'functions/ingest/handler.ts' },
  ...['context', 'enrich', 'contain', 'release', 'notify', 'approve'].map((family) => ({
    name: family,
    entry: `functions/${family}/handler.ts`,
  })),
  { name: 'approval', entry: 'functions/approval/handler.ts' },
];

/** How the deployed functions bundle the SDK: `bundled` unless `BUNDLING` leaves it external. */
export const DEPLOYED_SDK: SdkVariant = (BUNDLING.externalModules ?? ['@aws-sdk/*']).some((m) =>
  m.startsWith('@aws-sdk'),
)
  ? 'external'
  : 'bundled';

/** The AWS SDK inside the bundle (tree-shaken), or left to the runtime. */
export type SdkVariant = 'bundled' | 'external';

/** What the deployed functions find in their environment, with dummy values. */
const LAMBDA_ENV: Readonly<Record<string, string>> = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCHCOLDSTART01',
  AWS_SECRET_ACCESS_KEY: 'bench-cold-start',
  AWS_ACCOUNT_ID: '111122223333',
  AWS_PARTITION: 'aws',
  TABLE_NAME: 'riposte-bench-table',
  INCIDENT_WINDOW_HOURS: '24',
  REJECTED_RETENTION_DAYS: '90',
  KILL_SWITCH_PARAMETER: '/riposte/kill-switch',
  SAFETY_POLICY: '{}',
  MEMBER_ROLE_NAME: 'RiposteMemberRole',
  APPROVAL_BASE_URL: 'https://approvals.example.com',
  APPROVAL_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:riposte-approval-key',
  POWERTOOLS_SERVICE_NAME: 'riposte-bench',
  POWERTOOLS_METRICS_NAMESPACE: 'Riposte',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  NODE_OPTIONS: '--enable-source-maps',
};

const ACTION_FAMILIES = new Set(['context', 'enrich', 'contain', 'release', 'notify', 'approve']);

const TARGETS: Readonly<Record<string, { readonly kb?: number; readonly ms: number }>> = {
  ingest: { kb: 150, ms: 60 },
  context: { ms: 250 },
  enrich: { ms: 250 },
  contain: { ms: 250 },
  release: { ms: 250 },
  notify: { ms: 250 },
  approve: { ms: 250 },
};

export interface ColdStartBench {
  readonly rounds: number;
  readonly actionRounds: number;
  readonly emptyProcessMedianMs: number;
  /** How the deployed functions bundle the SDK. */
  readonly deployed: SdkVariant;
  readonly functions: readonly {
    readonly name: string;
    readonly entry: string;
    /** The deployed variant. */
    readonly bundleKb: number;
    readonly sourceMapKb: number;
    readonly importMs: number;
    readonly importMsMax: number;
    /** The other variant, measured in the same rounds. */
    readonly other: { readonly variant: SdkVariant; readonly bundleKb: number; readonly importMs: number };
    /** The `@aws-sdk/*` packages the function uses. */
    readonly sdkPackages: readonly string[];
    readonly target?: { readonly kb?: number; readonly ms: number };
  }[];
}

/**
 * Bundles `entry` into `outdir/index.mjs` with the options of the CDK constructs (`BUNDLING`),
 * the SDK bundled or external; returns the `@aws-sdk/*` packages the code uses.
 */
async function bundle(entry: string, outdir: string, sdk: SdkVariant): Promise<string[]> {
  const result = await build({
    entryPoints: [path.join(REPO_ROOT, entry)],
    absWorkingDir: REPO_ROOT,
    bundle: true,
    outfile: path.join(outdir, 'index.mjs'),
    target: BUNDLING.target ?? 'node22',
    platform: 'node',
    format: 'esm',
    mainFields: BUNDLING.mainFields ?? ['module', 'main'],
    ...(BUNDLING.banner === undefined ? {} : { banner: { js: BUNDLING.banner } }),
    minify: BUNDLING.minify ?? false,
    keepNames: BUNDLING.keepNames ?? false,
    sourcemap: BUNDLING.sourceMap ?? false,
    sourcesContent: BUNDLING.sourcesContent ?? true,
    logLevel: 'warning',
    external: sdk === 'external' ? ['@aws-sdk/*'] : [],
    metafile: true,
  });
  const inputs = Object.values(result.metafile.outputs).flatMap((o) => [
    ...o.imports.filter((i) => i.external).map((i) => i.path),
    ...Object.keys(o.inputs),
  ]);
  return [
    ...new Set(
      inputs.flatMap((i) => {
        const match = /(?:^|node_modules\/)(@aws-sdk\/client-[^/]+|@aws-sdk\/lib-dynamodb)/.exec(i);
        return match === null ? [] : [match[1] as string];
      }),
    ),
  ].sort();
}

/** `4 packages: client-dynamodb, ...`, the names left out past six. */
function sdkList(packages: readonly string[]): string {
  const names = packages.map((p) => p.replace('@aws-sdk/', ''));
  return `${names.length} packages${names.length <= 6 ? `: ${names.join(', ')}` : ''}`;
}

function kb(file: string): number {
  return Number((statSync(file).size / 1024).toFixed(1));
}

/** Wall time of a fresh node process importing `module` (ms). */
function timeImport(runner: string, module: string): number {
  const t0 = performance.now();
  const out = spawnSync(process.execPath, [runner, pathToFileURL(module).href], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...LAMBDA_ENV },
    encoding: 'utf8',
  });
  const ms = performance.now() - t0;
  if (out.status !== 0) throw new Error(`importing ${module} failed: ${out.stderr}`);
  return ms;
}

export async function run(
  options: { readonly rounds?: number; readonly actionRounds?: number } = {},
): Promise<BenchResult<ColdStartBench>> {
  const rounds = options.rounds ?? 7;
  const actionRounds = options.actionRounds ?? 5;
  const other: SdkVariant = DEPLOYED_SDK === 'bundled' ? 'external' : 'bundled';
  const dir = mkdtempSync(path.join(tmpdir(), 'riposte-cold-start-'));
  try {
    // The external variant resolves the AWS SDK to this repository's copy, as Lambda's runtime would its own.
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(path.join(REPO_ROOT, 'node_modules', '@aws-sdk'), path.join(dir, 'node_modules', '@aws-sdk'));
    const runner = path.join(dir, 'import.mjs');
    writeFileSync(runner, 'await import(process.argv[2]);\n');
    const empty = path.join(dir, 'empty.mjs');
    writeFileSync(empty, 'export {};\n');
    const bundles = [];
    for (const fn of LAMBDA_ENTRIES) {
      const files = {} as Record<SdkVariant, string>;
      let sdkPackages: string[] = [];
      for (const variant of [DEPLOYED_SDK, other]) {
        const outdir = path.join(dir, fn.name, variant);
        sdkPackages = await bundle(fn.entry, outdir, variant);
        files[variant] = path.join(outdir, 'index.mjs');
      }
      bundles.push({
        ...fn,
        sdkPackages,
        files,
        rounds: ACTION_FAMILIES.has(fn.name) ? actionRounds : rounds,
      });
    }
    // Warm the file system cache (the SDK's files) and catch import errors before timing.
    timeImport(runner, empty);
    for (const b of bundles) for (const file of Object.values(b.files)) timeImport(runner, file);
    const emptyTimes: number[] = [];
    const diffs = new Map<string, number[]>(
      bundles.flatMap((b) => [DEPLOYED_SDK, other].map((variant) => [`${b.name}/${variant}`, []])),
    );
    for (let round = 0; round < Math.max(rounds, actionRounds); round += 1) {
      // Each import is paired with an empty process measured right before it.
      for (const b of bundles) {
        if (round >= b.rounds) continue;
        for (const variant of [DEPLOYED_SDK, other]) {
          const base = timeImport(runner, empty);
          emptyTimes.push(base);
          diffs.get(`${b.name}/${variant}`)?.push(timeImport(runner, b.files[variant]) - base);
        }
      }
    }
    const ms = (name: string, variant: SdkVariant): number =>
      Number(median(diffs.get(`${name}/${variant}`) ?? []).toFixed(1));
    const data: ColdStartBench = {
      rounds,
      actionRounds,
      emptyProcessMedianMs: Number(median(emptyTimes).toFixed(1)),
      deployed: DEPLOYED_SDK,
      functions: bundles.map((b) => {
        const sorted = [...(diffs.get(`${b.name}/${DEPLOYED_SDK}`) ?? [])].sort((x, y) => x - y);
        const target = TARGETS[b.name];
        return {
          name: b.name,
          entry: b.entry,
          bundleKb: kb(b.files[DEPLOYED_SDK]),
          sourceMapKb: kb(`${b.files[DEPLOYED_SDK]}.map`),
          importMs: ms(b.name, DEPLOYED_SDK),
          importMsMax: Number((sorted.at(-1) ?? 0).toFixed(1)),
          other: { variant: other, bundleKb: kb(b.files[other]), importMs: ms(b.name, other) },
          sdkPackages: b.sdkPackages,
          ...(target === undefined ? {} : { target }),
        };
      }),
    };
    return {
      name: 'coldStart',
      title:
        `cold start: CDK-identical esbuild bundles (AWS SDK ${DEPLOYED_SDK}, as deployed, vs ${other}); import in a fresh ` +
        `node minus an empty fresh node, median of ${rounds} paired rounds (action functions ${actionRounds}); ` +
        `empty process ${data.emptyProcessMedianMs} ms`,
      rows: data.functions.flatMap((f) => [
        {
          what: `${f.name}: bundle size`,
          figure: `${f.bundleKb} KB (SDK ${f.other.variant}: ${f.other.bundleKb} KB)`,
          ...(f.target?.kb === undefined
            ? {}
            : { target: `<= ${f.target.kb} KB`, ok: f.bundleKb <= f.target.kb }),
        },
        {
          what: `${f.name}: import time`,
          figure:
            `${f.importMs} ms (max ${f.importMsMax}); SDK ${f.other.variant}: ${f.other.importMs} ms, ` +
            `${(f.importMs / Math.max(f.other.importMs, 1e-9)).toFixed(2)}x; ${sdkList(f.sdkPackages)}`,
          ...(f.target === undefined
            ? {}
            : { target: `<= ${f.target.ms} ms`, ok: f.importMs <= f.target.ms }),
        },
      ]),
      data,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runAsScript(() => run());

/**
 * Lambda cold start, as far as the code decides it: each function is bundled with esbuild
 * exactly as CDK bundles it (lib/ingest-function.ts, lib/action-functions.ts,
 * lib/approval-api.ts: ESM, minified, keep-names, source map, node22, platform node,
 * `@aws-sdk/*` left to the runtime, the createRequire banner), then
 * - the bundle's size (what Lambda downloads and parses), and
 * - the time to import it in a fresh `node` process, minus the time of the same fresh process
 *   importing an empty module: median of paired differences over interleaved rounds (fewer for
 *   the six action functions, which are one handler under six family names), with the
 *   deployed `NODE_OPTIONS=--enable-source-maps` and dummy environment values (importing reads
 *   the environment and builds clients; it calls no AWS API).
 *
 * `@aws-sdk/*` resolves to this repository's copy, as the runtime's own copy would in Lambda.
 * Beside each import time, the time to import only the `@aws-sdk/*` packages the bundle uses,
 * measured the same way: the part the runtime's SDK sets, which no change to the bundle removes.
 *
 * Usage: npm run bench:cold-start [-- --json]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
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

/** The banner CDK adds to ESM bundles (bundled CommonJS dependencies get a `require`). */
const BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

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
  PLAYBOOKS: '[]',
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

const TARGETS: Readonly<Record<string, { readonly kb: number; readonly ms: number }>> = {
  ingest: { kb: 150, ms: 60 },
};

export interface ColdStartBench {
  readonly rounds: number;
  readonly actionRounds: number;
  readonly emptyProcessMedianMs: number;
  readonly functions: readonly {
    readonly name: string;
    readonly entry: string;
    readonly bundleKb: number;
    readonly sourceMapKb: number;
    readonly importMs: number;
    readonly importMsMax: number;
    /** The `@aws-sdk/*` packages the bundle imports (the runtime provides them). */
    readonly sdkPackages: readonly string[];
    /** Time to import only those packages, the same way: the floor the runtime sets. */
    readonly sdkImportMs: number;
    readonly target?: { readonly kb: number; readonly ms: number };
  }[];
}

/**
 * Bundles `entry` into `outdir/index.mjs` with the options of the CDK constructs; returns the
 * `@aws-sdk/*` packages the bundle imports at run time.
 */
async function bundle(entry: string, outdir: string): Promise<string[]> {
  const result = await build({
    entryPoints: [path.join(REPO_ROOT, entry)],
    absWorkingDir: REPO_ROOT,
    bundle: true,
    outfile: path.join(outdir, 'index.mjs'),
    target: 'node22',
    platform: 'node',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: BANNER },
    minify: true,
    keepNames: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning',
    external: ['@aws-sdk/*'],
    metafile: true,
  });
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports);
  return [
    ...new Set(imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/')).map((i) => i.path)),
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
  // The six action functions are one handler with another family name (same modules, same
  // clients): fewer rounds each keep the whole run short.
  const rounds = options.rounds ?? 7;
  const actionRounds = options.actionRounds ?? 3;
  const dir = mkdtempSync(path.join(tmpdir(), 'riposte-cold-start-'));
  try {
    // The runtime provides the AWS SDK: resolve it to this repository's copy.
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(path.join(REPO_ROOT, 'node_modules', '@aws-sdk'), path.join(dir, 'node_modules', '@aws-sdk'));
    const runner = path.join(dir, 'import.mjs');
    writeFileSync(runner, 'await import(process.argv[2]);\n');
    const empty = path.join(dir, 'empty.mjs');
    writeFileSync(empty, 'export {};\n');
    const bundles = [];
    const sdkModules = new Map<string, string>();
    for (const fn of LAMBDA_ENTRIES) {
      const outdir = path.join(dir, fn.name);
      const sdkPackages = await bundle(fn.entry, outdir);
      // One module importing only those packages: what loading the runtime's SDK costs alone.
      const key = sdkPackages.join(' ');
      let sdkFile = sdkModules.get(key);
      if (sdkFile === undefined) {
        sdkFile = path.join(dir, `sdk-${sdkModules.size}.mjs`);
        writeFileSync(sdkFile, sdkPackages.map((p) => `import '${p}';\n`).join(''));
        sdkModules.set(key, sdkFile);
      }
      bundles.push({
        ...fn,
        sdkPackages,
        sdkFile,
        file: path.join(outdir, 'index.mjs'),
        rounds: ACTION_FAMILIES.has(fn.name) ? actionRounds : rounds,
      });
    }
    // Warm the file system cache (the SDK's files) and catch import errors before timing.
    timeImport(runner, empty);
    for (const b of bundles.filter((b, i) => !ACTION_FAMILIES.has(b.name) || i === 1))
      timeImport(runner, b.file);
    const emptyTimes: number[] = [];
    const diffs = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
    const sdkDiffs = new Map<string, number[]>([...sdkModules.values()].map((f) => [f, []]));
    for (let round = 0; round < Math.max(rounds, actionRounds); round += 1) {
      // Each bundle is paired with an empty process measured right before it.
      for (const b of bundles) {
        if (round >= b.rounds) continue;
        const base = timeImport(runner, empty);
        emptyTimes.push(base);
        diffs.get(b.name)?.push(timeImport(runner, b.file) - base);
      }
      for (const [file, values] of sdkDiffs) {
        if (round >= rounds) continue;
        const base = timeImport(runner, empty);
        emptyTimes.push(base);
        values.push(timeImport(runner, file) - base);
      }
    }
    const data: ColdStartBench = {
      rounds,
      actionRounds,
      emptyProcessMedianMs: Number(median(emptyTimes).toFixed(1)),
      functions: bundles.map((b) => {
        const values = diffs.get(b.name) ?? [];
        const sorted = [...values].sort((x, y) => x - y);
        const target = TARGETS[b.name];
        return {
          name: b.name,
          entry: b.entry,
          bundleKb: kb(b.file),
          sourceMapKb: kb(`${b.file}.map`),
          importMs: Number(median(values).toFixed(1)),
          importMsMax: Number((sorted.at(-1) ?? 0).toFixed(1)),
          sdkPackages: b.sdkPackages,
          sdkImportMs: Number(median(sdkDiffs.get(b.sdkFile) ?? []).toFixed(1)),
          ...(target === undefined ? {} : { target }),
        };
      }),
    };
    return {
      name: 'coldStart',
      title:
        'cold start: CDK-identical esbuild bundles (@aws-sdk/* external); import in a fresh node minus an empty fresh node, ' +
        `median of ${rounds} paired rounds (action functions ${actionRounds}); empty process ${data.emptyProcessMedianMs} ms`,
      rows: data.functions.flatMap((f) => {
        const rows = [
          {
            what: `${f.name}: bundle size`,
            figure: `${f.bundleKb} KB`,
            ...(f.target === undefined
              ? {}
              : { target: `<= ${f.target.kb} KB`, ok: f.bundleKb <= f.target.kb }),
          },
          {
            what: `${f.name}: import time`,
            figure: `${f.importMs} ms (max ${f.importMsMax})`,
            ...(f.target === undefined
              ? {}
              : { target: `<= ${f.target.ms} ms`, ok: f.importMs <= f.target.ms }),
          },
          {
            what: `${f.name}: of which the AWS SDK alone`,
            figure: `${f.sdkImportMs} ms (${sdkList(f.sdkPackages)})`,
          },
        ];
        return rows;
      }),
      data,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runAsScript(() => run());

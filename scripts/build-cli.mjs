// Builds the `riposte` CLI into dist/cli: the TypeScript of cli/ and functions/core/ compiled
// by esbuild into ES modules, so the command starts with plain `node` (no TypeScript compiler
// at run time). npm runs it in `prepare` (after `npm ci`/`npm install`), `npm test` runs it
// first, and bin/riposte.mjs runs it again whenever a source file is newer than the build.
//
// Each build goes to a folder of its own (dist/cli/b<time>-<pid>) and dist/cli/current.json,
// replaced atomically, names the newest: a command still running from an older build (a serve,
// a test) keeps loading its own lazily imported modules while another process rebuilds.
//
// Every functions/core module is an entry point of its own, with code splitting: a playbook
// (user TypeScript, bundled on demand by cli/local/playbook-loader.ts) imports the very same
// core modules the CLI runs, never a second copy. Packages stay in node_modules (imported at
// run time), and subcommands are dynamic imports, so a command loads only what it uses.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const OUT_DIR = path.join(ROOT, 'dist', 'cli');
/** Names the current build and what it was built from: bin/riposte.mjs compares it with the sources' mtimes. */
export const MANIFEST = path.join(OUT_DIR, 'current.json');
/** The built CLI's entry module inside a build folder. */
export const ENTRY = path.join('cli', 'entry.js');
/** Older builds kept at least this long, for commands still running from them. */
const KEEP_MS = 6 * 3_600_000;

/** Folders whose listing matters: a file added to one changes its mtime. */
function folders(dir) {
  const out = [path.relative(ROOT, dir)];
  for (const entry of readdirSync(dir, { withFileTypes: true }))
    if (entry.isDirectory()) out.push(...folders(path.join(dir, entry.name)));
  return out;
}

function sources(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.test.ts'))
      out.push(full);
  }
  return out;
}

/**
 * Spells out `export * from '<package>'` as the package's export names. With code splitting,
 * esbuild cannot see through a star re-export of an external package (functions/core/zod.ts
 * re-exports zod/mini), and a namespace import of such a module loses its members.
 */
const explicitStarExports = {
  name: 'explicit-star-exports',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = readFileSync(args.path, 'utf8');
      const stars = [...source.matchAll(/^export \* from '([^.'][^']*)';$/gm)];
      if (stars.length === 0) return undefined;
      let contents = source;
      for (const [line, specifier] of stars) {
        const names = Object.keys(await import(specifier)).filter((n) => n !== 'default');
        contents = contents.replace(line, `export { ${names.join(', ')} } from '${specifier}';`);
      }
      return { contents, loader: 'ts' };
    });
  },
};

/**
 * Builds the CLI and writes the manifest.
 *
 * @example
 * await buildCli(); // dist/cli/cli/entry.js
 */
export async function buildCli() {
  const { build } = await import('esbuild');
  const startedAt = Date.now();
  const dir = `b${startedAt}-${process.pid}`;
  const outdir = path.join(OUT_DIR, dir);
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, 'cli', 'entry.ts'), ...sources(path.join(ROOT, 'functions', 'core'))],
    outbase: ROOT,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    packages: 'external',
    sourcemap: 'linked',
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    logLevel: 'error',
    plugins: [explicitStarExports],
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((file) => !file.startsWith('node_modules/'))
    .concat('package.json', path.relative(ROOT, fileURLToPath(import.meta.url)))
    .concat(folders(path.join(ROOT, 'cli')), folders(path.join(ROOT, 'functions', 'core')));
  const temporary = `${MANIFEST}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({ dir, builtAt: startedAt, inputs }));
  renameSync(temporary, MANIFEST);
  removeOldBuilds(dir);
  return { inputs, ms: Date.now() - startedAt };
}

/** Removes builds other than `current` once they are older than {@link KEEP_MS}, keeping the newest two. */
function removeOldBuilds(current) {
  const builds = readdirSync(OUT_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^b\d+-\d+$/.test(e.name) && e.name !== current)
    .map((e) => ({ name: e.name, at: Number(e.name.slice(1).split('-')[0]) }))
    .sort((a, b) => b.at - a.at);
  for (const old of builds.slice(1)) {
    if (Date.now() - old.at > KEEP_MS) rmSync(path.join(OUT_DIR, old.name), { recursive: true, force: true });
  }
}

/** The entry module of the build the manifest names. */
export function entryOf(manifest) {
  return path.join(OUT_DIR, manifest.dir, ENTRY);
}

/**
 * True when the build is missing or older than one of the files it was built from (a source
 * edited, a branch switched), so the caller rebuilds before running.
 */
export function isStale(manifest) {
  if (manifest === undefined || typeof manifest.dir !== 'string') return true;
  if (!existsSync(entryOf(manifest))) return true;
  for (const file of manifest.inputs) {
    try {
      if (statSync(path.join(ROOT, file)).mtimeMs > manifest.builtAt) return true;
    } catch {
      return true;
    }
  }
  return false;
}

function readManifest() {
  try {
    return JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return undefined;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // --if-stale: only when a source is newer than the current build (npm test).
  if (process.argv.includes('--if-stale') && !isStale(readManifest())) process.exit(0);
  const { inputs, ms } = await buildCli();
  // A build from before builds had folders of their own.
  for (const stale of ['cli', 'functions', 'chunks', 'playbooks', 'manifest.json'])
    rmSync(path.join(OUT_DIR, stale), { recursive: true, force: true });
  if (!process.argv.includes('--quiet'))
    console.log(
      `riposte CLI built into ${path.relative(ROOT, OUT_DIR)} (${inputs.length} sources, ${ms} ms)`,
    );
}

// Builds the `riposte` CLI into dist/cli: the TypeScript of cli/ and functions/core/ compiled
// by esbuild into ES modules, so the command starts with plain `node` (no TypeScript compiler
// at run time). npm runs it in `prepare` (after `npm ci`/`npm install`), `npm test` runs it
// first, and bin/riposte.mjs runs it again whenever a source file is newer than the build.
//
// Every functions/core module is an entry point of its own, with code splitting: a playbook
// (user TypeScript, bundled on demand by cli/local/playbook-loader.ts) imports the very same
// core modules the CLI runs, never a second copy. Packages stay in node_modules (imported at
// run time), and subcommands are dynamic imports, so a command loads only what it uses.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const OUT_DIR = path.join(ROOT, 'dist', 'cli');
/** What the build read, and when: bin/riposte.mjs compares it with the sources' mtimes. */
export const MANIFEST = path.join(OUT_DIR, 'manifest.json');
/** The built CLI's entry module. */
export const ENTRY = path.join(OUT_DIR, 'cli', 'entry.js');

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
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, 'cli', 'entry.ts'), ...sources(path.join(ROOT, 'functions', 'core'))],
    outbase: ROOT,
    outdir: OUT_DIR,
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
  writeFileSync(MANIFEST, JSON.stringify({ builtAt: startedAt, inputs }));
  return { inputs, ms: Date.now() - startedAt };
}

/**
 * True when the build is missing or older than one of the files it was built from (a source
 * edited, a branch switched), so the caller rebuilds before running.
 */
export function isStale(manifest) {
  if (manifest === undefined) return true;
  for (const file of manifest.inputs) {
    try {
      if (statSync(path.join(ROOT, file)).mtimeMs > manifest.builtAt) return true;
    } catch {
      return true;
    }
  }
  return false;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { inputs, ms } = await buildCli();
  if (!process.argv.includes('--quiet'))
    console.log(
      `riposte CLI built into ${path.relative(ROOT, OUT_DIR)} (${inputs.length} sources, ${ms} ms)`,
    );
}

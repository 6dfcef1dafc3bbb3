// Builds the web console (console/src) into console/dist: one ES module and one stylesheet,
// every dependency bundled (the page fetches nothing from the network). Run by `npm ci`
// (the prepare script) and `npm run build:console`.
//
// esbuild is the project's bundler already (the Lambda bundles, the CLI); it compiles the
// Preact TSX and bundles in well under a second, so no second build tool is needed.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'console', 'dist');
await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
const started = performance.now();
await build({
  entryPoints: { console: path.join(root, 'console', 'src', 'main.tsx') },
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome120', 'firefox120', 'safari17'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
process.stdout.write(
  `console built into ${path.relative(root, outdir)} in ${Math.round(performance.now() - started)} ms\n`,
);

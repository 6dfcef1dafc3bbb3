#!/usr/bin/env node
// The `riposte` command: runs the CLI as built into dist/cli by scripts/build-cli.mjs (npm runs
// it on install, in `prepare`). Plain JavaScript starts in a fraction of the time a TypeScript
// loader takes. The build lists the sources it was made from; when one is newer (an edit, a
// branch switch) it is rebuilt first, so a stale build never runs.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `riposte: Node.js ${process.versions.node} is running, 22 or later is required: run \`npm ci\`, then use npx riposte or npm run riposte\n`,
  );
  process.exit(1);
}

const build = await import('../scripts/build-cli.mjs');
let manifest;
try {
  manifest = JSON.parse(readFileSync(build.MANIFEST, 'utf8'));
} catch {
  manifest = undefined;
}
if (build.isStale(manifest)) {
  try {
    await build.buildCli();
    manifest = JSON.parse(readFileSync(build.MANIFEST, 'utf8'));
  } catch (error) {
    process.stderr.write(
      `riposte: cannot build the CLI (npm run build:cli shows why): ${error?.message ?? error}\n`,
    );
    process.exit(1);
  }
}
const { run } = await import(pathToFileURL(build.entryOf(manifest)).href);
process.exitCode = await run(process.argv.slice(2));

import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Message, Plugin } from 'esbuild';
import { PROJECT_ROOT } from '#core/playbooks/registry.ts';

/**
 * How the built CLI loads playbooks. Playbooks are the author's TypeScript, so the CLI (plain
 * JavaScript in dist/cli) compiles each one with esbuild into its build's playbooks/ the first time
 * it is needed, then imports the result. Imports of Riposte's own modules (`#core/...`, or a
 * relative path into functions/core/) are pointed at the built modules the CLI itself runs, so a
 * playbook and the CLI share one copy of the SDK, the actions and the registries. A compiled
 * playbook is reused until its file (or a file it imports from outside functions/core) changes.
 */

const CORE_DIR = path.join(PROJECT_ROOT, 'functions', 'core');

/** Raised when a playbook's TypeScript does not compile: `playbooks/x.ts:12:4: <what esbuild says>`. */
export class PlaybookCompileError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PlaybookCompileError';
  }
}

interface CacheEntry {
  readonly builtAt: number;
  readonly inputs: readonly string[];
}

function isFresh(metaFile: string): boolean {
  let meta: CacheEntry;
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8')) as CacheEntry;
  } catch {
    return false;
  }
  try {
    return meta.inputs.every((input) => statSync(path.join(PROJECT_ROOT, input)).mtimeMs <= meta.builtAt);
  } catch {
    return false;
  }
}

/** A module of functions/core as the build in `buildDir` has it: <build>/functions/core/x.js. */
function builtCoreModule(buildDir: string, source: string): string {
  const relative = path.relative(PROJECT_ROOT, source).replace(/\.ts$/, '.js');
  return pathToFileURL(path.join(buildDir, relative)).href;
}

/** Sends imports of functions/core to the built modules, so they are shared with the CLI. */
const sharedCore = (buildDir: string): Plugin => ({
  name: 'riposte-shared-core',
  setup(build) {
    build.onResolve({ filter: /^(#core\/|\.)/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'resolving',
      });
      if (resolved.errors.length > 0 || !resolved.path.startsWith(`${CORE_DIR}${path.sep}`)) return resolved;
      return { path: builtCoreModule(buildDir, resolved.path), external: true };
    });
  },
});

function describeMessage(message: Message): string {
  const where = message.location;
  return where === null ? message.text : `${where.file}:${where.line}:${where.column + 1}: ${message.text}`;
}

async function compile(buildDir: string, file: string, outFile: string, metaFile: string): Promise<void> {
  const { build } = await import('esbuild');
  const builtAt = Date.now();
  let result: Awaited<ReturnType<typeof build>> & { metafile: { inputs: Record<string, unknown> } };
  try {
    result = await build({
      absWorkingDir: PROJECT_ROOT,
      entryPoints: [file],
      outfile: outFile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      packages: 'external',
      metafile: true,
      logLevel: 'silent',
      plugins: [sharedCore(buildDir)],
    });
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors ?? [];
    const [first] = errors;
    throw new PlaybookCompileError(
      first === undefined
        ? String(error)
        : describeMessage(first) + (errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''),
      { cause: error },
    );
  }
  const inputs = Object.keys(result.metafile.inputs).filter((input) => !input.startsWith('node_modules/'));
  writeFileSync(metaFile, JSON.stringify({ builtAt, inputs } satisfies CacheEntry));
}

/**
 * The importer of the build in `buildDir` (the folder holding cli/entry.js): a playbook is
 * compiled on first use into <build>/playbooks/, then imported from there.
 *
 * @example
 * usePlaybookImporter(compiledPlaybookImporter(path.resolve(import.meta.dirname, '..')));
 */
export function compiledPlaybookImporter(buildDir: string): (file: string) => Promise<unknown> {
  const cacheDir = path.join(buildDir, 'playbooks');
  return async (file) => {
    const name = path.relative(PROJECT_ROOT, file).replace(/[\\/]/g, '__').replace(/\.ts$/, '');
    const outFile = path.join(cacheDir, `${name}.mjs`);
    const metaFile = path.join(cacheDir, `${name}.json`);
    if (!isFresh(metaFile)) {
      mkdirSync(cacheDir, { recursive: true });
      await compile(buildDir, file, outFile, metaFile);
    }
    const version = statSync(outFile).mtimeMs;
    return import(`${pathToFileURL(outFile).href}?v=${version}`);
  };
}

/**
 * The built CLI's entry (dist/cli/<build>/cli/entry.js, run by bin/riposte.mjs): the CLI with the
 * playbook loader of the built code, and a last line of defence that keeps even a failure
 * outside a command (an error in a callback of the embedded store...) to one line.
 */

import path from 'node:path';
import { usePlaybookImporter } from '#core/playbooks/registry.ts';
import { describeFailure } from './errors.ts';
import { compiledPlaybookImporter } from './local/playbook-loader.ts';
import { main } from './main.ts';

// This module is <build>/cli/entry.js: playbooks compile against the modules of this build.
usePlaybookImporter(compiledPlaybookImporter(path.resolve(import.meta.dirname, '..')));

/**
 * Runs `riposte` with the process's arguments and streams.
 *
 * @example
 * process.exitCode = await run(process.argv.slice(2));
 */
export async function run(argv: readonly string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const fail = (error: unknown): void => {
    const failure = describeFailure(error, debug);
    process.stderr.write(
      `riposte: ${failure.line}\n${failure.trace === undefined ? '' : `${failure.trace}\n`}`,
    );
    process.exit(1);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  return main(argv);
}

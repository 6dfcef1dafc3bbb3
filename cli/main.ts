import { type Command, type CommandIo, OperatorError, UsageError, write } from './command.ts';
import { approveCommand, denyCommand } from './commands/approve.ts';
import { demoCommand } from './commands/demo.ts';
import { alertsCommand, incidentsCommand, rejectedCommand } from './commands/list.ts';
import { matchCommand } from './commands/match.ts';
import { normalizeCommand } from './commands/normalize.ts';
import { playbooksCommand } from './commands/playbooks.ts';
import { releaseCommand } from './commands/release.ts';
import { replayCommand } from './commands/replay.ts';
import { runCommand } from './commands/run.ts';
import { serveCommand } from './commands/serve.ts';
import { showCommand } from './commands/show.ts';
import { statsCommand } from './commands/stats.ts';

/** Every subcommand, in the order `riposte --help` lists them. */
export const COMMANDS: readonly Command[] = [
  demoCommand,
  normalizeCommand,
  replayCommand,
  serveCommand,
  alertsCommand,
  incidentsCommand,
  showCommand,
  rejectedCommand,
  matchCommand,
  runCommand,
  releaseCommand,
  approveCommand,
  denyCommand,
  playbooksCommand,
  statsCommand,
];

const USAGE = `riposte: serverless SOAR for AWS, on your laptop and in your account

Usage: riposte <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join('\n')}

Run \`riposte <command> --help\` for a command's options.`;

/**
 * Runs the CLI with `argv` (without the node and script paths) and returns the exit status.
 *
 * @example
 * process.exitCode = await main(['normalize', 'finding.json']);
 */
export async function main(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    write(name === undefined ? io.stderr : io.stdout, USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    write(io.stdout, '0.1.0');
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    write(io.stderr, `riposte: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    write(io.stdout, command.help);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    // node's parseArgs throws a TypeError with an ERR_PARSE_ARGS_* code for an unknown option,
    // a missing option value...: a usage mistake for every command, not a crash.
    if (error instanceof UsageError || isParseArgsError(error)) {
      write(
        io.stderr,
        `riposte ${command.name}: ${error.message}\nRun \`riposte ${command.name} --help\` for usage.`,
      );
      return 2;
    }
    if (error instanceof OperatorError) {
      write(io.stderr, `riposte ${command.name}: ${error.name}: ${error.message}`);
      return 1;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    write(io.stderr, `riposte ${command.name}: ${message}`);
    return 1;
  }
}

/** An error from `node:util` parseArgs (`ERR_PARSE_ARGS_UNKNOWN_OPTION`, `..._INVALID_OPTION_VALUE`...). */
function isParseArgsError(error: unknown): error is Error & { readonly code: string } {
  return (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code.startsWith('ERR_PARSE_ARGS_')
  );
}

function processIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd() };
}

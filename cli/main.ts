import { type Command, type CommandIo, UsageError, write } from './command.ts';
import { describeFailure } from './errors.ts';
import { COMMANDS } from './registry.ts';

export { COMMANDS } from './registry.ts';

/** The version `riposte --version` prints (package.json's, inlined by the build). */
export const VERSION = '0.1.0';

const USAGE = `riposte: serverless SOAR for AWS, on your laptop and in your account

Usage: riposte <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join('\n')}

Global options:
  --debug      on an error, print the full stack trace and causes (errors are one line otherwise)
  --version    print the version
  -h, --help   show this help

Environment: NO_COLOR=1 turns colour off (it is off anyway when the output is not a terminal),
FORCE_COLOR=1 turns it on; COLUMNS sets the width tables fit (default: the terminal's).

Run \`riposte <command> --help\` for a command's options.`;

/**
 * Runs the CLI with `argv` (without the node and script paths) and returns the exit status.
 * Every failure is one line on stderr (`riposte <command>: <reason>`) and a non-zero status:
 * 2 for a usage mistake, 1 otherwise; `--debug` adds the stack trace.
 *
 * @example
 * process.exitCode = await main(['normalize', 'finding.json']);
 */
export async function main(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  const debug = argv.includes('--debug') || io.debug === true;
  const args = argv.filter((a) => a !== '--debug');
  const withDebug: CommandIo = { ...io, debug };
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    write(name === undefined ? io.stderr : io.stdout, USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    write(io.stdout, VERSION);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) {
    write(io.stderr, `riposte: unknown command "${name}" (riposte --help lists the commands)`);
    return 2;
  }
  let command: Command | undefined;
  try {
    command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      write(io.stdout, command.help);
      return 0;
    }
    return await command.run(rest, withDebug);
  } catch (error) {
    const failure = describeFailure(error, debug);
    const hint = failure.hint === true ? ` (riposte ${entry.name} --help for usage)` : '';
    write(io.stderr, `riposte ${entry.name}: ${failure.line}${hint}`);
    if (failure.trace !== undefined) write(io.stderr, failure.trace);
    return failure.usage ? 2 : 1;
  }
}

function processIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd() };
}

export { UsageError };

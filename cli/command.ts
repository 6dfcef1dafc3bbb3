/**
 * The contract every `riposte` subcommand implements. Commands write through the given
 * streams (so tests capture output) and return an exit code instead of calling
 * `process.exit`.
 */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly cwd: string;
  /** `--debug` was given: errors print their stack trace and causes. @default false */
  readonly debug?: boolean;
  /** The environment (NO_COLOR, COLUMNS...). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface Command {
  readonly name: string;
  /** One line for `riposte --help`. */
  readonly summary: string;
  /** Full text for `riposte <name> --help`. */
  readonly help: string;
  run(args: readonly string[], io: CommandIo): Promise<number>;
}

/** A usage mistake: printed with the command's help hint, exit status 2. */
export class UsageError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * An input that cannot be used (a missing or unreadable file, not JSON, empty): a usage mistake
 * (exit status 2) whose message already says what to fix, so no pointer to the help is added.
 */
export class InputError extends UsageError {
  public constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * A failure the operator can act on (a missing stack, a stack still updating...): printed as
 * `riposte <command>: <message>` without a stack trace, exit status 1.
 */
export class OperatorError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OperatorError';
  }
}

export function write(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

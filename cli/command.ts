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

export function write(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

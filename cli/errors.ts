import { InputError, UsageError } from './command.ts';

/** How a failure is shown: one line, whether it was a usage mistake, and the trace for `--debug`. */
export interface Failure {
  /** One line: the reason, prefixed with the error's name when that name says something. */
  readonly line: string;
  /** A usage mistake (exit status 2). */
  readonly usage: boolean;
  /** Worth pointing at the command's help (an option or argument mistake). */
  readonly hint?: boolean;
  /** The stack and the chain of causes, only under `--debug`. */
  readonly trace?: string;
}

/** Names that say nothing a reader needs: the message alone is printed. */
const PLAIN_NAMES: ReadonlySet<string> = new Set(['Error', 'UsageError', 'OperatorError']);

/** JavaScript's own errors: a bug in Riposte rather than something the operator can change. */
const INTERNAL_NAMES: ReadonlySet<string> = new Set([
  'TypeError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'EvalError',
  'AssertionError',
]);

/** An error from `node:util` parseArgs (`ERR_PARSE_ARGS_UNKNOWN_OPTION`, `..._INVALID_OPTION_VALUE`...). */
export function isParseArgsError(error: unknown): error is Error & { readonly code: string } {
  return (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code.startsWith('ERR_PARSE_ARGS_')
  );
}

/** Collapses a message to one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Turns anything thrown by a command into the one line the operator reads, with the stack and
 * causes kept for `--debug`.
 *
 * @example
 * describeFailure(new UsageError('expected one file'), false); // { line: 'expected one file', usage: true }
 */
export function describeFailure(error: unknown, debug: boolean): Failure {
  const trace = debug ? traceOf(error) : undefined;
  const withTrace = (failure: Omit<Failure, 'trace'>): Failure =>
    trace === undefined ? failure : { ...failure, trace };
  if (error instanceof UsageError)
    return withTrace({ line: oneLine(error.message), usage: true, hint: !(error instanceof InputError) });
  if (isParseArgsError(error)) {
    // parseArgs appends advice about '--' to unknown options: the first sentence is the reason.
    const first = /^[^.]*'[^']*'[^.]*\.|^[^.]*\./.exec(error.message)?.[0] ?? error.message;
    return withTrace({ line: oneLine(first), usage: true, hint: true });
  }
  if (!(error instanceof Error)) return withTrace({ line: oneLine(String(error)), usage: false });
  if (error.name === 'CredentialsProviderError') {
    return withTrace({
      line:
        'AwsCredentialsError: no AWS credentials found: sign in (aws sso login), or set AWS_PROFILE, ' +
        'or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      usage: false,
    });
  }
  const message = oneLine(error.message) || '(no message)';
  if (INTERNAL_NAMES.has(error.name)) {
    const hint = debug ? '' : ' (an internal error: run again with --debug for the trace)';
    return withTrace({ line: `${error.name}: ${message}${hint}`, usage: false });
  }
  const line = PLAIN_NAMES.has(error.name) ? message : `${error.name}: ${message}`;
  return withTrace({ line, usage: false });
}

function traceOf(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 8; depth += 1) {
    parts.push(current instanceof Error ? (current.stack ?? String(current)) : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join('\nCaused by: ');
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../command.ts';

/**
 * Reading the files a command is given, with one-line reasons: a missing file, a directory, an
 * unreadable one, empty or not JSON content are each said as such.
 */

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
};

/** A file system error as the reason a person reads (`no such file or directory`). */
export function fileErrorReason(error: unknown): string {
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : '';
  if (Object.hasOwn(REASONS, code)) return REASONS[code] ?? code;
  return error instanceof Error ? error.message : String(error);
}

/** The one-line error for a path that cannot be read. */
export function unreadable(file: string, error: unknown, what = ''): InputError {
  return new InputError(`cannot read ${what === '' ? '' : `${what} `}"${file}": ${fileErrorReason(error)}`);
}

/**
 * A JSON file's parsed content, or an {@link InputError} that says which of missing, unreadable,
 * empty or not JSON it is.
 *
 * @example
 * const world = readJsonFile(io.cwd, 'world.json', 'the world file');
 */
export function readJsonFile(cwd: string, file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    throw unreadable(file, error, what);
  }
  if (text.trim() === '') throw new InputError(`${what} "${file}" is empty: expected JSON`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `${what} "${file}" is not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/** A zod-style issue path as a reader says it; the top level when empty. */
export function issuePath(issuePathParts: readonly PropertyKey[]): string {
  if (issuePathParts.length === 0) return 'the top level';
  return issuePathParts
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

import { constants } from 'node:fs';
import { access, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { normalize } from '#core/normalize/index.ts';
import { type Command, type CommandIo, InputError, write } from '../command.ts';
import { isEventsFile, splitEvents } from '../local/events-input.ts';

const HELP = `Usage: riposte normalize [<file|dir>...]

Normalizes AWS security events (EventBridge JSON) to OCSF 1.6.0 alerts and prints one JSON
line per output, in input order. A file holds one event, a JSON array of events, or one event
per line (NDJSON / JSON Lines); its events are named file[i] or file:line in "input":

  {"input": "<path>", "alert": {"id", "source", "sample", "ocsf"}}
  {"input": "<path>", "rejected": {"reason": "<code>", "message": "<text>"}}

A directory is read recursively (its .json, .ndjson and .jsonl files, sorted by code point). With no path, one
event is read from standard input (input "-"). A Security Hub event yields one line per finding.

Exit status: 0 when every input was handled (rejections included), 2 for a usage error or
an unreadable path (every path is checked before anything is printed), 1 if the tool itself
fails.

Options:
  -h, --help   show this help`;

export const normalizeCommand: Command = {
  name: 'normalize',
  summary: 'turn AWS security events into OCSF alerts (one JSON line per output)',
  help: HELP,
  async run(args, io) {
    const { positionals } = parseArgs({ args: [...args], allowPositionals: true, options: {} });
    const inputs = positionals.length === 0 ? ['-'] : positionals;
    // Every path is expanded and checked before the first line is printed, so a bad path exits 2
    // without leaving partial output behind.
    const files: string[] = [];
    for (const input of inputs) files.push(...(await expand(input, io)));
    for (const file of files) await checkReadable(file, io);
    for (const file of files) {
      const bytes = file === '-' ? await readStdin(io) : await readEvent(file, io);
      for (const event of splitEvents(file, bytes).events) {
        for (const output of normalize(event.body)) {
          write(io.stdout, JSON.stringify({ input: event.input, ...output }));
        }
      }
    }
    return 0;
  },
};

/** A path as the list of event files it names: itself, or a directory's .json files, recursively. */
export async function expand(input: string, io: Pick<CommandIo, 'cwd'>): Promise<string[]> {
  if (input === '-') return ['-'];
  const full = path.resolve(io.cwd, input);
  const info = await stat(full).catch((error: unknown) => {
    throw unreadable(input, error);
  });
  if (!info.isDirectory()) return [input];
  const entries = await readdir(full, { withFileTypes: true }).catch((error: unknown) => {
    throw unreadable(input, error);
  });
  entries.sort((a, b) => byCodePoint(a.name, b.name));
  const files: string[] = [];
  for (const entry of entries) {
    const child = path.join(input, entry.name);
    if (entry.isDirectory()) files.push(...(await expand(child, io)));
    else if (isEventsFile(entry.name)) files.push(child);
  }
  return files;
}

/**
 * Orders names by Unicode code point, the same on every machine (`localeCompare` depends on the
 * locale, and `<` on strings compares UTF-16 units, which misorders characters past U+FFFF).
 * UTF-8 byte order is code point order.
 */
export function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Fails with a usage error unless `file` is a regular file this process may read. */
async function checkReadable(file: string, io: Pick<CommandIo, 'cwd'>): Promise<void> {
  if (file === '-') return;
  const full = path.resolve(io.cwd, file);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(full)).isDirectory();
    await access(full, constants.R_OK);
  } catch (error) {
    throw unreadable(file, error);
  }
  // A symbolic link named *.json in a directory can point to a directory.
  if (isDirectory) throw new InputError(`cannot read "${file}": is a directory`);
}

async function readEvent(file: string, io: Pick<CommandIo, 'cwd'>): Promise<Buffer> {
  try {
    return await readFile(path.resolve(io.cwd, file));
  } catch (error) {
    // Checked before any output, but the file can still vanish or change in between.
    throw unreadable(file, error);
  }
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
};

/** A one-line usage error for a path that cannot be read, from the file system error's code. */
function unreadable(file: string, error: unknown): InputError {
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : '';
  const reason = Object.hasOwn(REASONS, code)
    ? REASONS[code]
    : error instanceof Error
      ? error.message
      : String(error);
  return new InputError(`cannot read "${file}": ${reason}`);
}

async function readStdin(io: CommandIo): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

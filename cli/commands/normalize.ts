import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { normalize } from '#core/normalize/index.ts';
import { type Command, type CommandIo, UsageError, write } from '../command.ts';

const HELP = `Usage: riposte normalize [<file|dir>...]

Normalizes AWS security events (EventBridge JSON) to OCSF 1.6.0 alerts and prints one JSON
line per output, in input order:

  {"input": "<path>", "alert": {"id", "source", "sample", "ocsf"}}
  {"input": "<path>", "rejected": {"reason": "<code>", "message": "<text>"}}

A directory is read recursively (its .json files, sorted). With no path, one event is read
from standard input (input "-"). A Security Hub event yields one line per finding.

Exit status: 0 when every input was handled (rejections included), 2 for a usage error or
an unreadable path, 1 if the tool itself fails.

Options:
  -h, --help   show this help`;

export const normalizeCommand: Command = {
  name: 'normalize',
  summary: 'turn AWS security events into OCSF alerts (one JSON line per output)',
  help: HELP,
  async run(args, io) {
    const { positionals } = parseArgs({ args: [...args], allowPositionals: true, options: {} });
    const inputs = positionals.length === 0 ? ['-'] : positionals;
    for (const input of inputs) {
      for (const file of await expand(input, io)) {
        const bytes = file === '-' ? await readStdin(io) : await readFile(path.resolve(io.cwd, file));
        for (const output of normalize(bytes)) {
          write(io.stdout, JSON.stringify({ input: file, ...output }));
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
  const info = await stat(full).catch(() => undefined);
  if (info === undefined) throw new UsageError(`cannot read "${input}": no such file or directory`);
  if (!info.isDirectory()) return [input];
  const entries = (await readdir(full, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const files: string[] = [];
  for (const entry of entries) {
    const child = path.join(input, entry.name);
    if (entry.isDirectory()) files.push(...(await expand(child, io)));
    else if (entry.name.endsWith('.json')) files.push(child);
  }
  return files;
}

async function readStdin(io: CommandIo): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

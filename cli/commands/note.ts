import { parseArgs } from 'node:util';
import { addNote } from '#core/cases/index.ts';
import { withCaseSession } from '../case-store.ts';
import { type Command, UsageError, write } from '../command.ts';
import { STORE_HELP, STORE_OPTIONS, storeSelection } from '../local/runtime.ts';

const HELP = `Usage: riposte note <incident> <text...> [--json] [store options]
       riposte note <incident> -            read the note from stdin

Adds a note to an incident. Notes are append-only: kept with their author (the OS user locally,
your AWS caller ARN against a deployment) and time, never edited or deleted. At most 10,000
characters.

Options:
  --json           print the note: {"incidentId","id","at","kind","actor","text","data"}
${STORE_HELP}

Exit status: 0, 1 when there is no such incident, 2 for a usage mistake.`;

async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

export const noteCommand: Command = {
  name: 'note',
  summary: 'add a note to an incident (append-only, with author and time)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, ...STORE_OPTIONS },
    });
    const [id, ...words] = positionals;
    if (id === undefined || words.length === 0) throw new UsageError('expected an incident id and the note');
    const text = words.length === 1 && words[0] === '-' ? await readStdin(io.stdin) : words.join(' ');
    return withCaseSession('note', storeSelection(io.cwd, values), io, async (session) => {
      const incident = await session.incident(id);
      const note = await addNote(session.store, { incidentId: incident.id, text, author: session.actor });
      write(io.stdout, values.json ? JSON.stringify(note) : `${incident.id}: note added by ${note.actor}`);
      return 0;
    });
  },
};

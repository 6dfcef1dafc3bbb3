import { parseArgs } from 'node:util';
import { setTags } from '#core/cases/index.ts';
import { withCaseSession } from '../case-store.ts';
import { type Command, UsageError, write } from '../command.ts';
import { STORE_HELP, STORE_OPTIONS, storeSelection } from '../local/runtime.ts';

const HELP = `Usage: riposte tag <incident> <tag...> [--remove <tag>]... [--json] [store options]

Adds tags to an incident, and removes those given with --remove. Tags are trimmed and
lower-cased (letters, digits, spaces and _ . : / = + @ -, at most 64 characters).

Options:
  --remove TAG     remove TAG (repeatable)
  --json           print {"incident","tags"}
${STORE_HELP}`;

export const tagCommand: Command = {
  name: 'tag',
  summary: 'add or remove tags on an incident',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        remove: { type: 'string', multiple: true, default: [] },
        json: { type: 'boolean', default: false },
        ...STORE_OPTIONS,
      },
    });
    const [id, ...add] = positionals;
    if (id === undefined) throw new UsageError('expected an incident id');
    return withCaseSession('tag', storeSelection(io.cwd, values), io, async (session) => {
      const incident = await session.incident(id);
      const after = await setTags(session.store, {
        incidentId: incident.id,
        add,
        remove: values.remove,
        actor: session.actor,
      });
      const tags = after.tags ?? [];
      write(
        io.stdout,
        values.json
          ? JSON.stringify({ incident: incident.id, tags })
          : `${incident.id}: ${tags.length === 0 ? 'no tags' : tags.join(', ')}`,
      );
      return 0;
    });
  },
};

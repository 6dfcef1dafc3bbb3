import { parseArgs } from 'node:util';
import { listSuppressions, removeSuppression } from '#core/cases/index.ts';
import { withCaseSession } from '../case-store.ts';
import { type Command, UsageError, write } from '../command.ts';
import { STORE_HELP, STORE_OPTIONS, storeSelection } from '../local/runtime.ts';
import { isoTime, table } from '../output.ts';

const HELP = `Usage: riposte suppressions [list] [--all] [--json] [store options]
       riposte suppressions remove <id> [--json] [store options]

Suppressions keep a resource's finding type from opening incidents: \`riposte close
--resolution false_positive --suppress\` creates them. A suppressed alert is still stored and
counted (\`riposte alerts show <id>\` names the suppression). They expire (default 30 days);
\`remove\` ends one at once. Every create and remove is audited with who did it.

Options:
  --all            list expired suppressions too (until DynamoDB's TTL deletes them)
  --json           print a JSON array (list) or the removed suppression (remove)
${STORE_HELP}

Exit status: 0, 1 when no suppression has the id, 2 for a usage mistake.`;

export const suppressionsCommand: Command = {
  name: 'suppressions',
  summary: 'list or remove suppressions (false positives kept from opening incidents)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        all: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        ...STORE_OPTIONS,
      },
    });
    const [verb = 'list', id, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (verb === 'list') {
      if (id !== undefined) throw new UsageError('list takes no argument');
      return withCaseSession('suppressions', storeSelection(io.cwd, values), io, async (session) => {
        const list = await listSuppressions(session.store, { includeExpired: values.all });
        if (values.json) write(io.stdout, JSON.stringify(list));
        else if (list.length === 0) write(io.stdout, 'no suppressions');
        else
          write(
            io.stdout,
            table(
              ['ID', 'FINDING TYPE', 'RESOURCE', 'UNTIL', 'BY', 'INCIDENT'],
              list.map((s) => [
                s.id,
                s.findingType,
                s.resourceKey,
                `${isoTime(s.expiresAtMs)}${s.active ? '' : ' (expired)'}`,
                s.createdBy,
                s.incidentId ?? '',
              ]),
            ),
          );
        return 0;
      });
    }
    if (verb === 'remove') {
      if (id === undefined) throw new UsageError('expected the id of the suppression to remove');
      return withCaseSession('suppressions', storeSelection(io.cwd, values), io, async (session) => {
        const removed = await removeSuppression(session.store, { id, actor: session.actor });
        write(
          io.stdout,
          values.json
            ? JSON.stringify(removed)
            : `removed suppression ${removed.id}: ${removed.findingType} on ${removed.resourceKey}`,
        );
        return 0;
      });
    }
    throw new UsageError(`unknown subcommand "${verb}": use list or remove`);
  },
};

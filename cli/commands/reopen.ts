import { parseArgs } from 'node:util';
import { reopenIncident } from '#core/cases/index.ts';
import { statusLabel } from '#core/lifecycle/status.ts';
import { withCaseSession } from '../case-store.ts';
import { type Command, UsageError, write } from '../command.ts';
import { STORE_HELP, STORE_OPTIONS, storeSelection } from '../local/runtime.ts';

const HELP = `Usage: riposte reopen <incident> [--reason TEXT] [--json] [store options]

Reopens a closed incident: its resolution is cleared (the case log keeps it) and its status
returns to what the response came to (contained, not contained...). Closing it again records a
new time to close. Suppressions its close created stay until \`riposte suppressions remove\`.

Options:
  --reason TEXT    why, on the case log
  --json           print {"incident","status","actor"}
${STORE_HELP}

Exit status: 0, 1 when there is no such incident or it is not closed, 2 for a usage mistake.`;

export const reopenCommand: Command = {
  name: 'reopen',
  summary: 'reopen a closed incident',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { reason: { type: 'string' }, json: { type: 'boolean', default: false }, ...STORE_OPTIONS },
    });
    const [id, ...extra] = positionals;
    if (id === undefined || extra.length > 0) throw new UsageError('expected exactly one incident id');
    return withCaseSession('reopen', storeSelection(io.cwd, values), io, async (session) => {
      const incident = await session.incident(id);
      const after = await reopenIncident(session.store, {
        incidentId: incident.id,
        actor: session.actor,
        ...(values.reason === undefined ? {} : { reason: values.reason }),
      });
      write(
        io.stdout,
        values.json
          ? JSON.stringify({ incident: incident.id, status: after.status, actor: session.actor })
          : `${incident.id}: reopened, now ${statusLabel({ status: after.status, dryRun: after.statusDryRun, reason: after.statusReason })}`,
      );
      return 0;
    });
  },
};

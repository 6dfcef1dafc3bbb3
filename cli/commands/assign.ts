import { parseArgs } from 'node:util';
import { assign } from '#core/cases/index.ts';
import { withCaseSession } from '../case-store.ts';
import { type Command, UsageError, write } from '../command.ts';
import { STORE_HELP, STORE_OPTIONS, storeSelection } from '../local/runtime.ts';

const HELP = `Usage: riposte assign <incident> <owner> [--json] [store options]
       riposte assign <incident> --unassign

Sets who works an incident (a user name, an e-mail address, an ARN), or clears it. The change is
on the incident's case log with who made it: the OS user locally, your AWS caller ARN against a
deployment. <incident> is an incident id or a unique prefix of one.

Options:
  --unassign       clear the owner
  --json           print {"incident","owner","actor"}
${STORE_HELP}

Exit status: 0, 1 when there is no such incident, 2 for a usage mistake.`;

export const assignCommand: Command = {
  name: 'assign',
  summary: 'set or clear who works an incident',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        unassign: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        ...STORE_OPTIONS,
      },
    });
    const [id, owner, ...extra] = positionals;
    if (id === undefined) throw new UsageError('expected an incident id');
    if (extra.length > 0)
      throw new UsageError(`unexpected argument "${extra[0]}" (quote an owner with spaces)`);
    if (values.unassign === (owner !== undefined)) {
      throw new UsageError('give an owner, or --unassign (not both)');
    }
    return withCaseSession('assign', storeSelection(io.cwd, values), io, async (session) => {
      const incident = await session.incident(id);
      await assign(session.store, { incidentId: incident.id, owner: owner ?? null, actor: session.actor });
      write(
        io.stdout,
        values.json
          ? JSON.stringify({ incident: incident.id, owner: owner ?? null, actor: session.actor })
          : owner === undefined
            ? `${incident.id}: unassigned`
            : `${incident.id}: assigned to ${owner}`,
      );
      return 0;
    });
  },
};

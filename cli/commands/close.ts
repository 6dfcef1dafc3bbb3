import { parseArgs } from 'node:util';
import { closeIncident, parseDuration } from '#core/cases/index.ts';
import { duration } from '#core/lifecycle/outcome.ts';
import { parseResolution, RESOLUTIONS } from '#core/lifecycle/status.ts';
import { withCaseSession } from '../case-store.ts';
import { type Command, UsageError, write } from '../command.ts';
import { STORE_HELP, STORE_OPTIONS, storeSelection } from '../local/runtime.ts';
import { isoTime } from '../output.ts';

const HELP = `Usage: riposte close <incident> --resolution R [--note TEXT] [--suppress [--for 30d]]
                     [--json] [store options]

Closes an incident with what you found: ${RESOLUTIONS.join(', ')} (also tp, fp).
A true positive becomes "resolved", the others "closed". The time to close (received by
Riposte → closed) is recorded: \`riposte stats\` reports it. A later alert on the same resource
opens a new incident.

With --suppress (false positives only), the incident's resource and finding types are
suppressed for --for (default 30d; m, h, d, w): a matching alert is still stored and counted,
but opens no incident and starts no playbook. \`riposte suppressions\` lists and removes them.

Options:
  --resolution R   ${RESOLUTIONS.join(' | ')}
  --note TEXT      a closing note, on the case log
  --suppress       suppress the resource and finding types (false_positive only)
  --for DURATION   how long the suppression lasts (default 30d, at most 366d)
  --json           print {"incident","status","resolution","timeToCloseMs","actor","suppressions":[...]}
${STORE_HELP}

Exit status: 0, 1 when there is no such incident or it is already closed, 2 for a usage mistake.`;

export const closeCommand: Command = {
  name: 'close',
  summary: 'close an incident with a resolution (optionally suppressing a false positive)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        resolution: { type: 'string' },
        note: { type: 'string' },
        suppress: { type: 'boolean', default: false },
        for: { type: 'string' },
        json: { type: 'boolean', default: false },
        ...STORE_OPTIONS,
      },
    });
    const [id, ...extra] = positionals;
    if (id === undefined || extra.length > 0) throw new UsageError('expected exactly one incident id');
    if (values.resolution === undefined) {
      throw new UsageError(`--resolution is required: ${RESOLUTIONS.join(', ')}`);
    }
    const resolution = parseResolution(values.resolution);
    if (resolution === undefined) {
      throw new UsageError(`unknown resolution "${values.resolution}": use ${RESOLUTIONS.join(', ')}`);
    }
    if (values.for !== undefined && !values.suppress) throw new UsageError('--for goes with --suppress');
    const durationMs = parseDuration(values.for ?? '30d');
    if (durationMs === undefined) {
      throw new UsageError(`--for "${values.for}" is not a duration such as 90m, 12h, 30d or 2w`);
    }
    return withCaseSession('close', storeSelection(io.cwd, values), io, async (session) => {
      const incident = await session.incident(id);
      const result = await closeIncident(session.store, {
        incidentId: incident.id,
        resolution,
        actor: session.actor,
        ...(values.note === undefined ? {} : { note: values.note }),
        ...(values.suppress ? { suppress: { durationMs } } : {}),
      });
      if (values.json) {
        write(
          io.stdout,
          JSON.stringify({
            incident: incident.id,
            status: result.incident.status,
            resolution,
            timeToCloseMs: result.timeToCloseMs,
            actor: session.actor,
            suppressions: result.suppressions,
          }),
        );
        return 0;
      }
      write(
        io.stdout,
        `${incident.id}: ${result.incident.status} as ${resolution.replace('_', ' ')} after ${duration(result.timeToCloseMs)}`,
      );
      for (const s of result.suppressions) {
        write(
          io.stdout,
          `  suppressed ${s.findingType} on ${s.resourceKey} until ${isoTime(s.expiresAtMs)} (${s.id})`,
        );
      }
      if (values.suppress && result.suppressions.length === 0) {
        write(io.stdout, '  nothing to suppress: the alerts name no finding type');
      }
      return 0;
    });
  },
};

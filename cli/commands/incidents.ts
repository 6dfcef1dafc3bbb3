import { parseArgs } from 'node:util';
import { type IncidentFilter, matchesFilter } from '#core/cases/filter.ts';
import { parseDuration } from '#core/cases/schemas.ts';
import { describeOutcome } from '#core/lifecycle/outcome.ts';
import { INCIDENT_STATUSES, parseStatus, statusLabel } from '#core/lifecycle/status.ts';
import { listIncidents } from '#core/store/queries.ts';
import type { IncidentItem } from '#core/store/table.ts';
import { type Command, UsageError, write } from '../command.ts';
import { runningServer } from '../local/owner.ts';
import { localDataDir, openStoreFor, STORE_HELP, STORE_OPTIONS, storeSelection } from '../local/runtime.ts';
import { isoTime, SEVERITY_NAMES, table } from '../output.ts';

const HELP = `Usage: riposte incidents [filters] [--limit N] [--json] [store options]

Lists incidents, newest first, with their status, owner, outcome and playbook, from the local
store (.riposte/db) or a deployment's table (--stack NAME or --table NAME).

Statuses: ${INCIDENT_STATUSES.map((s) => s.replaceAll('_', '-')).join(', ')}.

Filters (combined with AND; a list with commas means any of them):
  --status LIST      e.g. contained,not-contained
  --severity LIST    names or ids, e.g. high,critical; "high+" means High or above
  --source LIST      e.g. aws.guardduty or guardduty
  --resource TEXT    part of the resource's type, id or name
  --owner NAME       the owner; "none" for unassigned incidents
  --since WHEN       opened after: a duration back (24h, 7d) or an ISO date
  --limit N          at most N incidents (default 100)

Options:
  --json             print a JSON array of incidents (store attributes plus "outcome")
${STORE_HELP}`;

const SEVERITY_IDS = new Map(
  Object.entries(SEVERITY_NAMES).flatMap(([id, name]) => [
    [name.toLowerCase(), Number(id)] as const,
    [id, Number(id)] as const,
  ]),
).set('informational', 1);

/** The incidents of a running `riposte serve` that holds the store, through its GET /incidents. */
async function readThroughServer(url: string): Promise<IncidentItem[]> {
  const response = await fetch(`${url}/incidents`);
  if (!response.ok) throw new Error(`riposte serve at ${url} answered ${response.status} to GET /incidents`);
  const body: unknown = await response.json();
  if (!Array.isArray(body)) throw new Error(`riposte serve at ${url} answered GET /incidents with no list`);
  return body as IncidentItem[];
}

function list(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  return items.length === 0 ? undefined : items;
}

/** The filter the command-line options describe; a usage error names a bad value. */
export function parseFilter(
  values: {
    readonly status?: string | undefined;
    readonly severity?: string | undefined;
    readonly source?: string | undefined;
    readonly resource?: string | undefined;
    readonly owner?: string | undefined;
    readonly since?: string | undefined;
  },
  now: number,
): IncidentFilter {
  const statuses = list(values.status)?.map((s) => {
    const status = parseStatus(s);
    if (status === undefined) {
      throw new UsageError(
        `unknown status "${s}": use ${INCIDENT_STATUSES.map((x) => x.replaceAll('_', '-')).join(', ')}`,
      );
    }
    return status;
  });
  let minSeverity: number | undefined;
  const severities = list(values.severity)?.flatMap((s) => {
    const atLeast = s.endsWith('+');
    const id = SEVERITY_IDS.get(atLeast ? s.slice(0, -1) : s);
    if (id === undefined)
      throw new UsageError(`unknown severity "${s}": use low, medium, high, critical (or high+)`);
    if (atLeast) {
      minSeverity = Math.min(minSeverity ?? id, id);
      return [];
    }
    return [id];
  });
  let since: number | undefined;
  if (values.since !== undefined) {
    const back = parseDuration(values.since);
    const date = Date.parse(values.since);
    since = back !== undefined ? now - back : Number.isNaN(date) ? undefined : date;
    if (since === undefined)
      throw new UsageError(`--since "${values.since}" is neither a duration (24h, 7d) nor a date`);
  }
  return {
    ...(statuses === undefined ? {} : { statuses }),
    ...(severities === undefined || severities.length === 0 ? {} : { severities }),
    ...(minSeverity === undefined ? {} : { minSeverity }),
    ...(list(values.source) === undefined ? {} : { sources: list(values.source) }),
    ...(values.resource === undefined || values.resource.trim() === ''
      ? {}
      : { resource: values.resource.trim() }),
    ...(values.owner === undefined ? {} : { owner: values.owner === 'none' ? null : values.owner }),
    ...(since === undefined ? {} : { since }),
  };
}

export const incidentsCommand: Command = {
  name: 'incidents',
  summary: 'list incidents: status, owner, outcome, playbook (with filters)',
  help: HELP,
  async run(args, io) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        status: { type: 'string' },
        severity: { type: 'string' },
        source: { type: 'string' },
        resource: { type: 'string' },
        owner: { type: 'string' },
        since: { type: 'string' },
        limit: { type: 'string', default: '100' },
        json: { type: 'boolean', default: false },
        ...STORE_OPTIONS,
      },
    });
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1)
      throw new UsageError(`--limit "${values.limit}" is not a positive integer`);
    const filter = parseFilter(values, Date.now());
    const selection = storeSelection(io.cwd, values);
    const server =
      selection.stack === undefined && selection.table === undefined
        ? runningServer(localDataDir(selection))
        : undefined;
    let all: IncidentItem[];
    if (server !== undefined) {
      // `riposte serve` holds the local store: read through its API, as `riposte incidents` always did.
      all = await readThroughServer(server.url);
    } else {
      const store = await openStoreFor(selection);
      try {
        all = await listIncidents(store.db, store.tableName, 100_000);
      } finally {
        await store.close();
      }
    }
    const rows = all.filter((i) => matchesFilter(i, filter)).slice(0, limit);
    if (values.json) {
      write(
        io.stdout,
        JSON.stringify(
          rows.map(({ pk, sk, ...rest }) => ({ ...rest, outcome: describeOutcome(rest as IncidentItem) })),
        ),
      );
      return 0;
    }
    if (rows.length === 0) {
      write(io.stdout, 'no incidents');
      return 0;
    }
    write(
      io.stdout,
      table(
        ['ID', 'STATUS', 'SEVERITY', 'OWNER', 'OUTCOME', 'PLAYBOOK', 'RESOURCE', 'OPENED', 'TITLE'],
        rows.map((i) => [
          i.id,
          `${statusLabel({ status: i.status, dryRun: i.statusDryRun, reason: i.statusReason })}${i.sample ? ', sample' : ''}`,
          SEVERITY_NAMES[i.severityId] ?? String(i.severityId),
          i.owner ?? '-',
          describeOutcome(i),
          i.playbookId === undefined ? '-' : `${i.playbookId} ${i.playbookVersion ?? ''}`.trim(),
          `${i.resourceType} ${i.resourceName ?? i.resourceUid}`.slice(0, 60),
          isoTime(i.openedAt),
          i.title.slice(0, 60),
        ]),
      ),
    );
    return 0;
  },
};

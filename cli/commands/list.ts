import { parseArgs } from 'node:util';
import { listAlerts, listIncidents, listRejected } from '#core/store/queries.ts';
import { type Command, type CommandIo, write } from '../command.ts';
import { type LocalRuntime, withLocalRuntime } from '../local/runtime.ts';
import { isoTime, SEVERITY_NAMES, table } from '../output.ts';

interface ListSpec {
  readonly name: string;
  readonly summary: string;
  readonly what: string;
  readonly fetch: (rt: LocalRuntime) => Promise<Record<string, unknown>[]>;
  readonly render: (rows: Record<string, unknown>[]) => string;
}

function listCommand(spec: ListSpec): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    help: `Usage: riposte ${spec.name} [--json] [--data-dir DIR]

Lists ${spec.what} in the local store (.riposte/db), newest first.

Options:
  --json           print a JSON array
  --data-dir DIR   local store folder (default .riposte/db)
  -h, --help       show this help`,
    async run(args: readonly string[], io: CommandIo) {
      const { values } = parseArgs({
        args: [...args],
        options: { json: { type: 'boolean', default: false }, 'data-dir': { type: 'string' } },
      });
      const dataDir = values['data-dir'];
      const rows = await withLocalRuntime(
        { cwd: io.cwd, ...(dataDir === undefined ? {} : { dataDir }) },
        spec.fetch,
      );
      write(
        io.stdout,
        values.json ? JSON.stringify(rows) : rows.length === 0 ? `no ${spec.what}` : spec.render(rows),
      );
      return 0;
    },
  };
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

export const alertsCommand = listCommand({
  name: 'alerts',
  summary: 'list stored alerts',
  what: 'alerts',
  fetch: async (rt) =>
    (await listAlerts(rt.store.db, rt.store.tableName)).map(({ pk, sk, ocsfJson, ocsfGz, ...rest }) => rest),
  render: (rows) =>
    table(
      ['ID', 'SOURCE', 'SEVERITY', 'COUNT', 'STATUS', 'SAMPLE', 'LAST SEEN', 'INCIDENT', 'TITLE'],
      rows.map((r) => [
        str(r.id),
        str(r.source),
        SEVERITY_NAMES[Number(r.severityId)] ?? str(r.severityId),
        str(r.occurrences),
        str(r.status),
        r.sample === true ? 'yes' : '',
        isoTime(r.lastSeen),
        str(r.incidentId),
        str(r.title).slice(0, 70),
      ]),
    ),
});

export const incidentsCommand = listCommand({
  name: 'incidents',
  summary: 'list incidents',
  what: 'incidents',
  fetch: async (rt) =>
    (await listIncidents(rt.store.db, rt.store.tableName)).map(({ pk, sk, ...rest }) => rest),
  render: (rows) =>
    table(
      ['ID', 'STATUS', 'SEVERITY', 'ALERTS', 'RESOURCE', 'OPENED', 'TITLE'],
      rows.map((r) => [
        str(r.id),
        `${str(r.status)}${r.sample === true ? ' (sample)' : ''}`,
        SEVERITY_NAMES[Number(r.severityId)] ?? str(r.severityId),
        String(Array.isArray(r.alertIds) ? r.alertIds.length : 0),
        `${str(r.resourceType)} ${str(r.resourceUid)}`.slice(0, 60),
        isoTime(r.openedAt),
        str(r.title).slice(0, 60),
      ]),
    ),
});

export const rejectedCommand = listCommand({
  name: 'rejected',
  summary: 'list events Riposte refused, with the reason',
  what: 'rejected events',
  fetch: async (rt) =>
    (await listRejected(rt.store.db, rt.store.tableName)).map(({ pk, sk, raw, ...rest }) => ({
      ...rest,
      raw: raw.length > 2000 ? `${raw.slice(0, 2000)}…` : raw,
    })),
  render: (rows) =>
    table(
      ['REASON', 'DELIVERIES', 'LAST SEEN', 'MESSAGE'],
      rows.map((r) => [str(r.reason), str(r.deliveries), isoTime(r.lastSeen), str(r.message).slice(0, 100)]),
    ),
});

import { parseArgs } from 'node:util';
import { listAlerts, listIncidents, listRejected } from '#core/store/queries.ts';
import { type Command, type CommandIo, write } from '../command.ts';
import {
  openStoreFor,
  STORE_HELP,
  STORE_OPTIONS,
  type StoreHandle,
  storeSelection,
} from '../local/runtime.ts';
import { isoTime, SEVERITY_NAMES, table } from '../output.ts';

interface ListSpec {
  readonly name: string;
  readonly summary: string;
  readonly what: string;
  readonly fetch: (store: StoreHandle) => Promise<Record<string, unknown>[]>;
  readonly render: (rows: Record<string, unknown>[]) => string;
}

function listCommand(spec: ListSpec): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    help: `Usage: riposte ${spec.name} [--json] [--data-dir DIR | --stack NAME | --table NAME] [--region REGION]

Lists ${spec.what} in the local store (.riposte/db), or in a deployment's table (the table of
the Riposte stack --stack names, or the table --table names), newest first.

Options:
  --json           print a JSON array
${STORE_HELP}
  -h, --help       show this help`,
    async run(args: readonly string[], io: CommandIo) {
      const { values } = parseArgs({
        args: [...args],
        options: { json: { type: 'boolean', default: false }, ...STORE_OPTIONS },
      });
      const store = await openStoreFor(storeSelection(io.cwd, values));
      let rows: Record<string, unknown>[];
      try {
        rows = await spec.fetch(store);
      } finally {
        await store.close();
      }
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
  fetch: async (store) =>
    (await listAlerts(store.db, store.tableName)).map(({ pk, sk, ocsfJson, ocsfGz, ...rest }) => rest),
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
  fetch: async (store) => (await listIncidents(store.db, store.tableName)).map(({ pk, sk, ...rest }) => rest),
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
  fetch: async (store) =>
    (await listRejected(store.db, store.tableName)).map(({ pk, sk, raw, ...rest }) => ({
      ...rest,
      raw: raw.length > 2000 ? `${raw.slice(0, 2000)}…` : raw,
    })),
  render: (rows) =>
    table(
      ['REASON', 'DELIVERIES', 'LAST SEEN', 'MESSAGE'],
      rows.map((r) => [str(r.reason), str(r.deliveries), isoTime(r.lastSeen), str(r.message).slice(0, 100)]),
    ),
});

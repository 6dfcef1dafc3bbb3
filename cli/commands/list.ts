import { parseArgs } from 'node:util';
import { listAlerts, listIncidents, listRejected } from '#core/store/queries.ts';
import { type Command, type CommandIo, write } from '../command.ts';
import { runningServer, StoreInUseError } from '../local/owner.ts';
import {
  localDataDir,
  openStoreFor,
  STORE_HELP,
  STORE_OPTIONS,
  type StoreHandle,
  storeSelection,
} from '../local/runtime.ts';
import {
  type Colors,
  colorsFor,
  type Fit,
  isoTime,
  layoutFor,
  SEVERITY_NAMES,
  severityStyle,
  statusStyle,
  table,
} from '../output.ts';

interface ListSpec {
  readonly name: string;
  readonly summary: string;
  readonly what: string;
  readonly fetch: (store: StoreHandle) => Promise<Record<string, unknown>[]>;
  /** The running `riposte serve`'s GET endpoint with the same rows, when it has one. */
  readonly api?: string;
  readonly headers: readonly string[];
  readonly fit: readonly Fit[];
  readonly cells: (row: Record<string, unknown>) => string[];
  readonly style?: (c: Colors) => readonly (((text: string) => string) | undefined)[];
}

/** Reads the rows from a running `riposte serve` that holds the store, through its API. */
async function readThroughServer(url: string, api: string): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${url}${api}`);
  if (!response.ok) throw new Error(`riposte serve at ${url} answered ${response.status} to GET ${api}`);
  const body: unknown = await response.json();
  if (!Array.isArray(body)) throw new Error(`riposte serve at ${url} answered GET ${api} with no list`);
  return body as Record<string, unknown>[];
}

function listCommand(spec: ListSpec): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    help: `Usage: riposte ${spec.name} [--json] [--data-dir DIR | --stack NAME | --table NAME] [--region REGION]

Lists ${spec.what} in the local store (.riposte/db), or in a deployment's table (the table of
the Riposte stack --stack names, or the table --table names), newest first.${
      spec.api === undefined
        ? ''
        : `
While riposte serve holds the local store, the list is read through its API (GET ${spec.api}).`
    }

Options:
  --json           print a JSON array
${STORE_HELP}
  -h, --help       show this help`,
    async run(args: readonly string[], io: CommandIo) {
      const { values } = parseArgs({
        args: [...args],
        options: { json: { type: 'boolean', default: false }, ...STORE_OPTIONS },
      });
      const selection = storeSelection(io.cwd, values);
      const server =
        selection.stack === undefined && selection.table === undefined
          ? runningServer(localDataDir(selection))
          : undefined;
      let rows: Record<string, unknown>[];
      if (server !== undefined) {
        if (spec.api === undefined) throw new StoreInUseError(server);
        rows = await readThroughServer(server.url, spec.api);
      } else {
        const store = await openStoreFor(selection);
        try {
          rows = await spec.fetch(store);
        } finally {
          await store.close();
        }
      }
      if (values.json) {
        write(io.stdout, JSON.stringify(rows));
        return 0;
      }
      if (rows.length === 0) {
        write(io.stdout, `no ${spec.what}`);
        return 0;
      }
      const c = colorsFor(io);
      const layout = layoutFor(io, {
        fit: spec.fit,
        ...(spec.style === undefined ? {} : { style: spec.style(c) }),
      });
      write(io.stdout, table(spec.headers, rows.map(spec.cells), layout));
      return 0;
    },
  };
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const severity = (r: Record<string, unknown>): string =>
  SEVERITY_NAMES[Number(r.severityId)] ?? str(r.severityId);

export const alertsCommand = listCommand({
  name: 'alerts',
  summary: 'list stored alerts',
  what: 'alerts',
  fetch: async (store) =>
    (await listAlerts(store.db, store.tableName)).map(({ pk, sk, ocsfJson, ocsfGz, ...rest }) => rest),
  headers: ['ID', 'SOURCE', 'SEVERITY', 'COUNT', 'STATUS', 'SAMPLE', 'LAST SEEN', 'INCIDENT', 'TITLE'],
  fit: ['middle', 'keep', 'keep', 'keep', 'keep', 'keep', 'keep', 'middle', 'wrap'],
  cells: (r) => [
    str(r.id),
    str(r.source),
    severity(r),
    str(r.occurrences),
    str(r.status),
    r.sample === true ? 'yes' : '',
    isoTime(r.lastSeen),
    str(r.incidentId),
    str(r.title),
  ],
  style: (c) => [undefined, undefined, severityStyle(c), undefined, statusStyle(c), c.dim, c.dim],
});

export const incidentsCommand = listCommand({
  name: 'incidents',
  summary: 'list incidents',
  what: 'incidents',
  api: '/incidents',
  fetch: async (store) => (await listIncidents(store.db, store.tableName)).map(({ pk, sk, ...rest }) => rest),
  headers: ['ID', 'STATUS', 'SEVERITY', 'ALERTS', 'RESOURCE', 'OPENED', 'TITLE'],
  fit: ['keep', 'keep', 'keep', 'keep', 'middle', 'keep', 'wrap'],
  cells: (r) => [
    str(r.id),
    `${str(r.status)}${r.sample === true ? ' (sample)' : ''}`,
    severity(r),
    String(
      typeof r.alertCount === 'number' ? r.alertCount : Array.isArray(r.alertIds) ? r.alertIds.length : 0,
    ),
    `${str(r.resourceType)} ${str(r.resourceUid)}`.trim(),
    isoTime(r.openedAt),
    str(r.title),
  ],
  style: (c) => [undefined, statusStyle(c), severityStyle(c), undefined, undefined, c.dim],
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
  headers: ['REASON', 'DELIVERIES', 'LAST SEEN', 'MESSAGE'],
  fit: ['keep', 'keep', 'keep', 'wrap'],
  cells: (r) => [str(r.reason), str(r.deliveries), isoTime(r.lastSeen), str(r.message)],
  style: (c) => [c.red, undefined, c.dim],
});

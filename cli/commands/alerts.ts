import { parseArgs } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { alertOcsf, listAlerts } from '#core/store/queries.ts';
import { type AlertItem, AlertItemSchema, keys } from '#core/store/table.ts';
import { type Command, UsageError, write } from '../command.ts';
import { openStoreFor, STORE_HELP, STORE_OPTIONS, storeSelection } from '../local/runtime.ts';
import { isoTime, SEVERITY_NAMES } from '../output.ts';
import { alertsCommand as listAlertsCommand } from './list.ts';

const SHOW_HELP = `Usage: riposte alerts show <alert> [--json] [store options]

One alert: its source, severity, deliveries and times, the incident it joined or the
suppression that kept it from opening one, and its OCSF event in full. <alert> is an alert id
or a unique prefix of one (at least 6 characters).

Options:
  --json           print {"alert":{...},"ocsf":{...}}
${STORE_HELP}

Exit status: 0, 1 when there is no such alert, 2 for a usage mistake.`;

async function resolveAlert(
  db: Parameters<typeof listAlerts>[0],
  tableName: string,
  idOrPrefix: string,
): Promise<AlertItem | string> {
  const out = await db.send(
    new GetCommand({ TableName: tableName, Key: keys.alert(idOrPrefix), ConsistentRead: true }),
  );
  if (out.Item !== undefined) return AlertItemSchema.parse(out.Item);
  if (idOrPrefix.length < 6) return `no alert "${idOrPrefix}" (give at least 6 characters of an id)`;
  const matches = (await listAlerts(db, tableName, 100_000)).filter((a) => a.id.startsWith(idOrPrefix));
  if (matches.length > 1)
    throw new UsageError(`"${idOrPrefix}" matches ${matches.length} alerts: give more of the id`);
  return matches[0] ?? `no alert "${idOrPrefix}" (\`riposte alerts\` lists them)`;
}

const showAlert = async (args: readonly string[], io: Parameters<Command['run']>[1]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, ...STORE_OPTIONS },
  });
  if (positionals.length !== 1) throw new UsageError('expected exactly one alert id');
  const store = await openStoreFor(storeSelection(io.cwd, values), { throughServe: true });
  try {
    const found = await resolveAlert(store.db, store.tableName, positionals[0] ?? '');
    if (typeof found === 'string') {
      write(io.stderr, `riposte alerts show: ${found}`);
      return 1;
    }
    const { pk: _pk, sk: _sk, ocsfJson: _json, ocsfGz: _gz, ...alert } = found;
    const ocsf = alertOcsf(found);
    if (values.json) {
      write(io.stdout, JSON.stringify({ alert, ocsf }));
      return 0;
    }
    const lines = [
      `Alert ${alert.id}: ${alert.title}`,
      `  source      ${alert.source}${alert.sample ? ' (sample)' : ''}`,
      `  severity    ${SEVERITY_NAMES[alert.severityId] ?? alert.severityId}`,
      `  status      ${alert.status}`,
      `  resource    ${alert.resourceKey}`,
      `  seen        ${isoTime(alert.firstSeen)} → ${isoTime(alert.lastSeen)}, ${alert.occurrences} deliveries`,
      alert.incidentId !== undefined
        ? `  incident    ${alert.incidentId}`
        : alert.suppressedBy !== undefined
          ? `  suppressed  by ${alert.suppressedBy} since ${isoTime(alert.suppressedAt)}: no incident, no playbook`
          : '  incident    none',
      '',
      JSON.stringify(ocsf, null, 2),
    ];
    write(io.stdout, lines.join('\n'));
    return 0;
  } finally {
    await store.close();
  }
};

/** `riposte alerts` lists alerts; `riposte alerts show <id>` shows one. */
export const alertsCommand: Command = {
  name: 'alerts',
  summary: 'list stored alerts, or show one (alerts show <id>)',
  help: `${listAlertsCommand.help}\n\n${SHOW_HELP}`,
  run(args, io) {
    return args[0] === 'show' ? showAlert(args.slice(1), io) : listAlertsCommand.run(args, io);
  },
};

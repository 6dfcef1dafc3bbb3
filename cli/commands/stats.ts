import { parseArgs } from 'node:util';
import { computeKpis, type Distribution, type KpiGroup } from '#core/store/kpis.ts';
import { listIncidents } from '#core/store/queries.ts';
import { type Command, write } from '../command.ts';
import { openStoreFor, STORE_HELP, STORE_OPTIONS, storeSelection } from '../local/runtime.ts';
import { layoutFor, table } from '../output.ts';
import { duration } from '../words.ts';

const HELP = `Usage: riposte stats [--json] [--data-dir DIR | --stack NAME | --table NAME] [--region REGION]

The shared KPIs from the incidents in the store: time to detect (first observed by the
source → received by Riposte), time to contain (received → containment done), time to
release and time to close (received → closed with a resolution by \`riposte close\`), by source
and severity. Each incident is counted under one status: open (new, responding, awaiting
approval), contained, not contained, failed, released, closed (resolved or closed). Locally every run is a dry-run, so dry-run milestones are counted (and said so);
against a deployment (--stack or --table) only real containments and releases count.

Options:
  --json           one JSON object
${STORE_HELP}`;

const cell = (d: Distribution) =>
  d.count === 0 ? '-' : `${duration(d.medianMs)} (p90 ${duration(d.p90Ms)}, n=${d.count})`;

function rows(groups: readonly KpiGroup[]): string[][] {
  return groups.map((g) => [
    g.key,
    String(g.incidents),
    String(g.open),
    String(g.contained),
    String(g.notContained),
    String(g.failed),
    String(g.released),
    String(g.closed),
    cell(g.timeToDetect),
    cell(g.timeToContain),
    cell(g.timeToClose),
  ]);
}

export const statsCommand: Command = {
  name: 'stats',
  summary: 'time to detect and time to respond (MTTD, MTTR) from the stored incidents',
  help: HELP,
  async run(args, io) {
    const { values } = parseArgs({
      args: [...args],
      options: { json: { type: 'boolean', default: false }, ...STORE_OPTIONS },
    });
    const store = await openStoreFor(storeSelection(io.cwd, values), { throughServe: true });
    const incidents = await listIncidents(store.db, store.tableName, 100_000).finally(() => store.close());
    const kpis = computeKpis(incidents, { includeDryRun: !store.remote });
    if (values.json) {
      write(io.stdout, JSON.stringify(kpis));
      return 0;
    }
    const headers = [
      '',
      'INCIDENTS',
      'OPEN',
      'CONTAINED',
      'NOT CONTAINED',
      'FAILED',
      'RELEASED',
      'CLOSED',
      'TIME TO DETECT',
      'TIME TO CONTAIN',
      'TIME TO CLOSE',
    ];
    const layout = layoutFor(io, { fit: ['keep', 'keep', 'keep', 'keep', 'keep', 'wrap', 'wrap', 'wrap'] });
    write(io.stdout, `${table(headers, rows([kpis.total, ...kpis.bySource]), layout)}\n`);
    write(io.stdout, table(['SEVERITY', ...headers.slice(1)], rows(kpis.bySeverity), layout));
    if (kpis.includesDryRun)
      write(io.stdout, '\n(dry-run containments counted: local runs change nothing in AWS)');
    return 0;
  },
};

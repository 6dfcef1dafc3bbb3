import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RecordingDispatcher } from '#core/intake/dispatch.ts';
import { describeOutcome } from '#core/lifecycle/outcome.ts';
import { statusLabel } from '#core/lifecycle/status.ts';
import { routesFor } from '#core/playbooks/registry.ts';
import { listAlerts, listIncidents, listRejected } from '#core/store/queries.ts';
import { type Command, write } from '../command.ts';
import type { LocalEngineEvent, LocalExecutionResult } from '../local/engine.ts';
import { LocalPipeline } from '../local/pipeline.ts';
import { loadPlaybooksFor } from '../local/playbooks.ts';
import { approvalDecider, loadWorldFor, runDispatched, saveWorld } from '../local/response.ts';
import { LOCAL_DIR, loadProjectConfig } from '../local/runtime.ts';
import { DEFAULT_SCENARIO, SCENARIOS } from '../local/scenarios/index.ts';
import { openLocalStore, storeExists } from '../local/store.ts';
import { isoTime, layoutFor, progressBar, table } from '../output.ts';
import { EXAMPLE_WORLD } from './run.ts';

const HELP = `Usage: riposte demo [--scenario NAME] [--prompt] [--storm N] [--data-dir DIR] [--json]

Plays a simulated incident through the whole local runtime (what \`npm start\` runs): the
deployed rules, the ingest code on an embedded DynamoDB (.riposte/demo, reset at each run),
the compiled playbooks on the local state-machine engine, and the actions in dry-run against
examples/world.json. Nothing touches AWS.

Scenarios:
${Object.values(SCENARIOS)
  .map((s) => `  ${s.name.padEnd(11)}  ${s.summary}${s.name === DEFAULT_SCENARIO ? ' (default)' : ''}`)
  .join('\n')}

Options:
  --scenario NAME  the scenario to play (default ${DEFAULT_SCENARIO})
  --prompt         ask on the terminal for each approval (default: approve automatically)
  --storm N        duplicate deliveries in the compromise scenario's storm (default 500)
  --data-dir DIR   where the embedded store is kept (default .riposte/demo; emptied first)
  --json           print the summary as JSON`;

/** A directory the demo may empty: absent, empty, or an embedded store of an earlier run. */
function resettable(dataDir: string): boolean {
  if (!existsSync(dataDir)) return true;
  return readdirSync(dataDir).length === 0 || storeExists(dataDir);
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'play a simulated compromise through the local runtime (npm start)',
  help: HELP,
  async run(args, io) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        prompt: { type: 'boolean', default: false },
        storm: { type: 'string', default: '500' },
        scenario: { type: 'string', default: DEFAULT_SCENARIO },
        'data-dir': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    const stormSize = Number(values.storm);
    if (!Number.isInteger(stormSize) || stormSize < 1 || stormSize > 100_000) {
      write(io.stderr, 'riposte demo: --storm must be an integer from 1 to 100000');
      return 2;
    }
    const scenario = Object.hasOwn(SCENARIOS, values.scenario) ? SCENARIOS[values.scenario] : undefined;
    if (scenario === undefined) {
      write(
        io.stderr,
        `riposte demo: no scenario ${values.scenario}: choose one of ${Object.keys(SCENARIOS).join(', ')}`,
      );
      return 2;
    }
    const started = performance.now();
    const say = (text: string) => {
      if (!values.json) write(io.stdout, text);
    };
    const dataDir = path.resolve(io.cwd, values['data-dir'] ?? path.join(LOCAL_DIR, 'demo'));
    if (!resettable(dataDir)) {
      write(
        io.stderr,
        `riposte demo: ${dataDir} is not empty and holds no Riposte store: choose another --data-dir`,
      );
      return 2;
    }
    await rm(dataDir, { recursive: true, force: true });
    const config = loadProjectConfig(io.cwd);
    const { playbooks } = await loadPlaybooksFor(io, 'demo');
    const routes = routesFor(playbooks, (p) => p.id);
    const store = await openLocalStore({ dataDir });
    const world = loadWorldFor(dataDir, EXAMPLE_WORLD);
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    const executions: LocalExecutionResult[] = [];
    try {
      const now = Date.now();
      const steps = scenario.steps({ now, stormSize });
      say(
        `Riposte demo (${scenario.name}): local runtime, embedded store in ${path.relative(io.cwd, dataDir)}, world examples/world.json (dry-run)\n`,
      );
      const decide = values.prompt ? approvalDecider(undefined, io) : approvalDecider('approve', io);
      const onEvent = (event: LocalEngineEvent) => {
        if (event.type === 'state' && !event.state.startsWith('Load') && !event.state.startsWith('Prepare')) {
          say(`      ${event.state}`);
        } else if (event.type === 'approval-requested') {
          say(`      asks: ${event.message}`);
        } else if (event.type === 'approval') {
          say(
            `      approval ${event.approved ? 'granted' : 'denied'}${values.prompt ? '' : ' (answered automatically)'}`,
          );
        } else if (event.type === 'action') {
          const changes = event.record.calls.filter((c) => !/^(Describe|Get|List)/.test(c.api));
          if (changes.length > 0)
            say(`        ${changes.length} call(s): ${changes.map((c) => c.api).join(', ')}`);
        }
      };
      for (const [index, step] of steps.entries()) {
        if (abort.signal.aborted) break;
        say(`${index + 1}. ${step.title}`);
        const dispatcher = new RecordingDispatcher();
        const pipeline = new LocalPipeline({ store, config, dispatcher, routes, batchSize: 25 });
        const events = step.events();
        const bar = progressBar(io.stderr, !values.json && events.length > 50);
        const { summary } = await pipeline.replay(events, bar.update, abort.signal);
        bar.done();
        say(
          `   ${summary.events} event(s): ${summary.alerts} new alert(s), ${summary.duplicates} duplicate(s), ` +
            `${summary.incidents} incident(s) opened, ${summary.rejected} rejected`,
        );
        for (const request of dispatcher.started)
          say(`   ▸ playbook ${request.route.id} ${request.route.version}`);
        executions.push(
          ...(await runDispatched(dispatcher.started, playbooks, {
            store,
            config,
            world,
            approve: decide,
            onEvent,
          })),
        );
      }
      // Kept beside the store, so `riposte show` and `riposte release` continue from here.
      await saveWorld(dataDir, world);
      const incidents = await listIncidents(store.db, store.tableName);
      const alerts = await listAlerts(store.db, store.tableName);
      const rejected = await listRejected(store.db, store.tableName);
      const rows = incidents
        .slice()
        .sort((a, b) => a.openedAt - b.openedAt)
        .map((incident) => {
          const execution = executions.find((e) => e.incidentId === incident.id);
          const changes =
            execution?.actions.reduce(
              (n, a) => n + a.calls.filter((c) => !/^(Describe|Get|List)/.test(c.api)).length,
              0,
            ) ?? 0;
          return {
            incident: incident.id,
            resource: `${incident.resourceType} ${incident.resourceName ?? incident.resourceUid}`,
            alerts: incident.alertIds.length,
            playbook: execution?.playbook ?? '-',
            status: statusLabel({
              status: incident.status,
              dryRun: incident.statusDryRun,
              reason: incident.statusReason,
            }),
            outcome: describeOutcome(incident),
            changes,
          };
        });
      const result = {
        incidents: rows,
        alerts: alerts.length,
        deliveries: alerts.reduce((n, a) => n + a.occurrences, 0),
        rejected: rejected.map((r) => ({ reason: r.reason, message: r.message })),
        seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
        interrupted: abort.signal.aborted,
      };
      if (values.json) {
        write(io.stdout, JSON.stringify(result));
      } else {
        say('\nSummary');
        say(
          table(
            ['INCIDENT', 'RESOURCE', 'ALERTS', 'PLAYBOOK', 'STATUS', 'OUTCOME', 'CALLS'],
            rows.map((r) => [
              r.incident,
              r.resource,
              String(r.alerts),
              r.playbook,
              r.status,
              r.outcome,
              String(r.changes),
            ]),
            layoutFor(io, { fit: ['keep', 'middle', 'keep', 'keep', 'wrap', 'keep'] }),
          ),
        );
        say(
          `\n${result.alerts} alerts from ${result.deliveries} deliveries; rejected events: ${result.rejected.length}`,
        );
        for (const r of result.rejected) say(`  ✗ ${r.reason}: ${r.message}`);
        say(
          `Finished in ${result.seconds} s${result.interrupted ? ' (interrupted: the store is consistent)' : ''}.`,
        );
        say(`
Where to look next:
  npx riposte incidents --data-dir ${path.relative(io.cwd, dataDir)}         the incidents (also: alerts, rejected, stats)
  npx riposte show <incident> --data-dir ${path.relative(io.cwd, dataDir)}   an incident's timeline: alerts, steps, calls
  npx riposte release <incident> --data-dir ${path.relative(io.cwd, dataDir)}  undo a containment from its saved state
  npx riposte run examples/events/guardduty-ec2-c2-activity.json --approve  one event, step by step
  npx riposte playbooks graph ec2-instance-compromise                    the state machine, as Mermaid
  npx cdk synth                                                          what deploys (no AWS account needed)
  (${isoTime(Date.now())})

Open the console on what it just did:  npx riposte console --data-dir ${path.relative(io.cwd, dataDir)}`);
      }
      return result.interrupted ? 130 : 0;
    } finally {
      process.off('SIGINT', onSignal);
      await store.close();
    }
  },
};

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RecordingDispatcher } from '#core/intake/dispatch.ts';
import { PLAYBOOKS_DIR, routesFor } from '#core/playbooks/registry.ts';
import { listAlerts, listIncidents } from '#core/store/queries.ts';
import { type Command, InputError, UsageError, write } from '../command.ts';
import type { LocalEngineEvent, LocalExecutionResult } from '../local/engine.ts';
import { splitEvents } from '../local/events-input.ts';
import { unreadable } from '../local/inputs.ts';
import { LocalPipeline } from '../local/pipeline.ts';
import { loadPlaybooksFor } from '../local/playbooks.ts';
import {
  approvalDecider,
  loadWorldFor,
  persistedWorldFile,
  runDispatched,
  saveWorld,
} from '../local/response.ts';
import { loadProjectConfig, waitForActiveTable } from '../local/runtime.ts';
import { openLocalStore } from '../local/store.ts';
import { formatTypeProblem, playbookTypeProblems } from '../local/typecheck.ts';

export const EXAMPLE_WORLD = path.resolve(PLAYBOOKS_DIR, '..', 'examples', 'world.json');

const HELP = `Usage: riposte run <events-file> [--playbook ID] [--world FILE] [--live]
                   [--approve | --deny] [--json] [--data-dir DIR]

Sends one event through the local pipeline (rules → normalize → store → incident → dispatch)
and executes the matching playbooks' compiled state machines locally: the exact definitions
the CDK stack deploys, run by a local engine. AWS calls are dry-run against a world file that
describes the account's resources (default: examples/world.json); the calls each action made
or would make are listed with their parameters. The file holds one event, a JSON array of
events or one event per line (NDJSON); an empty file or one that is not JSON is refused.

Options:
  --playbook ID    run this playbook on the incident even if its trigger does not match
  --world FILE     the resources actions see (instances, ENIs, groups, users, keys, buckets...)
  --live           call AWS for real with your default credentials (containment happens!)
  --approve        answer approval requests with yes
  --deny           answer approval requests with no (default without a terminal)
  --json           one JSON object: {"alerts","incident","executions":[{"playbook","version",
                   "status","path","actions":[{"action","target","dryRun","calls":[{"api","params"}]}]}]}
  --data-dir DIR   keep the store there (default: a fresh in-memory store for each run), and
                   the world beside it: the world the runs left is saved as DIR/world.json and
                   used by the next run, release or serve on DIR instead of --world`;

export const runCommand: Command = {
  name: 'run',
  summary: 'run one event through the pipeline and its playbooks, locally (dry-run)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        playbook: { type: 'string' },
        world: { type: 'string' },
        live: { type: 'boolean', default: false },
        approve: { type: 'boolean', default: false },
        deny: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('expected exactly one events file');
    if (values.approve && values.deny) throw new UsageError('--approve and --deny exclude each other');
    if (values.live && values.world !== undefined)
      throw new UsageError('--live and --world exclude each other');
    const eventFile = positionals[0] ?? '';
    const body = await readFile(path.resolve(io.cwd, eventFile)).catch((error: unknown) => {
      throw unreadable(eventFile, error);
    });
    const input = splitEvents(eventFile, body);
    if (input.format === 'empty')
      throw new InputError(`"${eventFile}" is empty: expected an EventBridge event (JSON)`);
    if (input.format === 'not-json')
      throw new InputError(
        `"${eventFile}" is not JSON (${input.problem ?? ''}): expected an EventBridge event`,
      );
    const config = loadProjectConfig(io.cwd);
    const { playbooks } = await loadPlaybooksFor(io, 'run');
    const typeProblems = await playbookTypeProblems();
    if (typeProblems.length > 0) {
      for (const problem of typeProblems) write(io.stderr, formatTypeProblem(problem));
      write(io.stderr, 'riposte run: refused: the playbooks do not type-check (fix the errors above)');
      return 1;
    }
    let routes = routesFor(playbooks, (p) => p.id);
    if (values.playbook !== undefined) {
      const chosen = routes.find((r) => r.id === values.playbook);
      if (chosen === undefined) {
        throw new UsageError(
          `no playbook "${values.playbook}" (known: ${playbooks.map((p) => p.id).join(', ')})`,
        );
      }
      routes = [{ ...chosen, trigger: {} }];
    }
    const dataDir = values['data-dir'] === undefined ? undefined : path.resolve(io.cwd, values['data-dir']);
    const world = values.live
      ? 'live'
      : loadWorldFor(dataDir, path.resolve(io.cwd, values.world ?? EXAMPLE_WORLD));
    if (
      world !== 'live' &&
      dataDir !== undefined &&
      values.world !== undefined &&
      existsSync(persistedWorldFile(dataDir))
    )
      write(
        io.stderr,
        `riposte run: using the world saved in ${persistedWorldFile(dataDir)}, not ${values.world}`,
      );
    const store = await openLocalStore(dataDir === undefined ? {} : { dataDir });
    try {
      await waitForActiveTable(store);
      const dispatcher = new RecordingDispatcher();
      const pipeline = new LocalPipeline({ store, config, dispatcher, routes });
      const { summary } = await pipeline.replay(input.events);
      const timeline = values.json
        ? undefined
        : (event: LocalEngineEvent) => write(io.stdout, describe(event));
      if (!values.json) {
        write(
          io.stdout,
          summary.matched === 0
            ? `${eventFile}: matched no Riposte rule (EventBridge would not deliver it)`
            : `${eventFile}: ${plural(summary.alerts, 'new alert')}, ${plural(summary.incidents, 'incident')} opened, ${plural(dispatcher.started.length, 'playbook')} to run`,
        );
      }
      const executions = await runDispatched(dispatcher.started, playbooks, {
        store,
        config,
        world,
        approve: approvalDecider(values.approve ? 'approve' : values.deny ? 'deny' : undefined, io),
        ...(timeline === undefined ? {} : { onEvent: timeline }),
      });
      if (world !== 'live') await saveWorld(dataDir, world);
      const alerts = await listAlerts(store.db, store.tableName);
      const incidents = await listIncidents(store.db, store.tableName);
      if (values.json) {
        write(
          io.stdout,
          JSON.stringify({
            alerts: alerts.map(
              ({ pk, sk, ocsfJson, ocsfGz, gsi1pk, gsi1sk, ...rest }: Record<string, unknown>) => rest,
            ),
            incident: incidents.map(({ pk, sk, ...rest }: Record<string, unknown>) => rest)[0] ?? null,
            executions: executions.map(executionJson),
          }),
        );
      } else {
        for (const execution of executions) write(io.stdout, summarize(execution));
      }
      return executions.some((e) => e.status !== 'SUCCEEDED') ? 1 : 0;
    } finally {
      await store.close();
    }
  },
};

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function executionJson(e: LocalExecutionResult): Record<string, unknown> {
  return {
    playbook: e.playbook,
    version: e.version,
    status: e.status,
    path: e.path,
    actions: e.actions.map((a) => ({
      action: a.action,
      target: a.target,
      dryRun: a.dryRun,
      ...(a.error === undefined ? {} : { error: a.error }),
      calls: a.calls.map((c) => ({ api: c.api, params: c.params })),
    })),
    ...(e.error === undefined ? {} : { error: e.error, cause: e.cause }),
    ...(e.stepErrors === undefined ? {} : { stepErrors: e.stepErrors }),
  };
}

export function describe(event: LocalEngineEvent): string {
  switch (event.type) {
    case 'state':
      return `  ${event.playbook} ▸ ${event.state}`;
    case 'approval-requested':
      return `  ${event.playbook} ▸ asks: ${event.message}`;
    case 'approval':
      return `  ${event.playbook} ▸ approval ${event.approved ? 'granted' : 'denied'}`;
    case 'waiting':
      return `  ${event.playbook} ▸ ${event.state}: waiting for a decision`;
    case 'action': {
      const r = event.record;
      const changes = r.calls.filter((c) => !/^(Describe|Get|List)/.test(c.api));
      const head = `    ${r.action} on ${r.target}${r.dryRun ? ' (dry-run)' : ''}${r.error === undefined ? '' : ` ✗ ${r.error}`}`;
      return [head, ...changes.map((c) => `      → ${c.api} ${JSON.stringify(c.params)}`)].join('\n');
    }
  }
}

export function summarize(e: LocalExecutionResult): string {
  const changes = e.actions.reduce(
    (n, a) => n + a.calls.filter((c) => !/^(Describe|Get|List)/.test(c.api)).length,
    0,
  );
  return `${e.playbook} ${e.version}: ${e.status} in ${e.ms} ms, ${e.path.length} states, ${changes} state-changing call(s)${
    e.error === undefined ? '' : ` (${e.error}: ${e.cause ?? ''})`
  }${(e.stepErrors ?? []).map((m) => `\n  step error: ${m}`).join('')}`;
}

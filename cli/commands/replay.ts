import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { routesFor } from '#core/playbooks/registry.ts';
import { type Command, UsageError, write } from '../command.ts';
import { splitEvents } from '../local/events-input.ts';
import { unreadable } from '../local/inputs.ts';
import type { LocalEvent } from '../local/pipeline.ts';
import { loadPlaybooksFor } from '../local/playbooks.ts';
import { approvalDecider, loadWorldFor, runDispatched, saveWorld } from '../local/response.ts';
import { withLocalRuntime } from '../local/runtime.ts';
import { progressBar } from '../output.ts';
import { expand } from './normalize.ts';
import { EXAMPLE_WORLD } from './run.ts';

const HELP = `Usage: riposte replay <file|dir>... [--json] [--data-dir DIR] [--world FILE]
                      [--approve | --deny]

Pushes events through the local pipeline, exactly as they would flow once deployed:
EventBridge rules (the patterns the CDK stack deploys) → ingest → the embedded DynamoDB
(.riposte/db, kept across runs) → playbook dispatch → the dispatched playbooks, run by the
local engine in dry-run against the world (as riposte serve runs them; nothing touches AWS).
Replaying the same events again adds nothing: alerts are deduplicated, incidents and
executions are started once.

A file holds one event, a JSON array of events, or one event per line (NDJSON / JSON Lines);
a directory is read recursively (.json, .ndjson, .jsonl). Events that match no rule are
counted, not errors. Input that is not JSON is kept as a rejected event (see \`riposte rejected\`).

Options:
  --json           print one JSON object:
                   {"events","matched","alerts","duplicates","incidents","executions","rejected","ms",
                    "playbooks":{"SUCCEEDED","FAILED","TIMED_OUT"}}
  --data-dir DIR   local store folder (default .riposte/db)
  --world FILE     the resources actions see when DIR has no world.json (default examples/world.json);
                   the world the playbooks leave is saved as DIR/world.json
  --approve        answer approval requests with yes
  --deny           answer approval requests with no (the default without a terminal)
  -h, --help       show this help`;

export const replayCommand: Command = {
  name: 'replay',
  summary: 'push events through the local pipeline (rules → normalize → store → dispatch)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        world: { type: 'string' },
        approve: { type: 'boolean', default: false },
        deny: { type: 'boolean', default: false },
      },
    });
    if (values.approve && values.deny) throw new UsageError('--approve and --deny exclude each other');
    const inputs = positionals.length === 0 ? ['-'] : positionals;
    const events: LocalEvent[] = [];
    for (const input of inputs) {
      for (const file of await expand(input, io)) {
        const body =
          file === '-'
            ? await readStdin(io.stdin)
            : await readFile(path.resolve(io.cwd, file)).catch((error: unknown) => {
                throw unreadable(file, error);
              });
        events.push(...splitEvents(file, body).events);
      }
    }
    const { playbooks } = await loadPlaybooksFor(io, 'replay');
    const dataDir = path.resolve(io.cwd, values['data-dir'] ?? path.join('.riposte', 'db'));
    const routes = routesFor(playbooks, (p) => p.id);
    return withLocalRuntime({ cwd: io.cwd, dataDir, routes }, async (rt) => {
      const world = loadWorldFor(dataDir, path.resolve(io.cwd, values.world ?? EXAMPLE_WORLD));
      const bar = progressBar(io.stderr, events.length >= 50 && !values.json);
      const { summary, interrupted } = await rt.pipeline.replay(events, bar.update, rt.signal);
      bar.done();
      const choice = values.approve ? 'approve' : values.deny ? 'deny' : undefined;
      const executions = interrupted
        ? []
        : await runDispatched(rt.dispatcher.started, playbooks, {
            store: rt.store,
            config: rt.config,
            world,
            approve: approvalDecider(choice, io),
          });
      if (executions.length > 0) await saveWorld(dataDir, world);
      const outcomes = { SUCCEEDED: 0, FAILED: 0, TIMED_OUT: 0 };
      for (const execution of executions) outcomes[execution.status] += 1;
      if (values.json) {
        write(io.stdout, JSON.stringify({ ...summary, playbooks: outcomes }));
      } else {
        write(
          io.stdout,
          [
            `events      ${summary.events}${interrupted ? ' (interrupted)' : ''}`,
            `matched     ${summary.matched} (${summary.events - summary.matched} matched no rule)`,
            `alerts      ${summary.alerts} new, ${summary.duplicates} duplicate deliveries`,
            `incidents   ${summary.incidents} opened`,
            `executions  ${summary.executions} started: ${outcomes.SUCCEEDED} succeeded, ${outcomes.FAILED} failed, ${outcomes.TIMED_OUT} timed out (dry-run)`,
            `rejected    ${summary.rejected}`,
            `time        ${summary.ms} ms`,
          ].join('\n'),
        );
      }
      return interrupted ? 130 : 0;
    });
  },
};

async function readStdin(stdin: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

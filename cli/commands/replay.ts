import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Command, write } from '../command.ts';
import type { LocalEvent } from '../local/pipeline.ts';
import { withLocalRuntime } from '../local/runtime.ts';
import { progressBar } from '../output.ts';
import { expand } from './normalize.ts';

const HELP = `Usage: riposte replay <file|dir>... [--json] [--data-dir DIR]

Pushes events through the local pipeline, exactly as they would flow once deployed:
EventBridge rules (the patterns the CDK stack deploys) → ingest → the embedded DynamoDB
(.riposte/db, kept across runs) → playbook dispatch. Replaying the same events again adds
nothing: alerts are deduplicated, incidents and executions are started once.

Events that match no rule are counted, not errors. Input that is not JSON is kept as a
rejected event (see \`riposte rejected\`).

Options:
  --json           print one JSON object:
                   {"events","matched","alerts","duplicates","incidents","executions","rejected","ms"}
  --data-dir DIR   local store folder (default .riposte/db)
  -h, --help       show this help`;

export const replayCommand: Command = {
  name: 'replay',
  summary: 'push events through the local pipeline (rules → normalize → store → dispatch)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, 'data-dir': { type: 'string' } },
    });
    const inputs = positionals.length === 0 ? ['-'] : positionals;
    const events: LocalEvent[] = [];
    for (const input of inputs) {
      for (const file of await expand(input, io)) {
        events.push({ input: file, body: await readFile(path.resolve(io.cwd, file)) });
      }
    }
    const dataDir = values['data-dir'];
    return withLocalRuntime({ cwd: io.cwd, ...(dataDir === undefined ? {} : { dataDir }) }, async (rt) => {
      const bar = progressBar(io.stderr, events.length >= 50);
      const { summary, interrupted } = await rt.pipeline.replay(events, bar.update, rt.signal);
      bar.done();
      if (values.json) {
        write(io.stdout, JSON.stringify(summary));
      } else {
        write(
          io.stdout,
          [
            `events      ${summary.events}${interrupted ? ' (interrupted)' : ''}`,
            `matched     ${summary.matched} (${summary.events - summary.matched} matched no rule)`,
            `alerts      ${summary.alerts} new, ${summary.duplicates} duplicate deliveries`,
            `incidents   ${summary.incidents} opened`,
            `executions  ${summary.executions} started`,
            `rejected    ${summary.rejected}`,
            `time        ${summary.ms} ms`,
          ].join('\n'),
        );
      }
      return interrupted ? 130 : 0;
    });
  },
};

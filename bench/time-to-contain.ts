/**
 * Time to contain, locally: from the start of the replay of a GuardDuty finding through the
 * local pipeline (rules → normalize → store → incident → dispatch) to the first state-changing
 * AWS call of the containment, with the dispatched playbook (ec2-instance-compromise, the
 * instance in production so the approval step runs) run on the local engine, approvals granted
 * at once and waits zeroed.
 *
 * One embedded store for every run; each run is a fresh incident: a new finding id on a new
 * instance (the example world's production instance under another id). The clock the rails see
 * moves two hours between runs, so the hourly blast-radius limit never pauses a run.
 *
 * The first containment call is timestamped where it is made: in the world backend, which sees
 * every AWS call of an action; the enrichment before it only reads. Reported as median and p99,
 * and as a ratio to one raw conditional PutItem on the same store, measured in the same run.
 *
 * Usage: npx tsx bench/time-to-contain.ts [--runs N] [--json]
 */
import { readFileSync } from 'node:fs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { runPlaybookLocally } from '../cli/local/engine.ts';
import { LocalPipeline } from '../cli/local/pipeline.ts';
import { localRunnerDeps } from '../cli/local/response.ts';
import { openLocalStore } from '../cli/local/store.ts';
import { EXAMPLE_WORLD_FILE } from '../cli/local/testkit.ts';
import type { ServiceName, WorldBackend } from '../functions/core/actions/clients.ts';
import { isMutating } from '../functions/core/actions/recorder.ts';
import { ACTIONS } from '../functions/core/actions/registry.ts';
import { LocalWorld } from '../functions/core/actions/world/index.ts';
import { parseConfig } from '../functions/core/config/schema.ts';
import { RecordingDispatcher } from '../functions/core/intake/dispatch.ts';
import { loadPlaybooks, routesFor } from '../functions/core/playbooks/registry.ts';
import { guardDutyInstanceFinding } from '../test/support/events.ts';
import { type BenchResult, isMain, median, percentile, runAsScript } from './support.ts';

const PLAYBOOK = 'ec2-instance-compromise';
/** The example world's production instance; each run gives it another id. */
const TEMPLATE_INSTANCE = 'i-0a1b2c3d4e5f60718';
const HOUR = 3_600_000;

export interface TimeToContainBench {
  readonly runs: number;
  readonly playbook: string;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly rawPutMedianMs: number;
  readonly medianInRawPuts: number;
  readonly p99InRawPuts: number;
}

function argRuns(): number | undefined {
  const i = process.argv.indexOf('--runs');
  const value = i === -1 ? undefined : Number(process.argv[i + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : undefined;
}

export async function run(
  options: { readonly runs?: number } = {},
): Promise<BenchResult<TimeToContainBench>> {
  const runs = options.runs ?? argRuns() ?? 1000;
  const playbook = (await loadPlaybooks()).find((p) => p.id === PLAYBOOK);
  if (playbook === undefined) throw new Error(`${PLAYBOOK} is not shipped`);
  const containActions = new Set(ACTIONS.filter((a) => a.family === 'contain').map((a) => a.id));
  const worldText = readFileSync(EXAMPLE_WORLD_FILE, 'utf8');
  const template = new RegExp(`(?<![A-Za-z0-9])${TEMPLATE_INSTANCE}`, 'g');

  let offset = 0;
  const now = (): number => Date.now() + offset;
  const config = parseConfig({});
  const store = await openLocalStore();
  try {
    // Baseline: one raw conditional put on the same store.
    const putTimes: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      const t0 = performance.now();
      await store.db.send(
        new PutCommand({
          TableName: store.tableName,
          Item: { pk: `BASELINE#${i}`, sk: 'X', n: i },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      putTimes.push(performance.now() - t0);
    }

    const dispatcher = new RecordingDispatcher();
    const pipeline = new LocalPipeline({
      store,
      config,
      dispatcher,
      routes: routesFor([playbook], (p) => p.id),
      now,
    });
    const times: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      offset += 2 * HOUR;
      const instanceId = `i-${(0xbe0000 + i).toString(16).padStart(17, '0')}`;
      const world = new LocalWorld(JSON.parse(worldText.replace(template, instanceId)));
      let firstMutation: number | undefined;
      const timed: WorldBackend = {
        handle: (service: ServiceName, api: string, params: Readonly<Record<string, unknown>>) => {
          if (firstMutation === undefined && isMutating(api)) firstMutation = performance.now();
          return world.handle(service, api, params);
        },
      };
      const runner = {
        ...localRunnerDeps({ store, config, world, approve: async () => true, now }),
        baseMode: { kind: 'world', world: timed } as const,
      };
      const event = JSON.stringify(
        guardDutyInstanceFinding({ findingId: (0xc0ffee00 + i).toString(16).padStart(32, '0'), instanceId }),
      );
      const before = dispatcher.started.length;

      const started = performance.now();
      await pipeline.replay([{ input: `run-${i}`, body: event }]);
      const requests = dispatcher.started.slice(before);
      let contained = false;
      for (const request of requests) {
        const result = await runPlaybookLocally(playbook, request.input, {
          runner,
          approve: async () => true,
          onEvent: (e) => {
            if (e.type === 'action' && containActions.has(e.record.action)) {
              contained ||= e.record.calls.some((c) => isMutating(c.api));
            }
          },
        });
        if (result.status !== 'SUCCEEDED')
          throw new Error(`run ${i}: ${result.status} ${result.error ?? ''}`);
      }
      if (requests.length !== 1 || !contained || firstMutation === undefined) {
        throw new Error(`run ${i}: expected one execution that contains (got ${requests.length})`);
      }
      times.push(firstMutation - started);
    }
    const rawPut = median(putTimes);
    const data: TimeToContainBench = {
      runs,
      playbook: PLAYBOOK,
      medianMs: Number(median(times).toFixed(1)),
      p99Ms: Number(percentile(times, 99).toFixed(1)),
      maxMs: Number(Math.max(...times).toFixed(1)),
      rawPutMedianMs: Number(rawPut.toFixed(2)),
      medianInRawPuts: Number((median(times) / rawPut).toFixed(1)),
      p99InRawPuts: Number((percentile(times, 99) / rawPut).toFixed(1)),
    };
    return {
      name: 'timeToContain',
      title: `time to contain: finding replayed → first containment call (${PLAYBOOK}, approval granted, waits zeroed), ${runs} fresh incidents on one embedded store`,
      rows: [
        {
          what: 'median',
          figure: `${data.medianMs} ms = ${data.medianInRawPuts}x one raw conditional put`,
        },
        { what: 'p99', figure: `${data.p99Ms} ms = ${data.p99InRawPuts}x one raw conditional put` },
        { what: 'raw conditional put (baseline)', figure: `${data.rawPutMedianMs} ms median` },
      ],
      data,
    };
  } finally {
    await store.close();
  }
}

if (isMain(import.meta.url)) await runAsScript(() => run());

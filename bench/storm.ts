/**
 * The local pipeline under load, on the embedded DynamoDB:
 * - alerts/s from replay (rules → normalize → store → incidents → dispatch) for distinct
 *   findings, as a ratio to raw conditional PutItem calls on the same store in the same run;
 * - a storm: 10,000 deliveries of one finding → alerts, incidents, executions and DynamoDB
 *   writes per delivery.
 *
 * Usage: npm run bench:storm [-- --json]
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { LocalPipeline } from '../cli/local/pipeline.ts';
import { openLocalStore } from '../cli/local/store.ts';
import { parseConfig } from '../functions/core/config/schema.ts';
import { RecordingDispatcher } from '../functions/core/intake/dispatch.ts';
import { guardDutyInstanceFinding } from '../test/support/events.ts';
import { type BenchResult, fmtInt, isMain, runAsScript } from './support.ts';

const DISTINCT = 2_000;
const STORM = 10_000;
const route = {
  id: 'contain-instance',
  version: '1.0.0',
  target: 'local',
  trigger: { sources: ['aws.guardduty'], minSeverity: 4 },
};

export interface StormBench {
  readonly rawConditionalPutsPerSecond: number;
  readonly pipelineAlertsPerSecond: number;
  readonly pipelineRatioToRawPuts: number;
  readonly pipelineWritesPerAlert: number;
  /** DynamoDB writes/s in the pipeline over raw conditional puts/s: the cost of each write. */
  readonly pipelineWriteRatioToRawPuts: number;
  readonly storm: {
    readonly deliveries: number;
    readonly alerts: number;
    readonly incidents: number;
    readonly executions: number;
    readonly writes: number;
    readonly writesPerDelivery: number;
    readonly ms: number;
  };
}

export async function run(): Promise<BenchResult<StormBench>> {
  const store = await openLocalStore();
  try {
    // Baseline: raw conditional puts, one at a time, on the same embedded store.
    const t0 = performance.now();
    for (let i = 0; i < DISTINCT; i += 1) {
      await store.db.send(
        new PutCommand({
          TableName: store.tableName,
          Item: { pk: `BASELINE#${i}`, sk: 'X', n: i },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    }
    const putsPerSecond = DISTINCT / ((performance.now() - t0) / 1000);

    // Distinct alerts through the whole local pipeline.
    const config = parseConfig({});
    const pipeline = new LocalPipeline({
      store,
      config,
      dispatcher: new RecordingDispatcher(),
      routes: [route],
    });
    const distinct = Array.from({ length: DISTINCT }, (_, i) => ({
      input: `distinct-${i}`,
      body: JSON.stringify(
        guardDutyInstanceFinding({
          findingId: i.toString(16).padStart(32, '0'),
          instanceId: `i-${i.toString(16).padStart(17, '0')}`,
        }),
      ),
    }));
    const { summary: pipelineSummary, report: pipelineReport } = await pipeline.replay(distinct);
    const alertsPerSecond = pipelineSummary.alerts / (pipelineSummary.ms / 1000);

    // Storm: one finding delivered 10,000 times (GuardDuty's count and updatedAt moving on).
    const stormDispatcher = new RecordingDispatcher();
    const stormPipeline = new LocalPipeline({ store, config, dispatcher: stormDispatcher, routes: [route] });
    const storm = Array.from({ length: STORM }, (_, i) => ({
      input: `storm-${i}`,
      body: JSON.stringify(
        guardDutyInstanceFinding({
          findingId: 'f'.repeat(32),
          instanceId: 'i-0stormstormstorm',
          count: i + 1,
          updatedAt: new Date(Date.parse('2026-11-02T10:15:00Z') + i * 1000).toISOString(),
        }),
      ),
    }));
    const { summary: stormSummary, report: stormReport } = await stormPipeline.replay(storm);

    const data: StormBench = {
      rawConditionalPutsPerSecond: Math.round(putsPerSecond),
      pipelineAlertsPerSecond: Math.round(alertsPerSecond),
      pipelineRatioToRawPuts: Number((alertsPerSecond / putsPerSecond).toFixed(2)),
      pipelineWritesPerAlert: Number((pipelineReport.writes / pipelineSummary.alerts).toFixed(2)),
      pipelineWriteRatioToRawPuts: Number(
        (pipelineReport.writes / (pipelineSummary.ms / 1000) / putsPerSecond).toFixed(2),
      ),
      storm: {
        deliveries: STORM,
        alerts: stormSummary.alerts,
        incidents: stormSummary.incidents,
        executions: stormDispatcher.started.length,
        writes: stormReport.writes,
        writesPerDelivery: Number((stormReport.writes / STORM).toFixed(3)),
        ms: stormSummary.ms,
      },
    };
    return {
      name: 'storm',
      title: `local pipeline: ${fmtInt(DISTINCT)} distinct findings, then ${fmtInt(STORM)} deliveries of one`,
      rows: [
        {
          what: 'pipeline alerts/s / raw conditional puts/s',
          figure: `${data.pipelineRatioToRawPuts.toFixed(2)}x`,
          target: '>= 0.5x',
          ok: data.pipelineRatioToRawPuts >= 0.5,
        },
        {
          what: 'pipeline (this machine, now)',
          figure: `${fmtInt(data.pipelineAlertsPerSecond)} alerts/s, raw puts ${fmtInt(data.rawConditionalPutsPerSecond)}/s`,
        },
        {
          what: 'DynamoDB writes per new alert (opens an incident)',
          figure: String(data.pipelineWritesPerAlert),
        },
        {
          what: 'pipeline writes/s / raw conditional puts/s',
          figure: `${data.pipelineWriteRatioToRawPuts.toFixed(2)}x`,
        },
        {
          what: 'storm: DynamoDB writes per delivery',
          figure: String(data.storm.writesPerDelivery),
          target: '<= 0.2',
          ok: data.storm.writesPerDelivery <= 0.2,
        },
        {
          what: 'storm: alerts / incidents / executions',
          figure: `${data.storm.alerts} / ${data.storm.incidents} / ${data.storm.executions}`,
          target: '1 / 1 / 1',
          ok: data.storm.alerts === 1 && data.storm.incidents === 1 && data.storm.executions === 1,
        },
      ],
      data,
    };
  } finally {
    await store.close();
  }
}

if (isMain(import.meta.url)) await runAsScript(run);

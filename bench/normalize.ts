/**
 * Normalization speed over a realistic event mix, as a ratio to `JSON.parse` of the same bytes
 * measured in the same run (machines are shared and noisy: ratios travel, absolute rates don't).
 *
 * Usage: npm run bench:normalize [-- --json]
 */
import { normalize } from '../functions/core/normalize/index.ts';
import { type BenchResult, eventMix, fmtInt, isMain, median, runAsScript, timeRounds } from './support.ts';

export interface NormalizeBench {
  readonly events: number;
  readonly bytes: number;
  readonly normalizeEventsPerSecond: number;
  readonly jsonParseEventsPerSecond: number;
  readonly ratioToJsonParse: number;
  readonly target: string;
}

export async function run(): Promise<BenchResult<NormalizeBench>> {
  const mix = eventMix();
  if (mix.length === 0) throw new Error('no events found (corpus or test/fixtures/events)');
  const texts = mix.map((e) => e.bytes.toString('utf8'));
  const totalBytes = mix.reduce((n, e) => n + e.bytes.byteLength, 0);
  const perRound = Math.max(1, Math.ceil(2_000_000 / totalBytes));

  let sink = 0;
  const parseOnce = (): void => {
    for (let r = 0; r < perRound; r += 1) for (const text of texts) sink += JSON.parse(text) === null ? 0 : 1;
  };
  const normalizeOnce = (): void => {
    for (let r = 0; r < perRound; r += 1) for (const text of texts) sink += normalize(text).length;
  };

  // Warm up both paths so the JIT has compiled them before timing.
  timeRounds(5, parseOnce);
  timeRounds(5, normalizeOnce);

  // Interleave rounds so both see the same machine conditions.
  const parseTimes: number[] = [];
  const normalizeTimes: number[] = [];
  for (let i = 0; i < 15; i += 1) {
    parseTimes.push(...timeRounds(1, parseOnce));
    normalizeTimes.push(...timeRounds(1, normalizeOnce));
  }
  if (sink === -1) console.log(sink);
  const eventsPerRound = perRound * texts.length;
  const parseMs = median(parseTimes);
  const normalizeMs = median(normalizeTimes);
  const data: NormalizeBench = {
    events: mix.length,
    bytes: totalBytes,
    normalizeEventsPerSecond: Math.round((eventsPerRound / normalizeMs) * 1000),
    jsonParseEventsPerSecond: Math.round((eventsPerRound / parseMs) * 1000),
    ratioToJsonParse: Number((normalizeMs / parseMs).toFixed(2)),
    target: '<= 2.00',
  };
  return {
    name: 'normalize',
    title: `normalize: ${mix.length} events (${fmtInt(totalBytes)} bytes), median of 15 interleaved rounds`,
    rows: [
      {
        what: 'normalize / JSON.parse of the same bytes',
        figure: `${data.ratioToJsonParse.toFixed(2)}x`,
        target: '<= 2.00x',
        ok: data.ratioToJsonParse <= 2,
      },
      { what: 'normalize (this machine, now)', figure: `${fmtInt(data.normalizeEventsPerSecond)} events/s` },
      { what: 'JSON.parse (baseline)', figure: `${fmtInt(data.jsonParseEventsPerSecond)} events/s` },
    ],
    data,
  };
}

if (isMain(import.meta.url)) await runAsScript(run);

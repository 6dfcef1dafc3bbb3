/**
 * Normalization speed over a realistic event mix, as a ratio to `JSON.parse` of the same bytes
 * measured in the same run (machines are shared and noisy: ratios travel, absolute rates don't).
 *
 * Usage: npm run bench:normalize [-- --json]
 */
import { normalize } from '../functions/core/normalize/index.ts';
import { eventMix, median, timeRounds } from './support.ts';

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
const eventsPerRound = perRound * texts.length;
const parseMs = median(parseTimes);
const normalizeMs = median(normalizeTimes);
const result = {
  events: mix.length,
  bytes: totalBytes,
  normalizeEventsPerSecond: Math.round((eventsPerRound / normalizeMs) * 1000),
  jsonParseEventsPerSecond: Math.round((eventsPerRound / parseMs) * 1000),
  ratioToJsonParse: Number((normalizeMs / parseMs).toFixed(2)),
  target: '<= 2.00',
};
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(result));
} else {
  console.log(
    `normalize: ${mix.length} events (${totalBytes} bytes), ${eventsPerRound} per round, median of 15 rounds`,
  );
  console.log(`  normalize      ${result.normalizeEventsPerSecond.toLocaleString('en')} events/s`);
  console.log(`  JSON.parse     ${result.jsonParseEventsPerSecond.toLocaleString('en')} events/s`);
  console.log(`  ratio          ${result.ratioToJsonParse.toFixed(2)}x JSON.parse (target <= 2.00)`);
}
if (sink === -1) console.log(sink);

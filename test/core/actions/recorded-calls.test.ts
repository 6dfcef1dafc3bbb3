import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { tapDocumentClients } from '../../iam/support/functions.ts';
import { type GatheredCall, gatherScenarioCalls } from '../../iam/support/gather.ts';
import { REPO_ROOT } from '../../support/fixtures.ts';

/**
 * The AWS calls every scenario of the IAM gatherer makes (every branch of the shipped playbooks
 * and releases, in the security account and in a member account), compared with the calls the
 * same scenarios made when `test/fixtures/recorded-calls/scenarios.json` was written. Moving code
 * between files must not change a service, a command, a parameter or the account a call acts in.
 *
 * Only the scenarios in the golden file are compared: a scenario added later has no record yet.
 * `RECORD_CALLS=1 npx vitest run test/core/actions/recorded-calls.test.ts` rewrites the file.
 */

// Each action request runs as its family's deployed function, as in the IAM evaluation.
vi.mock('../../../functions/core/actions/runner.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../functions/core/actions/runner.ts')>();
  const { runAsDeployed } = await import('../../iam/support/functions.ts');
  return {
    ...original,
    runAction: (raw: unknown, deps: never) => runAsDeployed(original.runAction, raw, deps),
  };
});

const GOLDEN = path.join(REPO_ROOT, 'test', 'fixtures', 'recorded-calls', 'scenarios.json');

interface Recorded {
  readonly principal: string;
  readonly service: string;
  readonly api: string;
  readonly account: string;
  readonly region: string;
  readonly params: unknown;
}

type Golden = Record<string, Recorded[]>;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const ISO_IN_TEXT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ULID = /\b[0-9A-HJKMNP-TV-Z]{26}\b/g;
/** Epoch seconds or milliseconds of this century (expiry, timestamps). */
const EPOCH = (n: number) => (n > 1_000_000_000 && n < 4_102_444_800) || (n > 1e12 && n < 4.1e12);
const VOLATILE_KEYS = /token|nonce|signature|hash|expires|deadline|ttl|At$|Time$|time$|Date$/;

/** Sort keys and ids made of a time and a random suffix (`LOG#<time>#0000014c4e91e7`). */
const TIME_SUFFIX = /<time>#[0-9a-f]+/g;

/** The value of a JSON object or array written as text (an event's `Detail`), if it is one. */
function embeddedJson(text: string): unknown {
  if (!/^[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `value` with times, random ids and task tokens replaced by placeholders. */
function normalise(value: unknown, key = ''): unknown {
  if (value instanceof Date) return '<time>';
  if (typeof value === 'number') return EPOCH(value) ? '<time>' : value;
  if (typeof value === 'string') {
    if (ISO_TIME.test(value)) return '<time>';
    if (VOLATILE_KEYS.test(key) && value.length > 0) return `<${key}>`;
    const json = embeddedJson(value);
    if (json !== undefined) return JSON.stringify(normalise(json, key));
    return value
      .replace(ISO_IN_TEXT, '<time>')
      .replace(TIME_SUFFIX, '<time>#<id>')
      .replace(UUID, '<uuid>')
      .replace(ULID, '<ulid>');
  }
  if (Array.isArray(value)) return value.map((item) => normalise(item, key));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, normalise(v, k)]),
    );
  }
  return value;
}

const SCENARIO = /^(.*? \((?:security|member) account\)): /;

/** The gathered calls, by scenario (`<case> (<security|member> account)`), in order. */
function byScenario(calls: readonly GatheredCall[]): Golden {
  const out: Golden = {};
  for (const call of calls) {
    const scenario = SCENARIO.exec(call.origin)?.[1];
    if (scenario === undefined) throw new Error(`call without a scenario: ${call.origin}`);
    const list = out[scenario] ?? [];
    out[scenario] = list;
    list.push({
      principal: call.principal,
      service: call.service,
      api: call.api,
      account: call.account,
      region: call.region,
      params: normalise(call.params),
    });
  }
  return out;
}

/** The golden file's text: one scenario a key, one call a line, so a diff names the call. */
function render(golden: Golden): string {
  const scenarios = Object.entries(golden).map(
    ([name, calls]) =>
      `  ${JSON.stringify(name)}: [\n${calls.map((call) => `    ${JSON.stringify(call)}`).join(',\n')}\n  ]`,
  );
  return `{\n${scenarios.join(',\n')}\n}\n`;
}

let recorded: Golden;

beforeAll(async () => {
  tapDocumentClients();
  recorded = byScenario(await gatherScenarioCalls());
  if (process.env.RECORD_CALLS === '1') writeFileSync(GOLDEN, render(recorded));
}, 600_000);

describe('recorded calls: the scenarios make the same AWS calls as when the golden file was written', () => {
  const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Golden;

  it('still runs every recorded scenario', () => {
    // Assess
    expect(Object.keys(golden).length).toBeGreaterThan(0);
    expect(Object.keys(golden).filter((name) => recorded[name] === undefined)).toEqual([]);
  });

  it.each(Object.keys(golden))('%s', (name) => {
    // Assess
    expect(recorded[name]).toEqual(golden[name]);
  });
});

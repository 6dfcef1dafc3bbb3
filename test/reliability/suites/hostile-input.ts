import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStore, openLocalStore } from '../../../cli/local/store.ts';
import { AlertSchema, type NormalizeOutput, REJECTION_REASONS } from '../../../functions/core/alert.ts';
import { admissionRefusal } from '../../../functions/core/intake/admission.ts';
import { type PlaybookRoute, RecordingDispatcher } from '../../../functions/core/intake/dispatch.ts';
import {
  type Delivery,
  emptyReport,
  type IngestReport,
  ingestBatch,
  mergeReports,
} from '../../../functions/core/intake/ingest.ts';
import { MAX_EVENT_BYTES } from '../../../functions/core/normalize/envelope.ts';
import { normalize } from '../../../functions/core/normalize/index.ts';
import { CORPUS_DIR, FIXTURES_DIR, listJsonFiles, REPO_ROOT } from '../../support/fixtures.ts';
import { DYNAMODB_MAX_ITEM_BYTES, dynamoItemBytes, freshTable, scanAll } from '../support/store.ts';

/**
 * Hostile input: generated and mutated events through `normalize` (never a throw; every output
 * an alert that AlertSchema accepts or a rejection with a known reason), then a sample through
 * `ingestBatch` on the embedded store (every delivery kept, as an alert or a rejected event;
 * no failure; every item within DynamoDB's 400 KB as AWS counts it).
 */
export interface HostileInputScale {
  /** Inputs through normalize. */
  readonly normalizeRuns: number;
  /** Deliveries through ingestBatch. */
  readonly ingestDeliveries: number;
  readonly seed?: number;
}

type Key = string | number;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const REASONS: readonly string[] = REJECTION_REASONS;

/** Every event the project has: fixtures, examples, and the corpus beside the checkout if present. */
export function loadEvents(): { name: string; text: string; value: Json }[] {
  const files = [
    ...listJsonFiles(FIXTURES_DIR),
    ...listJsonFiles(path.join(REPO_ROOT, 'examples', 'events')),
    ...listJsonFiles(CORPUS_DIR),
  ];
  return files.flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    try {
      return [{ name: path.relative(REPO_ROOT, file), text, value: JSON.parse(text) as Json }];
    } catch {
      return [];
    }
  });
}

/** Why `outputs` breaks normalize's contract, or undefined. */
export function contractBreach(outputs: readonly NormalizeOutput[]): string | undefined {
  if (!Array.isArray(outputs) || outputs.length === 0) return 'normalize returned no output';
  for (const [index, output] of outputs.entries()) {
    if (typeof output !== 'object' || output === null) return `output ${index} is not an object`;
    const hasAlert = 'alert' in output;
    const hasRejection = 'rejected' in output;
    if (hasAlert === hasRejection) return `output ${index} must hold exactly one of alert / rejected`;
    if ('alert' in output) {
      const parsed = AlertSchema.safeParse(output.alert);
      if (!parsed.success) return `output ${index}: AlertSchema: ${parsed.error.issues[0]?.message ?? ''}`;
    } else {
      if (!REASONS.includes(output.rejected.reason))
        return `output ${index}: reason ${output.rejected.reason}`;
      if (output.rejected.message === '') return `output ${index}: empty message`;
    }
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keyPaths(value: Json, prefix: Key[] = [], out: Key[][] = []): Key[][] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([...prefix, i]);
      keyPaths(item, [...prefix, i], out);
    });
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      out.push([...prefix, key]);
      keyPaths(item, [...prefix, key], out);
    }
  }
  return out;
}

function parentOf(root: Json, keys: readonly Key[]): Json | undefined {
  let node: Json | undefined = root;
  for (const key of keys.slice(0, -1)) {
    if (Array.isArray(node) && typeof key === 'number') node = node[key];
    else if (isObject(node) && typeof key === 'string') node = node[key];
    else return undefined;
  }
  return node;
}

type Mutation =
  | { readonly kind: 'delete'; readonly pick: number }
  | { readonly kind: 'replace'; readonly pick: number; readonly value: Json }
  | { readonly kind: 'stringify'; readonly pick: number }
  | { readonly kind: 'wrap'; readonly pick: number }
  | { readonly kind: 'inject'; readonly pick: number; readonly key: string; readonly value: Json };

/**
 * Applies one mutation in place (the root itself is never replaced), at one of `paths` (the key
 * paths of the unmutated event: a path an earlier mutation removed is skipped).
 */
function mutate(root: Json, mutation: Mutation, paths: readonly Key[][]): void {
  if (paths.length === 0) return;
  const keys = paths[mutation.pick % paths.length] as Key[];
  const parent = parentOf(root, keys);
  const last = keys.at(-1) as Key;
  const get = (): Json | undefined =>
    Array.isArray(parent) && typeof last === 'number'
      ? parent[last]
      : isObject(parent) && typeof last === 'string'
        ? parent[last]
        : undefined;
  const set = (value: Json): void => {
    if (Array.isArray(parent) && typeof last === 'number') parent[last] = value;
    else if (isObject(parent) && typeof last === 'string') parent[last] = value;
  };
  switch (mutation.kind) {
    case 'delete':
      if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
      else if (isObject(parent) && typeof last === 'string') delete parent[last];
      return;
    case 'replace':
      set(mutation.value);
      return;
    case 'stringify': {
      const current = get();
      set(current === undefined ? null : typeof current === 'string' ? current : JSON.stringify(current));
      return;
    }
    case 'wrap': {
      // Type confusion: a value becomes a one-element array, an array its first element.
      const current = get() ?? null;
      set(Array.isArray(current) ? (current[0] ?? null) : [current]);
      return;
    }
    case 'inject': {
      const current = get();
      if (isObject(current)) current[mutation.key] = mutation.value;
      else set({ [mutation.key]: mutation.value });
      return;
    }
  }
}

/**
 * A fresh copy of a constant, so that no two generated inputs share an object (a mutation or a
 * normalizer writing into one would otherwise leak into later inputs); keeps a null prototype.
 */
function freshCopy(value: Json): Json {
  if (Array.isArray(value)) return value.map(freshCopy);
  if (typeof value !== 'object' || value === null) return value;
  const copy = Object.getPrototypeOf(value) === null ? (Object.create(null) as Record<string, Json>) : {};
  for (const [key, member] of Object.entries(value)) copy[key] = freshCopy(member);
  return copy;
}

/** Values that break assumptions: empty, huge, odd unicode, numbers as strings, times, ARNs. */
const nasty: fc.Arbitrary<Json> = fc.oneof(
  fc
    .constantFrom<Json>(
      null,
      true,
      false,
      0,
      -1,
      1e308,
      -0,
      '',
      ' ',
      '0',
      'NaN',
      'null',
      '[]',
      '{}',
      '\u0000',
      '\uFEFF',
      '\uD800',
      '💥'.repeat(50),
      'é'.repeat(3_000),
      '1970-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
      '2026-02-30T10:00:00Z',
      'arn:aws:ec2:eu-west-1:111122223333:instance/',
      'arn:aws:iam::111122223333:user/',
      'arn:',
      '__proto__',
      'constructor',
      'toString',
      [],
      {},
      [[]],
      { __proto__: null } as unknown as Json,
    )
    .map(freshCopy),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: nasty }),
  fc.record({ kind: fc.constant('stringify' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('wrap' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('inject' as const),
    pick: fc.nat(),
    key: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'detail', 'id', 'Id'),
    value: nasty,
  }),
);

type Encoding = 'object' | 'text' | 'bytes';

function encode(value: Json, encoding: Encoding): unknown {
  if (encoding === 'object') return value;
  const text = JSON.stringify(value);
  return encoding === 'text' ? text : new TextEncoder().encode(text);
}

const ROUTES: readonly (readonly [string, string])[] = [
  ['aws.guardduty', 'GuardDuty Finding'],
  ['aws.guardduty', 'GuardDuty Malware Protection Object Scan Result'],
  ['aws.guardduty', 'AWS API Call via CloudTrail'],
  ['aws.securityhub', 'Security Hub Findings - Imported'],
  ['aws.securityhub', 'Findings Imported V2'],
  ['aws.securityhub', 'Security Hub Findings - Custom Action'],
  ['aws.securityhub', 'Security Hub Insight Results'],
  ['aws.inspector2', 'Inspector2 Finding'],
  ['aws.macie', 'Macie Finding'],
  ['aws.access-analyzer', 'Access Analyzer Finding'],
  ['aws.config', 'Config Rules Compliance Change'],
  ['aws.signin', 'AWS Console Sign In via CloudTrail'],
  ['aws.iam', 'AWS API Call via CloudTrail'],
  ['aws.s3', 'AWS API Call via CloudTrail'],
  ['riposte.custom', 'Alert'],
  ['acme.app', 'Something'],
];

/** The input generators, each an arbitrary of normalize's input. */
export function generators(events: readonly { text: string; value: Json }[]) {
  const event = fc.constantFrom(...events);
  const paths = new Map(events.map((e) => [e, keyPaths(e.value)]));
  const mutated = fc
    .record({
      event,
      mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
      encoding: fc.constantFrom<Encoding>('object', 'text', 'bytes'),
    })
    .map(({ event: e, mutations, encoding }) => {
      const value = JSON.parse(e.text) as Json;
      for (const m of mutations) mutate(value, m, paths.get(e) ?? []);
      return encode(value, encoding);
    });
  const routed = fc
    .record({
      route: fc.constantFrom(...ROUTES),
      detail: fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.dictionary(
          fc.constantFrom(
            'id',
            'type',
            'resource',
            'service',
            'severity',
            'findings',
            'eventName',
            'userIdentity',
            'newEvaluationResult',
            'resourceType',
            'ocsf',
            'scanResultDetails',
            'accountId',
            'region',
            'updatedAt',
          ),
          nasty,
        ),
      ),
      time: fc.option(fc.constantFrom('2025-01-01T00:00:00Z', 'not a time', '', '0'), { nil: undefined }),
      encoding: fc.constantFrom<Encoding>('object', 'text'),
    })
    .map(({ route, detail, time, encoding }) =>
      encode(
        {
          version: '0',
          source: route[0],
          'detail-type': route[1],
          ...(time === undefined ? {} : { time }),
          account: '111122223333',
          region: 'eu-west-1',
          detail: detail as Json,
        },
        encoding,
      ),
    );
  const corrupted = fc
    .record({
      event,
      cut: fc.nat(),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      kind: fc.constantFrom('truncate', 'flip', 'prefix'),
    })
    .map(({ event: e, cut, flips, kind }) => {
      const bytes = new TextEncoder().encode(e.text);
      if (kind === 'truncate') return bytes.slice(0, cut % (bytes.length + 1));
      if (kind === 'prefix') return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xff, 0xfe]), bytes]);
      const copy = bytes.slice();
      for (const [at, byte] of flips) copy[at % copy.length] = byte;
      return copy;
    });
  const arbitrary = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).chain((v) => fc.constantFrom<unknown>(v, JSON.stringify(v))),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.constantFrom<unknown>(
      '',
      '{',
      '[',
      '"',
      'null',
      '{"detail":',
      '\uFEFF{}',
      '{"source":"aws.guardduty"}',
    ),
  );
  return { mutated, routed, corrupted, arbitrary };
}

/** An event over EventBridge's size limit, or just under it, made of multi-byte characters. */
function bigMultibyteEvent(events: readonly { value: Json }[], bytes: number, char: string): string {
  const base = structuredClone(
    events.find((e) => isObject(e.value) && e.value.source === 'aws.guardduty')?.value,
  );
  if (!isObject(base) || !isObject(base.detail)) throw new Error('no GuardDuty event to grow');
  const room = bytes - Buffer.byteLength(JSON.stringify(base), 'utf8');
  base.detail.description = char.repeat(Math.max(0, Math.floor(room / Buffer.byteLength(char, 'utf8'))));
  return JSON.stringify(base);
}

const CONTAIN: PlaybookRoute = {
  id: 'contain-instance',
  version: '1.0.0',
  target: 'arn:aws:states:eu-west-1:111122223333:stateMachine:contain:live',
  trigger: { sources: ['aws.guardduty'], minSeverity: 4 },
};

export function hostileInputSuite(scale: HostileInputScale): void {
  const events = loadEvents();
  const gens = generators(events);
  const seed = scale.seed ?? Date.now() % 2_147_483_647;

  describe(`hostile input (seed ${seed})`, () => {
    it(`normalize keeps its contract on ${scale.normalizeRuns.toLocaleString('en')} generated and mutated inputs`, () => {
      // Prepare: the split of the runs between the generators
      const split = [
        { name: 'mutated events', arb: gens.mutated, share: 0.5 },
        { name: 'arbitrary details per route', arb: gens.routed, share: 0.2 },
        { name: 'corrupted bytes', arb: gens.corrupted, share: 0.15 },
        { name: 'arbitrary JSON, text and bytes', arb: gens.arbitrary, share: 0.15 },
      ];
      const reasons = new Map<string, number>();
      let alerts = 0;
      let inputs = 0;
      let planned = 0;

      // Act & Assess
      for (const [i, part] of split.entries()) {
        const numRuns = Math.round(scale.normalizeRuns * part.share);
        fc.assert(
          fc.property(part.arb, (input) => {
            inputs += 1;
            // An already-parsed event is the caller's: normalize must leave it as it was.
            const before = isObject(input) || Array.isArray(input) ? JSON.stringify(input) : undefined;
            let outputs: NormalizeOutput[];
            try {
              outputs = normalize(input);
            } catch (error) {
              throw new Error(
                `${part.name}: normalize threw: ${error instanceof Error ? error.stack : String(error)}`,
              );
            }
            if (before !== undefined && JSON.stringify(input) !== before) {
              throw new Error(`${part.name}: normalize changed its input ${before.slice(0, 300)}`);
            }
            const breach = contractBreach(outputs);
            if (breach !== undefined) throw new Error(`${part.name}: ${breach}`);
            for (const output of outputs) {
              if ('alert' in output) alerts += 1;
              else reasons.set(output.rejected.reason, (reasons.get(output.rejected.reason) ?? 0) + 1);
            }
          }),
          { numRuns, seed: seed + i, endOnFailure: true },
        );
        planned += numRuns;
      }
      expect(inputs).toBe(planned);
      expect(planned).toBeGreaterThanOrEqual(scale.normalizeRuns - 2);
      // Both sides are exercised: real alerts survive mutation, and many reasons are reached.
      expect(alerts).toBeGreaterThan(scale.normalizeRuns / 20);
      expect(reasons.size).toBeGreaterThanOrEqual(6);
      // A normalizer that crashes on input (internal_error) is a bug, even though it is caught.
      expect(reasons.get('internal_error') ?? 0).toBe(0);
    });

    it('keeps its contract when any field of any event is a prototype member name or a number beyond 2^53', () => {
      // Prepare: lookups keyed by input (status words, resource types) must only see own keys,
      // and integers must be exact (OCSF's integer fields reject unsafe ones)
      const replacements = {
        string: ['__proto__', 'constructor', 'toString'],
        number: [1e300, -1e300, 2 ** 53 + 2, '1e300'],
      } as const;
      const breaches: string[] = [];
      let inputs = 0;

      // Act
      for (const event of events) {
        const leaves = keyPaths(event.value).flatMap((keys): { keys: Key[]; kind: 'string' | 'number' }[] => {
          const parent = parentOf(event.value, keys);
          const last = keys.at(-1) as Key;
          const value = Array.isArray(parent)
            ? parent[last as number]
            : isObject(parent)
              ? parent[last as string]
              : undefined;
          if (typeof value === 'string') return [{ keys, kind: 'string' as const }];
          return typeof value === 'number' ? [{ keys, kind: 'number' as const }] : [];
        });
        const paths = leaves.map((l) => l.keys);
        for (const [i, leaf] of leaves.entries()) {
          for (const replacement of replacements[leaf.kind]) {
            const value = JSON.parse(event.text) as Json;
            mutate(value, { kind: 'replace', pick: i, value: replacement }, paths);
            inputs += 1;
            const breach = contractBreach(normalize(value));
            if (breach !== undefined)
              breaches.push(`${event.name} ${leaf.keys.join('.')}=${replacement}: ${breach}`);
          }
        }
      }

      // Assess
      expect(inputs).toBeGreaterThan(1_000);
      expect(breaches).toEqual([]);
    });

    it('keeps its contract on already-parsed events whose arrays have holes', () => {
      // Prepare: an in-process caller may pass a sparse array (JSON never has one)
      const breaches: string[] = [];
      let inputs = 0;

      // Act
      for (const event of events) {
        const arrays = keyPaths(event.value).filter((keys) => {
          const parent = parentOf(event.value, keys);
          const last = keys.at(-1) as Key;
          const value = Array.isArray(parent)
            ? parent[last as number]
            : isObject(parent)
              ? parent[last as string]
              : undefined;
          return Array.isArray(value) && value.length > 0;
        });
        for (const keys of arrays) {
          const value = JSON.parse(event.text) as Json;
          let node: Json | undefined = value;
          for (const key of keys)
            node = Array.isArray(node)
              ? node[key as number]
              : isObject(node)
                ? node[key as string]
                : undefined;
          if (!Array.isArray(node)) continue;
          delete node[0];
          inputs += 1;
          let outputs: NormalizeOutput[] = [];
          try {
            outputs = normalize(value);
          } catch (error) {
            breaches.push(`${event.name} ${keys.join('.')}[0] hole: threw ${String(error)}`);
            continue;
          }
          const breach = contractBreach(outputs);
          if (breach !== undefined) breaches.push(`${event.name} ${keys.join('.')}[0] hole: ${breach}`);
        }
      }

      // Assess
      expect(inputs).toBeGreaterThan(100);
      expect(breaches).toEqual([]);
    });

    describe('through ingestBatch on the embedded store', () => {
      let store: LocalStore;
      beforeAll(async () => {
        store = await openLocalStore();
      });
      afterAll(async () => {
        await store.close();
      });

      async function ingestAll(
        view: LocalStore,
        deliveries: readonly Delivery[],
      ): Promise<{ report: IngestReport; dispatcher: RecordingDispatcher }> {
        const dispatcher = new RecordingDispatcher();
        let report = emptyReport();
        for (let i = 0; i < deliveries.length; i += 10) {
          const batch = deliveries.slice(i, i + 10);
          report = mergeReports(
            report,
            await ingestBatch(batch, {
              db: view.db,
              tableName: view.tableName,
              dispatcher,
              routes: [CONTAIN],
              incidentWindowMs: 24 * 3_600_000,
              rejectedRetentionDays: 90,
            }),
          );
        }
        return { report, dispatcher };
      }

      /** Checks that nothing delivered was lost and that every item fits DynamoDB. */
      async function assertEverythingKept(
        view: LocalStore,
        deliveries: readonly Delivery[],
        report: IngestReport,
      ) {
        const expectedOutputs = deliveries.reduce((n, d) => n + normalize(d.body).length, 0);
        // Ingest admits no riposte.custom sender here (none is configured): those alerts are stored
        // as rejected (`untrusted_sender`), every other alert as an alert.
        const alertIds = new Set(
          deliveries.flatMap((d) =>
            normalize(d.body).flatMap((o) =>
              'alert' in o && admissionRefusal(o.alert, []) === undefined ? [o.alert.id] : [],
            ),
          ),
        );
        const items = await scanAll(view.db, view.tableName);
        const alertItems = items.filter((item) => item.sk === 'ALERT');
        const rejectedItems = items.filter((item) => item.sk === 'REJECTED');
        const stored =
          alertItems.reduce((n, item) => n + Number(item.occurrences), 0) +
          rejectedItems.reduce((n, item) => n + Number(item.deliveries), 0);
        const oversized = items
          .map((item) => ({ key: `${String(item.pk)} ${String(item.sk)}`, bytes: dynamoItemBytes(item) }))
          .filter((item) => item.bytes > DYNAMODB_MAX_ITEM_BYTES);

        expect(report.failures).toEqual([]);
        expect(report.errors).toEqual([]);
        expect(stored).toBe(expectedOutputs);
        expect(new Set(alertItems.map((item) => item.id))).toEqual(alertIds);
        expect(report.rejected).toBe(rejectedItems.reduce((n, item) => n + Number(item.deliveries), 0));
        expect(oversized).toEqual([]);
      }

      it(`keeps every one of ${scale.ingestDeliveries.toLocaleString('en')} hostile deliveries, as an alert or a rejected event`, async () => {
        // Prepare: hostile bodies as SQS strings or replay bytes, a fifth of them re-delivered
        const view = await freshTable(store, 'hostile');
        const body = fc.oneof(
          { arbitrary: gens.mutated, weight: 5 },
          { arbitrary: gens.routed, weight: 2 },
          { arbitrary: gens.corrupted, weight: 2 },
          { arbitrary: gens.arbitrary, weight: 1 },
        );
        const fresh = fc.sample(body, { numRuns: Math.ceil(scale.ingestDeliveries * 0.8), seed });
        const deliveries: Delivery[] = [];
        for (let i = 0; deliveries.length < scale.ingestDeliveries; i += 1) {
          const redeliver = i % 5 === 4 && deliveries.length > 0;
          const source = redeliver
            ? deliveries[(i * 7919) % deliveries.length]?.body
            : fresh[i % fresh.length];
          const value =
            source instanceof Uint8Array || typeof source === 'string' ? source : JSON.stringify(source);
          deliveries.push({ id: `m${i}`, body: value ?? '' });
        }

        // Act
        const { report } = await ingestAll(view, deliveries);

        // Assess
        await assertEverythingKept(view, deliveries, report);
        expect(report.alertsCreated).toBeGreaterThan(0);
        expect(report.rejected).toBeGreaterThan(0);
      });

      it('keeps events of multi-byte text within DynamoDB item size, under and over the EventBridge limit', async () => {
        // Prepare: UTF-8 bytes, not characters, are what DynamoDB counts (dynalite counts characters)
        const view = await freshTable(store, 'multibyte');
        const deliveries: Delivery[] = [
          { id: 'under-2-byte', body: bigMultibyteEvent(events, MAX_EVENT_BYTES - 2_000, 'é') },
          { id: 'under-3-byte', body: bigMultibyteEvent(events, MAX_EVENT_BYTES - 2_000, '€') },
          { id: 'over-2-byte', body: `${bigMultibyteEvent(events, 700_000, 'é')}` },
          { id: 'over-4-byte', body: Buffer.from(bigMultibyteEvent(events, 1_000_000, '💥'), 'utf8') },
        ];

        // Act
        const { report } = await ingestAll(view, deliveries);

        // Assess
        expect(report.alertsCreated).toBe(1);
        expect(report.rejectedByReason).toEqual({ too_large: 2 });
        await assertEverythingKept(view, deliveries, report);
      });
    });
  });
}

import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Alert,
  AlertSchema,
  type NormalizeOutput,
  REJECTION_REASONS,
} from '../../../functions/core/alert.ts';
import { normalize } from '../../../functions/core/normalize/index.ts';
import { FIXTURES_DIR, type FixtureEvent, listJsonFiles, loadFixture } from '../../support/fixtures.ts';
import { isObject } from '../../support/normalize.ts';

/**
 * Property tests of normalize()'s contract: it never throws, and every output is either an
 * alert that AlertSchema accepts or a rejection with a known reason and a message.
 */

const REASONS: readonly string[] = REJECTION_REASONS;

/** Checks the output contract and returns a description of the first breach, or undefined. */
function breach(outputs: unknown): string | undefined {
  if (!Array.isArray(outputs)) return 'normalize did not return an array';
  if (outputs.length === 0) return 'normalize returned no output';
  for (const [index, output] of outputs.entries()) {
    if (typeof output !== 'object' || output === null) return `output ${index} is not an object`;
    const hasAlert = 'alert' in output;
    const hasRejection = 'rejected' in output;
    if (hasAlert === hasRejection) return `output ${index} must hold exactly one of alert / rejected`;
    if (hasAlert) {
      const parsed = AlertSchema.safeParse(output.alert);
      if (!parsed.success)
        return `output ${index}: alert breaks AlertSchema: ${JSON.stringify(parsed.error.issues)}`;
    } else {
      const reason = childOf(output.rejected, 'reason');
      const message = childOf(output.rejected, 'message');
      if (typeof reason !== 'string' || !REASONS.includes(reason)) {
        return `output ${index}: unknown rejection reason ${JSON.stringify(reason)}`;
      }
      if (typeof message !== 'string' || message === '') return `output ${index}: empty message`;
    }
  }
  return undefined;
}

/** Runs normalize, turning a throw into a contract breach instead of an exception. */
function contractBreach(input: unknown): string | undefined {
  let outputs: NormalizeOutput[];
  try {
    outputs = normalize(input);
  } catch (error) {
    return `normalize threw: ${error instanceof Error ? error.message : String(error)}`;
  }
  return breach(outputs);
}

const fixtureNames = listJsonFiles(FIXTURES_DIR).map((file) => path.relative(FIXTURES_DIR, file));

type Key = string | number;

function childOf(node: unknown, key: Key): unknown {
  if (Array.isArray(node)) return typeof key === 'number' ? node[key] : undefined;
  return isObject(node) && typeof key === 'string' ? node[key] : undefined;
}

/** Every key path in a JSON value (containers and leaves), depth first. */
function keyPaths(value: unknown, prefix: Key[] = []): Key[][] {
  const out: Key[][] = [];
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      out.push([...prefix, index], ...keyPaths(item, [...prefix, index]));
    });
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value))
      out.push([...prefix, key], ...keyPaths(item, [...prefix, key]));
  }
  return out;
}

const DELETE = Symbol('delete');

/** Replaces (or deletes) the value at a key path, in place. */
function mutateAt(root: FixtureEvent, keys: readonly Key[], value: unknown): void {
  const parentKeys = keys.slice(0, -1);
  const last = keys.at(-1);
  let parent: unknown = root;
  for (const key of parentKeys) parent = childOf(parent, key);
  if (last === undefined) return;
  if (Array.isArray(parent)) {
    if (typeof last !== 'number') return;
    if (value === DELETE) parent.splice(last, 1);
    else parent[last] = value;
  } else if (isObject(parent) && typeof last === 'string') {
    if (value === DELETE) delete parent[last];
    else parent[last] = value;
  }
}

function valueAt(root: unknown, keys: readonly Key[]): unknown {
  let node = root;
  for (const key of keys) node = childOf(node, key);
  return node;
}

/** The alert of an input that must yield exactly one. */
function alertOf(input: unknown): Alert {
  const outputs = normalize(input);
  const [first] = outputs;
  if (outputs.length !== 1 || first === undefined || !('alert' in first)) {
    throw new Error(`expected one alert, got ${JSON.stringify(outputs).slice(0, 300)}`);
  }
  return first.alert;
}

const ROUTES: ReadonlyArray<readonly [string, string]> = [
  ['aws.guardduty', 'GuardDuty Finding'],
  ['aws.guardduty', 'GuardDuty Malware Protection Object Scan Result'],
  ['aws.guardduty', 'AWS API Call via CloudTrail'],
  ['aws.securityhub', 'Security Hub Findings - Imported'],
  ['aws.securityhub', 'Findings Imported V2'],
  ['aws.securityhub', 'Security Hub Insight Results'],
  ['aws.inspector2', 'Inspector2 Finding'],
  ['aws.macie', 'Macie Finding'],
  ['aws.access-analyzer', 'Access Analyzer Finding'],
  ['aws.config', 'Config Rules Compliance Change'],
  ['aws.signin', 'AWS Console Sign In via CloudTrail'],
  ['aws.iam', 'AWS API Call via CloudTrail'],
  ['riposte.custom', 'Alert'],
  ['acme.app', 'Something'],
];

describe('normalize never throws and always keeps its output contract', () => {
  it('for arbitrary JSON values, parsed or as text', () => {
    // Prepare
    const input = fc.jsonValue().chain((value) => fc.constantFrom<unknown>(value, JSON.stringify(value)));

    // Act & Assess
    fc.assert(
      fc.property(input, (value) => {
        expect(contractBreach(value)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('for arbitrary strings and bytes', () => {
    // Prepare
    const input = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.uint8Array({ maxLength: 512 }),
      fc.constantFrom('{', '[', '"', '{"detail":', '\uFEFF{}', '{"source":"aws.guardduty"}'),
    );

    // Act & Assess
    fc.assert(
      fc.property(input, (value) => {
        expect(contractBreach(value)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('for every route with an arbitrary detail', () => {
    // Prepare
    const input = fc.record({
      route: fc.constantFrom(...ROUTES),
      detail: fc.oneof(
        fc.jsonValue(),
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
            'ocsf',
            'scanResultDetails',
          ),
          fc.jsonValue(),
        ),
      ),
      time: fc.option(fc.constantFrom('2025-01-01T00:00:00Z', 'not a time', ''), { nil: undefined }),
    });

    // Act & Assess
    fc.assert(
      fc.property(input, ({ route, detail, time }) => {
        const event = { source: route[0], 'detail-type': route[1], time, account: '111122223333', detail };
        expect(contractBreach(event)).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });

  it('for mutations of valid fixtures', () => {
    // Prepare
    const replacement = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double(),
      fc.string(),
      fc.constant({}),
      fc.constant([]),
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(1_000, 70_000, 270_000).map((length) => 'x'.repeat(length)),
    );
    const mutation = fc.record({
      file: fc.constantFrom(...fixtureNames),
      pick: fc.nat(),
      kind: fc.constantFrom('delete', 'replace', 'stringify-number'),
      replacement,
      asText: fc.boolean(),
    });

    // Act & Assess
    fc.assert(
      fc.property(mutation, ({ file, pick, kind, replacement: value, asText }) => {
        const event = loadFixture(file);
        const paths = keyPaths(event);
        if (kind === 'stringify-number') {
          const numeric = paths.filter((keys) => typeof valueAt(event, keys) === 'number');
          const target = numeric[pick % Math.max(numeric.length, 1)];
          if (target !== undefined) mutateAt(event, target, String(valueAt(event, target)));
        } else {
          const target = paths[pick % paths.length];
          if (target !== undefined) mutateAt(event, target, kind === 'delete' ? DELETE : value);
        }
        expect(contractBreach(asText ? JSON.stringify(event) : event)).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });
});

describe('alert ids', () => {
  const findingFixtures = fixtureNames.filter((name) => {
    const outputs = normalize(loadFixture(name));
    return outputs.length === 1 && outputs[0] !== undefined && 'alert' in outputs[0];
  });
  const guardDutyFindings = [
    'guardduty/instance-backdoor-cc-dns-high.json',
    'guardduty/instance-ssh-bruteforce-sample.json',
    'guardduty/accesskey-tor-ipcaller-with-instance-details.json',
    'guardduty/s3bucket-block-public-access-disabled.json',
    'guardduty/instance-recon-port-probe-updated.json',
  ];
  const instant = fc
    .date({
      min: new Date('2015-01-01T00:00:00Z'),
      max: new Date('2035-01-01T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((date) => date.toISOString());

  it('covers the single-finding fixtures', () => {
    // Prepare: the list above

    // Act
    const count = findingFixtures.length;

    // Assess
    expect(count).toBeGreaterThanOrEqual(15);
    expect(findingFixtures).toEqual(expect.arrayContaining(guardDutyFindings));
  });

  it('do not change when a fixture is re-delivered with another envelope id and time', () => {
    // Prepare
    const redelivery = fc.record({ file: fc.constantFrom(...findingFixtures), id: fc.uuid(), time: instant });

    // Act & Assess
    fc.assert(
      fc.property(redelivery, ({ file, id, time }) => {
        const original = alertOf(loadFixture(file));
        const event = loadFixture(file);
        event.id = id;
        event.time = time;
        expect(alertOf(event).id).toBe(original.id);
      }),
      { numRuns: 150 },
    );
  });

  it('do not change when a GuardDuty finding is updated (count, updatedAt, eventLastSeen)', () => {
    // Prepare
    const update = fc.record({
      file: fc.constantFrom(...guardDutyFindings),
      id: fc.uuid(),
      time: instant,
      count: fc.integer({ min: 1, max: 100_000 }),
      updatedAt: instant,
      lastSeen: instant,
    });

    // Act & Assess
    fc.assert(
      fc.property(update, ({ file, id, time, count, updatedAt, lastSeen }) => {
        const original = alertOf(loadFixture(file));
        const event = loadFixture(file);
        event.id = id;
        event.time = time;
        mutateAt(event, ['detail', 'service', 'count'], count);
        mutateAt(event, ['detail', 'updatedAt'], updatedAt);
        mutateAt(event, ['detail', 'service', 'eventLastSeen'], lastSeen);
        const updated = alertOf(event);
        expect(updated.id).toBe(original.id);
        expect(updated.ocsf.activity_id).toBe(count > 1 ? 2 : 1);
      }),
      { numRuns: 150 },
    );
  });

  it('change when the GuardDuty finding id changes', () => {
    // Prepare
    const change = fc.record({
      file: fc.constantFrom(...guardDutyFindings),
      findingId: fc.stringMatching(/^[0-9a-f]{32}$/),
      keepArn: fc.boolean(),
    });

    // Act & Assess
    fc.assert(
      fc.property(change, ({ file, findingId, keepArn }) => {
        const original = loadFixture(file);
        const originalId = valueAt(original, ['detail', 'id']);
        fc.pre(findingId !== originalId);
        const event = loadFixture(file);
        mutateAt(event, ['detail', 'id'], findingId);
        const arn = valueAt(event, ['detail', 'arn']);
        // A different finding has a different ARN too; without one, Riposte rebuilds it from the id.
        if (keepArn && typeof arn === 'string' && typeof originalId === 'string') {
          mutateAt(event, ['detail', 'arn'], arn.replace(originalId, findingId));
        } else {
          mutateAt(event, ['detail', 'arn'], DELETE);
        }
        expect(alertOf(event).id).not.toBe(alertOf(original).id);
      }),
      { numRuns: 150 },
    );
  });
});

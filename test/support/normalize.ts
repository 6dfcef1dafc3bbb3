import { expect } from 'vitest';
import type { Alert, NormalizeOutput, Rejection } from '../../functions/core/alert.ts';
import { normalize } from '../../functions/core/normalize/index.ts';
import type { FixtureEvent } from './fixtures.ts';

/**
 * Helpers shared by the normalizer tests (`test/core/normalize/**`): reaching into and changing
 * fixture events, and taking the one alert or rejection that normalize() must produce.
 */

/** Whether a value is a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Sets (or, with `undefined`, deletes) the member at a dotted path of a fixture; returns the fixture.
 * Throws when the path up to the last key does not lead to an object.
 *
 * @example
 * const event = set(loadFixture(FIXTURE), 'detail.service.archived', true);
 */
export function set(event: FixtureEvent, dotted: string, value: unknown): FixtureEvent {
  const keys = dotted.split('.');
  const last = keys.pop() ?? '';
  let node: unknown = event;
  for (const key of keys) node = isObject(node) ? node[key] : undefined;
  if (!isObject(node)) throw new Error(`the fixture has no object at "${keys.join('.')}"`);
  if (value === undefined) delete node[last];
  else node[last] = value;
  return event;
}

/** Normalizes `input` and returns its alert; throws unless it yields exactly one output, an alert. */
export function alertFrom(input: unknown): Alert {
  const outputs = normalize(input);
  const [first] = outputs;
  if (outputs.length !== 1 || first === undefined || !('alert' in first)) {
    throw new Error(`expected exactly one alert, got ${JSON.stringify(outputs)}`);
  }
  return first.alert;
}

/** Normalizes `input` and returns its rejection; throws unless it yields exactly one output, a rejection. */
export function rejectionFrom(input: unknown): Rejection {
  const outputs = normalize(input);
  const [first] = outputs;
  if (outputs.length !== 1 || first === undefined || !('rejected' in first)) {
    throw new Error(`expected exactly one rejection, got ${JSON.stringify(outputs).slice(0, 300)}`);
  }
  return first.rejected;
}

/**
 * The alert of normalize() outputs that must hold exactly one: asserts the length, then throws
 * when the one output is a rejection.
 */
export function alertOf(outputs: NormalizeOutput[]): Alert {
  expect(outputs).toHaveLength(1);
  const [output] = outputs;
  if (output === undefined || !('alert' in output))
    throw new Error(`expected an alert, got ${JSON.stringify(output)}`);
  return output.alert;
}

/** A shallow copy of `value` as a record, for reading members of an OCSF object; throws on a non-object. */
export function record(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('expected an object');
  return Object.fromEntries(Object.entries(value));
}

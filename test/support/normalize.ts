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

/**
 * The vulnerability Riposte derives from the Inspector fixture's CVE-2024-0001 finding, whether
 * the finding arrives from Inspector itself or through Security Hub.
 */
export const DEMO_HTTPD_VULNERABILITY = {
  cve: {
    uid: 'CVE-2024-0001',
    cvss: [
      {
        base_score: 9.8,
        version: '3.1',
        vector_string: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        vendor_name: 'NVD',
      },
    ],
    epss: { score: '0.0123' },
    created_time: Date.UTC(2024, 0, 9, 18, 15, 7),
    modified_time: Date.UTC(2024, 1, 20, 10, 40),
  },
  title: 'CVE-2024-0001 - riposte-demo-httpd',
  desc: expect.stringContaining('heap buffer overflow'),
  severity: 'CRITICAL',
  vendor_name: 'NVD',
  affected_packages: [
    {
      name: 'riposte-demo-httpd',
      version: '2.4.57',
      epoch: 0,
      release: '1.amzn2023',
      architecture: 'X86_64',
      package_manager: 'OS',
      fixed_in_version: '0:2.4.58-1.amzn2023',
      remediation: { desc: 'dnf update riposte-demo-httpd' },
    },
  ],
  is_fix_available: true,
  fix_coverage_id: 1,
  fix_coverage: 'Complete',
  is_exploit_available: true,
  exploit_last_seen_time: Date.UTC(2024, 2, 10),
  references: [
    'https://example.com/advisories/riposte-demo-httpd-2024-0001',
    'https://nvd.nist.gov/vuln/detail/CVE-2024-0001',
  ],
  remediation: {
    desc: 'Upgrade riposte-demo-httpd to the fixed version listed in the vulnerable packages.',
  },
  first_seen_time: Date.UTC(2024, 2, 11, 8, 15, 42),
  last_seen_time: Date.UTC(2024, 2, 18, 14, 22, 9),
};

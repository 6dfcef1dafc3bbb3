import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStore, openLocalStore } from '../../cli/local/store.ts';
import type { PlaybookRoute } from '../../functions/core/intake/dispatch.ts';
import { ingestOnOneResource } from '../support/one-resource.ts';

const EC2: PlaybookRoute = {
  id: 'ec2-instance-compromise',
  version: '1.0.1',
  target: 'ec2-instance-compromise',
  trigger: { sources: ['aws.guardduty'], findingTypes: ['Backdoor:EC2/*'], minSeverity: 4 },
};

let store: LocalStore;
beforeAll(async () => {
  store = await openLocalStore();
});
afterAll(async () => {
  await store.close();
});

describe('incident membership at scale', () => {
  it('ingests 100,000 alerts on one resource, the incident item far from 400 KB', {
    timeout: 3_600_000,
  }, async () => {
    // Act
    const figures = await ingestOnOneResource(store, 100_000, [EC2]);

    // Assess
    console.log(`100,000 alerts on one resource: ${JSON.stringify(figures)}`);
    expect(figures.failures).toBe(0);
    expect(figures.incidents).toBe(1);
    expect(figures.executions).toBe(1);
    expect(figures.alertCount).toBe(100_000);
    expect(figures.incidentItemBytes).toBeLessThan(8 * 1024);
  });
});

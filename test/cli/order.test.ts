import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';

describe('riposte run tells events in the order they happen', () => {
  it('prints the approval question before the decision, and the states before what their tasks did', async () => {
    // Act: a production instance, so isolation asks for an approval
    const result = await cli(['run', 'examples/events/guardduty-ec2-c2-activity.json', '--approve']);

    // Assess
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const asks = lines.findIndex((l) => l.includes('▸ asks: '));
    const granted = lines.findIndex((l) => l.includes('▸ approval granted'));
    const isolate = lines.findIndex((l) => /^ {4}isolate-instance on /.test(l));
    expect(asks).toBeGreaterThan(-1);
    expect(granted).toBeGreaterThan(asks);
    expect(isolate).toBeGreaterThan(granted);
    // Each action line follows the state it ran in.
    lines.forEach((line, index) => {
      if (/^ {4}\S+ on /.test(line)) expect(lines[index - 1]).toMatch(/▸|→|^ {4}\S+ on /);
    });
  });
});

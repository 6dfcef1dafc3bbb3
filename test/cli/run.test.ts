import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cli as run } from '../support/cli.ts';

/**
 * The documented `riposte run --json` output, field for field:
 * `{"alerts","incident","executions":[{"playbook","version","status","path","actions":[{"action","target","dryRun","calls":[{"api","params"}]}]}]}`.
 * Strict objects: a field added or renamed fails the parse. (`error` appears on failed actions
 * and executions only, and the successful runs below have none.)
 */
const RunOutputSchema = z.strictObject({
  alerts: z.array(z.record(z.string(), z.unknown())).min(1),
  incident: z.record(z.string(), z.unknown()).nullable(),
  executions: z.array(
    z.strictObject({
      playbook: z.string(),
      version: z.string(),
      status: z.enum(['SUCCEEDED', 'FAILED', 'TIMED_OUT']),
      path: z.array(z.string()),
      actions: z.array(
        z.strictObject({
          action: z.string(),
          target: z.string(),
          dryRun: z.boolean(),
          calls: z.array(z.strictObject({ api: z.string(), params: z.record(z.string(), z.unknown()) })),
        }),
      ),
    }),
  ),
});

const READ = /^(Describe|Get|List|Head)/;
const WORLD = 'examples/world.json';

describe('riposte run', () => {
  it('answers the C2 example with the documented JSON and the isolation calls in order', async () => {
    // Prepare
    const argv = [
      'run',
      'examples/events/guardduty-ec2-c2-activity.json',
      '--playbook',
      'ec2-instance-compromise',
      '--world',
      WORLD,
      '--approve',
      '--json',
    ];

    // Act
    const result = await run(argv);

    // Assess
    expect(result.code).toBe(0);
    const output = RunOutputSchema.parse(JSON.parse(result.stdout));
    expect(output.incident).toMatchObject({
      resourceType: 'AWS::EC2::Instance',
      resourceUid: 'i-0a1b2c3d4e5f60718',
    });
    expect(output.executions).toHaveLength(1);
    const [execution] = output.executions;
    expect(execution).toMatchObject({
      playbook: 'ec2-instance-compromise',
      version: '1.1.0',
      status: 'SUCCEEDED',
    });
    expect(execution?.path).toContain('Isolate and snapshot');
    const isolation = execution?.actions.find((a) => a.action === 'isolate-instance');
    expect(isolation?.target).toBe('i-0a1b2c3d4e5f60718');
    const apis = (isolation?.calls ?? []).map((c) => c.api);
    const firstModify = apis.indexOf('ModifyNetworkInterfaceAttribute');
    expect(firstModify).toBeGreaterThan(-1);
    expect(apis.indexOf('EnterStandby')).toBeGreaterThan(-1);
    expect(apis.indexOf('EnterStandby')).toBeLessThan(firstModify);
    expect(apis.indexOf('DeregisterTargets')).toBeGreaterThan(-1);
    expect(apis.indexOf('DeregisterTargets')).toBeLessThan(firstModify);
    expect(execution?.actions.map((a) => a.action)).toEqual([
      'enrich-instance',
      'isolate-instance',
      'notify',
    ]);
  });

  it('only notifies for the protected-instance example: no state-changing call', async () => {
    // Prepare
    const argv = [
      'run',
      'examples/events/guardduty-ec2-protected-instance.json',
      '--playbook',
      'ec2-instance-compromise',
      '--world',
      WORLD,
      '--approve',
      '--json',
    ];

    // Act
    const result = await run(argv);

    // Assess
    expect(result.code).toBe(0);
    const output = RunOutputSchema.parse(JSON.parse(result.stdout));
    const [execution] = output.executions;
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.path).toContain('Notify: not contained');
    const calls = (execution?.actions ?? []).flatMap((a) => a.calls);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => !READ.test(c.api))).toEqual([]);
    expect(execution?.actions.map((a) => a.action)).toContain('notify');
    expect(execution?.actions.map((a) => a.action)).not.toContain('isolate-instance');
  });

  it('refuses --approve together with --deny with exit status 2', async () => {
    // Act
    const result = await run([
      'run',
      'examples/events/guardduty-ec2-c2-activity.json',
      '--approve',
      '--deny',
      '--json',
    ]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--approve and --deny exclude each other');
    expect(result.stdout).toBe('');
  });
});

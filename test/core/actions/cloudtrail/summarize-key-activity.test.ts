import { describe, expect, it } from 'vitest';
import { summarizeKeyActivityAction } from '../../../../functions/core/actions/cloudtrail/summarize-key-activity.ts';
import { runAction } from '../../../../functions/core/actions/runner.ts';
import { MemoryContainmentState, MemoryTimeline } from '../../../../functions/core/actions/state.ts';
import type { ActionDefinition } from '../../../../functions/core/actions/types.ts';
import { LocalWorld, type WorldData } from '../../../../functions/core/actions/world/index.ts';
import { actionEnv, executionFacts, PermissiveSafetyRails } from '../../../support/action-env.ts';

const KEY = 'AKIAEXAMPLEEXPOSED01';
const REPORTED = '2026-11-30T09:12:41Z';
const NOW = Date.parse('2026-12-01T00:00:00Z');

function envOf(edit?: (data: WorldData) => void) {
  const w = LocalWorld.fromFile('examples/world.json');
  edit?.(w.state);
  return actionEnv({ mode: { kind: 'world', world: w }, now: () => NOW });
}

const input = (extra: Record<string, unknown> = {}) =>
  summarizeKeyActivityAction.input.parse({ accessKeyId: KEY, since: REPORTED, ...extra });

/** `count` calls with the key, one a minute from 2026-11-30T10:00Z, from 203.0.113.9. */
function manyCalls(count: number) {
  return (data: WorldData) => {
    for (let i = 0; i < count; i += 1) {
      data.cloudtrail.events.push({
        eventId: `bulk-${i}`,
        eventName: 'GetObject',
        eventSource: 's3.amazonaws.com',
        eventTime: new Date(Date.parse('2026-11-30T10:00:00Z') + i * 60_000).toISOString(),
        userIdentity: {},
        accessKeyId: KEY,
        readOnly: true,
        resources: [],
        sourceIPAddress: '203.0.113.9',
      });
    }
  };
}

describe('summarize-key-activity', () => {
  it('looks the key up over the window and counts its calls by name, source, Region, IP and agent', async () => {
    // Prepare
    const env = envOf();

    // Act
    const output = await summarizeKeyActivityAction.run(input(), env);

    // Assess
    expect(env.recorder.calls.map((c) => [c.api, c.params])).toEqual([
      [
        'LookupEvents',
        {
          LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: KEY }],
          StartTime: new Date('2026-11-29T09:12:41Z'),
          EndTime: new Date(NOW),
          MaxResults: 50,
        },
      ],
    ]);
    expect(output).toMatchObject({
      region: 'eu-west-1',
      from: '2026-11-29T09:12:41.000Z',
      to: '2026-12-01T00:00:00.000Z',
      eventsRead: 5,
      complete: true,
      failedCalls: 2,
      writeCalls: 2,
      firstEventAt: '2026-11-30T08:58:12.000Z',
      lastEventAt: '2026-11-30T09:21:49.000Z',
      eventNames: [
        { value: 'DescribeInstances', count: 2 },
        { value: 'RunInstances', count: 2 },
        { value: 'ListBuckets', count: 1 },
      ],
      eventSources: [
        { value: 'ec2.amazonaws.com', count: 4 },
        { value: 's3.amazonaws.com', count: 1 },
      ],
      regions: [{ value: 'eu-west-1', count: 5 }],
      sourceIps: [
        { value: '203.0.113.77', count: 4 },
        { value: '198.51.100.23', count: 1 },
      ],
    });
    expect(output.timeline.after).toMatchObject({ eventsRead: 5, failedCalls: 2 });
  });

  it('leaves out calls before the window', async () => {
    // Act
    const output = await summarizeKeyActivityAction.run(
      input({ since: '2026-11-30T10:08:12Z', lookbackHours: 1 }),
      envOf(),
    );

    // Assess
    expect(output.eventsRead).toBe(4);
    expect(output.eventNames).toContainEqual({ value: 'DescribeInstances', count: 1 });
    expect(output.sourceIps).toEqual([{ value: '203.0.113.77', count: 4 }]);
  });

  it('reads pages of 50 up to maxEvents, and says when more were left', async () => {
    // Prepare
    const env = envOf(manyCalls(130));

    // Act
    const output = await summarizeKeyActivityAction.run(input({ maxEvents: 120 }), env);

    // Assess
    expect(env.recorder.calls.map((c) => c.params.MaxResults)).toEqual([50, 50, 20]);
    expect(output).toMatchObject({ eventsRead: 120, complete: false });
    expect(output.notes).toContain('more than 120 calls: only the latest 120 are counted');
  });

  it('says so when the key made no call in the window', async () => {
    // Act
    const output = await summarizeKeyActivityAction.run(
      summarizeKeyActivityAction.input.parse({ accessKeyId: 'AKIAPAYMENTSDEPLOY01', since: '' }),
      envOf(),
    );

    // Assess
    expect(output).toMatchObject({ eventsRead: 0, firstEventAt: null, eventNames: [] });
    expect(output.from).toBe('2026-11-30T00:00:00.000Z');
    expect(output.notes[0]).toMatch(/^no call with AKIAPAYMENTSDEPLOY01 in eu-west-1/);
  });

  it('bounds its input: window up to 90 days, up to 1,000 events, an access key id', () => {
    const parse = (extra: Record<string, unknown>) =>
      summarizeKeyActivityAction.input.safeParse({ accessKeyId: KEY, ...extra }).success;
    expect(parse({ lookbackHours: 2160, maxEvents: 1000 })).toBe(true);
    expect(parse({ lookbackHours: 2161 })).toBe(false);
    expect(parse({ maxEvents: 1001 })).toBe(false);
    expect(summarizeKeyActivityAction.input.safeParse({ accessKeyId: 'not-a-key' }).success).toBe(false);
  });

  it('puts the summary on the timeline, read from Riposte’s Region for an account-wide (global) report', async () => {
    // Prepare: AWS Health reports exposed keys with the Region `global`.
    const facts = executionFacts({ region: 'global' });
    const timeline = new MemoryTimeline(facts);
    const action = summarizeKeyActivityAction as unknown as ActionDefinition;

    // Act
    const response = await runAction(
      { action: action.id, input: { accessKeyId: KEY, since: REPORTED }, execution: facts },
      {
        actions: new Map([[action.id, action]]),
        family: 'enrich',
        store: { db: {} as never, tableName: 'riposte', now: () => NOW },
        baseMode: { kind: 'world', world: LocalWorld.fromFile('examples/world.json') },
        killSwitch: async () => false,
        rails: () => new PermissiveSafetyRails(),
        state: () => new MemoryContainmentState(),
        timeline: () => timeline,
        defaultRegion: 'eu-west-1',
      },
    );

    // Assess
    expect((response.output as { region: string }).region).toBe('eu-west-1');
    expect(timeline.entries[0]).toMatchObject({
      action: 'summarize-key-activity',
      outcome: 'succeeded',
      after: {
        eventsRead: 5,
        failedCalls: 2,
        sourceIps: [
          { value: '203.0.113.77', count: 4 },
          { value: '198.51.100.23', count: 1 },
        ],
      },
    });
  });
});

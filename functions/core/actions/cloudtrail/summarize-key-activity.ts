import { type CloudTrailClient, type Event, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { z } from 'zod';
import { cloudTrailService } from '../services/cloudtrail.ts';
import { defineAction } from '../types.ts';

const HOUR_MS = 3_600_000;
/** LookupEvents answers at most 50 events a page. */
const PAGE = 50;
/** How many values of each kind the summary lists (the counts cover every event read). */
const TOP = 20;

export const SummarizeKeyActivityInputSchema = z.object({
  /** The access key whose calls to list (`AccessKeyId` lookup attribute). */
  accessKeyId: z
    .string()
    .regex(/^(AKIA|ASIA)[A-Z0-9]{16}$/, 'an access key id (AKIA… or ASIA…, 20 characters)'),
  /** When the key was reported (the alert's time); the window starts `lookbackHours` before it. '' or absent: now. */
  since: z.union([z.iso.datetime({ offset: true }), z.literal('')]).optional(),
  /** Hours of history before `since`. @default 24 (at most 90 days, CloudTrail's event history) */
  lookbackHours: z.number().int().min(1).max(2160).default(24),
  /** Events read at most (pages of 50, two requests a second allowed). @default 500 */
  maxEvents: z.number().int().min(1).max(1000).default(500),
});
export type SummarizeKeyActivityInput = z.infer<typeof SummarizeKeyActivityInputSchema>;

const CountSchema = z.object({ value: z.string(), count: z.number().int() });

export const KeyActivitySchema = z.object({
  accessKeyId: z.string(),
  /** The Region whose event history was searched (LookupEvents is regional; IAM and STS global calls are in us-east-1). */
  region: z.string(),
  from: z.string(),
  to: z.string(),
  eventsRead: z.number().int(),
  /** False when `maxEvents` stopped the reading before the history's end. */
  complete: z.boolean(),
  firstEventAt: z.string().nullable(),
  lastEventAt: z.string().nullable(),
  /** Calls that failed (`errorCode`), often an attacker probing permissions. */
  failedCalls: z.number().int(),
  writeCalls: z.number().int(),
  eventNames: z.array(CountSchema),
  eventSources: z.array(CountSchema),
  regions: z.array(CountSchema),
  sourceIps: z.array(CountSchema),
  userAgents: z.array(CountSchema),
});
export type KeyActivity = z.infer<typeof KeyActivitySchema>;

export const SummarizeKeyActivityOutputSchema = KeyActivitySchema.extend({
  notes: z.array(z.string()),
  /** The summary, kept on the incident's timeline entry. */
  timeline: z.object({ after: z.record(z.string(), z.unknown()) }),
});
export type SummarizeKeyActivityOutput = z.infer<typeof SummarizeKeyActivityOutputSchema>;

/** The fields of a CloudTrail record the summary reads (`CloudTrailEvent`, a JSON string). */
const RecordSchema = z.object({
  awsRegion: z.string().optional(),
  sourceIPAddress: z.string().optional(),
  userAgent: z.string().optional(),
  errorCode: z.string().optional(),
  readOnly: z.boolean().optional(),
});

/** Step "read": `LookupEvents` on the key over the window, newest first, up to `max` events. */
async function readEvents(
  cloudtrail: CloudTrailClient,
  accessKeyId: string,
  from: Date,
  to: Date,
  max: number,
) {
  const events: Event[] = [];
  let token: string | undefined;
  do {
    const out = await cloudtrail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: accessKeyId }],
        StartTime: from,
        EndTime: to,
        MaxResults: Math.min(PAGE, max - events.length),
        ...(token === undefined ? {} : { NextToken: token }),
      }),
    );
    events.push(...(out.Events ?? []).slice(0, max - events.length));
    token = out.NextToken;
  } while (token !== undefined && events.length < max);
  return { events, complete: token === undefined };
}

function top(counts: Map<string, number>): { value: string; count: number }[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, TOP)
    .map(([value, count]) => ({ value, count }));
}

function recordOf(event: Event): z.infer<typeof RecordSchema> {
  try {
    const parsed = RecordSchema.safeParse(JSON.parse(event.CloudTrailEvent ?? '{}'));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** Step "summarize" (no call): counts by event name, source, Region, source IP and user agent. */
function summarize(events: readonly Event[]) {
  const tallies = {
    names: new Map(),
    sources: new Map(),
    regions: new Map(),
    ips: new Map(),
    agents: new Map(),
  };
  const bump = (map: Map<string, number>, key: string | undefined) => {
    map.set(key ?? 'unknown', (map.get(key ?? 'unknown') ?? 0) + 1);
  };
  let failedCalls = 0;
  let writeCalls = 0;
  for (const event of events) {
    const record = recordOf(event);
    bump(tallies.names, event.EventName);
    bump(tallies.sources, event.EventSource);
    bump(tallies.regions, record.awsRegion);
    bump(tallies.ips, record.sourceIPAddress);
    bump(tallies.agents, record.userAgent);
    if (record.errorCode !== undefined) failedCalls += 1;
    if (event.ReadOnly === 'false' || record.readOnly === false) writeCalls += 1;
  }
  const times = events.flatMap((e) => (e.EventTime === undefined ? [] : [new Date(e.EventTime).getTime()]));
  return {
    firstEventAt: times.length === 0 ? null : new Date(Math.min(...times)).toISOString(),
    lastEventAt: times.length === 0 ? null : new Date(Math.max(...times)).toISOString(),
    failedCalls,
    writeCalls,
    eventNames: top(tallies.names),
    eventSources: top(tallies.sources),
    regions: top(tallies.regions),
    sourceIps: top(tallies.ips),
    userAgents: top(tallies.agents),
  };
}

/**
 * What an access key did recently, for the incident's timeline: CloudTrail `LookupEvents` with
 * the lookup attribute `AccessKeyId` = the key
 * (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html), from
 * `lookbackHours` before the report until now, at most `maxEvents` events (pages of 50), counted
 * by event name, event source, Region, source IP and user agent, with the failed and write calls.
 * The first step AWS asks after a key is exposed is to review what it did
 * (https://repost.aws/knowledge-center/potential-account-compromise).
 *
 * LookupEvents searches one Region's 90-day history of management events: the Region of the
 * client (Riposte's, for an account-wide report such as AWS Health's). The notes say when the
 * key was last used elsewhere. Reads only.
 *
 * @example
 * const { output } = await runAction(summarizeKeyActivityAction, { accessKeyId: 'AKIAEXAMPLEEXPOSED01', since: '2026-11-30T09:12:41Z' }, env);
 * output.eventNames; // [{ value: 'ListBuckets', count: 3 }, …]
 */
export const summarizeKeyActivityAction = defineAction({
  id: 'summarize-key-activity',
  family: 'enrich',
  services: cloudTrailService,
  description:
    'Lists what an access key did recently (CloudTrail LookupEvents on the key, bounded window and count) and counts it by call, source, Region and source IP.',
  input: SummarizeKeyActivityInputSchema,
  output: SummarizeKeyActivityOutputSchema,
  iamActions: ['cloudtrail:LookupEvents'],
  target: (input) => input.accessKeyId,
  async run(input, env): Promise<SummarizeKeyActivityOutput> {
    const { cloudtrail } = env.clients;
    const now = env.now();
    const anchor = input.since === undefined || input.since === '' ? now : Date.parse(input.since);
    const from = new Date(anchor - input.lookbackHours * HOUR_MS);
    const to = new Date(Math.max(now, anchor));
    const { events, complete } = await readEvents(cloudtrail, input.accessKeyId, from, to, input.maxEvents);
    const activity: KeyActivity = {
      accessKeyId: input.accessKeyId,
      region: await cloudtrail.config.region(),
      from: from.toISOString(),
      to: to.toISOString(),
      eventsRead: events.length,
      complete,
      ...summarize(events),
    };
    const notes = [
      events.length === 0
        ? `no call with ${input.accessKeyId} in ${activity.region} between ${activity.from} and ${activity.to}`
        : `${events.length} calls with ${input.accessKeyId} in ${activity.region}, ${activity.failedCalls} failed, ${activity.writeCalls} changed something`,
      ...(complete
        ? []
        : [`more than ${input.maxEvents} calls: only the latest ${input.maxEvents} are counted`]),
      'LookupEvents covers one Region: search the other Regions (or the organization trail) for the key id too',
    ];
    return { ...activity, notes, timeline: { after: { ...activity } } };
  },
});

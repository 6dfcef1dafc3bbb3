import { type CloudTrailClient, type Event, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { z } from 'zod';
import { type Selectors, SelectorsSchema } from './trail.ts';

/**
 * What a trail was like before a change, from the Region's CloudTrail event history
 * (`LookupEvents`, 90 days, by `EventName`;
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html). Riposte
 * keeps no baseline of its own: the history is AWS's record of every management call, including
 * the ones that configured the trail, so it is the one source that exists for any trail.
 *
 * - Event selectors before a `PutEventSelectors`: those of the latest successful earlier
 *   `PutEventSelectors` on the same trail; else, when the trail was created in the window and
 *   never given selectors, the default of a new trail (every management event, read and write,
 *   https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html);
 *   else unknown, and nothing is restored.
 * - The configuration of a deleted trail: its `CreateTrail` request with every later
 *   `UpdateTrail` laid over it; unknown when it was created before the window.
 */

const WINDOW_MS = 90 * 86_400_000;
const MAX_PAGES = 5;

/** The selectors of a trail that has never been given any. */
export const DEFAULT_SELECTORS: Selectors = {
  EventSelectors: [
    {
      ReadWriteType: 'All',
      IncludeManagementEvents: true,
      DataResources: [],
      ExcludeManagementEventSources: [],
    },
  ],
};

const RecordSchema = z.object({
  errorCode: z.string().optional(),
  requestParameters: z.record(z.string(), z.unknown()).nullable().optional(),
});
type TrailRecord = { readonly event: Event; readonly params: Record<string, unknown> };

export interface TrailQuery {
  readonly name: string;
  readonly arn?: string;
  /** When the change happened: only calls strictly before it count. */
  readonly changedAt: string;
  readonly changeEventId?: string;
}

/** Successful `eventName` calls on the trail before the change, newest first. */
async function callsOn(
  cloudtrail: CloudTrailClient,
  eventName: string,
  query: TrailQuery,
): Promise<TrailRecord[]> {
  const to = new Date(query.changedAt);
  const found: TrailRecord[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const out = await cloudtrail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }],
        StartTime: new Date(to.getTime() - WINDOW_MS),
        EndTime: to,
        MaxResults: 50,
        ...(token === undefined ? {} : { NextToken: token }),
      }),
    );
    for (const event of out.Events ?? []) {
      if (event.EventId === query.changeEventId) continue;
      const parsed = RecordSchema.safeParse(safeJson(event.CloudTrailEvent));
      if (!parsed.success || parsed.data.errorCode !== undefined) continue;
      const params = parsed.data.requestParameters ?? {};
      const named = params.trailName ?? params.name;
      if (named === query.name || (query.arn !== undefined && named === query.arn))
        found.push({ event, params });
    }
    token = out.NextToken;
    if (token === undefined) break;
  }
  return found
    .filter((r) => r.event.EventTime !== undefined && new Date(r.event.EventTime).getTime() < to.getTime())
    .sort((a, b) => new Date(b.event.EventTime ?? 0).getTime() - new Date(a.event.EventTime ?? 0).getTime());
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}

/** CloudTrail records request members in camelCase; the API takes PascalCase. */
export function apiShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(apiShape);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), apiShape(v)]),
  );
}

const describe = (event: Event): string =>
  `${event.EventName} at ${event.EventTime === undefined ? 'unknown time' : new Date(event.EventTime).toISOString()} (event ${event.EventId ?? 'unknown'})`;

/**
 * The trail's event selectors before the change (see the module's rules); `selectors` null
 * when they cannot be established.
 *
 * @example
 * await selectorsBeforeChange(cloudtrail, { name: 'org-audit', changedAt: '2026-11-12T03:00:00Z' });
 * // { selectors: { EventSelectors: [...] }, basis: 'PutEventSelectors at … (event …)' }
 */
export async function selectorsBeforeChange(
  cloudtrail: CloudTrailClient,
  query: TrailQuery,
): Promise<{ selectors: Selectors | null; basis: string }> {
  const [latest] = await callsOn(cloudtrail, 'PutEventSelectors', query);
  if (latest !== undefined) {
    const parsed = SelectorsSchema.safeParse(
      apiShape({
        eventSelectors: latest.params.eventSelectors,
        advancedEventSelectors: latest.params.advancedEventSelectors,
      }),
    );
    if (!parsed.success) {
      return { selectors: null, basis: `${describe(latest.event)} recorded selectors Riposte cannot read` };
    }
    return {
      selectors: parsed.data,
      basis: describe(latest.event),
    };
  }
  const [created] = await callsOn(cloudtrail, 'CreateTrail', query);
  if (created !== undefined) {
    return { selectors: DEFAULT_SELECTORS, basis: `the default of a new trail: ${describe(created.event)}` };
  }
  return {
    selectors: null,
    basis: 'no earlier PutEventSelectors or CreateTrail of the trail in the 90 days of history',
  };
}

/**
 * The last known configuration of a deleted trail: its `CreateTrail` request with the later
 * `UpdateTrail` requests laid over it, as CloudTrail recorded them; null when unknown.
 *
 * @example
 * await configurationBeforeDeletion(cloudtrail, { name: 'org-audit', changedAt: '2026-11-12T03:00:00Z' });
 * // { configuration: { name: 'org-audit', s3BucketName: 'audit-logs', isMultiRegionTrail: true }, basis: '…' }
 */
export async function configurationBeforeDeletion(
  cloudtrail: CloudTrailClient,
  query: TrailQuery,
): Promise<{ configuration: Record<string, unknown> | null; basis: string }> {
  const [created] = await callsOn(cloudtrail, 'CreateTrail', query);
  if (created === undefined) {
    return {
      configuration: null,
      basis: 'the trail was created before the 90 days of history: recreate it from its source (IaC)',
    };
  }
  const createdAt = new Date(created.event.EventTime ?? 0).getTime();
  const updates = (await callsOn(cloudtrail, 'UpdateTrail', query))
    .filter((u) => new Date(u.event.EventTime ?? 0).getTime() > createdAt)
    .reverse();
  const configuration: Record<string, unknown> = { ...created.params };
  for (const update of updates) Object.assign(configuration, update.params);
  return {
    configuration,
    basis: `${describe(created.event)} and ${updates.length} later UpdateTrail call(s)`,
  };
}

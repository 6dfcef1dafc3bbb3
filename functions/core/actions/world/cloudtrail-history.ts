import { z } from 'zod';
import { WorldApiError } from './errors.ts';

/**
 * The CloudTrail event history of the local world, as `LookupEvents` answers it
 * (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html): at most
 * one lookup attribute (`EventId`, `EventName`, `ReadOnly`, `Username`, `ResourceType`,
 * `ResourceName`, `EventSource`, `AccessKeyId`), a time range (`StartTime` and `EndTime`, both
 * inclusive), pages of at most 50 events, newest first, with a `NextToken`; each event carries
 * the CloudTrail record as a JSON string (`CloudTrailEvent`). Split from `cloudtrail.ts` (trails).
 */

const IsoDate = z.iso.datetime({ offset: true });

/** One event of the history, as the world file writes it. */
export const HistoryEventSchema = z.strictObject({
  eventId: z.string().min(1),
  eventName: z.string().min(1),
  eventSource: z.string().min(1),
  eventTime: IsoDate,
  /** The caller's `userIdentity`, as CloudTrail records it. */
  userIdentity: z.record(z.string(), z.unknown()).default({}),
  /** The user name `LookupEvents` shows (`Username`). */
  username: z.string().optional(),
  accessKeyId: z.string().optional(),
  readOnly: z.boolean().default(false),
  resources: z.array(z.strictObject({ type: z.string(), name: z.string() })).default([]),
  requestParameters: z.record(z.string(), z.unknown()).optional(),
  errorCode: z.string().optional(),
  /** Where the call came from and with what (the record's `sourceIPAddress`, `userAgent`). */
  sourceIPAddress: z.string().optional(),
  userAgent: z.string().optional(),
});
type HistoryEventRecord = z.infer<typeof HistoryEventSchema>;

/** What the history needs of the CloudTrail world section. */
interface History {
  readonly accountId: string;
  readonly region: string;
  readonly events: readonly HistoryEventRecord[];
}
type Params = Readonly<Record<string, unknown>>;

const PAGE = 50;
const ATTRIBUTES = [
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
] as const;
type AttributeKey = (typeof ATTRIBUTES)[number];

function timeOf(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms =
    value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new WorldApiError('InvalidTimeRangeException', `${name} is not a time`);
  return ms;
}

function matches(event: HistoryEventRecord, key: AttributeKey, value: string): boolean {
  switch (key) {
    case 'EventId':
      return event.eventId === value;
    case 'EventName':
      return event.eventName === value;
    case 'ReadOnly':
      return String(event.readOnly) === value;
    case 'Username':
      return event.username === value;
    case 'ResourceType':
      return event.resources.some((r) => r.type === value);
    case 'ResourceName':
      return event.resources.some((r) => r.name === value);
    case 'EventSource':
      return event.eventSource === value;
    case 'AccessKeyId':
      return event.accessKeyId === value;
  }
}

function attributeOf(params: Params): { key: AttributeKey; value: string } | undefined {
  const list = params.LookupAttributes;
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || list.length > 1) {
    throw new WorldApiError('InvalidLookupAttributesException', 'LookupAttributes can contain only one item');
  }
  const [attribute] = list as { AttributeKey?: unknown; AttributeValue?: unknown }[];
  if (attribute === undefined) return undefined;
  const key = ATTRIBUTES.find((k) => k === attribute.AttributeKey);
  if (key === undefined || typeof attribute.AttributeValue !== 'string') {
    throw new WorldApiError('InvalidLookupAttributesException', 'invalid lookup attribute');
  }
  return { key, value: attribute.AttributeValue };
}

/** The event as `LookupEvents` returns it, with the record as `CloudTrailEvent`. */
function toApi(state: History, event: HistoryEventRecord): Record<string, unknown> {
  const record = {
    eventVersion: '1.10',
    userIdentity: event.userIdentity,
    eventTime: event.eventTime,
    eventSource: event.eventSource,
    eventName: event.eventName,
    awsRegion: state.region,
    ...(event.sourceIPAddress === undefined ? {} : { sourceIPAddress: event.sourceIPAddress }),
    ...(event.userAgent === undefined ? {} : { userAgent: event.userAgent }),
    ...(event.errorCode === undefined ? {} : { errorCode: event.errorCode }),
    ...(event.requestParameters === undefined ? {} : { requestParameters: event.requestParameters }),
    eventID: event.eventId,
    readOnly: event.readOnly,
    recipientAccountId: state.accountId,
  };
  return {
    EventId: event.eventId,
    EventName: event.eventName,
    ReadOnly: String(event.readOnly),
    ...(event.accessKeyId === undefined ? {} : { AccessKeyId: event.accessKeyId }),
    EventTime: new Date(event.eventTime),
    EventSource: event.eventSource,
    ...(event.username === undefined ? {} : { Username: event.username }),
    Resources: event.resources.map((r) => ({ ResourceType: r.type, ResourceName: r.name })),
    CloudTrailEvent: JSON.stringify(record),
  };
}

/**
 * `LookupEvents` over the world's history.
 *
 * @example
 * lookupEvents(world.cloudtrail, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateTrail' }] });
 */
export function lookupEvents(state: History, params: Params): Record<string, unknown> {
  const attribute = attributeOf(params);
  const start = timeOf(params.StartTime, 'StartTime');
  const end = timeOf(params.EndTime, 'EndTime');
  if (start !== undefined && end !== undefined && start > end) {
    throw new WorldApiError('InvalidTimeRangeException', 'StartTime is after EndTime');
  }
  const max = typeof params.MaxResults === 'number' ? Math.min(params.MaxResults, PAGE) : PAGE;
  const from = typeof params.NextToken === 'string' ? Number(params.NextToken) : 0;
  const found = state.events
    .filter((e) => attribute === undefined || matches(e, attribute.key, attribute.value))
    .filter((e) => start === undefined || Date.parse(e.eventTime) >= start)
    .filter((e) => end === undefined || Date.parse(e.eventTime) <= end)
    .sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime));
  const page = found.slice(from, from + max);
  const next = from + max < found.length ? { NextToken: String(from + max) } : {};
  return { Events: page.map((e) => toApi(state, e)), ...next };
}

import { z } from 'zod';
import { UnsupportedWorldCallError, WorldApiError } from './errors.ts';

/**
 * The CloudTrail part of the local world: the Region's event history, as `LookupEvents` answers
 * it (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
 *
 * `LookupEvents` takes at most one lookup attribute (`EventId`, `EventName`, `ReadOnly`,
 * `Username`, `ResourceType`, `ResourceName`, `EventSource`, `AccessKeyId`), a time range
 * (`StartTime` and `EndTime`, both inclusive) and pages of at most 50 events, newest first,
 * with a `NextToken`; each event carries the CloudTrail record as a JSON string
 * (`CloudTrailEvent`).
 */

const IsoDate = z.iso.datetime({ offset: true });

const HistoryEvent = z.strictObject({
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
});

/**
 * The CloudTrail world section.
 *
 * @example
 * const cloudtrail = CloudTrailWorldSchema.parse({ events: [{ eventId: 'e1', eventName: 'EnableKey', eventSource: 'kms.amazonaws.com', eventTime: '2026-11-01T00:00:00Z' }] });
 * handleCloudTrail(cloudtrail, 'LookupEvents', { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'EnableKey' }] });
 */
export const CloudTrailWorldSchema = z.strictObject({
  accountId: z
    .string()
    .regex(/^\d{12}$/)
    .default('111122223333'),
  region: z.string().default('eu-west-1'),
  /** The event history `LookupEvents` searches (the last 90 days of management events). */
  events: z.array(HistoryEvent).default([]),
});
export type CloudTrailWorld = z.infer<typeof CloudTrailWorldSchema>;
type HistoryEventRecord = CloudTrailWorld['events'][number];
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
function toApi(state: CloudTrailWorld, event: HistoryEventRecord): Record<string, unknown> {
  const record = {
    eventVersion: '1.10',
    userIdentity: event.userIdentity,
    eventTime: event.eventTime,
    eventSource: event.eventSource,
    eventName: event.eventName,
    awsRegion: state.region,
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

type Handler = (state: CloudTrailWorld, params: Params) => Record<string, unknown>;

const HANDLERS: Readonly<Record<string, Handler>> = {
  LookupEvents(state, params) {
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
  },
};

/**
 * Answers one call of the CloudTrail client from the world, applying changes to `state` in
 * place. Anything not modelled throws {@link UnsupportedWorldCallError}.
 *
 * @example
 * handleCloudTrail(cloudtrail, 'LookupEvents', { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: keyArn }] });
 */
export function handleCloudTrail(
  state: CloudTrailWorld,
  api: string,
  params: Params,
): Record<string, unknown> {
  const handler = Object.hasOwn(HANDLERS, api) ? HANDLERS[api] : undefined;
  if (handler === undefined) throw new UnsupportedWorldCallError('cloudtrail', api);
  return handler(state, params);
}

import { z } from 'zod';
import { UnsupportedWorldCallError, WorldApiError } from './errors.ts';

/**
 * The CloudTrail part of the local world: trails (their status, event selectors and tags) and the
 * Region's event history, as `LookupEvents` answers it
 * (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
 *
 * Trails answer `GetTrail`, `GetTrailStatus`, `StartLogging`, `StopLogging`,
 * `GetEventSelectors`, `PutEventSelectors` and `ListTags`, named by name or trail ARN
 * (`TrailNotFoundException` otherwise). An organization trail owned by another account (the
 * management account) can be read but not changed: `AccessDeniedException`, as a member account
 * cannot stop, start or reconfigure it.
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

const EventSelector = z.strictObject({
  ReadWriteType: z.enum(['ReadOnly', 'WriteOnly', 'All']).default('All'),
  IncludeManagementEvents: z.boolean().default(true),
  DataResources: z.array(z.strictObject({ Type: z.string(), Values: z.array(z.string()) })).default([]),
  ExcludeManagementEventSources: z.array(z.string()).default([]),
});

const Trail = z.strictObject({
  /** The owning account: another account's for an organization trail seen from a member. */
  accountId: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
  homeRegion: z.string().optional(),
  isOrganizationTrail: z.boolean().default(false),
  isMultiRegionTrail: z.boolean().default(true),
  s3BucketName: z.string(),
  includeGlobalServiceEvents: z.boolean().default(true),
  logFileValidationEnabled: z.boolean().default(true),
  kmsKeyId: z.string().optional(),
  isLogging: z.boolean().default(true),
  /** Basic event selectors; a new trail logs every management event. */
  eventSelectors: z.array(EventSelector).default([
    {
      ReadWriteType: 'All',
      IncludeManagementEvents: true,
      DataResources: [],
      ExcludeManagementEventSources: [],
    },
  ]),
  /** Advanced event selectors, when the trail uses them instead. */
  advancedEventSelectors: z.array(z.record(z.string(), z.unknown())).optional(),
  tags: z.record(z.string(), z.string()).default({}),
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
  partition: z.string().default('aws'),
  /** Trails by name. */
  trails: z.record(z.string(), Trail).default({}),
  /** The event history `LookupEvents` searches (the last 90 days of management events). */
  events: z.array(HistoryEvent).default([]),
});
export type CloudTrailWorld = z.infer<typeof CloudTrailWorldSchema>;
type HistoryEventRecord = CloudTrailWorld['events'][number];
type TrailRecord = CloudTrailWorld['trails'][string];

/** The ARN of trail `name`. */
export function trailArnOf(state: CloudTrailWorld, name: string, trail: TrailRecord): string {
  return `arn:${state.partition}:cloudtrail:${trail.homeRegion ?? state.region}:${trail.accountId ?? state.accountId}:trail/${name}`;
}

/** The trail a call names (name or ARN) under `key`; `TrailNotFoundException` otherwise. */
function trailOf(state: CloudTrailWorld, params: Params, key: string): { name: string; trail: TrailRecord } {
  const raw = params[key];
  if (typeof raw !== 'string' || raw === '')
    throw new WorldApiError('InvalidTrailNameException', `${key} is required`);
  const name = raw.startsWith('arn:') ? (raw.split('/').at(-1) ?? raw) : raw;
  const trail = Object.hasOwn(state.trails, name) ? state.trails[name] : undefined;
  if (trail === undefined || (raw.startsWith('arn:') && raw !== trailArnOf(state, name, trail))) {
    throw new WorldApiError(
      'TrailNotFoundException',
      `Unknown trail: ${raw} for the user: ${state.accountId}`,
    );
  }
  return { name, trail };
}

/** A change to a trail this account does not own (an organization trail, seen from a member). */
function owned(state: CloudTrailWorld, name: string, trail: TrailRecord, api: string): void {
  if ((trail.accountId ?? state.accountId) !== state.accountId) {
    throw new WorldApiError(
      'AccessDeniedException',
      `cloudtrail:${api} on ${trailArnOf(state, name, trail)}: the trail belongs to account ${trail.accountId}`,
    );
  }
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
  GetTrail(state, params) {
    const { name, trail } = trailOf(state, params, 'Name');
    return {
      Trail: {
        Name: name,
        S3BucketName: trail.s3BucketName,
        IncludeGlobalServiceEvents: trail.includeGlobalServiceEvents,
        IsMultiRegionTrail: trail.isMultiRegionTrail,
        HomeRegion: trail.homeRegion ?? state.region,
        TrailARN: trailArnOf(state, name, trail),
        LogFileValidationEnabled: trail.logFileValidationEnabled,
        ...(trail.kmsKeyId === undefined ? {} : { KmsKeyId: trail.kmsKeyId }),
        HasCustomEventSelectors:
          trail.advancedEventSelectors !== undefined || trail.eventSelectors.length !== 1,
        IsOrganizationTrail: trail.isOrganizationTrail,
      },
    };
  },
  GetTrailStatus(state, params) {
    const { trail } = trailOf(state, params, 'Name');
    return { IsLogging: trail.isLogging };
  },
  StartLogging(state, params) {
    const { name, trail } = trailOf(state, params, 'Name');
    owned(state, name, trail, 'StartLogging');
    trail.isLogging = true;
    return {};
  },
  StopLogging(state, params) {
    const { name, trail } = trailOf(state, params, 'Name');
    owned(state, name, trail, 'StopLogging');
    trail.isLogging = false;
    return {};
  },
  GetEventSelectors(state, params) {
    const { name, trail } = trailOf(state, params, 'TrailName');
    return {
      TrailARN: trailArnOf(state, name, trail),
      ...(trail.advancedEventSelectors === undefined
        ? { EventSelectors: structuredClone(trail.eventSelectors) }
        : { AdvancedEventSelectors: structuredClone(trail.advancedEventSelectors) }),
    };
  },
  PutEventSelectors(state, params) {
    const { name, trail } = trailOf(state, params, 'TrailName');
    owned(state, name, trail, 'PutEventSelectors');
    const basic = params.EventSelectors;
    const advanced = params.AdvancedEventSelectors;
    if ((basic === undefined) === (advanced === undefined)) {
      throw new WorldApiError(
        'InvalidParameterCombinationException',
        'give EventSelectors or AdvancedEventSelectors',
      );
    }
    if (basic !== undefined) {
      trail.eventSelectors = z.array(EventSelector).parse(basic);
      delete trail.advancedEventSelectors;
    } else {
      trail.advancedEventSelectors = z.array(z.record(z.string(), z.unknown())).parse(advanced);
      trail.eventSelectors = [];
    }
    return { TrailARN: trailArnOf(state, name, trail) };
  },
  ListTags(state, params) {
    const ids = Array.isArray(params.ResourceIdList) ? (params.ResourceIdList as unknown[]) : [];
    return {
      ResourceTagList: ids.map((id) => {
        const { trail } = trailOf(state, { Name: id }, 'Name');
        return {
          ResourceId: id,
          TagsList: Object.entries(trail.tags).map(([Key, Value]) => ({ Key, Value })),
        };
      }),
    };
  },
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

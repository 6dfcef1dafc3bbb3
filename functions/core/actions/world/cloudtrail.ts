import { z } from 'zod';
import { HistoryEventSchema, lookupEvents } from './cloudtrail-history.ts';
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
  events: z.array(HistoryEventSchema).default([]),
});
export type CloudTrailWorld = z.infer<typeof CloudTrailWorldSchema>;
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
  LookupEvents: lookupEvents,
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

import { type CloudTrailClient, type Event, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { z } from 'zod';

/**
 * Whether a KMS key was enabled before a `ScheduleKeyDeletion`, from the Region's CloudTrail
 * event history (`LookupEvents`, the last 90 days of management events,
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
 *
 * Neither the `ScheduleKeyDeletion` record nor `DescribeKey` says what state the key was in
 * before: a key pending deletion may have been enabled (an attacker destroying a key in use) or
 * disabled for months (an owner retiring it). So the history of the key (`ResourceName` = its
 * key ARN) is read backwards from the change, and the latest successful call that set its state
 * decides:
 *
 * - `CreateKey`, `EnableKey`: enabled;
 * - a successful cryptographic operation with the key (`Decrypt`, `Encrypt`, `GenerateDataKey`…,
 *   logged as read-only management events): the key was in use, so enabled (a disabled key
 *   answers `DisabledException`, a failed call);
 * - `DisableKey` by the same principal as the change: disabling and then scheduling deletion
 *   is one attack, and the key was enabled before it (the rule for `DisableKey` itself):
 *   enabled;
 * - `DisableKey` by anyone else, `CancelKeyDeletion` (which leaves a key Disabled): disabled;
 * - an earlier `ScheduleKeyDeletion` with no cancellation after it contradicts the change:
 *   unknown.
 *
 * No deciding call in the window (a key older than 90 days and never touched since, a history
 * not readable) is **unknown**, and unknown keeps the key disabled: re-enabling a key someone
 * retired on purpose would be a change of its own. Failed calls (`errorCode`) are skipped.
 */

/** How far back `LookupEvents` can look: 90 days. */
export const HISTORY_WINDOW_MS = 90 * 86_400_000;
/** Pages of 50 events read at most (LookupEvents allows two requests per second). */
const MAX_PAGES = 10;

const STATE_EVENTS = new Set([
  'CreateKey',
  'EnableKey',
  'DisableKey',
  'CancelKeyDeletion',
  'ScheduleKeyDeletion',
]);
/** Operations that succeed only with an enabled key (the KMS key-state table). */
const IN_USE_EVENTS = new Set([
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateMac',
  'ReEncrypt',
  'Sign',
  'Verify',
  'VerifyMac',
]);
const DECIDING_EVENTS = new Set([...STATE_EVENTS, ...IN_USE_EVENTS]);

/** What the history says about the key before the change. */
export const PriorStateSchema = z.object({
  /** True: enabled; false: disabled; null: not established (the key then stays disabled). */
  enabled: z.boolean().nullable(),
  /** Why, in words: the deciding event (name, time, id) or why none was found. */
  basis: z.string(),
  /** The window searched (ISO 8601), and how many of the key's events it held. */
  from: z.string(),
  to: z.string(),
  eventsRead: z.number().int(),
});
export type PriorState = z.infer<typeof PriorStateSchema>;

const RecordSchema = z.object({
  errorCode: z.string().optional(),
  userIdentity: z
    .object({
      arn: z.string().optional(),
      sessionContext: z
        .object({ sessionIssuer: z.object({ arn: z.string().optional() }).optional() })
        .optional(),
    })
    .optional(),
});

/** The principal of a record: the role of an assumed-role session, else the caller's ARN. */
function principalOf(record: z.infer<typeof RecordSchema>): string | undefined {
  return record.userIdentity?.sessionContext?.sessionIssuer?.arn ?? record.userIdentity?.arn;
}

export interface PriorStateQuery {
  /** The key's ARN (`ResourceName` in the history). */
  readonly keyArn: string;
  /** When the change happened: only events strictly before it (or at it, other than itself) count. */
  readonly changedAt: string;
  /** The change's own event id, excluded. */
  readonly changeEventId?: string;
  /** The principal that made the change (user or role ARN): its own DisableKey is part of the change. */
  readonly actorArn?: string;
}

async function readHistory(cloudtrail: CloudTrailClient, query: PriorStateQuery, from: Date, to: Date) {
  const events: Event[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const out = await cloudtrail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: query.keyArn }],
        StartTime: from,
        EndTime: to,
        MaxResults: 50,
        ...(token === undefined ? {} : { NextToken: token }),
      }),
    );
    events.push(...(out.Events ?? []));
    token = out.NextToken;
    if (token === undefined) return { events, complete: true };
  }
  return { events, complete: false };
}

function describe(event: Event): string {
  const at = event.EventTime === undefined ? 'unknown time' : new Date(event.EventTime).toISOString();
  return `${event.EventName} at ${at} (event ${event.EventId ?? 'unknown'})`;
}

/** The verdict of one state event, or undefined to keep searching. */
function verdictOf(
  event: Event,
  query: PriorStateQuery,
): { enabled: boolean | null; basis: string } | undefined {
  let record: z.infer<typeof RecordSchema>;
  try {
    record = RecordSchema.parse(JSON.parse(event.CloudTrailEvent ?? ''));
  } catch {
    return { enabled: null, basis: `${describe(event)} could not be read` };
  }
  if (record.errorCode !== undefined) return undefined;
  if (IN_USE_EVENTS.has(event.EventName ?? '')) return { enabled: true, basis: `in use: ${describe(event)}` };
  switch (event.EventName) {
    case 'CreateKey':
    case 'EnableKey':
      return { enabled: true, basis: `enabled: ${describe(event)}` };
    case 'DisableKey':
      if (query.actorArn !== undefined && query.actorArn !== '' && principalOf(record) === query.actorArn) {
        return {
          enabled: true,
          basis: `disabled by the same caller before the change, so enabled before: ${describe(event)}`,
        };
      }
      return { enabled: false, basis: `already disabled: ${describe(event)}` };
    case 'CancelKeyDeletion':
      return { enabled: false, basis: `disabled since ${describe(event)}` };
    default:
      return { enabled: null, basis: `an earlier ${describe(event)} contradicts the change` };
  }
}

/**
 * Whether the key was enabled before the change, from its CloudTrail history (see the module's
 * rules).
 *
 * @example
 * await keyStateBeforeChange(env.clients.cloudtrail, { keyArn, changedAt: '2026-11-12T03:41:19.000Z', actorArn });
 * // { enabled: true, basis: 'enabled: EnableKey at 2026-10-02T09:00:00.000Z (event …)', … }
 */
export async function keyStateBeforeChange(
  cloudtrail: CloudTrailClient,
  query: PriorStateQuery,
): Promise<PriorState> {
  const to = new Date(query.changedAt);
  const from = new Date(to.getTime() - HISTORY_WINDOW_MS);
  const window = { from: from.toISOString(), to: to.toISOString() };
  const { events, complete } = await readHistory(cloudtrail, query, from, to);
  const candidates = events
    .filter((e) => e.EventId !== query.changeEventId && DECIDING_EVENTS.has(e.EventName ?? ''))
    .filter((e) => e.EventTime !== undefined && new Date(e.EventTime).getTime() <= to.getTime())
    .sort((a, b) => new Date(b.EventTime ?? 0).getTime() - new Date(a.EventTime ?? 0).getTime());
  for (const event of candidates) {
    const verdict = verdictOf(event, query);
    if (verdict !== undefined) return { ...verdict, ...window, eventsRead: events.length };
  }
  return {
    enabled: null,
    basis: complete
      ? 'no call used the key or set its state in the 90 days of CloudTrail history before the change'
      : `the key’s history holds more than ${MAX_PAGES * 50} events and none of them set its state`,
    ...window,
    eventsRead: events.length,
  };
}

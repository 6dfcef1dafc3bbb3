import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { CallDeclaration } from '../permissions.ts';
import * as z from '../zod.ts';
import { LIFECYCLE_PUBLISH_CALLS, type LifecycleEvent, type LifecyclePublisher } from './events.ts';
import { OUTBOX_PREFIX, OutboxItemSchema, RELAYED_KINDS, type RelayedKind } from './outbox.ts';

/**
 * The lifecycle relay: publishes the outbox items (`functions/core/lifecycle/outbox.ts`) that the
 * alert table's stream delivers, on Riposte's lifecycle bus. It runs as a Riposte function, one
 * of the bus's publishers, so an operator's change is published without the operator's
 * credentials ever reaching the bus; and it publishes only the operator kinds
 * ({@link RELAYED_KINDS}): whoever can write the table cannot forge `Riposte Incident Contained`.
 */

/**
 * Every call the relay (`functions/lifecycle-relay/handler.ts`) sends to Riposte's resources: the
 * lifecycle bus. Reading the table's stream is the event source mapping's, not the code's.
 */
export const RELAY_CALLS: readonly CallDeclaration[] = [LIFECYCLE_PUBLISH_CALLS];

/** A DynamoDB attribute value: an object with one type key (`S`, `N`, `M`...); `unmarshall` reads the rest. */
const AttributeValueSchema = z.custom<AttributeValue>(
  (value) => typeof value === 'object' && value !== null && Object.keys(value).length === 1,
  'not a DynamoDB attribute value',
);

/** One DynamoDB stream record, validated at the edge: only what the relay reads. */
export const StreamRecordSchema = z.object({
  eventID: z.string().check(z.minLength(1)),
  eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
  dynamodb: z.object({
    /** What Lambda reports back for a record to retry (`batchItemFailures[].itemIdentifier`). */
    SequenceNumber: z.string().check(z.minLength(1)),
    Keys: z.optional(z.record(z.string(), z.unknown())),
    NewImage: z.optional(z.record(z.string(), AttributeValueSchema)),
  }),
});
export type StreamRecord = z.infer<typeof StreamRecordSchema>;

/** A DynamoDB stream batch as Lambda hands it to the relay. */
export const StreamBatchSchema = z.object({ Records: z.array(StreamRecordSchema) });
export type StreamBatch = z.infer<typeof StreamBatchSchema>;

/** A record the relay did not publish, and why. */
export interface DroppedRecord {
  readonly eventID: string;
  /** `forged`: a kind only Riposte's functions publish; `invalid`: not an outbox item. */
  readonly reason: 'forged' | 'invalid';
  readonly detail: string;
}

/** What one batch did. */
export interface RelayReport {
  readonly published: number;
  /** Not outbox inserts (the mapping's filter should keep these out). */
  readonly skipped: number;
  readonly dropped: readonly DroppedRecord[];
  /** Sequence numbers of the records to retry, from the first one that failed to publish. */
  readonly failures: readonly string[];
  /** Why publishing failed, when it did. */
  readonly error?: string;
}

/** What {@link relayOutbox} needs. */
export interface RelayDeps {
  /** The lifecycle bus (an `EventBridgePublisher`). */
  readonly publisher: LifecyclePublisher;
  /** Events per publish call (PutEvents takes at most 10). @default 10 */
  readonly chunkSize?: number;
}

const isRelayed = (kind: string): kind is RelayedKind => (RELAYED_KINDS as readonly string[]).includes(kind);

type Sorted =
  | { readonly type: 'skip' }
  | { readonly type: 'drop'; readonly dropped: DroppedRecord }
  | { readonly type: 'publish'; readonly event: LifecycleEvent };

/**
 * What to do with one record: skip it (not an outbox insert), drop it (a forged kind, or not an
 * outbox item, and why) or publish its event.
 *
 * @example
 * sortRecord(record); // { type: 'drop', dropped: { eventID, reason: 'forged', detail: 'contained claimed by arn:…' } }
 */
export function sortRecord(record: StreamRecord): Sorted {
  const image = record.dynamodb.NewImage;
  if (record.eventName !== 'INSERT' || image === undefined) return { type: 'skip' };
  const sk = image.sk?.S;
  if (typeof sk !== 'string' || !sk.startsWith(OUTBOX_PREFIX)) return { type: 'skip' };
  let plain: Record<string, unknown>;
  try {
    plain = unmarshall(image);
  } catch (error) {
    return { type: 'drop', dropped: { eventID: record.eventID, reason: 'invalid', detail: String(error) } };
  }
  const parsed = OutboxItemSchema.safeParse(plain);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    return { type: 'drop', dropped: { eventID: record.eventID, reason: 'invalid', detail } };
  }
  const { kind, detail, actor } = parsed.data;
  if (!isRelayed(kind)) {
    return {
      type: 'drop',
      dropped: { eventID: record.eventID, reason: 'forged', detail: `${kind} claimed by ${actor}` },
    };
  }
  return { type: 'publish', event: { kind, detail } };
}

/**
 * Publishes the outbox inserts of a stream batch on the lifecycle bus, in order, and reports what
 * to retry: on a failed publish, the sequence numbers of every record from the failed chunk on
 * (Lambda resumes the shard from the lowest). Forged and malformed items are dropped, never
 * retried: retrying cannot make them valid.
 *
 * @example
 * const report = await relayOutbox(batch.Records, { publisher: new EventBridgePublisher(events, busName) });
 * return { batchItemFailures: report.failures.map((itemIdentifier) => ({ itemIdentifier })) };
 */
export async function relayOutbox(records: readonly StreamRecord[], deps: RelayDeps): Promise<RelayReport> {
  const chunkSize = deps.chunkSize ?? 10;
  const dropped: DroppedRecord[] = [];
  const pending: { sequence: string; event: LifecycleEvent }[] = [];
  let skipped = 0;
  for (const record of records) {
    const sorted = sortRecord(record);
    if (sorted.type === 'skip') skipped += 1;
    else if (sorted.type === 'drop') dropped.push(sorted.dropped);
    else pending.push({ sequence: record.dynamodb.SequenceNumber, event: sorted.event });
  }
  let published = 0;
  for (let i = 0; i < pending.length; i += chunkSize) {
    const chunk = pending.slice(i, i + chunkSize);
    try {
      await deps.publisher.publish(chunk.map((entry) => entry.event));
      published += chunk.length;
    } catch (error) {
      return {
        published,
        skipped,
        dropped,
        failures: pending.slice(i).map((entry) => entry.sequence),
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      };
    }
  }
  return { published, skipped, dropped, failures: [] };
}

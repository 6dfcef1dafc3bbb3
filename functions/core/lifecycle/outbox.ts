import { randomBytes } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { RiposteError } from '../errors.ts';
import { declares } from '../permissions.ts';
import { keys, sortableTime, TABLE_KEYS } from '../store/table.ts';
import * as z from '../zod.ts';
import {
  LIFECYCLE_DETAIL_TYPES,
  LifecycleDetailSchema,
  type LifecycleEvent,
  type LifecyclePublisher,
} from './events.ts';

/**
 * The lifecycle outbox: where an operator's case change against a deployment leaves its lifecycle
 * events. The operator's credentials may not publish on Riposte's bus (only Riposte's functions
 * may), but they may write the table: {@link OutboxPublisher} puts each event there as an
 * `OUTBOX#` item, and the lifecycle relay (`functions/lifecycle-relay/handler.ts`) reads the
 * table's stream and publishes the operator kinds ({@link RELAYED_KINDS}) on the bus.
 *
 * | item   | pk                                                   | sk                               |
 * |--------|------------------------------------------------------|----------------------------------|
 * | outbox | `INCIDENT#<id>` (else `SUPPRESSION#<id>`, `OUTBOX`) | `OUTBOX#<ISO time>#<seq><rand>` |
 *
 * Outbox items expire after a day (`expiresAt`): the stream holds them 24 hours, the case log
 * keeps the facts for good.
 */

/** The sort key prefix of outbox items (the relay's stream filter matches it). */
export const OUTBOX_PREFIX = 'OUTBOX#';

/** How long an outbox item stays in the table: the stream's own retention. */
export const OUTBOX_TTL_MS = 86_400_000;

/**
 * The kinds an operator's change produces, and the only ones the relay publishes. An outbox item
 * claiming any other kind (`contained`, `released`, `opened`, `escalated`, `failed`) is a forgery:
 * those are published by Riposte's own functions only.
 */
export const RELAYED_KINDS = [
  'assigned',
  'noteAdded',
  'tagged',
  'closed',
  'reopened',
  'statusChanged',
  'suppressionCreated',
  'suppressionRemoved',
] as const;
export type RelayedKind = (typeof RELAYED_KINDS)[number];

/** {@link OutboxPublisher}: one conditional `PutItem` per event on the alert table. */
export const OUTBOX_CALLS = declares({
  service: 'dynamodb',
  actions: ['dynamodb:PutItem'],
  resource: 'table',
  why: 'leaves the lifecycle events of a case change in the outbox the lifecycle relay publishes',
});

const LIFECYCLE_KINDS = Object.keys(LIFECYCLE_DETAIL_TYPES) as [
  keyof typeof LIFECYCLE_DETAIL_TYPES,
  ...(keyof typeof LIFECYCLE_DETAIL_TYPES)[],
];

/** An outbox item as stored. `kind` is any lifecycle kind here: the relay decides what it publishes. */
export const OutboxItemSchema = z.object({
  pk: z.string().check(z.minLength(1)),
  sk: z.string().check(z.startsWith(OUTBOX_PREFIX)),
  kind: z.enum(LIFECYCLE_KINDS),
  detail: LifecycleDetailSchema,
  /** Who made the change: the caller's ARN. */
  actor: z.string().check(z.minLength(1)),
  /** Epoch milliseconds, the event's own time. */
  at: z.number(),
  /** TTL, epoch seconds. */
  expiresAt: z.number().check(z.int()),
});
export type OutboxItem = z.infer<typeof OutboxItemSchema>;

/** Raised when an outbox item could not be written (its key was taken, or the put failed). */
export class OutboxWriteError extends RiposteError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OutboxWriteError';
  }
}

/** Options of {@link OutboxPublisher}. */
export interface OutboxPublisherOptions {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Who is acting, when an event's detail names no actor. @default 'riposte' */
  readonly actor?: string;
  /** The clock of the TTL. @default Date.now */
  readonly now?: () => number;
  /** The unique suffix of each item's sort key. @default a process sequence and 4 random bytes */
  readonly suffix?: () => string;
}

let sequence = 0;

function defaultSuffix(): string {
  sequence = (sequence + 1) % 1_000_000;
  return `${String(sequence).padStart(6, '0')}${randomBytes(4).toString('hex')}`;
}

/**
 * The outbox item's key: the incident's partition, else the suppression's, else one of its own.
 *
 * @example
 * outboxKey({ kind: 'assigned', detail: { incidentId: 'inc-1', at: 0 } }, '000001ab'); // { pk: 'INCIDENT#inc-1', sk: 'OUTBOX#1970-01-01T00:00:00.000Z#000001ab' }
 */
export function outboxKey(event: LifecycleEvent, suffix: string): { pk: string; sk: string } {
  const { incidentId, suppressionId, at } = event.detail;
  const pk =
    incidentId !== '' && incidentId !== '-'
      ? keys.incident(incidentId).pk
      : suppressionId === undefined
        ? 'OUTBOX'
        : keys.suppression(suppressionId).pk;
  return { pk, sk: `${OUTBOX_PREFIX}${sortableTime(at)}#${suffix}` };
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * A {@link LifecyclePublisher} that writes each event to the alert table's outbox, for the
 * lifecycle relay to publish: what the CLI and the console use against a deployment. Each put is
 * conditional on its key being new, so an item is never overwritten.
 *
 * @example
 * const store = { db, tableName, now: Date.now, lifecycle: new OutboxPublisher({ db, tableName, actor: callerArn }) };
 * await assign(store, { incidentId: 'inc-123', owner: 'alice', actor: callerArn }); // one OUTBOX# item
 */
export class OutboxPublisher implements LifecyclePublisher {
  private readonly now: () => number;
  private readonly suffix: () => string;

  public constructor(private readonly options: OutboxPublisherOptions) {
    this.now = options.now ?? Date.now;
    this.suffix = options.suffix ?? defaultSuffix;
  }

  public async publish(events: readonly LifecycleEvent[]): Promise<void> {
    for (const event of events) {
      const detail = LifecycleDetailSchema.parse(event.detail);
      const key = outboxKey({ kind: event.kind, detail }, this.suffix());
      const item: OutboxItem = {
        ...key,
        kind: event.kind,
        detail,
        actor: detail.actor ?? this.options.actor ?? 'riposte',
        at: detail.at,
        [TABLE_KEYS.ttlAttribute]: Math.floor((this.now() + OUTBOX_TTL_MS) / 1000),
      };
      try {
        await this.options.db.send(
          new PutCommand({
            TableName: this.options.tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        const why = isConditionFailure(error) ? 'its key is taken' : String(error);
        throw new OutboxWriteError(`outbox item ${key.pk} ${key.sk} not written: ${why}`, { cause: error });
      }
    }
  }
}

import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { declares } from '../permissions.ts';
import * as z from '../zod.ts';

/** {@link EventBridgePublisher}: PutEvents on Riposte's bus. */
export const LIFECYCLE_PUBLISH_CALLS = declares({
  service: 'events',
  actions: ['events:PutEvents'],
  resource: 'lifecycle-bus',
  why: 'publishes lifecycle events to the Riposte bus',
});

/**
 * Riposte's own events, published to its EventBridge bus so that SIEMs, ticketing and chat tools
 * subscribe with a rule instead of code: an incident opened, escalated, contained or released,
 * a playbook that failed, every status change of the lifecycle (`functions/core/lifecycle/status.ts`),
 * and the case work on it (assigned, note added, tagged, closed, reopened, suppressions). `source` is `riposte`; `detail-type` says what happened.
 *
 * @example
 * // An EventBridge rule on the Riposte bus for every containment:
 * // { "source": ["riposte"], "detail-type": ["Riposte Incident Contained"] }
 */
export const LIFECYCLE_SOURCE = 'riposte';

export const LIFECYCLE_DETAIL_TYPES = {
  opened: 'Riposte Incident Opened',
  escalated: 'Riposte Incident Escalated',
  contained: 'Riposte Incident Contained',
  released: 'Riposte Incident Released',
  failed: 'Riposte Playbook Failed',
  statusChanged: 'Riposte Incident Status Changed',
  assigned: 'Riposte Incident Assigned',
  noteAdded: 'Riposte Incident Note Added',
  tagged: 'Riposte Incident Tagged',
  closed: 'Riposte Incident Closed',
  reopened: 'Riposte Incident Reopened',
  suppressionCreated: 'Riposte Suppression Created',
  suppressionRemoved: 'Riposte Suppression Removed',
} as const;
export type LifecycleKind = keyof typeof LIFECYCLE_DETAIL_TYPES;

export const LifecycleDetailSchema = z.object({
  incidentId: z.string(),
  /** Epoch milliseconds when it happened. */
  at: z.number(),
  severityId: z.optional(z.number().check(z.int())),
  title: z.optional(z.string()),
  source: z.optional(z.string()),
  resource: z.optional(
    z.object({
      type: z.string(),
      uid: z.string(),
      account: z.optional(z.string()),
      region: z.optional(z.string()),
    }),
  ),
  playbook: z.optional(z.object({ id: z.string(), version: z.string() })),
  executionId: z.optional(z.string()),
  /** A dry-run containment or release (sample, kill switch, local run): nothing changed in AWS. */
  dryRun: z.optional(z.boolean()),
  /** Why a playbook failed. */
  error: z.optional(z.string()),
  /** The alert that opened or escalated the incident. */
  alertId: z.optional(z.string()),
  /** Status Changed: the status before and after, and what qualifies the new one. */
  from: z.optional(z.string()),
  to: z.optional(z.string()),
  reason: z.optional(z.string()),
  /** Who did it: the OS user locally, the caller's ARN against a deployment. */
  actor: z.optional(z.string()),
  /** Assigned: the new owner (absent when unassigned). */
  owner: z.optional(z.string()),
  /** Tagged: the tags after the change. */
  tags: z.optional(z.array(z.string())),
  /** Closed: what the operator found, and received by Riposte → closed in milliseconds. */
  resolution: z.optional(z.string()),
  timeToCloseMs: z.optional(z.number()),
  /** Suppression Created/Removed: its id, resource key, finding type and expiry (epoch ms). */
  suppressionId: z.optional(z.string()),
  resourceKey: z.optional(z.string()),
  findingType: z.optional(z.string()),
  expiresAt: z.optional(z.number()),
  /** Note Added: the note's id; note texts are never published. */
  noteId: z.optional(z.string()),
});
export type LifecycleDetail = z.infer<typeof LifecycleDetailSchema>;

export interface LifecycleEvent {
  readonly kind: LifecycleKind;
  readonly detail: LifecycleDetail;
}

/** Where lifecycle events go. Publishing is best-effort for the caller: it must never block a response. */
export interface LifecyclePublisher {
  publish(events: readonly LifecycleEvent[]): Promise<void>;
}

/** Raised when EventBridge refused some entries. */
export class LifecyclePublishError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'LifecyclePublishError';
  }
}

/** Publishes to an EventBridge bus with PutEvents (10 entries per call). */
export class EventBridgePublisher implements LifecyclePublisher {
  public constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  public async publish(events: readonly LifecycleEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 10) {
      const chunk = events.slice(i, i + 10);
      const out = await this.client.send(
        new PutEventsCommand({
          Entries: chunk.map((event) => ({
            EventBusName: this.busName,
            Source: LIFECYCLE_SOURCE,
            DetailType: LIFECYCLE_DETAIL_TYPES[event.kind],
            Detail: JSON.stringify(LifecycleDetailSchema.parse(event.detail)),
            Time: new Date(event.detail.at),
            Resources: [],
          })),
        }),
      );
      if ((out.FailedEntryCount ?? 0) > 0) {
        const codes = (out.Entries ?? []).flatMap((e) => (e.ErrorCode === undefined ? [] : [e.ErrorCode]));
        throw new LifecyclePublishError(
          `EventBridge refused ${out.FailedEntryCount} lifecycle event(s): ${codes.join(', ')}`,
        );
      }
    }
  }
}

/** Keeps events in memory: the local runtime shows them, tests assert them. */
export class RecordingPublisher implements LifecyclePublisher {
  public readonly events: LifecycleEvent[] = [];

  public async publish(events: readonly LifecycleEvent[]): Promise<void> {
    this.events.push(...events);
  }
}

import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LIFECYCLE_SOURCE } from '../functions/core/lifecycle/events.ts';

/** Properties of {@link LifecycleBus}. */
export interface LifecycleBusProps {
  /**
   * Name of the bus (`riposte.lifecycleBusName`).
   *
   * @default LifecycleBus.DEFAULT_BUS_NAME ('riposte-lifecycle')
   */
  readonly busName?: string;

  /** Days the archive keeps the bus's events for replay (`riposte.logRetentionDays`). */
  readonly archiveRetentionDays: number;

  /**
   * The functions that publish lifecycle events (ingest: opened, escalated; context: failed;
   * contain and release: contained, released). Each gets `LIFECYCLE_BUS_NAME` and
   * `events:PutEvents` on this bus, and their roles are the only principals the bus policy admits.
   */
  readonly publishers: readonly lambda.Function[];
}

/**
 * Riposte's own event bus, where it publishes its lifecycle events (source `riposte`, detail
 * types `Riposte Incident Opened|Escalated|Contained|Released` and `Riposte Playbook Failed`, see
 * `functions/core/lifecycle/events.ts`) so SIEMs, ticketing and chat tools subscribe with a rule.
 *
 * - `Bus`: the custom bus `riposte-lifecycle` (configurable). Its resource policy allows
 *   `events:PutEvents` to the publishers' roles (`AllowRipostePublishers`) and denies it to every
 *   other principal (`DenyOtherPublishers`): in the same account an identity policy alone would
 *   otherwise be enough to publish, so only the Deny makes Riposte the only publisher. Reading
 *   (rules on the bus) is not restricted: subscribing is the point.
 * - `Archive`: every `riposte` event, kept `archiveRetentionDays` days, so a consumer added later
 *   (or one that was down) can replay them (`aws events start-replay`).
 * - `PublishPolicy`: one identity policy, `events:PutEvents` on this bus only, attached to the
 *   publishers' roles; each function also depends on it, so none starts without it.
 *
 * The bus and its archive use EventBridge's AWS owned key, not Riposte's customer managed key:
 * the events carry identifiers, titles and severities (no secret, no finding body), and a
 * customer managed key would require every subscriber's target to be granted the key.
 *
 * @example
 * new LifecycleBus(this, 'Lifecycle', { archiveRetentionDays: 365, publishers: [ingest.function] });
 */
export class LifecycleBus extends Construct {
  /** Default {@link LifecycleBusProps.busName}. */
  public static readonly DEFAULT_BUS_NAME = 'riposte-lifecycle';

  /** The bus. */
  public readonly bus: events.EventBus;
  /** The archive of its events. */
  public readonly archive: events.Archive;
  /** The identity policy letting the publishers put events on the bus. */
  public readonly publishPolicy: iam.Policy;
  /** The bus's name (`LIFECYCLE_BUS_NAME`). */
  public readonly busName: string;

  public constructor(scope: Construct, id: string, props: LifecycleBusProps) {
    super(scope, id);
    const { archiveRetentionDays } = props;
    if (!Number.isInteger(archiveRetentionDays) || archiveRetentionDays < 1) {
      throw new Error(
        `LifecycleBus: archiveRetentionDays must be a positive integer, got ${archiveRetentionDays}`,
      );
    }
    if (props.publishers.length === 0) throw new Error('LifecycleBus: at least one publisher is required');
    const roles = props.publishers.map((fn) => {
      if (fn.role === undefined) throw new Error(`LifecycleBus: publisher ${fn.node.path} has no role`);
      return fn.role;
    });
    const roleArns = roles.map((role) => role.roleArn);

    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.busName ?? LifecycleBus.DEFAULT_BUS_NAME,
      description:
        'Riposte lifecycle events: incident opened, escalated, contained, released; playbook failed',
    });
    this.busName = this.bus.eventBusName;

    this.bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowRipostePublishers',
        principals: [new iam.AccountPrincipal(Stack.of(this).account)],
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: { ArnEquals: { 'aws:PrincipalArn': roleArns } },
      }),
    );
    this.bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyOtherPublishers',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': roleArns } },
      }),
    );

    this.archive = this.bus.archive('Archive', {
      description: 'Riposte lifecycle events, for replay',
      eventPattern: { source: [LIFECYCLE_SOURCE] },
      retention: Duration.days(archiveRetentionDays),
    });

    this.publishPolicy = new iam.Policy(this, 'PublishPolicy', {
      statements: [
        new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }),
      ],
      roles: [...roles],
    });
    for (const fn of props.publishers) {
      fn.addEnvironment('LIFECYCLE_BUS_NAME', this.bus.eventBusName);
      fn.node.addDependency(this.publishPolicy);
    }
  }
}

import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as securityhub from 'aws-cdk-lib/aws-securityhub';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RiposteConfig, SourceId } from '../functions/core/config/schema.ts';
import { buildRulePatterns, SECURITY_HUB_ACTION_ID } from '../functions/core/sources/catalog.ts';

/** Properties of {@link AlertSources}. */
export interface AlertSourcesProps {
  /** Which sources to subscribe to, and their severity floors (see `functions/core/sources/catalog.ts`). */
  readonly config: RiposteConfig;

  /** The queue every rule delivers to. */
  readonly queue: sqs.IQueue;

  /** Where EventBridge puts an event it could not deliver to {@link queue} after its retries. */
  readonly deadLetterQueue: sqs.IQueue;

  /**
   * How many times EventBridge retries a failed delivery (0 to 185).
   *
   * @default 185 - EventBridge's own maximum.
   */
  readonly retryAttempts?: number;

  /**
   * How long EventBridge keeps retrying an event (1 minute to 24 hours).
   *
   * @default Duration.hours(24) - EventBridge's own maximum.
   */
  readonly maxEventAge?: Duration;

  /**
   * Id of the Security Hub custom action, created when the `securityhubCustomAction` source is
   * enabled (up to 20 letters and digits). Security Hub must be enabled in the account and Region.
   *
   * @default 'RiposteRespond'
   */
  readonly securityHubActionId?: string;
}

/** EventBridge's limits on a target's retry policy. */
const MAX_RETRY_ATTEMPTS = 185;
const MAX_EVENT_AGE = Duration.hours(24);

/**
 * A rule target delivering to an SQS queue that leaves the queue and key policies alone: the CDK
 * `SqsQueue` target would grant EventBridge `kms:Encrypt` and `kms:ReEncrypt*` on the key and, for
 * an encrypted queue, `sqs:SendMessage` from any rule. {@link AlertSources} grants delivery from its
 * own rules only, and `EncryptionKey` the two KMS actions EventBridge needs.
 */
class QueueTarget implements events.IRuleTarget {
  public constructor(
    private readonly queue: sqs.IQueue,
    private readonly deadLetterQueue: sqs.IQueue,
    private readonly retryPolicy: events.CfnRule.RetryPolicyProperty,
  ) {}

  public bind(): events.RuleTargetConfig {
    return {
      arn: this.queue.queueArn,
      targetResource: this.queue,
      deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      retryPolicy: this.retryPolicy,
    };
  }
}

/**
 * One EventBridge rule on the default bus per enabled source of `config`, each delivering to the
 * intake queue with a retry policy and a dead-letter queue. The rule's event pattern is exactly the
 * catalog's (`buildRulePatterns`); the custom-action rule also requires the event to name this
 * stack's Security Hub action target in `resources`.
 *
 * Both queues' policies let `events.amazonaws.com` send only from these rules (`aws:SourceArn`).
 * The queues' KMS key must let EventBridge use it (see `EncryptionKey`).
 *
 * Construct ids are the source ids (`guardduty`, `securityhub`, …), stable config keys, so that
 * toggling one source never replaces another's rule.
 *
 * @example
 * new AlertSources(this, 'Sources', { config, queue: intake.queue, deadLetterQueue: intake.deadLetterQueue });
 */
export class AlertSources extends Construct {
  /** The deployed rules, by source. */
  public readonly rules: ReadonlyMap<SourceId, events.Rule>;
  /** The Security Hub custom action, when the `securityhubCustomAction` source is enabled. */
  public readonly securityHubAction: securityhub.CfnActionTarget | undefined;

  public constructor(scope: Construct, id: string, props: AlertSourcesProps) {
    super(scope, id);
    const retryAttempts = props.retryAttempts ?? MAX_RETRY_ATTEMPTS;
    if (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > MAX_RETRY_ATTEMPTS) {
      throw new Error(`AlertSources: retryAttempts must be an integer from 0 to 185, got ${retryAttempts}`);
    }
    const maxEventAge = props.maxEventAge ?? MAX_EVENT_AGE;
    const ageSeconds = maxEventAge.toSeconds();
    if (ageSeconds < 60 || ageSeconds > MAX_EVENT_AGE.toSeconds()) {
      throw new Error(`AlertSources: maxEventAge must be from 1 minute to 24 hours, got ${ageSeconds}s`);
    }
    const actionId = props.securityHubActionId ?? SECURITY_HUB_ACTION_ID;
    if (!/^[A-Za-z0-9]{1,20}$/.test(actionId)) {
      throw new Error(
        `AlertSources: securityHubActionId must be 1 to 20 letters or digits, got '${actionId}'`,
      );
    }

    const target = new QueueTarget(props.queue, props.deadLetterQueue, {
      maximumRetryAttempts: retryAttempts,
      maximumEventAgeInSeconds: ageSeconds,
    });
    const rules = new Map<SourceId, events.Rule>();
    let action: securityhub.CfnActionTarget | undefined;
    for (const source of buildRulePatterns(props.config)) {
      let eventPattern = source.eventPattern;
      if (source.id === 'securityhubCustomAction') {
        action = new securityhub.CfnActionTarget(this, 'SecurityHubAction', {
          id: actionId,
          name: 'Send to Riposte',
          description: 'Send the selected findings to Riposte for triage and response',
        });
        eventPattern = { ...eventPattern, resources: [action.attrActionTargetArn] };
      }
      const rule = new events.Rule(this, source.id, {
        description: source.description,
        // CDK renders the pattern's keys verbatim (it only renames `detailType`), so the catalog's
        // EventBridge JSON (`detail-type`, `$or`) is deployed exactly as the local runtime evaluates it.
        eventPattern: toCdkEventPattern(eventPattern),
      });
      rule.addTarget(target);
      rules.set(source.id, rule);
    }
    this.rules = rules;
    this.securityHubAction = action;
    allowDelivery([props.queue, props.deadLetterQueue], [...rules.values()]);
  }
}

/** `sqs:SendMessage` on each queue for `events.amazonaws.com`, only on behalf of `rules`. */
function allowDelivery(queues: readonly sqs.IQueue[], rules: readonly events.IRule[]): void {
  if (rules.length === 0) return;
  const sourceArns = rules.map((rule) => rule.ruleArn);
  for (const queue of queues) {
    queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowRiposteRules',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': sourceArns } },
      }),
    );
  }
}

/** A deep copy of an EventBridge pattern, typed for `events.Rule` (whose keys are rendered as given). */
function toCdkEventPattern(pattern: Record<string, unknown>): events.EventPattern {
  const copy: events.EventPattern = structuredClone(pattern);
  return copy;
}

import type { Alert } from '../alert.ts';
import { SIGNAL_PREFIX } from '../normalize/labels.ts';
import { alertProducer } from '../normalize/product.ts';
import * as z from '../zod.ts';

/** The source third-party tools send alerts with; trusted only where a trigger names it. */
const CUSTOM_SOURCE = 'riposte.custom';

/**
 * When a playbook runs: a typed match on normalized alert fields. Every listed condition must
 * hold; an omitted one matches anything. Serializable, so the ingest Lambda receives the
 * triggers of the deployed playbooks as JSON.
 *
 * @example
 * const trigger: Trigger = {
 *   sources: ['aws.guardduty', 'aws.securityhub'],
 *   findingTypes: ['Backdoor:EC2/*', 'CryptoCurrency:EC2/*'],
 *   minSeverity: 4,
 *   resourceTypes: ['AWS::EC2::Instance'],
 * };
 */
export const TriggerConditionsSchema = z.strictObject({
  /**
   * EventBridge sources, e.g. `aws.guardduty`. `riposte.custom` alerts match only a trigger that
   * names `riposte.custom` here.
   */
  sources: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
  /**
   * Products trusted besides AWS's own (see `alertProducer`): `company/product` of a Security Hub
   * product ARN, e.g. `crowdstrike/crowdstrike-falcon` or `111122223333/default` for an account's
   * own custom integration; `*` wildcards. When given, only these products match. Unset: only
   * alerts proven to come from an AWS service match.
   */
  products: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
  /** OCSF class uids, e.g. 2004 (Detection Finding). */
  classUids: z.optional(z.array(z.number().check(z.int())).check(z.minLength(1))),
  /** Finding types (`finding_info.types`); `*` matches any run of characters. */
  findingTypes: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
  /** Lowest OCSF `severity_id` that triggers (1 Informational … 5 Critical). */
  minSeverity: z.optional(z.number().check(z.int(), z.gte(0), z.lte(6))),
  /** Resource types of the alert's resources, e.g. `AWS::EC2::Instance`. */
  resourceTypes: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
  /** Account allow and deny lists (deny wins). */
  accounts: z.optional(
    z.strictObject({ allow: z.optional(z.array(z.string())), deny: z.optional(z.array(z.string())) }),
  ),
  /** Region allow and deny lists (deny wins). */
  regions: z.optional(
    z.strictObject({ allow: z.optional(z.array(z.string())), deny: z.optional(z.array(z.string())) }),
  ),
  /** Compliance controls (`compliance.control`, e.g. `S3.8` or a Config rule name); `*` wildcards. */
  controls: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
  /**
   * API calls recorded by CloudTrail, as `service:Operation` where `service` is the event source
   * without `.amazonaws.com` (`api.service.name`) and `Operation` the event name
   * (`api.operation`), e.g. `ec2:AuthorizeSecurityGroupIngress` or `kms:ScheduleKeyDeletion`;
   * `*` wildcards. An alert without an API call never matches.
   */
  apiCalls: z.optional(
    z.array(z.string().check(z.regex(/^[a-z0-9*-]+:[A-Za-z0-9*]+$/))).check(z.minLength(1)),
  ),
  /**
   * Signals Riposte's normalizers rate an event with (`metadata.labels`, reserved prefix
   * `signal:`), e.g. `signal:world-open-ingress`; `*` wildcards. Only the labels Riposte sets can
   * match: normalizers that keep a producer's OCSF drop incoming `signal:` labels.
   */
  labels: z.optional(z.array(z.string().check(z.regex(/^signal:[a-z0-9*-]+$/))).check(z.minLength(1))),
});
export type TriggerConditions = z.infer<typeof TriggerConditionsSchema>;

/**
 * A trigger: one set of conditions, or `anyOf` several (the playbook runs when one matches), or
 * `manual` (never started by an alert: an operator starts it, e.g. a release playbook).
 */
export const TriggerSchema = z.union([
  TriggerConditionsSchema,
  z.strictObject({ anyOf: z.array(TriggerConditionsSchema).check(z.minLength(1)) }),
  z.strictObject({ manual: z.literal(true) }),
]);
export type Trigger = z.infer<typeof TriggerSchema>;

const wildcardCache = new Map<string, RegExp>();

/** `*` as "any run of characters", everything else literal, case-sensitive. */
export function wildcardToRegExp(pattern: string): RegExp {
  let re = wildcardCache.get(pattern);
  if (re === undefined) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`);
    wildcardCache.set(pattern, re);
  }
  return re;
}

/** The alert's API call as `service:Operation`, or undefined when it records none. */
export function apiCallOf(alert: Alert): string | undefined {
  const api = alert.ocsf.api;
  const service = api?.service?.name;
  if (api?.operation === undefined || service === undefined) return undefined;
  return `${service.replace(/\.amazonaws\.com$/, '')}:${api.operation}`;
}

function apiCallMismatch(trigger: TriggerConditions, alert: Alert): TriggerMismatch | undefined {
  if (trigger.apiCalls === undefined) return undefined;
  const call = apiCallOf(alert);
  const patterns = trigger.apiCalls.map(wildcardToRegExp);
  if (call !== undefined && patterns.some((re) => re.test(call))) return undefined;
  return {
    clause: 'api call',
    reason: `API call ${call ?? '(none)'} matches none of ${list(trigger.apiCalls)}`,
  };
}

function labelMismatch(trigger: TriggerConditions, alert: Alert): TriggerMismatch | undefined {
  if (trigger.labels === undefined) return undefined;
  const labels = (alert.ocsf.metadata.labels ?? []).filter((label) => label.startsWith(SIGNAL_PREFIX));
  const patterns = trigger.labels.map(wildcardToRegExp);
  if (labels.some((label) => patterns.some((re) => re.test(label)))) return undefined;
  return {
    clause: 'label',
    reason: `signal ${labels.length === 0 ? '(none)' : list(labels)} matches none of ${list(trigger.labels)}`,
  };
}

function allowed(
  value: string | undefined,
  list: { allow?: string[]; deny?: string[] } | undefined,
): boolean {
  if (list === undefined) return true;
  if (value !== undefined && list.deny?.includes(value)) return false;
  if (list.allow === undefined) return true;
  return value !== undefined && list.allow.includes(value);
}

/** The clause of a trigger's conditions an alert failed. */
export type TriggerClause =
  | 'manual'
  | 'source'
  | 'product'
  | 'class'
  | 'finding type'
  | 'severity'
  | 'resource type'
  | 'control'
  | 'api call'
  | 'label'
  | 'account'
  | 'region';

/** Why an alert does not satisfy a set of conditions: the first clause that failed, in words. */
export interface TriggerMismatch {
  readonly clause: TriggerClause;
  readonly reason: string;
}

/**
 * Whether an alert satisfies a trigger. Every set of conditions also requires a trusted producer:
 * an AWS service unless the conditions name `products` (then one of those), and a
 * `riposte.custom` alert only where `sources` names `riposte.custom`.
 *
 * @example
 * matchesTrigger({ minSeverity: 4 }, alert) // true for High and Critical alerts
 */
export function matchesTrigger(trigger: Trigger, alert: Alert): boolean {
  return explainTrigger(trigger, alert).length === 0;
}

/**
 * Why an alert does not satisfy a trigger: empty when it does, else one mismatch per set of
 * conditions (one for a plain trigger, one per `anyOf` entry), each naming the first clause that
 * failed.
 *
 * @example
 * explainTrigger({ sources: ['aws.guardduty'], minSeverity: 7 }, mediumGuardDutyAlert)
 * // [{ clause: 'severity', reason: 'severity Medium (3) is below the minimum High (4)' }]
 */
export function explainTrigger(trigger: Trigger, alert: Alert): TriggerMismatch[] {
  if ('manual' in trigger) {
    return [{ clause: 'manual', reason: 'the trigger is manual: an operator starts this playbook' }];
  }
  const sets = 'anyOf' in trigger ? trigger.anyOf : [trigger];
  const mismatches: TriggerMismatch[] = [];
  for (const conditions of sets) {
    const mismatch = mismatchOf(conditions, alert);
    if (mismatch === undefined) return [];
    mismatches.push(mismatch);
  }
  return mismatches;
}

const SEVERITY_NAMES = ['Unknown', 'Informational', 'Low', 'Medium', 'High', 'Critical', 'Fatal'];

function severityName(id: number): string {
  return `${SEVERITY_NAMES[id] ?? 'Other'} (${id})`;
}

function list(values: readonly string[]): string {
  return values.join(', ');
}

/**
 * Whether a set of conditions trusts the producer of `alert`. A custom alert never, unless the
 * conditions name `riposte.custom` among their sources; then, as for every alert, a product the
 * conditions name in `products` when they have that list, else an AWS service (or the named
 * custom source).
 */
function trustsProducer(trigger: TriggerConditions, alert: Alert): boolean {
  const custom = alert.source === CUSTOM_SOURCE;
  if (custom && trigger.sources?.includes(CUSTOM_SOURCE) !== true) return false;
  const producer = alertProducer(alert);
  if (trigger.products !== undefined) {
    return trigger.products.some((pattern) => wildcardToRegExp(pattern).test(producer.id));
  }
  return custom || producer.aws;
}

function mismatchOf(trigger: TriggerConditions, alert: Alert): TriggerMismatch | undefined {
  const { ocsf } = alert;
  if (trigger.sources !== undefined && !trigger.sources.includes(alert.source)) {
    return { clause: 'source', reason: `source ${alert.source} is not one of ${list(trigger.sources)}` };
  }
  if (!trustsProducer(trigger, alert)) {
    return {
      clause: 'product',
      reason: `product ${alertProducer(alert).id} is not trusted (AWS products only, unless the trigger names products or riposte.custom)`,
    };
  }
  if (trigger.classUids !== undefined && !trigger.classUids.includes(ocsf.class_uid)) {
    return {
      clause: 'class',
      reason: `OCSF class ${ocsf.class_uid} is not one of ${trigger.classUids.join(', ')}`,
    };
  }
  if (
    trigger.minSeverity !== undefined &&
    (ocsf.severity_id === 99 || ocsf.severity_id < trigger.minSeverity)
  ) {
    return {
      clause: 'severity',
      reason: `severity ${severityName(ocsf.severity_id)} is below the minimum ${severityName(trigger.minSeverity)}`,
    };
  }
  if (trigger.findingTypes !== undefined) {
    const types = ocsf.finding_info?.types ?? [];
    const patterns = trigger.findingTypes.map(wildcardToRegExp);
    if (!types.some((type) => patterns.some((re) => re.test(type)))) {
      return {
        clause: 'finding type',
        reason: `finding type ${types.length === 0 ? '(none)' : list(types)} matches none of ${list(trigger.findingTypes)}`,
      };
    }
  }
  if (trigger.resourceTypes !== undefined) {
    const types = (ocsf.resources ?? []).map((r) => r.type).filter((t) => t !== undefined);
    if (!types.some((type) => trigger.resourceTypes?.includes(type))) {
      return {
        clause: 'resource type',
        reason: `resource type ${types.length === 0 ? '(none)' : list(types)} is not one of ${list(trigger.resourceTypes)}`,
      };
    }
  }
  if (trigger.controls !== undefined) {
    const control = ocsf.compliance?.control;
    const patterns = trigger.controls.map(wildcardToRegExp);
    if (control === undefined || !patterns.some((re) => re.test(control))) {
      return {
        clause: 'control',
        reason: `control ${control ?? '(none)'} matches none of ${list(trigger.controls)}`,
      };
    }
  }
  const callOrLabel = apiCallMismatch(trigger, alert) ?? labelMismatch(trigger, alert);
  if (callOrLabel !== undefined) return callOrLabel;
  if (!allowed(ocsf.cloud.account?.uid, trigger.accounts)) {
    return { clause: 'account', reason: `account ${ocsf.cloud.account?.uid ?? '(none)'} is not allowed` };
  }
  if (!allowed(ocsf.cloud.region, trigger.regions)) {
    return { clause: 'region', reason: `region ${ocsf.cloud.region || '(none)'} is not allowed` };
  }
  return undefined;
}

/** Why a playbook's trigger may not start containment, one line each. */
export interface TriggerTrustProblem {
  readonly playbook: string;
  readonly message: string;
}

/**
 * What `riposte playbooks check` refuses in a trigger: a playbook that contains (runs an action of
 * the `contain` family) must name its `sources` in every set of conditions, so that what can start
 * containment is written down and reviewed, never "any source".
 *
 * @param contains whether the playbook runs a containment action anywhere in its flow
 *
 * @example
 * triggerTrustProblems('s3-public-bucket', { controls: ['S3.8'] }, true)
 * // [{ playbook: 's3-public-bucket', message: 's3-public-bucket contains, but trigger condition 1 names no sources: …' }]
 */
export function triggerTrustProblems(
  playbook: string,
  trigger: Trigger,
  contains: boolean,
): TriggerTrustProblem[] {
  if (!contains || 'manual' in trigger) return [];
  const conditions = 'anyOf' in trigger ? trigger.anyOf : [trigger];
  return conditions.flatMap((condition, index) =>
    condition.sources === undefined
      ? [
          {
            playbook,
            message: `${playbook} contains, but trigger condition ${index + 1} names no sources: list the EventBridge sources it answers (e.g. sources: ['aws.securityhub'])`,
          },
        ]
      : [],
  );
}

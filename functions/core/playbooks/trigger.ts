import type { Alert } from '../alert.ts';
import * as z from '../zod.ts';

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
  /** EventBridge sources, e.g. `aws.guardduty`. */
  sources: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
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

function allowed(
  value: string | undefined,
  list: { allow?: string[]; deny?: string[] } | undefined,
): boolean {
  if (list === undefined) return true;
  if (value !== undefined && list.deny?.includes(value)) return false;
  if (list.allow === undefined) return true;
  return value !== undefined && list.allow.includes(value);
}

/**
 * Whether an alert satisfies a trigger.
 *
 * @example
 * matchesTrigger({ minSeverity: 4 }, alert) // true for High and Critical alerts
 */
export function matchesTrigger(trigger: Trigger, alert: Alert): boolean {
  if ('manual' in trigger) return false;
  if ('anyOf' in trigger) return trigger.anyOf.some((conditions) => matchesConditions(conditions, alert));
  return matchesConditions(trigger, alert);
}

function matchesConditions(trigger: TriggerConditions, alert: Alert): boolean {
  const { ocsf } = alert;
  if (trigger.sources !== undefined && !trigger.sources.includes(alert.source)) return false;
  if (trigger.classUids !== undefined && !trigger.classUids.includes(ocsf.class_uid)) return false;
  if (
    trigger.minSeverity !== undefined &&
    (ocsf.severity_id === 99 || ocsf.severity_id < trigger.minSeverity)
  ) {
    return false;
  }
  if (trigger.findingTypes !== undefined) {
    const types = ocsf.finding_info?.types ?? [];
    const patterns = trigger.findingTypes.map(wildcardToRegExp);
    if (!types.some((type) => patterns.some((re) => re.test(type)))) return false;
  }
  if (trigger.resourceTypes !== undefined) {
    const types = (ocsf.resources ?? []).map((r) => r.type);
    if (!types.some((type) => type !== undefined && trigger.resourceTypes?.includes(type))) return false;
  }
  if (trigger.controls !== undefined) {
    const control = ocsf.compliance?.control;
    const patterns = trigger.controls.map(wildcardToRegExp);
    if (control === undefined || !patterns.some((re) => re.test(control))) return false;
  }
  if (!allowed(ocsf.cloud.account?.uid, trigger.accounts)) return false;
  if (!allowed(ocsf.cloud.region, trigger.regions)) return false;
  return true;
}

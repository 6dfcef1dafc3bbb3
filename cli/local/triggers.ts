import { parseConfig } from '#core/config/schema.ts';
import { compileEventPattern } from '#core/events/pattern.ts';
import { normalize } from '#core/normalize/index.ts';
import type { Playbook } from '#core/playbooks/sdk.ts';
import { explainTrigger } from '#core/playbooks/trigger.ts';
import { buildRulePatterns } from '#core/sources/catalog.ts';

/*
 * The trigger half of the author kit, kept free of the action code and its AWS clients so that
 * the test setup (`matchers.ts`) can load it without loading them: tests mock those.
 */

/** Whether a playbook starts for an event, and why (or why not) in words. */
export interface TriggerVerdict {
  readonly triggers: boolean;
  readonly reason: string;
}

/**
 * Whether an event starts a playbook, the way the deployment decides it: the event must match a
 * Riposte rule (EventBridge would not deliver it otherwise), normalize to an alert, and that
 * alert must satisfy the playbook's trigger. When it does not, `reason` names the failing clause
 * (source, finding type, severity, resource type...). Precedence between playbooks
 * (`supersedes`) is not considered: see `selectPlaybooks`.
 *
 * @example
 * triggersOn(playbook, guardDutyInstanceFinding({ severity: 2 }))
 * // { triggers: false, reason: 'ec2-instance-compromise does not trigger: severity Low (2) is below the minimum High (4)' }
 */
export function triggersOn(
  playbook: Pick<Playbook, 'id' | 'trigger'>,
  event: unknown,
  config: unknown = {},
): TriggerVerdict {
  const rules = buildRulePatterns(parseConfig(config));
  if (!rules.some((rule) => compileEventPattern(rule.eventPattern).matches(event))) {
    return {
      triggers: false,
      reason: `${playbook.id} does not trigger: the event matches no Riposte rule (EventBridge would not deliver it)`,
    };
  }
  const reasons: string[] = [];
  for (const output of normalize(event)) {
    if ('rejected' in output) {
      reasons.push(`the event is rejected (${output.rejected.reason}: ${output.rejected.message})`);
      continue;
    }
    const mismatches = explainTrigger(playbook.trigger, output.alert);
    if (mismatches.length === 0) {
      return { triggers: true, reason: `${playbook.id} triggers on alert ${output.alert.id}` };
    }
    reasons.push(
      mismatches.length === 1
        ? (mismatches[0]?.reason ?? '')
        : mismatches.map((m, i) => `(${i + 1}) ${m.reason}`).join('; '),
    );
  }
  return { triggers: false, reason: `${playbook.id} does not trigger: ${reasons.join('; ')}` };
}

import type { SafetyPolicy } from './types.ts';

/**
 * Tag comparison for the safety rails. AWS tag keys and values are case-sensitive and keep
 * surrounding spaces, so `Environment: "Production "`, `environment: production` and
 * `ENV: PROD` are three different tags to AWS, but one intent to the people who wrote them.
 * Every rail (the protected tag, the environment) compares keys **and** values trimmed and
 * case-insensitively, through this module only.
 */

/** A tag key or value as the rails compare it: trimmed, lower-cased. */
export function canonicalTagText(text: string): string {
  return text.trim().toLowerCase();
}

/**
 * The value of the first of `keys` the tags carry (keys and the wanted keys compared
 * canonically), trimmed; null when none is present.
 *
 * @example
 * tagValueOf({ ' Environment': 'Production ' }, ['environment', 'env']); // 'Production'
 */
export function tagValueOf(tags: Readonly<Record<string, string>>, keys: readonly string[]): string | null {
  const entries = Object.entries(tags);
  for (const wanted of keys) {
    const key = canonicalTagText(wanted);
    const entry = entries.find(([k]) => canonicalTagText(k) === key);
    if (entry !== undefined) return entry[1].trim();
  }
  return null;
}

/**
 * Whether the tags carry `tag` (key and value compared canonically). Several keys that differ
 * only in case or spaces (AWS allows them side by side): any of them matching is enough.
 *
 * @example
 * carriesTag({ 'Riposte:Protected ': ' TRUE' }, { key: 'riposte:protected', value: 'true' }); // true
 */
export function carriesTag(
  tags: Readonly<Record<string, string>>,
  tag: { readonly key: string; readonly value: string },
): boolean {
  const key = canonicalTagText(tag.key);
  const value = canonicalTagText(tag.value);
  return Object.entries(tags).some(([k, v]) => canonicalTagText(k) === key && canonicalTagText(v) === value);
}

/** What the rails make of a resource's tags. */
export interface ResourceStanding {
  /** Carries the configured protected tag: containment refuses it. */
  readonly protected: boolean;
  /** The environment tag's value (trimmed), null when the resource has none. */
  readonly environment: string | null;
  /**
   * True unless the environment is one the configuration names non-production: production,
   * an unknown value and a missing tag all need a human approval (fails closed).
   */
  readonly approvalRequired: boolean;
}

/**
 * Classifies a resource under the safety policy.
 *
 * @example
 * standing({ Environment: 'Production ' }, policy); // { protected: false, environment: 'Production', approvalRequired: true }
 * standing({}, policy).approvalRequired; // true: unknown environment
 */
export function standing(tags: Readonly<Record<string, string>>, policy: SafetyPolicy): ResourceStanding {
  const environment = tagValueOf(tags, policy.environments.tagKeys);
  const nonProduction = new Set(policy.environments.nonProduction.map(canonicalTagText));
  return {
    protected: carriesTag(tags, policy.protectedTag),
    environment,
    approvalRequired: environment === null || !nonProduction.has(canonicalTagText(environment)),
  };
}

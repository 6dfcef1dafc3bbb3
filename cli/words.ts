import type { Trigger, TriggerConditions } from '#core/playbooks/trigger.ts';

/** Plain-language renderings for people: triggers, durations, resource types. */

export const SEVERITY_WORDS: Readonly<Record<number, string>> = {
  0: 'Unknown',
  1: 'Informational',
  2: 'Low',
  3: 'Medium',
  4: 'High',
  5: 'Critical',
  6: 'Fatal',
};

const SOURCE_NAMES: Readonly<Record<string, string>> = {
  'aws.guardduty': 'GuardDuty',
  'aws.securityhub': 'Security Hub',
  'aws.inspector2': 'Inspector',
  'aws.macie': 'Macie',
  'aws.config': 'Config',
  'aws.access-analyzer': 'IAM Access Analyzer',
  'aws.cloudtrail': 'CloudTrail',
  'aws.health': 'AWS Health',
  'aws.detective': 'Detective',
  'aws.signin': 'console sign-in',
};

const OCSF_CLASSES: Readonly<Record<number, string>> = {
  2001: 'security findings',
  2002: 'vulnerability findings',
  2003: 'compliance findings',
  2004: 'detection findings',
  2005: 'incident findings',
  2006: 'data security findings',
  3002: 'authentication events',
  6003: 'API activity',
};

/** `aws.guardduty` as GuardDuty; an unknown source as itself. */
export function sourceName(source: string): string {
  return SOURCE_NAMES[source] ?? source;
}

const PLURALS: Readonly<Record<string, string>> = {
  'AWS::EC2::Instance': 'EC2 instances',
  'AWS::IAM::User': 'IAM users',
  'AWS::IAM::Role': 'IAM roles',
  'AWS::IAM::AccessKey': 'IAM access keys',
  'AWS::S3::Bucket': 'S3 buckets',
  'AWS::EKS::Cluster': 'EKS clusters',
  'AWS::Lambda::Function': 'Lambda functions',
  'AWS::RDS::DBInstance': 'RDS DB instances',
  'AWS::ECS::Cluster': 'ECS clusters',
};

/** `AWS::EC2::Instance` as "EC2 instances"; other types by the same rule (`AWS::SQS::Queue`: "SQS queues"). */
export function resourceTypeWords(type: string): string {
  const known = PLURALS[type];
  if (known !== undefined) return known;
  const match = /^AWS::([^:]+)::(.+)$/.exec(type);
  if (match === null) return type;
  const [, service = '', kind = ''] = match;
  const words = kind.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return `${service} ${words.endsWith('s') ? words : `${words}s`}`;
}

function list(values: readonly string[], max = 4): string {
  if (values.length <= max) return values.join(', ');
  return `${values.slice(0, max).join(', ')} and ${values.length - max} more`;
}

function allowDeny(what: string, rule: { allow?: string[]; deny?: string[] } | undefined): string[] {
  if (rule === undefined) return [];
  const parts: string[] = [];
  if (rule.allow !== undefined) parts.push(`in ${what} ${list(rule.allow)}`);
  if (rule.deny !== undefined && rule.deny.length > 0) parts.push(`not in ${what} ${list(rule.deny)}`);
  return parts;
}

function conditionsInWords(c: TriggerConditions): string {
  const parts: string[] = [];
  const sources = c.sources?.map(sourceName);
  if (sources !== undefined) parts.push(list(sources));
  if (c.classUids !== undefined)
    parts.push(c.classUids.map((uid) => OCSF_CLASSES[uid] ?? `OCSF class ${uid}`).join(' or '));
  if (c.findingTypes !== undefined) parts.push(list(c.findingTypes));
  if (c.controls !== undefined) parts.push(`failing ${list(c.controls)}`);
  if (c.apiCalls !== undefined) parts.push(`calls ${list(c.apiCalls)}`);
  if (c.labels !== undefined) parts.push(`rated ${list(c.labels)}`);
  if (parts.length === 0) parts.push('any alert');
  if (c.minSeverity !== undefined && c.minSeverity > 1)
    parts.push(`≥ ${SEVERITY_WORDS[c.minSeverity] ?? String(c.minSeverity)}`);
  if (c.resourceTypes !== undefined) parts.push(`on ${list(c.resourceTypes.map(resourceTypeWords))}`);
  parts.push(...allowDeny('accounts', c.accounts), ...allowDeny('regions', c.regions));
  return parts.join(' ');
}

/**
 * A trigger as a sentence a person reads.
 *
 * @example
 * triggerInWords({ sources: ['aws.guardduty'], findingTypes: ['Backdoor:EC2/*'], minSeverity: 3,
 *   resourceTypes: ['AWS::EC2::Instance'] });
 * // 'GuardDuty Backdoor:EC2/* ≥ Medium on EC2 instances'
 */
export function triggerInWords(trigger: Trigger): string {
  if ('manual' in trigger) return 'manual: started by an operator (riposte release)';
  if ('anyOf' in trigger) return trigger.anyOf.map(conditionsInWords).join('; or ');
  if (Object.keys(trigger).length === 0) return 'every alert';
  return conditionsInWords(trigger);
}

const UNITS: readonly { readonly ms: number; readonly name: string }[] = [
  { ms: 365 * 86_400_000, name: 'y' },
  { ms: 86_400_000, name: 'd' },
  { ms: 3_600_000, name: 'h' },
  { ms: 60_000, name: 'min' },
  { ms: 1000, name: 's' },
];

/**
 * A duration in the units that fit it: "850 ms", "4.2 s", "3 min 5 s", "2 h 13 min", "7 y 19 d";
 * "-" for none.
 *
 * @example
 * duration(61_779.6 * 3_600_000); // '7 y 19 d' (not "61779.6 h")
 */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1).replace(/\.0$/, '')} s`;
  const index = UNITS.findIndex((u) => abs >= u.ms);
  const big = UNITS[index] ?? { ms: 1000, name: 's' };
  const small = UNITS[index + 1];
  const whole = Math.floor(abs / big.ms);
  const rest = small === undefined ? 0 : Math.round((abs - whole * big.ms) / small.ms);
  // Rounding the smaller unit up to a whole bigger one (59.6 s → 60 s) carries over.
  const perBig = small === undefined ? 1 : Math.round(big.ms / small.ms);
  const [w, r] = rest >= perBig ? [whole + 1, 0] : [whole, rest];
  return `${sign}${w} ${big.name}${r === 0 || small === undefined ? '' : ` ${r} ${small.name}`}`;
}

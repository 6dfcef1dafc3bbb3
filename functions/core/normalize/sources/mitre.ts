import type { OcsfAttack, OcsfEvent } from '../../ocsf/schema.ts';
import { type JsonRecord, optString, recordList } from '../read.ts';

/**
 * MITRE ATT&CK in GuardDuty attack sequences. A sequence lists what it observed as indicators
 * (GuardDuty API Reference, `Indicator`: `key`, `title`, `values`; Security Hub's ASFF copy
 * `Detection.Sequence.SequenceIndicators[]` with `Key`, `Title`, `Values`). For the key
 * `ATTACK_TACTIC` "the value will be one of the MITRE tactics", by name; `ATTACK_TECHNIQUE`
 * values name techniques. Riposte keeps them as OCSF `finding_info.attacks[]` (OCSF 1.6
 * `attack`: `tactic` {name, uid, src_url}, `technique` {name, uid, src_url}), so a sequence
 * reads as the tactics it spans, with ATT&CK ids and links.
 */

/** The ATT&CK Enterprise tactics and their ids (attack.mitre.org/tactics/enterprise). */
const TACTIC_IDS: readonly (readonly [string, string])[] = [
  ['Reconnaissance', 'TA0043'],
  ['Resource Development', 'TA0042'],
  ['Initial Access', 'TA0001'],
  ['Execution', 'TA0002'],
  ['Persistence', 'TA0003'],
  ['Privilege Escalation', 'TA0004'],
  ['Defense Evasion', 'TA0005'],
  ['Credential Access', 'TA0006'],
  ['Discovery', 'TA0007'],
  ['Lateral Movement', 'TA0008'],
  ['Collection', 'TA0009'],
  ['Exfiltration', 'TA0010'],
  ['Command and Control', 'TA0011'],
  ['Impact', 'TA0040'],
];
/** The tactics by lower-case name, matched trimmed and case-insensitively. */
const TACTICS: ReadonlyMap<string, readonly [string, string]> = new Map(
  TACTIC_IDS.map((tactic) => [tactic[0].toLowerCase(), tactic]),
);

/** A technique id at the start of a value: `T1078`, `T1078.004`. */
const TECHNIQUE_ID = /^(T\d{4}(?:\.\d{3})?)\b[\s:–-]*(.*)$/;

interface Indicator {
  readonly key: string | undefined;
  readonly values: readonly string[];
}

function indicatorsOf(sequence: JsonRecord, shape: 'native' | 'asff'): Indicator[] {
  const [list, key, values] =
    shape === 'native' ? ['sequenceIndicators', 'key', 'values'] : ['SequenceIndicators', 'Key', 'Values'];
  return recordList(sequence[list]).map((indicator) => ({
    key: optString(indicator[key]),
    values: Array.isArray(indicator[values])
      ? indicator[values].filter((v): v is string => typeof v === 'string' && v.trim() !== '')
      : [],
  }));
}

function tacticOf(name: string): NonNullable<OcsfAttack['tactic']> {
  const trimmed = name.trim();
  const known = TACTICS.get(trimmed.toLowerCase());
  if (known === undefined) return { name: trimmed };
  const [canonical, uid] = known;
  return { name: canonical, uid, src_url: `https://attack.mitre.org/tactics/${uid}/` };
}

function techniqueOf(value: string): NonNullable<OcsfAttack['technique']> {
  const match = TECHNIQUE_ID.exec(value.trim());
  if (match === null) return { name: value.trim() };
  const [, uid = '', rest = ''] = match;
  const url = `https://attack.mitre.org/techniques/${uid.replace('.', '/')}/`;
  return rest === '' ? { uid, src_url: url } : { name: rest, uid, src_url: url };
}

/**
 * The ATT&CK tactics and techniques a sequence's indicators name, one `attack` each, tactics
 * first, duplicates dropped. Empty when the sequence names none.
 *
 * @example
 * sequenceAttacks({ sequenceIndicators: [{ key: 'ATTACK_TACTIC', values: ['Persistence'] }] }, 'native');
 * // [{ tactic: { name: 'Persistence', uid: 'TA0003', src_url: 'https://attack.mitre.org/tactics/TA0003/' } }]
 */
export function sequenceAttacks(sequence: JsonRecord, shape: 'native' | 'asff'): OcsfAttack[] {
  const indicators = indicatorsOf(sequence, shape);
  const tactics = indicators
    .filter((i) => i.key === 'ATTACK_TACTIC')
    .flatMap((i) => i.values)
    .map((v) => ({ tactic: tacticOf(v) }));
  const techniques = indicators
    .filter((i) => i.key === 'ATTACK_TECHNIQUE')
    .flatMap((i) => i.values)
    .map((v) => ({ technique: techniqueOf(v) }));
  const seen = new Set<string>();
  return [...tactics, ...techniques].filter((attack) => {
    const id = JSON.stringify(attack);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Sets `finding_info.attacks` from the sequence's indicators, when it names any. */
export function setSequenceAttacks(ocsf: OcsfEvent, sequence: JsonRecord, shape: 'native' | 'asff'): void {
  const attacks = sequenceAttacks(sequence, shape);
  if (attacks.length === 0 || ocsf.finding_info === undefined) return;
  ocsf.finding_info.attacks = attacks;
}

import type { Alert } from '../alert.ts';
import type { PlaybookRoute } from '../intake/dispatch.ts';
import type { FlowNodes, Playbook } from './sdk.ts';
import { matchesTrigger, type Trigger, type TriggerConditions } from './trigger.ts';

/**
 * Which playbooks answer an alert, and which pairs of playbooks could fight over one resource.
 *
 * The rule: every playbook whose trigger matches an alert starts, except one that another
 * matching playbook `supersedes`. Two playbooks that could both change the resource of one
 * finding (both contain or release, and their triggers admit a common finding) must say which
 * one wins: `riposte playbooks check` refuses the pair until one lists the other in `supersedes`.
 *
 * @example
 * // dev-crypto-mining declares supersedes: ['ec2-instance-compromise']
 * selectPlaybooks(routes, cryptoMiningAlert).map((r) => r.id) // ['dev-crypto-mining']
 */

/** Action families whose actions change the resources they act on. */
const CHANGING_FAMILIES: ReadonlySet<string> = new Set(['contain', 'release']);

/**
 * The routes that start for an alert: those whose trigger matches, minus those a matching
 * route supersedes.
 *
 * @example
 * for (const route of selectPlaybooks(deps.routes, alert)) await dispatcher.start(...);
 */
export function selectPlaybooks<R extends Pick<PlaybookRoute, 'id' | 'trigger' | 'supersedes'>>(
  routes: readonly R[],
  alert: Alert,
): R[] {
  const matching = routes.filter((route) => matchesTrigger(route.trigger, alert));
  const superseded = new Set(matching.flatMap((route) => route.supersedes ?? []));
  return matching.filter((route) => !superseded.has(route.id));
}

/**
 * Whether a playbook can change AWS resources: one of its steps, on any branch, runs an action
 * of the `contain` or `release` family.
 */
export function changesResources(playbook: Pick<Playbook, 'nodes'>): boolean {
  const visit = (nodes: FlowNodes): boolean =>
    nodes.some((node) => {
      switch (node.kind) {
        case 'task':
          return CHANGING_FAMILIES.has(node.action.family) || node.catch.some((c) => visit(c.flow));
        case 'approve':
          return node.onDeny !== undefined && visit(node.onDeny);
        case 'choice':
          return (
            node.branches.some((b) => visit(b.flow)) ||
            (node.otherwise !== undefined && visit(node.otherwise))
          );
        case 'parallel':
          return node.branches.some(visit);
        default:
          return false;
      }
    });
  return visit(playbook.nodes);
}

/** A finding both triggers admit, in words, or undefined when no finding can match both. */
export function commonFinding(a: Trigger, b: Trigger): string | undefined {
  if ('manual' in a || 'manual' in b) return undefined;
  for (const x of 'anyOf' in a ? a.anyOf : [a]) {
    for (const y of 'anyOf' in b ? b.anyOf : [b]) {
      const common = commonConditions(x, y);
      if (common !== undefined) return common;
    }
  }
  return undefined;
}

/** One problem with the playbooks' precedence, for `riposte playbooks check`. */
export interface PrecedenceProblem {
  readonly playbooks: readonly string[];
  readonly message: string;
}

/**
 * Every pair of playbooks that could both change the resource of one finding without one
 * superseding the other, and every `supersedes` that names no playbook or goes both ways.
 */
export function precedenceProblems(
  playbooks: readonly Pick<Playbook, 'id' | 'trigger' | 'nodes' | 'supersedes'>[],
): PrecedenceProblem[] {
  const problems: PrecedenceProblem[] = [];
  const ids = new Set(playbooks.map((p) => p.id));
  const supersedes = (a: { readonly supersedes?: readonly string[] }, id: string) =>
    a.supersedes?.includes(id) === true;
  for (const playbook of playbooks) {
    for (const other of playbook.supersedes ?? []) {
      if (!ids.has(other)) {
        problems.push({
          playbooks: [playbook.id],
          message: `${playbook.id} supersedes "${other}", which is not a playbook`,
        });
      }
    }
  }
  const changing = playbooks.filter(changesResources);
  for (const [i, a] of changing.entries()) {
    for (const b of changing.slice(i + 1)) {
      if (supersedes(a, b.id) && supersedes(b, a.id)) {
        problems.push({
          playbooks: [a.id, b.id],
          message: `${a.id} and ${b.id} supersede each other: keep the supersedes on the one that should run`,
        });
        continue;
      }
      if (supersedes(a, b.id) || supersedes(b, a.id)) continue;
      const common = commonFinding(a.trigger, b.trigger);
      if (common === undefined) continue;
      problems.push({
        playbooks: [a.id, b.id],
        message:
          `${a.id} and ${b.id} can both change the resource of one finding (${common}): ` +
          `add supersedes: ['${b.id}'] to ${a.id}, or supersedes: ['${a.id}'] to ${b.id}, to say which one runs`,
      });
    }
  }
  return problems;
}

function commonConditions(a: TriggerConditions, b: TriggerConditions): string | undefined {
  const parts: string[] = [];
  const sources = commonValues(a.sources, b.sources);
  if (sources === null) return undefined;
  if (sources !== undefined) parts.push(sources.join('|'));
  const classes = commonValues(a.classUids, b.classUids);
  if (classes === null) return undefined;
  const types = commonPatterns(a.findingTypes, b.findingTypes);
  if (types === null) return undefined;
  if (types !== undefined) parts.push(types);
  const severity = Math.max(a.minSeverity ?? 0, b.minSeverity ?? 0);
  if (severity > 0) parts.push(`severity ≥ ${severity}`);
  const resources = commonValues(a.resourceTypes, b.resourceTypes);
  if (resources === null) return undefined;
  if (resources !== undefined) parts.push(resources.join('|'));
  const controls = commonPatterns(a.controls, b.controls);
  if (controls === null) return undefined;
  if (controls !== undefined) parts.push(`control ${controls}`);
  const calls = commonPatterns(a.apiCalls, b.apiCalls);
  if (calls === null) return undefined;
  if (calls !== undefined) parts.push(`call ${calls}`);
  const labels = commonPatterns(a.labels, b.labels);
  if (labels === null) return undefined;
  if (labels !== undefined) parts.push(labels);
  if (!listsMeet(a.accounts, b.accounts) || !listsMeet(a.regions, b.regions)) return undefined;
  return parts.length === 0 ? 'any finding' : parts.join(', ');
}

/** The values both lists admit: undefined when neither restricts, null when none. */
function commonValues<T>(
  a: readonly T[] | undefined,
  b: readonly T[] | undefined,
): readonly T[] | null | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const common = a.filter((value) => b.includes(value));
  return common.length === 0 ? null : common;
}

/** A pattern pair both lists admit, in words: undefined when neither restricts, null when none. */
function commonPatterns(
  a: readonly string[] | undefined,
  b: readonly string[] | undefined,
): string | null | undefined {
  if (a === undefined) return b?.join('|');
  if (b === undefined) return a.join('|');
  for (const x of a) {
    for (const y of b) if (patternsIntersect(x, y)) return x.length >= y.length ? x : y;
  }
  return null;
}

/**
 * Whether some string matches both `*`-wildcard patterns: a walk over both patterns where a
 * `*` on either side may absorb the other side's next character (or `*`) or match nothing.
 */
export function patternsIntersect(a: string, b: string): boolean {
  const memo = new Map<number, boolean>();
  const walk = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (a[i] === '*') result = walk(i + 1, j) || (j < b.length && walk(i, j + 1));
    else if (b[j] === '*') result = walk(i, j + 1) || (i < a.length && walk(i + 1, j));
    else result = i < a.length && j < b.length && a[i] === b[j] && walk(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return walk(0, 0);
}

type AllowDeny = TriggerConditions['accounts'];

/** Whether some value passes both allow/deny lists. */
function listsMeet(a: AllowDeny, b: AllowDeny): boolean {
  const deny = new Set([...(a?.deny ?? []), ...(b?.deny ?? [])]);
  const allow = commonValues(a?.allow, b?.allow);
  if (allow === null) return false;
  return allow === undefined || allow.some((value) => !deny.has(value));
}

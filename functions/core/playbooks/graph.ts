import type { AslChoiceRule, AslState, AslStateMachine } from './asl.ts';

/** A state-input path as a reader says it: `$.steps.instance.output.environment` → `instance.environment`. */
function pathWords(variable: string): string {
  const path = variable
    .replace(/^\$\./, '')
    .replace(/^steps\./, '')
    .replace(/\.output\./, '.');
  return path === 'mode' ? 'mode' : path;
}

const COMPARATORS: readonly (readonly [string, string])[] = [
  ['NumericGreaterThanEquals', '≥'],
  ['NumericGreaterThan', '>'],
  ['NumericLessThanEquals', '≤'],
  ['NumericLessThan', '<'],
  ['NumericEquals', '='],
];

/**
 * A Choice rule in words: `instance.environment is 'production'`, `alert.severity ≥ 4`,
 * `a and (b or not c)`. The "is present" guard the compiler puts before a comparison (so a
 * missing field is false) is left out: it adds nothing for the reader.
 *
 * @example
 * ruleInWords({ Variable: '$.steps.instance.output.environment', StringEquals: 'production' });
 * // "instance.environment is 'production'"
 */
export function ruleInWords(rule: AslChoiceRule): string {
  if ('And' in rule) {
    const parts = rule.And.filter(
      (r, i, all) =>
        !(
          'IsPresent' in r &&
          r.IsPresent &&
          all.some((o, j) => j !== i && 'Variable' in o && o.Variable === r.Variable)
        ),
    );
    return parts.map((r) => grouped(ruleInWords(r), ' or ')).join(' and ');
  }
  if ('Or' in rule) return rule.Or.map((r) => grouped(ruleInWords(r), ' and ')).join(' or ');
  if ('Not' in rule) {
    const inner = ruleInWords(rule.Not);
    return 'Variable' in rule.Not ? `not ${inner}` : `not (${inner})`;
  }
  const subject = pathWords(rule.Variable);
  if ('StringEquals' in rule) return `${subject} is '${rule.StringEquals}'`;
  if ('BooleanEquals' in rule) return rule.BooleanEquals ? subject : `not ${subject}`;
  if ('StringMatches' in rule) return `${subject} matches '${rule.StringMatches}'`;
  if ('IsPresent' in rule) return rule.IsPresent ? `${subject} is set` : `${subject} is not set`;
  for (const [key, sign] of COMPARATORS) {
    if (key in rule) return `${subject} ${sign} ${String((rule as Record<string, unknown>)[key])}`;
  }
  return subject;
}

/** `words` in parentheses when it joins parts with `joiner` (so `a or (b and c)` reads right). */
function grouped(words: string, joiner: string): string {
  return words.includes(joiner) ? `(${words})` : words;
}

/** Error names as words: `States.ALL` is any error, `States.Timeout` a timeout. */
function errorsInWords(errors: readonly string[]): string {
  return errors
    .map((e) =>
      e === 'States.ALL' ? 'any error' : e === 'States.Timeout' ? 'timeout' : e.replace(/^States\./, ''),
    )
    .join(', ');
}

/**
 * A Mermaid flowchart of a compiled playbook: every state, solid arrows for transitions and
 * choices, dotted arrows for caught errors, subgraphs for parallel branches.
 *
 * @example
 * console.log(mermaid(compilePlaybook(playbook)));
 */
export function mermaid(machine: AslStateMachine): string {
  const lines = ['flowchart TD'];
  const ids = new Map<string, string>();
  const id = (name: string): string => {
    let value = ids.get(name);
    if (value === undefined) {
      value = `s${ids.size}`;
      ids.set(name, value);
    }
    return value;
  };
  // Mermaid ends a quoted label at a double quote: #quot; is its escape.
  const label = (text: string): string => text.replace(/"/g, '#quot;');
  const shape = (name: string, state: AslState): string => {
    const n = `${id(name)}`;
    switch (state.Type) {
      case 'Choice':
        return `${n}{"${label(name)}"}`;
      case 'Succeed':
        return `${n}(["${label(name)}"])`;
      case 'Fail':
        return `${n}[["${label(name)}: ${label(state.Error)}"]]`;
      case 'Wait':
        return `${n}[/"${label(name)} (${state.Seconds}s)"/]`;
      default:
        return `${n}["${label(name)}"]`;
    }
  };
  const ruleText = (rule: AslChoiceRule): string => label(ruleInWords(rule));
  const visit = (m: AslStateMachine, indent: string): void => {
    lines.push(`${indent}start${ids.size}(( )) --> ${id(m.StartAt)}`);
    for (const [name, state] of Object.entries(m.States)) {
      lines.push(`${indent}${shape(name, state)}`);
      if (state.Type === 'Choice') {
        for (const choice of state.Choices)
          lines.push(`${indent}${id(name)} -->|"${ruleText(choice)}"| ${id(choice.Next)}`);
        if (state.Default !== undefined)
          lines.push(`${indent}${id(name)} -->|otherwise| ${id(state.Default)}`);
        continue;
      }
      if (state.Type === 'Parallel') {
        state.Branches.forEach((branch, index) => {
          lines.push(`${indent}subgraph ${id(name)}_b${index}["${label(name)} branch ${index + 1}"]`);
          visit(branch, `${indent}  `);
          lines.push(`${indent}end`);
          lines.push(`${indent}${id(name)} --> ${id(name)}_b${index}`);
        });
      }
      if ('Next' in state && state.Next !== undefined)
        lines.push(`${indent}${id(name)} --> ${id(state.Next)}`);
      if ('Catch' in state && state.Catch !== undefined) {
        for (const c of state.Catch)
          lines.push(`${indent}${id(name)} -.->|"${label(errorsInWords(c.ErrorEquals))}"| ${id(c.Next)}`);
      }
    }
  };
  visit(machine, '  ');
  return lines.join('\n');
}

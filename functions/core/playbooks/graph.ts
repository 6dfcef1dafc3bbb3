import type { AslState, AslStateMachine } from './asl.ts';

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
  const label = (text: string): string => text.replace(/"/g, "'");
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
  const ruleText = (rule: object): string => {
    const json = JSON.stringify(rule).replace(/"Next":"[^"]*",?/, '');
    return label(json.replace(/[{}]/g, '').replace(/\$\./g, '').slice(0, 60));
  };
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
          lines.push(`${indent}${id(name)} -.->|"${label(c.ErrorEquals.join(', '))}"| ${id(c.Next)}`);
      }
    }
  };
  visit(machine, '  ');
  return lines.join('\n');
}

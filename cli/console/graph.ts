import type { AslState, AslStateMachine } from '#core/playbooks/asl.ts';

/**
 * A state machine as nodes and edges for the console to lay out (with dagre, in the page): every
 * state of the ASL, Parallel branches drawn inline (the Parallel state fans out to each branch's
 * first state and each branch's last states join at its Next), `catch` edges for caught errors.
 */

export type GraphNodeKind = 'start' | 'end' | 'task' | 'approval' | 'choice' | 'pass' | 'wait' | 'parallel';

export interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly kind: GraphNodeKind;
  /** The action a Task runs (`isolate-instance`), when it runs one. */
  readonly action?: string;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: 'next' | 'choice' | 'default' | 'catch';
  readonly label?: string;
}

export interface StateGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export const START_NODE = '__start__';
export const END_NODE = '__end__';

function actionOf(state: AslState): string | undefined {
  if (state.Type !== 'Task') return undefined;
  const payload = (state.Parameters as { Payload?: { action?: unknown } } | undefined)?.Payload;
  return typeof payload?.action === 'string' ? payload.action : undefined;
}

function kindOf(state: AslState): GraphNodeKind {
  switch (state.Type) {
    case 'Task':
      return state.Resource.endsWith('.waitForTaskToken') ? 'approval' : 'task';
    case 'Choice':
      return 'choice';
    case 'Wait':
      return 'wait';
    case 'Parallel':
      return 'parallel';
    case 'Succeed':
    case 'Fail':
      return 'end';
    default:
      return 'pass';
  }
}

function ruleLabel(rule: object): string {
  const text = JSON.stringify(rule)
    .replace(/"Next":"[^"]*",?/, '')
    .replace(/[{}"]/g, '')
    .replace(/\$\./g, '');
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/**
 * @example
 * const graph = stateGraph(compilePlaybook(playbook));
 * graph.nodes.find((n) => n.kind === 'approval')?.label // 'Approval: request'
 */
export function stateGraph(machine: AslStateMachine): StateGraph {
  const nodes: GraphNode[] = [{ id: START_NODE, label: 'Start', kind: 'start' }];
  const edges: GraphEdge[] = [];
  let ended = false;
  /** Adds the machine's states; returns the states that end it (for a Parallel's join). */
  const visit = (m: AslStateMachine, onEnd: string | undefined): void => {
    for (const [name, state] of Object.entries(m.States)) {
      const action = actionOf(state);
      const label = state.Type === 'Fail' ? `${name}: ${state.Error}` : name;
      nodes.push({ id: name, label, kind: kindOf(state), ...(action === undefined ? {} : { action }) });
      const end = (): void => {
        if (onEnd !== undefined) edges.push({ from: name, to: onEnd, kind: 'next' });
        else {
          ended = true;
          edges.push({ from: name, to: END_NODE, kind: 'next' });
        }
      };
      if (state.Type === 'Choice') {
        for (const choice of state.Choices)
          edges.push({ from: name, to: choice.Next, kind: 'choice', label: ruleLabel(choice) });
        if (state.Default !== undefined)
          edges.push({ from: name, to: state.Default, kind: 'default', label: 'otherwise' });
        continue;
      }
      if (state.Type === 'Parallel') {
        const join = state.Next;
        for (const branch of state.Branches) {
          edges.push({ from: name, to: branch.StartAt, kind: 'next' });
          visit(branch, join);
        }
        if (join === undefined) end();
      } else if ('Next' in state && state.Next !== undefined) {
        edges.push({ from: name, to: state.Next, kind: 'next' });
      } else if (
        state.Type === 'Succeed' ||
        state.Type === 'Fail' ||
        ('End' in state && state.End === true)
      ) {
        end();
      }
      if ('Catch' in state && state.Catch !== undefined) {
        for (const c of state.Catch)
          edges.push({ from: name, to: c.Next, kind: 'catch', label: c.ErrorEquals.join(', ') });
      }
    }
  };
  edges.push({ from: START_NODE, to: machine.StartAt, kind: 'next' });
  visit(machine, undefined);
  if (ended) nodes.push({ id: END_NODE, label: 'End', kind: 'end' });
  return { nodes, edges };
}

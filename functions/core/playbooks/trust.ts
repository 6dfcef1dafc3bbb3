import type { FlowNodes, Playbook } from './sdk.ts';
import { type TriggerTrustProblem, triggerTrustProblems } from './trigger.ts';

/**
 * Whether a playbook runs a containment action (an action of the `contain` family) anywhere in
 * its flow: in a branch, a catch, a parallel branch or after an approval's denial.
 *
 * @example
 * playbookContains(ec2InstanceCompromise) // true: it runs isolate-instance
 */
export function playbookContains(playbook: Pick<Playbook, 'nodes'>): boolean {
  const pending: FlowNodes[] = [playbook.nodes];
  while (pending.length > 0) {
    for (const node of pending.pop() ?? []) {
      switch (node.kind) {
        case 'task':
          if (node.action.family === 'contain') return true;
          for (const recover of node.catch) pending.push(recover.flow);
          break;
        case 'approve':
          if (node.onDeny !== undefined) pending.push(node.onDeny);
          break;
        case 'choice':
          for (const branch of node.branches) pending.push(branch.flow);
          if (node.otherwise !== undefined) pending.push(node.otherwise);
          break;
        case 'parallel':
          pending.push(...node.branches);
          break;
        default:
          break;
      }
    }
  }
  return false;
}

/**
 * The trigger problems `riposte playbooks check` refuses, for every playbook (see
 * {@link triggerTrustProblems}).
 *
 * @example
 * for (const problem of playbookTrustProblems(await loadPlaybooks())) console.error(problem.message);
 */
export function playbookTrustProblems(playbooks: readonly Playbook[]): TriggerTrustProblem[] {
  return playbooks.flatMap((p) => triggerTrustProblems(p.id, p.trigger, playbookContains(p)));
}

import { loadPlaybooks } from './registry.ts';
import type { FlowNodes, Playbook } from './sdk.ts';

/**
 * The contain actions a release playbook undoes: the `undoes` of every action its steps run, on
 * every branch (catch flows, denied approvals, choices, parallel branches).
 *
 * @example
 * actionsUndoneBy(kmsKeyDeletionRelease); // Set { 'contain-iam-user', 'revoke-role-sessions' }: the key is never put back
 */
export function actionsUndoneBy(playbook: Playbook): Set<string> {
  const undone = new Set<string>();
  const visit = (nodes: FlowNodes): void => {
    for (const node of nodes) {
      if (node.kind === 'task') {
        for (const id of node.action.undoes ?? []) undone.add(id);
        for (const c of node.catch) visit(c.flow);
      }
      if (node.kind === 'approve' && node.onDeny !== undefined) visit(node.onDeny);
      if (node.kind === 'choice') {
        for (const branch of node.branches) visit(branch.flow);
        if (node.otherwise !== undefined) visit(node.otherwise);
      }
      if (node.kind === 'parallel') for (const branch of node.branches) visit(branch);
    }
  };
  visit(playbook.nodes);
  return undone;
}

/**
 * {@link actionsUndoneBy} of the repository's release playbook `id`; undefined when the
 * repository has no playbook of that id (a deployment's own), and every changing step is listed.
 *
 * @example
 * await actionsUndoneByShipped('rds-instance-release'); // Set { 'restrict-db-instance' }
 */
export async function actionsUndoneByShipped(id: string): Promise<Set<string> | undefined> {
  const playbook = (await loadPlaybooks()).find((p) => p.id === id);
  return playbook === undefined ? undefined : actionsUndoneBy(playbook);
}

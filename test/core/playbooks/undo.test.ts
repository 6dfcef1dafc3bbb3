import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../../functions/core/actions/registry.ts';
import { loadPlaybooks } from '../../../functions/core/playbooks/registry.ts';
import { RELEASE_PLAYBOOK_IDS } from '../../../functions/core/playbooks/releases.ts';
import { actionsUndoneBy, actionsUndoneByShipped } from '../../../functions/core/playbooks/undo.ts';

describe('actionsUndoneBy', () => {
  it('names, for each release playbook, the contain actions its release actions undo', async () => {
    // Prepare
    const playbooks = new Map((await loadPlaybooks()).map((p) => [p.id, p]));
    const of = (id: string): string[] => {
      const playbook = playbooks.get(id);
      if (playbook === undefined) throw new Error(`no playbook ${id}`);
      return [...actionsUndoneBy(playbook)].sort();
    };

    // Act / Assess: the key itself is never put back, nor a restarted trail
    expect(of('kms-key-deletion-release')).toEqual(['contain-iam-user', 'revoke-role-sessions']);
    expect(of('rds-instance-release')).toEqual(['restrict-db-instance']);
    expect(of('instance-credential-release')).toEqual(['require-imdsv2', 'revoke-role-sessions']);
    expect(of('ec2-instance-compromise')).toEqual([]);
  });

  it('gives every release playbook something to undo, and every release action names contain actions that exist', async () => {
    // Prepare
    const byId = new Map(ACTIONS.map((a) => [a.id, a]));

    // Act
    const undone = await Promise.all([...RELEASE_PLAYBOOK_IDS].map((id) => actionsUndoneByShipped(id)));

    // Assess
    for (const set of undone) expect(set?.size ?? 0).toBeGreaterThan(0);
    for (const action of ACTIONS.filter((a) => a.family === 'release')) {
      expect(action.undoes ?? [], action.id).not.toEqual([]);
      for (const id of action.undoes ?? [])
        expect(byId.get(id)?.family, `${action.id} undoes ${id}`).toBe('contain');
    }
  });

  it('is undefined for a playbook the repository does not ship', async () => {
    // Act / Assess
    expect(await actionsUndoneByShipped('a-deployment-of-its-own')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { enrichInstanceAction } from '../../../functions/core/actions/ec2/enrich-instance.ts';
import { definitionHash } from '../../../functions/core/playbooks/compile.ts';
import {
  checkLock,
  compareVersions,
  type Lock,
  readLock,
  relock,
} from '../../../functions/core/playbooks/lock.ts';
import { loadPlaybooks } from '../../../functions/core/playbooks/registry.ts';
import { definePlaybook, type Playbook } from '../../../functions/core/playbooks/sdk.ts';

/** A small playbook; `subject` changes its definition, `version` its version. */
function watch(options: { id?: string; version?: string; subject?: string } = {}): Playbook {
  const version = options.version ?? '1.0.0';
  return definePlaybook({
    id: options.id ?? 'watch-instance',
    version,
    title: 'Watch an instance',
    description: 'Enriches the instance and tells the team.',
    owner: 'tests',
    changelog: { [version]: 'This version.' },
    trigger: { manual: true },
    steps: (flow) =>
      flow
        .run('instance', enrichInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') }))
        .notify('told', { subject: options.subject ?? 'Instance enriched' }),
  });
}

function lockOf(...playbooks: Playbook[]): Lock {
  return {
    lockfileVersion: 1,
    playbooks: Object.fromEntries(
      playbooks.map((p) => [p.id, { version: p.version, definitionSha256: definitionHash(p) }]),
    ),
  };
}

describe('checkLock', () => {
  it('finds nothing wrong when every playbook matches the lock', () => {
    // Prepare
    const playbook = watch();

    // Act
    const problems = checkLock([playbook], lockOf(playbook));

    // Assess
    expect(problems).toEqual([]);
  });

  it('reports a changed step without a version bump, naming the playbook and asking for a bump', () => {
    // Prepare
    const lock = lockOf(watch());
    const changed = watch({ subject: 'Instance looked at' });

    // Act
    const problems = checkLock([changed], lock);

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]?.kind).toBe('changed-without-bump');
    expect(problems[0]?.playbook).toBe('watch-instance');
    expect(problems[0]?.message).toContain('watch-instance');
    expect(problems[0]?.message).toMatch(/bump `version`/i);
    expect(problems[0]?.message).toContain('1.0.0');
  });

  it('reports a bumped version that was not relocked as lock-outdated', () => {
    // Prepare
    const lock = lockOf(watch());
    const bumped = watch({ version: '1.1.0', subject: 'Instance looked at' });

    // Act
    const problems = checkLock([bumped], lock);

    // Assess
    expect(problems.map((p) => p.kind)).toEqual(['lock-outdated']);
    expect(problems[0]?.message).toContain('1.1.0');
    expect(problems[0]?.message).toContain('playbooks lock');
  });

  it('reports a version lower than the locked one', () => {
    // Prepare
    const lock = lockOf(watch({ version: '2.0.0' }));

    // Act
    const problems = checkLock([watch({ version: '1.9.9' })], lock);

    // Assess
    expect(problems.map((p) => p.kind)).toEqual(['version-decreased']);
    expect(problems[0]?.message).toContain('2.0.0');
  });

  it('reports a locked playbook whose file is gone, and a playbook not in the lock', () => {
    // Prepare
    const lock = lockOf(watch(), watch({ id: 'old-playbook' }));
    const added = watch({ id: 'new-playbook' });

    // Act
    const problems = checkLock([watch(), added], lock);

    // Assess
    expect(problems.map((p) => [p.playbook, p.kind])).toEqual([
      ['new-playbook', 'not-locked'],
      ['old-playbook', 'removed'],
    ]);
  });
});

describe('relock', () => {
  it('refuses while a definition changed without a version bump, and returns the blocking problem', () => {
    // Prepare
    const lock = lockOf(watch());

    // Act
    const result = relock([watch({ subject: 'Instance looked at' })], lock);

    // Assess
    expect('blocked' in result).toBe(true);
    if (!('blocked' in result)) return;
    expect(result.blocked.map((p) => p.kind)).toEqual(['changed-without-bump']);
  });

  it('refuses a version that went down', () => {
    // Act
    const result = relock([watch({ version: '0.9.0' })], lockOf(watch()));

    // Assess
    expect('blocked' in result && result.blocked.map((p) => p.kind)).toEqual(['version-decreased']);
  });

  it('records the bumped version and the new hash, drops removed playbooks, and then checks clean', () => {
    // Prepare
    const bumped = watch({ version: '1.1.0', subject: 'Instance looked at' });
    const lock = lockOf(watch(), watch({ id: 'old-playbook' }));

    // Act
    const result = relock([bumped], lock);

    // Assess
    expect('lock' in result).toBe(true);
    if (!('lock' in result)) return;
    expect(result.lock).toEqual({
      lockfileVersion: 1,
      playbooks: { 'watch-instance': { version: '1.1.0', definitionSha256: definitionHash(bumped) } },
    });
    expect(result.lock.playbooks['watch-instance']?.definitionSha256).not.toBe(definitionHash(watch()));
    expect(checkLock([bumped], result.lock)).toEqual([]);
  });
});

describe('compareVersions', () => {
  it('orders versions numerically, not as text', () => {
    // Act
    const order = ['1.10.0', '1.2.0', '0.9.12', '1.2.0'].sort(compareVersions);

    // Assess
    expect(order).toEqual(['0.9.12', '1.2.0', '1.2.0', '1.10.0']);
  });
});

describe('the committed lock', () => {
  it('matches the shipped playbooks', async () => {
    // Prepare
    const playbooks = await loadPlaybooks();

    // Act
    const problems = checkLock(playbooks, readLock());

    // Assess
    expect(problems).toEqual([]);
    expect(Object.keys(readLock().playbooks).sort()).toEqual(playbooks.map((p) => p.id).sort());
  });
});

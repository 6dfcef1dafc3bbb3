import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlaybookReport } from '../../functions/core/playbooks/registry.ts';
import { REPO_ROOT } from '../support/fixtures.ts';

/** The rows of the README's table of shipped playbooks ("## Playbooks"), as `[id, answers, does]`. */
function readmeRows(): string[][] {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Playbooks\n'), readme.indexOf('\n### The version lock'));
  return section
    .split('\n')
    .filter((line) => /^\| `[a-z0-9-]+` \|/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}

describe("the README's playbook table", () => {
  it('has one row per shipped playbook, naming its trigger and what it does', async () => {
    // Prepare
    const { playbooks, broken } = await loadPlaybookReport();

    // Act
    const rows = readmeRows();

    // Assess
    expect(broken).toEqual([]);
    expect(rows.map(([id]) => id?.replaceAll('`', '')).sort()).toEqual(playbooks.map((p) => p.id).sort());
    for (const row of rows) {
      expect(row, `README row ${row[0]}`).toHaveLength(3);
      expect(row.every((cell) => cell.length > 0)).toBe(true);
    }
  });

  it('says for every containment playbook how it is undone, or why it is not', async () => {
    // Prepare
    const { playbooks } = await loadPlaybookReport();
    const manual = new Set(playbooks.filter((p) => 'manual' in p.trigger).map((p) => p.id));

    // Act
    const automatic = readmeRows().filter(([id]) => !manual.has(id?.replaceAll('`', '') ?? ''));

    // Assess: each automatic row ends with its release (a release playbook, or "no release: …")
    for (const [id, , does] of automatic) {
      expect(does, `README row ${id}`).toMatch(/release:|no release/i);
    }
  });
});

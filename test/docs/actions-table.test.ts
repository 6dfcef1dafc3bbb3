import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIONS, ACTIONS_BY_SERVICE } from '../../functions/core/actions/registry.ts';
import { REPO_ROOT } from '../support/fixtures.ts';

/**
 * The README's table of actions is the registry's: one row per action with its id, family,
 * service (its folder under `functions/core/actions/`), description and the number of IAM
 * actions it declares. `UPDATE_README=1 npx vitest run test/docs/actions-table.test.ts` rewrites
 * the table from the registry.
 */

const README = path.join(REPO_ROOT, 'README.md');
const START = '<!-- actions table: generated from functions/core/actions/registry.ts -->';
const END = '<!-- end of actions table -->';

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** The table as the registry describes the actions. */
function tableFromRegistry(): string {
  const rows = Object.entries(ACTIONS_BY_SERVICE).flatMap(([service, actions]) =>
    actions.map(
      (action) =>
        `| \`${action.id}\` | \`${action.family}\` | \`${service}\` | ${cell(action.description)} | ${action.iamActions.length} |`,
    ),
  );
  return [
    '| action | family | service | what it does | IAM actions declared |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** The README's table, between its markers. */
function tableInReadme(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no "${START}" … "${END}" section`);
  return readme.slice(start + START.length, end).trim();
}

describe('README: the table of actions', () => {
  it('lists every action of the registry under its service folder', () => {
    // Prepare
    const bySevice = Object.values(ACTIONS_BY_SERVICE).flat();

    // Assess
    expect(bySevice.map((action) => action.id).sort()).toEqual(ACTIONS.map((action) => action.id).sort());
  });

  it('matches the registry', () => {
    // Prepare
    const readme = readFileSync(README, 'utf8');
    const expected = tableFromRegistry();
    if (process.env.UPDATE_README === '1') {
      const table = tableInReadme(readme);
      writeFileSync(README, readme.replace(table, expected));
    }

    // Act
    const actual = tableInReadme(readFileSync(README, 'utf8'));

    // Assess
    expect(actual).toBe(expected);
  });
});

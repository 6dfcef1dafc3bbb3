import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatTypeProblem, typeCheck } from '../../cli/local/typecheck.ts';
import { REPO_ROOT } from '../support/fixtures.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'riposte-typecheck-'));
const cacheFile = path.join(dir, 'cache.json');
const file = path.join(dir, 'typo.mts');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A playbook (an ES module outside the repository, so importing the SDK by absolute path), its choice testing `path` against `value`. */
function playbookSource(path: string, value: string): string {
  const core = `${REPO_ROOT}/functions/core`;
  return [
    `import { enrichInstanceAction } from '${core}/actions/ec2/enrich-instance.ts';`,
    `import { definePlaybook } from '${core}/playbooks/sdk.ts';`,
    '',
    'export default definePlaybook({',
    "  id: 'typo', version: '1.0.0', title: 'Typo', description: 'A typo.', owner: 'test',",
    "  changelog: { '1.0.0': 'First.' }, trigger: { manual: true },",
    '  steps: (flow) =>',
    "    flow.run('instance', enrichInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') }))",
    `      .choice('where', (c) => [c.when(c.eq('${path}', ${value}), (f) => f.succeed('stop'))]),`,
    '});',
    '',
  ].join('\n');
}

describe('typeCheck', () => {
  it('reports a mistyped context path and a value of the wrong type at file:line:col, and caches by content (an edit is checked afresh)', async () => {
    // Prepare
    writeFileSync(file, playbookSource('steps.instance.output.enviroment', "'production'"));

    // Act
    const problems = await typeCheck(REPO_ROOT, [file], cacheFile);
    const again = await typeCheck(REPO_ROOT, [file], cacheFile);
    writeFileSync(file, playbookSource('steps.instance.output.protected', "'yes'"));
    const wrongType = await typeCheck(REPO_ROOT, [file], cacheFile);

    // Assess
    const where = path.relative(REPO_ROOT, file);
    expect(problems.map(formatTypeProblem)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${where.replaceAll('.', '\\.')}:9:44 error TS2345: Argument of type '"steps\\.instance\\.output\\.enviroment"'`,
        ),
      ),
    ]);
    expect(again).toEqual(problems);
    expect(wrongType.map(formatTypeProblem)).toEqual([
      expect.stringMatching(
        /:9:79 error TS2345: Argument of type 'string' is not assignable to parameter of type 'boolean'/,
      ),
    ]);
    expect(Object.keys(JSON.parse(readFileSync(cacheFile, 'utf8')).entries)).toHaveLength(1);
  });
});

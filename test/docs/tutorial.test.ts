import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/fixtures.ts';

/**
 * The README's "Writing a playbook in ten minutes", done literally in a copy of the
 * repository: the files are the README's code blocks, the commands are the README's commands.
 * When the README and the code disagree, this fails.
 */

const HEADING = '### Writing a playbook in ten minutes';
/** Not copied: installed packages (linked instead), git data, build and run output. */
const SKIPPED = new Set(['node_modules', '.git', 'cdk.out', '.riposte', 'coverage']);

interface TutorialFile {
  readonly path: string;
  readonly content: string;
}

/** The tutorial section of the README, up to the next heading. */
function tutorialSection(): string {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(HEADING);
  if (start < 0) throw new Error(`README.md has no "${HEADING}" section`);
  const end = readme.slice(start + HEADING.length).search(/^#{2,3} /m);
  return end < 0 ? readme.slice(start) : readme.slice(start, start + HEADING.length + end);
}

/** Each `ts` code block, written to the last `playbooks/…` or `test/…` path named before it. */
function tutorialFiles(section: string): TutorialFile[] {
  const files: TutorialFile[] = [];
  const fence = /^( *)```ts\n([\s\S]*?)^\1```$/gm;
  let previousEnd = 0;
  for (const match of section.matchAll(fence)) {
    const before = section.slice(previousEnd, match.index);
    const named = [...before.matchAll(/`((?:playbooks|test)\/[\w./-]+\.ts)`/g)].at(-1)?.[1];
    if (named === undefined) throw new Error(`a code block of the tutorial names no file before it`);
    const indent = match[1]?.length ?? 0;
    const content = (match[2] ?? '')
      .split('\n')
      .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
      .join('\n');
    files.push({ path: named, content });
    previousEnd = (match.index ?? 0) + match[0].length;
  }
  return files;
}

/** The first command of the section matching `pattern`, as arguments. */
function command(section: string, pattern: RegExp): string[] {
  const found = section.match(pattern);
  if (found === null) throw new Error(`the tutorial has no command matching ${pattern}`);
  return found[0].split(' ');
}

const run = promisify(execFile);

/** The environment of a fresh shell: none of this test runner's own variables. */
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_ENV'),
);

async function sh(cwd: string, argv: readonly string[]) {
  const [file, ...args] = argv;
  try {
    const { stdout, stderr } = await run(file ?? '', args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('the README tutorial', () => {
  const section = tutorialSection();
  const files = tutorialFiles(section);
  let copy: string;

  beforeAll(() => {
    copy = mkdtempSync(path.join(tmpdir(), 'riposte-tutorial-'));
    cpSync(REPO_ROOT, copy, {
      recursive: true,
      filter: (source) => !SKIPPED.has(path.relative(REPO_ROOT, source).split(path.sep)[0] ?? ''),
    });
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('creates a playbook and its test, then graph, lock, lint and the tests pass', async () => {
    // Prepare
    expect(files.map((f) => f.path)).toEqual([
      expect.stringMatching(/^playbooks\/[a-z0-9-]+\.ts$/),
      expect.stringMatching(/^test\/playbooks\/[a-z0-9-]+\.test\.ts$/),
    ]);
    for (const file of files) writeFileSync(path.join(copy, file.path), file.content);

    // Act
    const graph = await sh(copy, command(section, /npx riposte playbooks graph [a-z0-9-]+/));
    const lock = await sh(copy, command(section, /npx riposte playbooks lock/));
    const lint = await sh(copy, ['npx', 'biome', 'check', ...files.map((f) => f.path)]);
    const tests = await sh(copy, [
      ...command(section, /npm test/),
      '--',
      ...files.filter((f) => f.path.startsWith('test/')).map((f) => f.path),
      'test/cli/playbooks.test.ts',
    ]);

    // Assess
    expect(graph, graph.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^flowchart TD\n/) });
    expect(lock, lock.stderr).toMatchObject({ code: 0 });
    expect(lint, lint.stdout + lint.stderr).toMatchObject({ code: 0 });
    expect(tests.code, tests.stdout + tests.stderr).toBe(0);
    expect(tests.stdout).toMatch(/playbooks check: \d+ playbooks match the lock/);
  }, 300_000);

  it("refuses the README's typo in playbooks check and run, at its line", async () => {
    // Prepare: the playbook with the path the README says does not compile
    const typo = section.match(/Paths are typed: `c\.eq\('([^']+)'/)?.[1];
    expect(typo).toBeDefined();
    const playbook = files[0] as TutorialFile;
    const lines = playbook.content.split('\n');
    const at = lines.findIndex((line) => line.includes("c.eq('"));
    lines[at] = (lines[at] ?? '').replace(/c\.eq\('[^']+'/, `c.eq('${typo}'`);
    writeFileSync(path.join(copy, playbook.path), lines.join('\n'));

    // Act
    const check = await sh(copy, ['npx', 'riposte', 'playbooks', 'check']);
    const run = await sh(copy, [
      'node',
      'bin/riposte.mjs',
      'run',
      'examples/events/guardduty-ec2-c2-activity.json',
    ]);

    // Assess
    for (const refused of [check, run]) {
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`${playbook.path}:${at + 1}:`);
      expect(refused.stderr).toContain(`error TS2345: Argument of type '"${typo}"'`);
    }
    expect(run.stdout).toBe('');
  }, 180_000);
});

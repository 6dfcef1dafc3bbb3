import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { REPO_ROOT } from '../support/fixtures.ts';

/**
 * The CLI as users run it: bin/riposte.mjs on the JavaScript built into dist/cli (rebuilt by
 * bin/riposte.mjs itself when a source is newer than the build, so these tests never run a stale
 * build), loading playbooks compiled on demand. The other CLI tests run the sources in-process.
 */
const exec = promisify(execFile);

async function riposte(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      [path.join(REPO_ROOT, 'bin', 'riposte.mjs'), ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, NO_COLOR: '1', ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('the built CLI', () => {
  let folder: string;

  beforeAll(async () => {
    // Inside the project, so the playbooks resolve #core/... through package.json's imports.
    await mkdir(path.join(REPO_ROOT, '.riposte'), { recursive: true });
    folder = await mkdtemp(path.join(REPO_ROOT, '.riposte', 'playbooks-'));
    await copyFile(
      path.join(REPO_ROOT, 'playbooks', 'ec2-instance-release.ts'),
      path.join(folder, 'ec2-instance-release.ts'),
    );
    await writeFile(
      path.join(folder, 'broken.ts'),
      "import { definePlaybook } from '#core/playbooks/sdk.ts';\nexport default definePlaybook({ id: 'broken', \n",
    );
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('prints its version', async () => {
    // Act
    const result = await riposte(['--version']);

    // Assess
    expect(result).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('runs an event through the pipeline and a playbook', async () => {
    // Act
    const result = await riposte([
      'run',
      'examples/events/guardduty-ec2-c2-activity.json',
      '--approve',
      '--json',
    ]);

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { executions: { playbook: string; status: string }[] };
    expect(output.executions).toContainEqual(
      expect.objectContaining({ playbook: 'ec2-instance-compromise', status: 'SUCCEEDED' }),
    );
  });

  it('lists the playbooks that compile and names the one that does not, in one line', async () => {
    // Act
    const result = await riposte(['playbooks', 'list'], { RIPOSTE_PLAYBOOKS_DIR: folder });

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ec2-instance-release');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^riposte playbooks list: skipped .*broken\.ts: PlaybookCompileError: .*broken\.ts:\d+:\d+: /,
    );
  });

  it('fails playbooks check on a playbook that does not compile', async () => {
    // Act
    const result = await riposte(['playbooks', 'check'], { RIPOSTE_PLAYBOOKS_DIR: folder });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('broken.ts');
    expect(result.stderr).not.toContain('    at ');
  });

  it('reports a duplicate id and a version without changelog entry in one line each, and loads the rest', async () => {
    // Prepare
    const other = await mkdtemp(path.join(REPO_ROOT, '.riposte', 'playbooks-'));
    const release = await readFile(path.join(REPO_ROOT, 'playbooks', 'ec2-instance-release.ts'), 'utf8');
    await writeFile(path.join(other, 'ec2-instance-release.ts'), release);
    await writeFile(path.join(other, 'zz-copy.ts'), release);
    await writeFile(
      path.join(other, 'no-entry.ts'),
      release
        .replace("id: 'ec2-instance-release'", "id: 'no-entry'")
        .replace(/version: '\d+\.\d+\.\d+'/, "version: '9.9.9'"),
    );

    // Act
    const result = await riposte(['playbooks', 'list', '--json'], { RIPOSTE_PLAYBOOKS_DIR: other });
    await rm(other, { recursive: true, force: true });

    // Assess
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { id: string }[]).map((p) => p.id)).toEqual([
      'ec2-instance-release',
    ]);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/skipped .*no-entry\.ts: InvalidPlaybookError: .*no entry for version 9\.9\.9/);
    expect(lines[1]).toMatch(
      /skipped .*zz-copy\.ts: InvalidPlaybookError: playbook id "ec2-instance-release" is defined in both/,
    );
  });

  it('reports the broken playbook the same way from the sources', async () => {
    // Prepare
    const saved = process.env.RIPOSTE_PLAYBOOKS_DIR;
    process.env.RIPOSTE_PLAYBOOKS_DIR = folder;

    // Act
    const result = await cli(['playbooks', 'list']).finally(() => {
      if (saved === undefined) delete process.env.RIPOSTE_PLAYBOOKS_DIR;
      else process.env.RIPOSTE_PLAYBOOKS_DIR = saved;
    });

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ec2-instance-release');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^riposte playbooks list: skipped .*broken\.ts: /);
  });
});

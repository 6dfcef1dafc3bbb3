import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertSchema } from '../../functions/core/alert.ts';
import { type CliOptions, type CliRun, cli } from '../support/cli.ts';
import { FIXTURES_DIR, REPO_ROOT } from '../support/fixtures.ts';

const GUARDDUTY = 'test/fixtures/events/guardduty/instance-backdoor-cc-dns-high.json';
const CONFIG = 'test/fixtures/events/config/compliance-change-s3-versioning-non-compliant.json';
const SECURITY_HUB_BATCH = 'test/fixtures/events/securityhub/custom-action-three-findings.json';

interface Run extends CliRun {
  /** stdout as parsed JSON lines (parsed on access: usage text is not JSON). */
  readonly lines: Record<string, unknown>[];
}

/** Runs the CLI in-process with in-memory streams. */
async function run(argv: readonly string[], options: CliOptions = {}): Promise<Run> {
  const result = await cli(argv, options);
  return {
    ...result,
    get lines() {
      return result.stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line): Record<string, unknown> => {
          const parsed: unknown = JSON.parse(line);
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
            throw new Error(`not an object: ${line}`);
          return { ...parsed };
        });
    },
  };
}

let workDir = '';

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'riposte-cli-'));
  const events = path.join(workDir, 'events');
  await mkdir(path.join(events, 'sub'), { recursive: true });
  await mkdir(path.join(events, 'empty'), { recursive: true });
  await copyFile(
    path.join(FIXTURES_DIR, 'config/compliance-change-s3-versioning-non-compliant.json'),
    path.join(events, 'b-config.json'),
  );
  await copyFile(
    path.join(FIXTURES_DIR, 'guardduty/instance-backdoor-cc-dns-high.json'),
    path.join(events, 'a-guardduty.json'),
  );
  await copyFile(
    path.join(FIXTURES_DIR, 'access-analyzer/finding-s3-bucket-public.json'),
    path.join(events, 'sub', 'c-analyzer.json'),
  );
  await writeFile(
    path.join(events, 'd-truncated.json'),
    '{"version":"0","source":"aws.guardduty","detail-type":',
  );
  await writeFile(path.join(events, 'notes.txt'), 'not an event');
  await writeFile(path.join(workDir, 'truncated.json'), '{"source":"aws.config","detail":{');
});

afterAll(async () => {
  if (workDir !== '') await rm(workDir, { recursive: true, force: true });
});

describe('riposte normalize', () => {
  it('prints one JSON line per output with its input path, in input order', async () => {
    // Prepare
    const argv = ['normalize', CONFIG, GUARDDUTY];

    // Act
    const result = await run(argv);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.lines.map((line) => line.input)).toEqual([CONFIG, GUARDDUTY]);
    expect(result.lines.map((line) => Object.keys(line))).toEqual([
      ['input', 'alert'],
      ['input', 'alert'],
    ]);
    const [config, guardduty] = result.lines.map((line) => AlertSchema.parse(line.alert));
    expect(config?.ocsf.class_uid).toBe(2003);
    expect(guardduty?.ocsf.class_uid).toBe(2004);
    expect(guardduty?.ocsf.severity_id).toBe(4);
  });

  it('ends every line with a newline and writes nothing else', async () => {
    // Prepare
    const argv = ['normalize', GUARDDUTY];

    // Act
    const result = await run(argv);

    // Assess
    expect(result.stdout.endsWith('}\n')).toBe(true);
    expect(result.stdout.split('\n')).toHaveLength(2);
  });

  it.skipIf(!existsSync(path.join(REPO_ROOT, SECURITY_HUB_BATCH)))(
    'prints one line per finding of a Security Hub batch, each naming the same input',
    async () => {
      // Prepare
      const argv = ['normalize', SECURITY_HUB_BATCH];

      // Act
      const result = await run(argv);

      // Assess
      expect(result.code).toBe(0);
      expect(result.lines.length).toBeGreaterThan(1);
      expect(new Set(result.lines.map((line) => line.input))).toEqual(new Set([SECURITY_HUB_BATCH]));
    },
  );

  it('reads a directory recursively, its .json files only, sorted by name', async () => {
    // Prepare
    const argv = ['normalize', 'events'];

    // Act
    const result = await run(argv, { cwd: workDir });

    // Assess
    expect(result.code).toBe(0);
    expect(result.lines.map((line) => line.input)).toEqual([
      path.join('events', 'a-guardduty.json'),
      path.join('events', 'b-config.json'),
      path.join('events', 'd-truncated.json'),
      path.join('events', 'sub', 'c-analyzer.json'),
    ]);
    expect(result.lines.map((line) => ('alert' in line ? 'alert' : 'rejected'))).toEqual([
      'alert',
      'alert',
      'rejected',
      'alert',
    ]);
  });

  it('reads one event from stdin when given no path, as input "-"', async () => {
    // Prepare
    const text = await readFile(path.join(REPO_ROOT, GUARDDUTY), 'utf8');

    // Act
    const result = await run(['normalize'], { stdin: text });

    // Assess
    expect(result.code).toBe(0);
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]?.input).toBe('-');
    expect(AlertSchema.parse(result.lines[0]?.alert).ocsf.raw_data).toBe(text);
  });

  it('reports a malformed file as a rejection line and still exits 0', async () => {
    // Prepare
    const argv = ['normalize', 'truncated.json', path.join('events', 'b-config.json')];

    // Act
    const result = await run(argv, { cwd: workDir });

    // Assess
    expect(result.code).toBe(0);
    expect(result.lines[0]).toEqual({
      input: 'truncated.json',
      rejected: { reason: 'invalid_json', message: expect.stringContaining('input is not valid JSON') },
    });
    expect(result.lines[1]).toMatchObject({
      input: path.join('events', 'b-config.json'),
      alert: { source: 'aws.config' },
    });
  });

  it('rejects empty stdin as invalid_json', async () => {
    // Prepare
    const argv = ['normalize'];

    // Act
    const result = await run(argv, { stdin: '' });

    // Assess
    expect(result.code).toBe(0);
    expect(result.lines).toEqual([
      { input: '-', rejected: { reason: 'invalid_json', message: 'input is empty' } },
    ]);
  });

  it('exits 2 with a message for a missing path', async () => {
    // Prepare
    const argv = ['normalize', 'no-such-file.json'];

    // Act
    const result = await run(argv, { cwd: workDir });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'riposte normalize: cannot read "no-such-file.json": no such file or directory\n',
    );
  });

  it('prints nothing for an empty directory', async () => {
    // Prepare
    const argv = ['normalize', path.join('events', 'empty')];

    // Act
    const result = await run(argv, { cwd: workDir });

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
  });

  it.each([['--help'], ['-h']])('prints its usage for %s and exits 0', async (flag) => {
    // Prepare
    const argv = ['normalize', flag];

    // Act
    const result = await run(argv);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: riposte normalize \[<file\|dir>\.\.\.\]\n/);
    expect(result.stdout).toContain('Exit status: 0 when every input was handled');
    expect(result.stderr).toBe('');
  });

  it('is listed by riposte --help', async () => {
    // Prepare
    const argv = ['--help'];

    // Act
    const result = await run(argv);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: riposte <command> [options]');
    expect(result.stdout).toMatch(/ {2}normalize {4}turn AWS security events into OCSF alerts/);
  });

  it('exits 2 with the usage on stderr when given no command', async () => {
    // Prepare
    const argv: string[] = [];

    // Act
    const result = await run(argv);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: riposte <command> [options]');
  });

  // Fixed (cli/main.ts): node's parseArgs ERR_PARSE_ARGS_* errors used to be reported with a
  // stack trace and exit 1; they are usage errors for every command.
  it('treats an unknown option as a usage error (exit 2, no stack trace)', async () => {
    // Prepare
    const argv = ['normalize', '--bogus'];

    // Act
    const result = await run(argv);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^riposte normalize: Unknown option '--bogus'\.[^\n]*\n/);
    expect(result.stderr).toContain('(riposte normalize --help for usage)');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toContain('    at ');
  });

  // Fixed (cli/commands/normalize.ts checkReadable): a listed file that cannot be read (a dangling
  // symlink here; EACCES alike) used to escape as a raw ENOENT error with a stack trace and exit 1.
  it('treats an unreadable file inside a directory as an unreadable path (exit 2)', async () => {
    // Prepare
    const dir = path.join(workDir, 'dangling');
    await mkdir(dir, { recursive: true });
    await copyFile(
      path.join(FIXTURES_DIR, 'guardduty/instance-backdoor-cc-dns-high.json'),
      path.join(dir, 'a-guardduty.json'),
    );
    await symlink(path.join(workDir, 'does-not-exist.json'), path.join(dir, 'broken.json'));

    // Act
    const result = await run(['normalize', 'dangling'], { cwd: workDir });

    // Assess: checked before any output, so the readable file before it printed nothing either
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `riposte normalize: cannot read "${path.join('dangling', 'broken.json')}": no such file or directory\n`,
    );
  });

  it('checks every path before printing anything (no partial output)', async () => {
    // Prepare
    const argv = ['normalize', path.join('events', 'a-guardduty.json'), 'no-such-file.json'];

    // Act
    const result = await run(argv, { cwd: workDir });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('cannot read "no-such-file.json": no such file or directory');
  });

  it('sorts directory entries by code point, whatever the locale', async () => {
    // Prepare
    const dir = path.join(workDir, 'ordering');
    await mkdir(dir, { recursive: true });
    const names = ['a.json', 'B.json', '_c.json', 'Z.json', '\u{1F600}.json', '\uFF21.json'];
    for (const name of names) await writeFile(path.join(dir, name), '{}');

    // Act
    const result = await run(['normalize', 'ordering'], { cwd: workDir });

    // Assess: upper case before "_" before lower case; U+FF21 before U+1F600 (UTF-16 order would swap them)
    expect(result.code).toBe(0);
    expect(result.lines.map((line) => line.input)).toEqual(
      ['B.json', 'Z.json', '_c.json', 'a.json', '\uFF21.json', '\u{1F600}.json'].map((name) =>
        path.join('ordering', name),
      ),
    );
  });
});

describe('riposte (any command)', () => {
  it('reports a parseArgs error of another command as a usage error', async () => {
    // Prepare
    const argv = ['alerts', '--no-such-option'];

    // Act
    const result = await run(argv);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("riposte alerts: Unknown option '--no-such-option'");
    expect(result.stderr).toMatch(
      /^riposte alerts: Unknown option '--no-such-option'\.? \(riposte alerts --help for usage\)\n$/,
    );
    expect(result.stderr).not.toContain('    at ');
  });
});

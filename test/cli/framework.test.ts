import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Command, OperatorError } from '../../cli/command.ts';
import { describeFailure } from '../../cli/errors.ts';
import { claimStore, runningServer, serveFile } from '../../cli/local/owner.ts';
import { openLocalStore } from '../../cli/local/store.ts';
import { VERSION } from '../../cli/main.ts';
import { COMMANDS } from '../../cli/registry.ts';
import { cli } from '../support/cli.ts';
import { REPO_ROOT } from '../support/fixtures.ts';

const PackageSchema = z.object({ version: z.string() });

describe('the command table', () => {
  it.each(COMMANDS.map((entry) => ({ name: entry.name, entry })))(
    '$name: the table names the module it loads and repeats its summary',
    async ({ entry }) => {
      // Act
      const command: Command = await entry.load();

      // Assess
      expect(command.name).toBe(entry.name);
      expect(command.summary).toBe(entry.summary);
      expect(command.help).toContain(`riposte ${entry.name}`);
    },
  );

  it('prints the version of package.json', async () => {
    // Prepare
    const pkg = PackageSchema.parse(JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')));

    // Act
    const result = await cli(['--version']);

    // Assess
    expect(VERSION).toBe(pkg.version);
    expect(result).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('names an unknown command in one line, exit 2', async () => {
    // Act
    const result = await cli(['incidnets']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('riposte: unknown command "incidnets" (riposte --help lists the commands)\n');
  });
});

describe('errors', () => {
  it('shows an unexpected failure as one line with its reason, and the trace only under --debug', () => {
    // Prepare
    const failure = new TypeError('Cannot read properties of undefined (reading "id")');

    // Act
    const plain = describeFailure(failure, false);
    const debug = describeFailure(new OperatorError('outer', { cause: failure }), true);

    // Assess
    expect(plain).toEqual({
      line: 'TypeError: Cannot read properties of undefined (reading "id") (an internal error: run again with --debug for the trace)',
      usage: false,
    });
    expect(debug.line).toBe('outer');
    expect(debug.trace).toContain('Caused by: TypeError');
    expect(debug.trace).toContain('    at ');
  });

  it('reports missing AWS credentials in one line', () => {
    // Prepare
    const error = new Error('Could not load credentials from any providers');
    error.name = 'CredentialsProviderError';

    // Act
    const failure = describeFailure(error, false);

    // Assess
    expect(failure.line).toMatch(/^AwsCredentialsError: no AWS credentials found: /);
    expect(failure.usage).toBe(false);
  });

  it('turns --debug on for any command, wherever it stands', async () => {
    // Act
    const plain = await cli(['match', 'nope.json', 'nope.json']);
    const debug = await cli(['match', 'nope.json', '--debug', 'nope.json']);

    // Assess
    expect(plain.code).toBe(2);
    expect(plain.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(debug.code).toBe(2);
    expect(debug.stderr).toContain('    at ');
  });
});

describe('store ownership', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-owner-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a read command on a folder that holds no store, and creates nothing', async () => {
    // Prepare
    const missing = path.join(dataDir, 'typo');

    // Act
    const result = await cli(['incidents', '--data-dir', missing]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `riposte incidents: StoreNotFoundError: no local store at ${missing}: check --data-dir, or fill one first (riposte demo, replay, run --data-dir or serve)\n`,
    );
    expect(() => readFileSync(path.join(missing, 'CURRENT'))).toThrow();
  });

  it('ignores a serve.json left by a server that is gone', async () => {
    // Prepare
    await writeFile(serveFile(dataDir), JSON.stringify({ pid: 2 ** 22 + 17, port: 4680, url: 'http://x' }));
    const store = await openLocalStore({ dataDir });
    await store.close();

    // Act
    const server = runningServer(dataDir);
    const result = await cli(['incidents', '--data-dir', dataDir]);

    // Assess
    expect(server).toBeUndefined();
    expect(result).toMatchObject({ code: 0, stdout: 'no incidents\n' });
  });

  it('refuses, in one line, a command on a folder a running serve holds', async () => {
    // Prepare
    const store = await openLocalStore({ dataDir });
    await store.close();
    const release = claimStore(dataDir, { pid: process.pid, port: 4999, url: 'http://127.0.0.1:4999' });

    // Act
    const result = await cli(['replay', 'examples/events', '--data-dir', dataDir]);
    release();
    const after = await cli(['alerts', '--data-dir', dataDir]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `riposte replay: StoreInUseError: riposte serve is running (pid ${process.pid}); stop it or use its API at http://127.0.0.1:4999\n`,
    );
    expect(after.code).toBe(0);
  });
});

describe('help', () => {
  it('lists every command of the table', async () => {
    // Act
    const result = await cli(['--help']);

    // Assess
    for (const entry of COMMANDS)
      expect(result.stdout).toContain(`  ${entry.name.padEnd(12)} ${entry.summary}`);
  });
});

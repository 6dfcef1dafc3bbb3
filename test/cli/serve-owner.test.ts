import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../cli/commands/serve.ts';
import { runningServer, serveFile } from '../../cli/local/owner.ts';
import { cli } from '../support/cli.ts';
import { REPO_ROOT } from '../support/fixtures.ts';

const C2 = JSON.parse(
  readFileSync(path.join(REPO_ROOT, 'examples/events/guardduty-ec2-c2-activity.json'), 'utf8'),
) as Record<string, unknown>;

describe('riposte serve owns its store', () => {
  let dataDir: string;
  let server: RunningServer;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-serve-owner-'));
    server = await startServer({ cwd: REPO_ROOT, port: 0, dataDir, approve: async () => true });
  });

  afterAll(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('says so in serve.json: its pid, port and url, and its embedded DynamoDB', () => {
    // Act
    const owner = runningServer(dataDir);

    // Assess
    expect(owner).toEqual({
      pid: process.pid,
      port: server.port,
      url: server.url,
      store: { endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), tableName: 'riposte-local' },
    });
  });

  it('lets the case commands work on its store meanwhile, and shows their changes', async () => {
    // Prepare
    await fetch(`${server.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...C2, id: 'case-commands-delivery' }),
    });
    const [incident] = JSON.parse((await cli(['incidents', '--data-dir', dataDir, '--json'])).stdout) as {
      id: string;
    }[];
    const id = incident?.id ?? '';

    // Act
    const assigned = await cli(['assign', id, 'bob', '--data-dir', dataDir, '--json']);
    const noted = await cli(['note', id, 'Checked with the owner team', '--data-dir', dataDir, '--json']);
    const stats = await cli(['stats', '--data-dir', dataDir, '--json']);
    const listed = JSON.parse((await cli(['incidents', '--data-dir', dataDir, '--json'])).stdout) as {
      id: string;
      owner: string | null;
    }[];

    // Assess
    expect([assigned.code, noted.code, stats.code], assigned.stderr + noted.stderr + stats.stderr).toEqual([
      0, 0, 0,
    ]);
    expect(JSON.parse(assigned.stdout)).toMatchObject({ incident: id, owner: 'bob' });
    expect(listed.find((row) => row.id === id)?.owner).toBe('bob');
    const view = (await (await fetch(`${server.url}/api/incidents/${id}`)).json()) as {
      notes?: { text: string }[];
    };
    expect(JSON.stringify(view)).toContain('Checked with the owner team');
  });

  it('keeps browsers out of its embedded DynamoDB: a foreign Origin or Host is refused', async () => {
    // Prepare
    const endpoint = new URL(runningServer(dataDir)?.store?.endpoint ?? '');
    const send = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: endpoint.hostname,
            port: endpoint.port,
            method: 'POST',
            path: '/',
            headers: {
              'content-type': 'application/x-amz-json-1.0',
              'x-amz-target': 'DynamoDB_20120810.ListTables',
              ...headers,
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end('{}');
      });

    // Act
    const fromPage = await send({ origin: 'https://attacker.example' });
    const rebound = await send({ host: `attacker.example:${endpoint.port}` });
    const sdkLike = await send({});

    // Assess
    expect(fromPage).toBe(403);
    expect(rebound).toBe(403);
    expect(sdkLike).not.toBe(403);
  });

  it('takes exported events: a JSON array and NDJSON, each answered as an entry', async () => {
    // Prepare
    const other = { ...C2, id: 'another-delivery' };

    // Act
    const array = await fetch(`${server.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([C2, other]),
    });
    const ndjson = await fetch(`${server.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `${JSON.stringify(C2)}\nnot an event\n`,
    });

    // Assess
    expect(array.status).toBe(200);
    expect(await array.json()).toMatchObject({ FailedEntryCount: 0, Entries: [{}, {}] });
    expect(ndjson.status).toBe(200);
    const answer = (await ndjson.json()) as { FailedEntryCount: number; Entries: unknown[] };
    expect(answer.FailedEntryCount).toBe(1);
    expect(answer.Entries).toHaveLength(2);
  });

  it('answers incidents through its API and refuses the other commands in one line', async () => {
    // Act
    const incidents = await cli(['incidents', '--data-dir', dataDir, '--json']);
    const alerts = await cli(['alerts', '--data-dir', dataDir]);
    const replay = await cli(['replay', 'examples/events', '--data-dir', dataDir]);

    // Assess
    expect(incidents.code).toBe(0);
    expect(JSON.parse(incidents.stdout)).toHaveLength(1);
    for (const refused of [alerts, replay]) {
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        new RegExp(
          `^riposte \\w+: StoreInUseError: riposte serve is running \\(pid ${process.pid}\\); stop it or use its API at ${server.url.replaceAll('.', '\\.')}\\n$`,
        ),
      );
    }
  });

  it('gives the folder back when it stops', async () => {
    // Prepare
    const second = await mkdtemp(path.join(tmpdir(), 'riposte-serve-owner-'));
    const other = await startServer({ cwd: REPO_ROOT, port: 0, dataDir: second });

    // Act
    const during = existsSync(serveFile(second));
    await other.close();
    const after = await cli(['incidents', '--data-dir', second]);
    await rm(second, { recursive: true, force: true });

    // Assess
    expect(during).toBe(true);
    expect(after).toMatchObject({ code: 0, stdout: 'no incidents\n' });
  });
});

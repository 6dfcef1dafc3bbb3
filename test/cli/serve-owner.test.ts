import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
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

  it('says so in serve.json: its pid, port and url', () => {
    // Act
    const owner = runningServer(dataDir);

    // Assess
    expect(owner).toEqual({ pid: process.pid, port: server.port, url: server.url });
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

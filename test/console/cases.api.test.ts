import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type RunningServer, startServer } from '../../cli/commands/serve.ts';
import { publicBucketFinding } from '../../cli/local/demo-events.ts';
import { REPO_ROOT } from '../support/fixtures.ts';
import { raw, sendEvents } from './support.ts';

/**
 * The console's case routes under `riposte serve`: assign, notes, close (with a suppression for a
 * false positive), reopen. Each is refused without the anti-CSRF token like every mutation,
 * refuses bad input in one line, acts as the OS user, and answers the updated incident.
 */

const ME = userInfo().username;
const DetailSchema = z.object({
  incident: z.object({ id: z.string(), resolution: z.string().optional() }),
  status: z.string(),
  owner: z.string().optional(),
  closedBy: z.string().optional(),
  notes: z.array(z.object({ text: z.string(), author: z.string(), at: z.number() })),
  suppressions: z.array(z.object({ id: z.string(), findingType: z.string(), createdBy: z.string() })),
});
const ErrorSchema = z.object({ message: z.string() });

describe('the console case routes under riposte serve', () => {
  let dataDir: string;
  let server: RunningServer;
  let incidentId: string;
  let csrf: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-console-cases-'));
    server = await startServer({ cwd: REPO_ROOT, port: 0, dataDir });
    await sendEvents(server.url, [publicBucketFinding(Date.now())]);
    const queue = z
      .array(z.object({ id: z.string() }))
      .parse(await (await fetch(`${server.url}/api/incidents`)).json());
    incidentId = queue[0]?.id ?? '';
    csrf = z.object({ csrf: z.string() }).parse(await (await fetch(`${server.url}/api/session`)).json()).csrf;
  });

  afterAll(async () => {
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const detail = async () =>
    DetailSchema.parse(await (await fetch(`${server.url}/api/incidents/${incidentId}`)).json());
  const post = (route: string, body: unknown, headers: Record<string, string> = { 'x-riposte-csrf': csrf }) =>
    raw(`${server.url}/api/incidents/${incidentId}/${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('reports case management in the session', async () => {
    // Act
    const session = await (await fetch(`${server.url}/api/session`)).json();

    // Assess
    expect(session).toMatchObject({ cases: true, actor: ME });
  });

  it.each([
    ['assign', { owner: 'mallory' }],
    ['notes', { text: 'forged' }],
    ['close', { resolution: 'benign' }],
  ])('refuses %s without the anti-CSRF token and changes nothing', async (route, body) => {
    // Act
    const answer = await post(route, body, {});

    // Assess
    expect(answer.status).toBe(403);
    const after = await detail();
    expect(after.owner).toBeUndefined();
    expect(after.notes).toEqual([]);
    expect(after.status).not.toBe('closed');
  });

  it.each([
    ['an unknown resolution', { resolution: 'false-positive' }, /^resolution: /],
    [
      'a suppression on a true positive',
      { resolution: 'true_positive', suppress: { days: 7 } },
      /false_positive/,
    ],
    ['a suppression of 0 days', { resolution: 'false_positive', suppress: { days: 0 } }, /at least 1 day/],
    ['an unknown field', { resolution: 'benign', by: 'mallory' }, /by/],
  ])('refuses a close with %s in one line (400)', async (_name, body, message) => {
    // Act
    const answer = await post('close', body);

    // Assess
    expect(answer.status).toBe(400);
    const { message: text } = ErrorSchema.parse(JSON.parse(answer.body));
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
    expect((await detail()).status).not.toBe('closed');
  });

  it('assigns, and appends notes with their author and time', async () => {
    // Act
    const assigned = DetailSchema.parse(JSON.parse((await post('assign', { owner: 'alice' })).body));
    await post('notes', { text: 'Bucket serves the public price list' });
    const noted = await post('notes', { text: '  Confirmed with the data owner  ' });

    // Assess
    expect(assigned.owner).toBe('alice');
    expect(noted.status).toBe(200);
    const after = DetailSchema.parse(JSON.parse(noted.body));
    expect(after.notes.map((n) => [n.text, n.author])).toEqual([
      ['Bucket serves the public price list', ME],
      ['Confirmed with the data owner', ME],
    ]);
    expect(after.notes[1]?.at).toBeGreaterThanOrEqual(after.notes[0]?.at ?? Number.POSITIVE_INFINITY);
    expect((await post('notes', { text: '   ' })).status).toBe(400);
  });

  it('closes as a false positive with a suppression, once', async () => {
    // Act
    const answer = await post('close', { resolution: 'false_positive', suppress: { days: 7 } });
    const again = await post('close', { resolution: 'benign' });
    const listed = await (await fetch(`${server.url}/api/suppressions`)).json();

    // Assess
    expect(answer.status).toBe(200);
    const closed = DetailSchema.parse(JSON.parse(answer.body));
    expect(closed).toMatchObject({
      status: 'closed',
      closedBy: ME,
      incident: { id: incidentId, resolution: 'false_positive' },
    });
    expect(closed.suppressions).toEqual([expect.objectContaining({ createdBy: ME })]);
    expect(listed).toEqual([expect.objectContaining({ id: closed.suppressions[0]?.id, incidentId })]);
    expect(again.status).toBe(409);
    expect(ErrorSchema.parse(JSON.parse(again.body)).message).toMatch(/already closed/);
  });

  it('reopens a closed incident, and refuses to reopen an open one', async () => {
    // Act
    const answer = await post('reopen', { reason: 'seen again' });
    const again = await post('reopen', {});

    // Assess
    expect(answer.status).toBe(200);
    const reopened = DetailSchema.parse(JSON.parse(answer.body));
    expect(reopened.status).not.toBe('closed');
    expect(reopened.incident.resolution).toBeUndefined();
    expect(again.status).toBe(409);
  });

  it('answers 404 for an unknown incident or route', async () => {
    // Act
    const unknown = await raw(`${server.url}/api/incidents/inc-nothing/assign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-riposte-csrf': csrf },
      body: '{"owner":"alice"}',
    });
    const route = await post('toString', {});

    // Assess
    expect(unknown.status).toBe(404);
    expect(route.status).toBe(404);
  });
});

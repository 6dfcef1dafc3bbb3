import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../cli/commands/serve.ts';
import { REPO_ROOT } from '../support/fixtures.ts';

/**
 * `riposte serve` over real HTTP on 127.0.0.1: what a web page the operator visits could send
 * it (another Host after DNS rebinding, another Origin, a `text/plain` body, which browsers send
 * cross-origin without a preflight) is refused before anything is read or run.
 */

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** One raw request (node:http, so Host and Origin are the test's to choose). */
function send(
  port: number,
  method: string,
  pathname: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: pathname, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** An event no source matches: accepted and answered, nothing run. */
const ENTRIES = JSON.stringify({
  Entries: [{ Source: 'example.unknown', DetailType: 'Nothing', Detail: '{}' }],
});

describe('riposte serve: who may send it requests', () => {
  let dataDir: string;
  let server: RunningServer;
  let own: Record<string, string>;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-serve-requests-'));
    server = await startServer({
      cwd: REPO_ROOT,
      port: 0,
      dataDir,
      approve: async () => true,
      log: () => {},
    });
    own = { host: `127.0.0.1:${server.port}`, origin: `http://127.0.0.1:${server.port}` };
  });
  afterAll(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const post = (headers: Record<string, string>, body = ENTRIES) =>
    send(server.port, 'POST', '/events', { 'content-type': 'application/json', ...own, ...headers }, body);
  const events = async () =>
    JSON.parse((await send(server.port, 'GET', '/health', own)).body).events as number;

  it('accepts a same-origin JSON POST of events', async () => {
    // Act
    const answer = await post({});

    // Assess
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ FailedEntryCount: expect.any(Number), Entries: [{}] });
  });

  it.each([
    ['localhost', (port: number) => `localhost:${port}`],
    ['[::1]', (port: number) => `[::1]:${port}`],
  ])('accepts the loopback name %s with its port', async (_name, host) => {
    // Act
    const answer = await send(server.port, 'GET', '/health', { host: host(server.port) });

    // Assess
    expect(answer.status).toBe(200);
  });

  it.each([
    [
      'another host (DNS rebinding)',
      (port: number) => ({ host: `attacker.example:${port}`, origin: `http://attacker.example:${port}` }),
    ],
    ['the loopback address on another port', (port: number) => ({ host: `127.0.0.1:${port + 1}` })],
    ['a loopback name without the port', () => ({ host: 'localhost' })],
  ])('refuses %s, on events and reads alike, with one line', async (_name, headers) => {
    // Prepare
    const before = await events();

    // Act
    const posted = await post(headers(server.port));
    const read = await send(server.port, 'GET', '/incidents', headers(server.port));

    // Assess
    expect(posted.status).toBe(421);
    expect(read.status).toBe(421);
    expect(posted.body).not.toContain('\n');
    expect(JSON.parse(posted.body)).toEqual({
      __type: 'MisdirectedRequestException',
      message: 'riposte serve answers only on its loopback address',
    });
    expect(await events()).toBe(before);
  });

  it.each([
    ['another site', 'http://evil.example'],
    ['another port of loopback', 'http://127.0.0.1:1'],
    ['an opaque origin', 'null'],
  ])('refuses a request from %s with 403', async (_name, origin) => {
    // Prepare
    const before = await events();

    // Act
    const posted = await post({ origin });
    const read = await send(server.port, 'GET', '/incidents', { ...own, origin });

    // Assess
    expect(posted.status).toBe(403);
    expect(read.status).toBe(403);
    expect(JSON.parse(posted.body)).toEqual({
      __type: 'AccessDeniedException',
      message: `origin ${origin} is not this server`,
    });
    expect(await events()).toBe(before);
  });

  it.each([
    ['text/plain (what a page sends cross-origin without a preflight)', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['no content type', ''],
  ])('refuses a POST of %s with 415, even from its own origin', async (_name, type) => {
    // Prepare
    const before = await events();

    // Act
    const answer = await post({ 'content-type': type });

    // Assess
    expect(answer.status).toBe(415);
    expect(JSON.parse(answer.body)).toEqual({
      __type: 'UnsupportedMediaTypeException',
      message: 'a POST takes a JSON body (content-type: application/json or application/x-amz-json-1.1)',
    });
    expect(await events()).toBe(before);
  });

  it('accepts the AWS JSON protocol the AWS SDK sends, with a charset', async () => {
    // Act
    const answer = await send(
      server.port,
      'POST',
      '/',
      {
        ...own,
        'content-type': 'application/x-amz-json-1.1; charset=utf-8',
        'x-amz-target': 'AWSEvents.PutEvents',
      },
      ENTRIES,
    );

    // Assess
    expect(answer.status).toBe(200);
  });

  it('refuses a console mutation from another origin, or as text/plain', async () => {
    // Prepare
    const session = JSON.parse((await send(server.port, 'GET', '/api/session', own)).body) as {
      csrf: string;
    };
    const mutation = (headers: Record<string, string>) =>
      send(
        server.port,
        'POST',
        '/api/incidents/inc-none/approval',
        { ...own, 'content-type': 'application/json', 'x-riposte-csrf': session.csrf, ...headers },
        JSON.stringify({ decision: 'approve' }),
      );

    // Act
    const foreign = await mutation({ origin: 'http://evil.example' });
    const plain = await mutation({ 'content-type': 'text/plain' });

    // Assess
    expect(foreign.status).toBe(403);
    expect(plain.status).toBe(415);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type RunningServer, startServer } from '../../cli/commands/serve.ts';
import { decideThroughServer } from '../../cli/console/client.ts';
import { c2Finding } from '../../cli/local/demo-events.ts';
import { REPO_ROOT } from '../support/fixtures.ts';
import { eventually, raw, sendEvents } from './support.ts';

/**
 * The console API under `riposte serve`: an approval waits and is decided once, through the API
 * as the CLI and the page do it; mutations without the anti-CSRF token, from another origin, with
 * another Host or without JSON are refused.
 */

const QueueSchema = z.array(z.object({ id: z.string(), status: z.string() }));
const DetailSchema = z.object({
  approvalDecidable: z.boolean(),
  approval: z.object({ status: z.string(), approver: z.string().optional() }).nullable(),
  executions: z.array(z.object({ playbook: z.string(), status: z.string(), path: z.array(z.string()) })),
});

describe('the console API under riposte serve', () => {
  let dataDir: string;
  let server: RunningServer;
  let incidentId: string;
  let csrf: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-console-api-'));
    server = await startServer({ cwd: REPO_ROOT, port: 0, dataDir });
    // A production instance: the playbook asks for approval and waits.
    await sendEvents(server.url, [c2Finding(Date.now())]);
    const queue = QueueSchema.parse(await (await fetch(`${server.url}/api/incidents`)).json());
    incidentId = queue[0]?.id ?? '';
    csrf = z.object({ csrf: z.string() }).parse(await (await fetch(`${server.url}/api/session`)).json()).csrf;
  });

  afterAll(async () => {
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const approvalUrl = () => `${server.url}/api/incidents/${incidentId}/approval`;
  const detail = async () =>
    DetailSchema.parse(await (await fetch(`${server.url}/api/incidents/${incidentId}`)).json());

  it('answers the event while its playbook waits for the approval', async () => {
    // Act
    const queue = QueueSchema.parse(await (await fetch(`${server.url}/api/incidents`)).json());
    const view = await detail();

    // Assess
    expect(queue).toEqual(
      [{ id: incidentId, status: 'awaiting_approval' }].map((r) => expect.objectContaining(r)),
    );
    expect(view.approval?.status).toBe('pending');
    expect(view.approvalDecidable).toBe(true);
    expect(view.executions[0]?.status).toBe('WAITING');
    expect(view.executions[0]?.path.at(-1)).toBe('Approve isolation: request');
  });

  const json = { 'content-type': 'application/json' };
  it.each([
    ['no anti-CSRF token', () => json, 403],
    ['a wrong anti-CSRF token', () => ({ ...json, 'x-riposte-csrf': 'x'.repeat(43) }), 403],
    ['another origin', () => ({ ...json, 'x-riposte-csrf': csrf, origin: 'http://evil.example' }), 403],
    ['a form body', () => ({ 'content-type': 'text/plain', 'x-riposte-csrf': csrf }), 415],
    ['a cross-site fetch', () => ({ ...json, 'x-riposte-csrf': csrf, 'sec-fetch-site': 'cross-site' }), 403],
  ])('refuses a decision with %s', async (_name, headers, status) => {
    // Act
    const answer = await raw(approvalUrl(), {
      method: 'POST',
      headers: headers(),
      body: '{"decision":"approve"}',
    });

    // Assess
    expect(answer.status).toBe(status);
    expect((await detail()).approval?.status).toBe('pending');
  });

  it('refuses a request whose Host is not its loopback address (DNS rebinding)', async () => {
    // Act
    const answer = await raw(`${server.url}/api/incidents`, {
      headers: { host: `attacker.example:${server.port}` },
    });

    // Assess
    expect(answer.status).toBe(421);
  });

  it('serves the page with a strict CSP and the token, and nothing from elsewhere', async () => {
    // Act
    const answer = await raw(`${server.url}/`, {});

    // Assess
    expect(String(answer.headers['content-security-policy'])).toContain("default-src 'none'");
    expect(String(answer.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(answer.body).not.toMatch(/https?:\/\//);
  });

  it('decides once: the execution continues, a second decision is refused', async () => {
    // Act
    const first = await decideThroughServer(server.url, incidentId, 'approve');
    const second = await decideThroughServer(server.url, incidentId, 'deny');

    // Assess
    expect(first).toEqual(expect.objectContaining({ ok: true }));
    expect(second).toEqual({ ok: false, message: expect.stringMatching(/nothing waits/) });
    const ended = await eventually(async () => {
      const view = await detail();
      return view.executions[0]?.status === 'SUCCEEDED' ? view : undefined;
    });
    expect(ended.approval?.status).toBe('approved');
    expect(ended.executions[0]?.path).toContain('Isolate and snapshot');
  });
});

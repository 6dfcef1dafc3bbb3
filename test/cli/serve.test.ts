import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NonLoopbackHostError, type RunningServer, startServer } from '../../cli/commands/serve.ts';
import { cli } from '../support/cli.ts';
import { REPO_ROOT } from '../support/fixtures.ts';

const C2_EVENT = z
  .object({
    source: z.string(),
    'detail-type': z.string(),
    time: z.string(),
    detail: z.record(z.string(), z.unknown()),
  })
  .parse(
    JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples/events/guardduty-ec2-c2-activity.json'), 'utf8')),
  );

/** The C2 finding as a PutEvents entry, the way a producer would send it. */
function c2Entry(): Record<string, unknown> {
  return {
    Source: C2_EVENT.source,
    DetailType: C2_EVENT['detail-type'],
    Detail: JSON.stringify(C2_EVENT.detail),
    Time: C2_EVENT.time,
    Resources: [],
    EventBusName: 'default',
  };
}

const PutEventsResponseSchema = z.strictObject({
  FailedEntryCount: z.number().int(),
  Entries: z.array(
    z.union([
      z.strictObject({ EventId: z.uuid() }),
      z.strictObject({ ErrorCode: z.string().min(1), ErrorMessage: z.string().min(1) }),
    ]),
  ),
});

const IncidentViewSchema = z.object({
  incident: z.object({ id: z.string(), resourceType: z.string(), resourceUid: z.string() }),
  actions: z.array(
    z.object({ action: z.string(), playbook: z.string(), calls: z.array(z.object({ api: z.string() })) }),
  ),
});

async function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

describe('riposte serve', () => {
  let dataDir: string;
  let server: RunningServer | undefined;
  let lines: string[];

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-serve-'));
    lines = [];
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = async (): Promise<RunningServer> => {
    server = await startServer({
      cwd: REPO_ROOT,
      port: 0,
      dataDir,
      approve: async () => true,
      log: (line) => lines.push(line),
    });
    return server;
  };

  it('answers a PutEvents body with an EventId, opens the incident and runs its playbook', async () => {
    // Prepare
    const { url } = await start();

    // Act
    const response = await post(url, { Entries: [c2Entry()] });

    // Assess
    expect(response.status).toBe(200);
    const body = PutEventsResponseSchema.parse(response.json);
    expect(body.FailedEntryCount).toBe(0);
    expect(body.Entries).toHaveLength(1);
    expect(body.Entries[0]).toHaveProperty('EventId');
    const incidents = z
      .array(z.object({ id: z.string(), resourceUid: z.string() }))
      .parse(await (await fetch(`${url}/incidents`)).json());
    expect(incidents.map((i) => i.resourceUid)).toEqual(['i-0a1b2c3d4e5f60718']);
    const view = IncidentViewSchema.parse(
      await (await fetch(`${url}/incidents/${incidents[0]?.id ?? ''}`)).json(),
    );
    const isolation = view.actions.find((a) => a.action === 'isolate-instance');
    expect(isolation?.playbook).toBe('ec2-instance-compromise');
    expect(isolation?.calls.map((c) => c.api)).toContain('ModifyNetworkInterfaceAttribute');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /new alert; incident inc-\S+ opened; ec2-instance-compromise \d+\.\d+\.\d+ SUCCEEDED/,
    );
  });

  it('keeps what it processed in the data folder once closed', async () => {
    // Prepare
    const { url } = await start();
    await post(url, { Entries: [c2Entry()] });

    // Act
    await server?.close();
    const listed = await cli(['incidents', '--json', '--data-dir', dataDir]);

    // Assess
    expect(listed.code).toBe(0);
    const incidents = z.array(z.object({ resourceUid: z.string() })).parse(JSON.parse(listed.stdout));
    expect(incidents.map((i) => i.resourceUid)).toEqual(['i-0a1b2c3d4e5f60718']);
  });

  it('fails a malformed entry with an ErrorCode, keeps it as rejected, and accepts the others', async () => {
    // Prepare
    const { url } = await start();
    const malformed = { ...c2Entry(), Detail: '{"schemaVersion": "2.0", "accountId": ' };
    const unmatched = { Source: 'acme.inventory', DetailType: 'Item Counted', Detail: '{"count": 3}' };

    // Act
    const response = await post(url, { Entries: [malformed, unmatched] });
    await server?.close();
    const rejected = await cli(['rejected', '--json', '--data-dir', dataDir]);

    // Assess
    expect(response.status).toBe(200);
    const body = PutEventsResponseSchema.parse(response.json);
    expect(body.FailedEntryCount).toBe(1);
    expect(body.Entries[0]).toMatchObject({ ErrorCode: 'MalformedDetail' });
    expect(body.Entries[1]).toHaveProperty('EventId');
    const rows = z
      .array(z.object({ reason: z.string(), raw: z.string() }))
      .parse(JSON.parse(rejected.stdout));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.reason).toBe('missing_detail');
    expect(rows[0]?.raw).toContain('"source":"aws.guardduty"');
  });

  it('refuses more than 10 entries with a 400 and processes none of them', async () => {
    // Prepare
    const { url } = await start();
    const entries = Array.from({ length: 11 }, () => c2Entry());

    // Act
    const response = await post(url, { Entries: entries });
    const health = await (await fetch(`${url}/health`)).json();

    // Assess
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ __type: 'ValidationException' });
    expect(health).toEqual({ status: 'ok', events: 0 });
  });

  it('refuses a body that is not PutEvents JSON with a 400', async () => {
    // Prepare
    const { url } = await start();

    // Act
    const notJson = await post(url, '{"Entries": [');
    const noEntries = await post(url, { Events: [c2Entry()] });

    // Assess
    expect(notJson.status).toBe(400);
    expect(noEntries.status).toBe(400);
  });

  it('refuses an entry over 256 KB', async () => {
    // Prepare
    const { url } = await start();
    const detail = { ...C2_EVENT.detail, padding: 'x'.repeat(300 * 1024) };

    // Act
    const response = await post(url, { Entries: [{ ...c2Entry(), Detail: JSON.stringify(detail) }] });

    // Assess
    const body = PutEventsResponseSchema.parse(response.json);
    expect(body.FailedEntryCount).toBe(1);
    expect(body.Entries[0]).toMatchObject({ ErrorCode: 'InvalidArgument' });
  });

  it('processes concurrent requests one at a time: one incident, one playbook run', async () => {
    // Prepare
    const { url } = await start();

    // Act
    const responses = await Promise.all([
      post(url, { Entries: [c2Entry()] }),
      post(url, { Entries: [c2Entry()] }),
      post(url, { Entries: [c2Entry()] }),
    ]);
    const incidents = z
      .array(z.object({ id: z.string() }))
      .parse(await (await fetch(`${url}/incidents`)).json());

    // Assess
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(incidents).toHaveLength(1);
    expect(lines.filter((l) => l.includes('ec2-instance-compromise'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('known alert'))).toHaveLength(2);
  });

  it('speaks the AWS JSON protocol, so the AWS SDK can send to it', async () => {
    // Prepare
    const { url } = await start();
    const client = new EventBridgeClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });

    // Act
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: C2_EVENT.source,
            DetailType: C2_EVENT['detail-type'],
            Detail: JSON.stringify(C2_EVENT.detail),
            Time: new Date(C2_EVENT.time),
          },
        ],
      }),
    );
    client.destroy();

    // Assess
    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses to bind a non-loopback address unless told explicitly', async () => {
    // Prepare
    const options = { cwd: REPO_ROOT, port: 0, dataDir, host: '0.0.0.0' };

    // Act
    const attempt = startServer(options);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(NonLoopbackHostError);
  });

  it('answers GET /health and 404 for an unknown incident', async () => {
    // Prepare
    const { url } = await start();

    // Act
    const health = await fetch(`${url}/health`);
    const missing = await fetch(`${url}/incidents/inc-does-not-exist`);

    // Assess
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', events: 0 });
    expect(missing.status).toBe(404);
  });
});

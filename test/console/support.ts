import { request } from 'node:http';
import { z } from 'zod';
import { c2Finding, publicBucketFinding, torKeyFinding } from '../../cli/local/demo-events.ts';

/** The demo's findings as PutEvents entries, the way an integration sends them to `riposte serve`. */
export function entryOf(event: Record<string, unknown>): Record<string, unknown> {
  return {
    Source: event.source,
    DetailType: event['detail-type'],
    Detail: JSON.stringify(event.detail),
    Time: event.time,
    Resources: event.resources ?? [],
  };
}

/** Sends `events` to the server at `url`, one request each, in order; returns the EventIds. */
export async function sendEvents(url: string, events: readonly Record<string, unknown>[]): Promise<string[]> {
  const ids: string[] = [];
  for (const event of events) {
    const response = await fetch(`${url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Entries: [entryOf(event)] }),
    });
    const body = (await response.json()) as { Entries: { EventId?: string; ErrorMessage?: string }[] };
    const entry = body.Entries[0];
    if (entry?.EventId === undefined)
      throw new Error(`event refused: ${entry?.ErrorMessage ?? response.status}`);
    ids.push(entry.EventId);
  }
  return ids;
}

/** Three incidents: a leaked key (contained), a public bucket, a production instance (waits for approval). */
export function demoFindings(now: number): Record<string, unknown>[] {
  return [torKeyFinding(now - 60_000), publicBucketFinding(now - 30_000), c2Finding(now)];
}

/**
 * A second Access Analyzer finding on the demo's public bucket: a new finding (a new alert) of the
 * same type on the same resource.
 */
export function anotherPublicBucketFinding(now: number): Record<string, unknown> {
  const event = publicBucketFinding(now);
  const detail = z.looseObject({ id: z.string() }).parse(event.detail);
  return { ...event, detail: { ...detail, id: '0b7e2c4d-9a1f-4e3b-8c5d-6f7a8b9c0d1e' } };
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A raw request, so the test controls Host, Origin and every header. */
export function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

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

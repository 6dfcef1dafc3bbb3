import { z } from 'zod';

/**
 * The console API from the CLI: when `riposte serve` holds the local store, `approve` and
 * `deny` decide through it (the waiting execution lives in that process). The client reads the
 * anti-CSRF token from `/api/session` like the page does and sends it with the decision.
 */

const SessionSchema = z.looseObject({ csrf: z.string().min(1) });
const DecidedSchema = z.looseObject({
  incident: z.string(),
  status: z.enum(['approved', 'denied']),
  approver: z.string(),
  decidedAt: z.string(),
});
const ErrorSchema = z.looseObject({ message: z.string() });

export type ServedDecision =
  | { readonly ok: true; readonly decided: z.infer<typeof DecidedSchema> }
  | { readonly ok: false; readonly message: string };

/** Thrown when the server cannot be reached or answers something that is not the console API. */
export class ConsoleClientError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConsoleClientError';
  }
}

async function json(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch (error) {
    throw new ConsoleClientError(`${response.url} answered ${response.status} without JSON`, {
      cause: error,
    });
  }
}

/**
 * Posts a decision on `incident`'s waiting approval to the server at `baseUrl`.
 *
 * @example
 * const result = await decideThroughServer('http://127.0.0.1:4680', 'inc-3f2a', 'approve');
 */
export async function decideThroughServer(
  baseUrl: string,
  incident: string,
  decision: 'approve' | 'deny',
): Promise<ServedDecision> {
  const base = baseUrl.replace(/\/+$/, '');
  let session: Response;
  try {
    session = await fetch(`${base}/api/session`);
  } catch (error) {
    throw new ConsoleClientError(`cannot reach riposte serve at ${base}`, { cause: error });
  }
  const { csrf } = SessionSchema.parse(await json(session));
  const response = await fetch(`${base}/api/incidents/${encodeURIComponent(incident)}/approval`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-riposte-csrf': csrf },
    body: JSON.stringify({ decision }),
  });
  const body = await json(response);
  if (response.ok) return { ok: true, decided: DecidedSchema.parse(body) };
  return { ok: false, message: ErrorSchema.safeParse(body).data?.message ?? `HTTP ${response.status}` };
}

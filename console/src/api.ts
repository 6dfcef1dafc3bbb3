/**
 * The console API client. Reads go to `/api/*`; mutations carry the anti-CSRF token the server
 * put in the page (`<meta name="riposte-csrf">`) and a JSON body.
 */

export class ApiFailure extends Error {
  public constructor(
    public readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="riposte-csrf"]')?.content ?? '';
}

async function answer<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => ({}))) as { message?: string };
  if (!response.ok) throw new ApiFailure(response.status, body.message ?? `HTTP ${response.status}`);
  return body as T;
}

export async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  return answer<T>(await fetch(path, { signal: signal ?? null, headers: { accept: 'application/json' } }));
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  return answer<T>(
    await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-riposte-csrf': csrfToken() },
      body: JSON.stringify(body),
    }),
  );
}

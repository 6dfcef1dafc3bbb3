import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The console's request checks. The console listens on loopback and holds the operator's
 * store (and, with --stack, acts with their AWS credentials), so a web page the operator visits
 * must not be able to drive it:
 * - Host must name the loopback address the server listens on (no DNS rebinding);
 * - a mutation needs the anti-CSRF token of this server in `x-riposte-csrf` (a custom header: a
 *   cross-site form or `fetch` cannot send it without a CORS preflight, which is never granted),
 *   a JSON body, and an Origin that is the console itself when the browser sends one;
 * - `Sec-Fetch-Site: cross-site` is refused outright.
 */

export class ConsoleRequestError extends Error {
  public constructor(
    public readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleRequestError';
  }
}

/** A fresh anti-CSRF token (one per server process). */
export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

const LOOPBACK_HOST = /^(?:127(?:\.\d{1,3}){3}|localhost|\[::1\])$/;

/** Whether `host` (a Host header) names a loopback address on `port`. */
export function isLoopbackHostHeader(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const match = /^(.+):(\d+)$/.exec(host.trim().toLowerCase());
  if (match === null) return false;
  return LOOPBACK_HOST.test(match[1] ?? '') && Number(match[2]) === port;
}

/** Refuses a request whose Host is not this server's loopback address, or that comes cross-site. */
export function checkRead(req: IncomingMessage, port: number): void {
  if (!isLoopbackHostHeader(req.headers.host, port)) {
    throw new ConsoleRequestError(421, 'the console answers only on its loopback address');
  }
  if (req.headers['sec-fetch-site'] === 'cross-site') {
    throw new ConsoleRequestError(403, 'cross-site requests are refused');
  }
}

/** {@link checkRead}, then the Origin, the JSON content type and the anti-CSRF token. */
export function checkMutation(req: IncomingMessage, port: number, csrf: string): void {
  checkRead(req, port);
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) {
    throw new ConsoleRequestError(403, `origin ${origin} is not the console`);
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ConsoleRequestError(415, 'a mutation takes a JSON body (content-type: application/json)');
  }
  const given = Buffer.from(String(req.headers['x-riposte-csrf'] ?? ''), 'utf8');
  const expected = Buffer.from(csrf, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ConsoleRequestError(403, 'missing or wrong anti-CSRF token (x-riposte-csrf)');
  }
}

/** The Content-Security-Policy of every console answer: only the bundled assets, no network. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every console answer. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

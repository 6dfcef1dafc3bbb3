import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The request checks of `riposte serve`: its PutEvents endpoint and the console it serves. Both
 * listen on loopback and hold the operator's store (and, with --stack, act with their AWS
 * credentials), so a web page the operator visits must not be able to drive them:
 * - Host must name the loopback address the server listens on (no DNS rebinding);
 * - `Sec-Fetch-Site: cross-site`, and an Origin other than the server's own, are refused outright;
 * - a POST takes a JSON body (`content-type: application/json`): a page can send `text/plain`
 *   or a form to another origin without a CORS preflight, never JSON;
 * - a console mutation also needs the anti-CSRF token of this server in `x-riposte-csrf` (a
 *   custom header: a cross-site form or `fetch` cannot send it without a CORS preflight, which
 *   is never granted).
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

/** Whether `host` (a Host header) is `boundHost:port`, the non-loopback address given explicitly. */
function namesBoundHost(host: string | undefined, port: number, boundHost: string | undefined): boolean {
  if (host === undefined || boundHost === undefined) return false;
  const name = boundHost.includes(':') ? `[${boundHost}]` : boundHost;
  return host.trim().toLowerCase() === `${name}:${port}`.toLowerCase();
}

/**
 * Refuses a request whose Host is not this server's loopback address (or `boundHost`, a
 * non-loopback address the server was explicitly bound to), that comes cross-site, or whose
 * Origin (when the browser sends one) is not this server.
 *
 * @example
 * checkRead(req, bound); // throws ConsoleRequestError(421 | 403)
 */
export function checkRead(req: IncomingMessage, port: number, boundHost?: string): void {
  if (!isLoopbackHostHeader(req.headers.host, port) && !namesBoundHost(req.headers.host, port, boundHost)) {
    throw new ConsoleRequestError(421, 'riposte serve answers only on its loopback address');
  }
  if (req.headers['sec-fetch-site'] === 'cross-site') {
    throw new ConsoleRequestError(403, 'cross-site requests are refused');
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin.toLowerCase() !== `http://${req.headers.host ?? ''}`.toLowerCase()) {
    throw new ConsoleRequestError(403, `origin ${origin} is not this server`);
  }
}

/** The media type of JSON bodies. */
export const JSON_MEDIA_TYPES: readonly string[] = ['application/json'];

/**
 * {@link checkRead}, then a JSON body: the request's media type must be one of `mediaTypes`
 * (never `text/plain` or a form, which a page sends cross-origin without a preflight).
 *
 * @example
 * checkJsonPost(req, bound); // throws ConsoleRequestError(421 | 403 | 415)
 */
export function checkJsonPost(
  req: IncomingMessage,
  port: number,
  mediaTypes: readonly string[] = JSON_MEDIA_TYPES,
  boundHost?: string,
): void {
  checkRead(req, port, boundHost);
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!mediaTypes.includes(type)) {
    throw new ConsoleRequestError(415, `a POST takes a JSON body (content-type: ${mediaTypes.join(' or ')})`);
  }
}

/**
 * {@link checkJsonPost}, then the anti-CSRF token: what every console mutation passes.
 *
 * @example
 * checkMutation(req, bound, csrf); // throws ConsoleRequestError(421 | 403 | 415)
 */
export function checkMutation(req: IncomingMessage, port: number, csrf: string): void {
  checkJsonPost(req, port);
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

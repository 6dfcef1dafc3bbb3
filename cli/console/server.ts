import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import { CASE_ROUTES } from './api/cases.ts';
import type { ConsoleContext } from './api/context.ts';
import { ApiError } from './api/context.ts';
import { decide, release, releasePlan } from './api/decisions.ts';
import { incidentDetail, listQueue } from './api/incidents.ts';
import { playbooksData } from './api/playbooks.ts';
import { statsData } from './api/stats.ts';
import { suppressionsView } from './api/suppressions.ts';
import { ConsoleRequestError, checkMutation, checkRead, newCsrfToken, SECURITY_HEADERS } from './security.ts';

/**
 * The console over HTTP: the page and its bundled assets at `/`, the JSON API at `/api/*`.
 * `riposte serve` mounts it beside its event endpoint; `riposte console` runs it alone.
 * Every answer carries the strict CSP; every request is checked (see `./security.ts`).
 */

/** Where `npm ci` (the `prepare` script, scripts/build-console.mjs) puts the built console. */
export function consoleAssetsDir(from: string = import.meta.dirname): string {
  let dir = from;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (parsed.name === 'riposte') return path.join(dir, 'console', 'dist');
    }
    const parent = path.dirname(dir);
    if (parent === dir) return path.join(from, 'console', 'dist');
    dir = parent;
  }
}

const MAX_BODY = 64 * 1024;
const LONG_POLL_MS = 25_000;
const ASSET = /^[A-Za-z0-9][A-Za-z0-9._-]*\.(js|css|map|svg|woff2)$/;
const TYPES: Readonly<Record<string, string>> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json',
  svg: 'image/svg+xml',
  woff2: 'font/woff2',
};

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': type,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size <= MAX_BODY) chunks.push(buffer);
  }
  if (size > MAX_BODY) throw new ApiError(413, `the body is over ${MAX_BODY} bytes`);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new ApiError(400, 'the body is not JSON');
  }
}

function page(csrf: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="riposte-csrf" content="${csrf}">
<title>Riposte console</title>
<link rel="stylesheet" href="/assets/console.css">
<script type="module" src="/assets/console.js"></script>
</head>
<body><div id="app"></div></body>
</html>
`;
}

export interface ConsoleHandlerOptions {
  /** The port the server listens on (for the Host check). */
  readonly port: () => number;
  /** @default {@link consoleAssetsDir} */
  readonly assetsDir?: string;
}

/** Handles the console's requests; resolves false for a path that is not the console's. */
export type ConsoleHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * @example
 * const handle = consoleHandler(ctx, { port: () => bound });
 * createServer(async (req, res) => { if (!(await handle(req, res))) res.writeHead(404).end(); });
 */
export function consoleHandler(ctx: ConsoleContext, options: ConsoleHandlerOptions): ConsoleHandler {
  const csrf = newCsrfToken();
  const assets = options.assetsDir ?? consoleAssetsDir();

  const api = async (req: IncomingMessage, url: URL): Promise<unknown> => {
    const method = req.method ?? 'GET';
    const parts = url.pathname.split('/').slice(2).map(decodeURIComponent);
    const [resource, id, sub] = parts;
    if (method === 'GET') {
      if (resource === 'session' && id === undefined)
        return {
          csrf,
          store: ctx.description,
          remote: ctx.remote,
          actor: await ctx.actor(),
          // The case routes work on the local store and a deployment's table alike (./api/cases.ts).
          cases: true,
        };
      if (resource === 'incidents' && id === undefined) return listQueue(ctx, url.searchParams);
      if (resource === 'incidents' && id !== undefined && sub === undefined) return incidentDetail(ctx, id);
      if (resource === 'incidents' && id !== undefined && sub === 'release') return releasePlan(ctx, id);
      if (resource === 'stats') return statsData(ctx);
      if (resource === 'playbooks') return playbooksData(ctx);
      if (resource === 'suppressions' && id === undefined) return suppressionsView(ctx);
      if (resource === 'changes') {
        const cursor = Number(url.searchParams.get('cursor') ?? '0');
        const abort = new AbortController();
        req.once('close', () => abort.abort());
        return ctx.feed.wait(Number.isFinite(cursor) ? cursor : 0, LONG_POLL_MS, abort.signal);
      }
    }
    if (method === 'POST' && resource === 'incidents' && id !== undefined) {
      checkMutation(req, options.port(), csrf);
      const body = await readJson(req);
      const done = async (value: unknown) => {
        ctx.feed.bump(id);
        return value;
      };
      if (sub === 'approval') return done(await decide(ctx, id, body));
      if (sub === 'release') return done(await release(ctx, id, body));
      const cases = Object.hasOwn(CASE_ROUTES, sub ?? '') ? CASE_ROUTES[sub ?? ''] : undefined;
      if (cases !== undefined) return done(await cases(ctx, id, body));
    }
    throw new ApiError(404, `no ${method} ${url.pathname}`);
  };

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const isPage = url.pathname === '/' || url.pathname === '/index.html';
    const isAsset = url.pathname.startsWith('/assets/');
    const isApi = url.pathname.startsWith('/api/');
    if (!isPage && !isAsset && !isApi) return false;
    try {
      checkRead(req, options.port());
      if (isApi) {
        sendJson(res, 200, await api(req, url));
      } else if (isPage) {
        if (req.method !== 'GET') throw new ApiError(405, 'GET only');
        if (!existsSync(path.join(assets, 'console.js'))) {
          send(
            res,
            503,
            'text/plain; charset=utf-8',
            'The console is not built: run `npm run build:console`.\n',
          );
        } else send(res, 200, 'text/html; charset=utf-8', page(csrf));
      } else {
        const name = url.pathname.slice('/assets/'.length);
        const match = ASSET.exec(name);
        if (req.method !== 'GET' || match === null) throw new ApiError(404, 'no such asset');
        const body = await readFile(path.join(assets, name)).catch(() => {
          throw new ApiError(404, 'no such asset');
        });
        send(res, 200, TYPES[match[1] ?? ''] ?? 'application/octet-stream', body);
      }
    } catch (error) {
      if (error instanceof ConsoleRequestError || error instanceof ApiError) {
        sendJson(res, error.status, { message: error.message });
      } else if (error instanceof z.ZodError) {
        sendJson(res, 400, {
          message: error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        });
      } else {
        const message = error instanceof Error ? error.message : String(error);
        if (!res.headersSent) sendJson(res, 500, { message });
        else res.destroy();
      }
    }
    return true;
  };
}

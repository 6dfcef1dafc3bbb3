import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { RecordingDispatcher } from '#core/intake/dispatch.ts';
import { ingestBatch } from '#core/intake/ingest.ts';
import { normalize } from '#core/normalize/index.ts';
import { isRecord, type JsonRecord } from '#core/normalize/read.ts';
import { loadPlaybookReport, routesFor } from '#core/playbooks/registry.ts';
import { listIncidents } from '#core/store/queries.ts';
import { type Command, UsageError, write } from '../command.ts';
import { serveConsole } from '../console/local.ts';
import { ConsoleRequestError, checkJsonPost, checkRead, JSON_MEDIA_TYPES } from '../console/security.ts';
import type { ApprovalDecider, LocalExecutionResult } from '../local/engine.ts';
import { splitEvents } from '../local/events-input.ts';
import { claimStore } from '../local/owner.ts';
import { LocalPipeline } from '../local/pipeline.ts';
import { brokenReason } from '../local/playbooks.ts';
import { approvalDecider, loadWorldFor, saveWorld } from '../local/response.ts';
import { displayPath, LOCAL_DIR, loadProjectConfig, waitForActiveTable } from '../local/runtime.ts';
import { openLocalStore } from '../local/store.ts';
import { EXAMPLE_WORLD } from './run.ts';
import { IncidentNotFoundError, loadIncidentView, resolveIncident } from './show.ts';

/** The default port: `http://127.0.0.1:4680/events`. */
export const DEFAULT_PORT = 4680;
/** PutEvents accepts at most this many entries per request. */
export const MAX_ENTRIES = 10;
/** PutEvents' limit on one entry's size (computed as EventBridge does). */
export const MAX_ENTRY_BYTES = 256 * 1024;
/** Larger request bodies are refused before parsing. */
const MAX_BODY_BYTES = MAX_ENTRIES * MAX_ENTRY_BYTES + 64 * 1024;

const HELP = `Usage: riposte serve [--port N] [--host 127.0.0.1] [--data-dir DIR] [--world FILE]
                     [--approve | --deny]

A long-running local Riposte: an HTTP endpoint that takes events the way EventBridge's
PutEvents does and answers each with the whole local pipeline (the deployed rules, normalize,
the embedded store, incidents, dispatch) and the dispatched playbooks, run by the local engine
in dry-run against the world (nothing touches AWS). Point an integration, a script or curl at
it; one log line is printed per event.

  POST /events   {"Entries":[{"Source","DetailType","Detail":"<JSON object as a string>",
                 "Resources":[...],"Time","EventBusName"}]}: at most ${MAX_ENTRIES} entries, 256 KB each.
                 Answers like PutEvents: {"FailedEntryCount":n,"Entries":[{"EventId"} |
                 {"ErrorCode","ErrorMessage"}]} (ErrorCode MalformedDetail, InvalidArgument or
                 InternalException); a request that is not such a body gets 400 ValidationException.
                 An entry refused for its content is also kept as a rejected event (riposte rejected).
                 Events as they are exported are taken too: a JSON array of EventBridge events, one
                 event per line (NDJSON) or one event, up to 500 a request; each is
                 answered as an entry.
                 The AWS CLI and SDKs work too: POST / with X-Amz-Target: AWSEvents.PutEvents, e.g.
                 aws events put-events --endpoint-url http://127.0.0.1:${DEFAULT_PORT} --entries file://e.json
  GET /health    {"status":"ok","events":n}
  GET /incidents           the incidents (JSON array, like riposte incidents --json)
  GET /incidents/<id>      one incident's timeline (like riposte show --json)
  GET /          the console (queue, incidents, stats, playbooks); its API is under /api/

A playbook that reaches an approval waits for it, as deployed: the request is stored pending
with its deadline (the approval state's timeout) and the execution goes on when someone
decides with \`riposte approve <incident>\` or \`riposte deny <incident>\` (sent to this
server) or in the console. Decisions use the deployed semantics: a signed, expiring token per
decision, the first decision wins. At the deadline the approval expires and the playbook takes
its timeout path; stopping the server expires every waiting approval the same way.

Each event gets an id (a UUID), the account of its detail (accountId...) or 000000000000, the
region of AWS_REGION or us-east-1, and its Time or now. EventBusName is accepted and ignored:
every event meets the rules Riposte deploys. Events are processed one at a time, in
arrival order, so the store stays consistent. The store is held by the server while it runs
(other riposte commands on the same DIR are refused until it stops: use the GET endpoints);
the world the playbooks leave is saved as DIR/world.json after each event that ran one. Ctrl-C
stops accepting requests, finishes the event being processed and closes the store.

Options:
  --port N         port on the loopback interface (default ${DEFAULT_PORT}; 0 picks a free one)
  --host HOST      interface to bind (default 127.0.0.1). Anything but a loopback address
                   exposes an unauthenticated endpoint that runs playbooks: it must be given
                   explicitly and a warning is printed. Requests must name a loopback address
                   or HOST, with the port, in their Host header; POST bodies are JSON
  --data-dir DIR   local store folder (default .riposte/db)
  --world FILE     the resources actions see when DIR has no world.json (default examples/world.json)
  --approve        answer approval requests with yes at once (scripted runs)
  --deny           answer approval requests with no at once (scripted runs)`;

export interface ServeOptions {
  /** Resolves relative paths and finds cdk.json. */
  readonly cwd: string;
  /** @default 4680; 0 picks a free port */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Bind a non-loopback `host`; refused otherwise. */
  readonly allowNonLoopback?: boolean;
  /** @default `<cwd>/.riposte/db` */
  readonly dataDir?: string;
  /** The world when the data folder has none. @default examples/world.json */
  readonly worldFile?: string;
  /**
   * Answers approval requests at once (`--approve`/`--deny`). @default approvals wait for a
   * person (`riposte approve`/`deny`, the console) until they are decided or time out
   */
  readonly approve?: ApprovalDecider;
  /** The region stamped on events. @default AWS_REGION, else us-east-1 */
  readonly region?: string;
  /** One line per processed event. @default nothing */
  readonly log?: (line: string) => void;
}

export interface RunningServer {
  /** `http://127.0.0.1:<port>` (events go to `${url}/events`). */
  readonly url: string;
  readonly port: number;
  /** Stops accepting requests, finishes the running event, closes the store. Idempotent. */
  close(): Promise<void>;
}

/** Raised when a host other than loopback is asked for without `allowNonLoopback`. */
export class NonLoopbackHostError extends Error {
  public constructor(host: string) {
    super(`refusing to bind ${host}: only loopback addresses unless --host is given explicitly`);
    this.name = 'NonLoopbackHostError';
  }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

// -------------------------------------------------------------------------------------------
// PutEvents request
// -------------------------------------------------------------------------------------------

const RequestSchema = z.looseObject({
  Entries: z.array(z.unknown()).min(1).max(MAX_ENTRIES),
});

const EntrySchema = z.looseObject({
  Source: z.string().min(1).max(256),
  DetailType: z.string().min(1).max(128),
  Detail: z.string().min(1),
  Resources: z.array(z.string().min(1).max(2048)).max(100).optional(),
  /** An RFC 3339 string, or epoch seconds (the AWS JSON protocol's timestamps). */
  Time: z.union([z.string().min(1), z.number()]).optional(),
  EventBusName: z.string().min(1).max(1600).optional(),
  TraceHeader: z.string().max(500).optional(),
});
type Entry = z.infer<typeof EntrySchema>;

export type PutEventsResultEntry =
  | { readonly EventId: string }
  | { readonly ErrorCode: string; readonly ErrorMessage: string };

export interface PutEventsResponse {
  readonly FailedEntryCount: number;
  readonly Entries: readonly PutEventsResultEntry[];
}

/** Events a request may carry as a JSON array or NDJSON (instead of PutEvents' 10 entries). */
export const MAX_EXPORTED_EVENTS = 500;

/**
 * Events as they are exported (a JSON array of EventBridge events, NDJSON, or one event object)
 * as PutEvents entries; undefined for a PutEvents request (`{"Entries": [...]}`). A line or
 * element that is not an event becomes an entry PutEvents would refuse, so it is answered (and
 * kept as rejected) on its own.
 */
export function eventsAsEntries(text: string, parsed: unknown): unknown[] | undefined {
  if (isRecord(parsed) && 'Entries' in parsed) return undefined;
  const split = splitEvents('body', text);
  if (split.format === 'event' && !(isRecord(parsed) && 'detail-type' in parsed)) return undefined;
  if (split.format !== 'array' && split.format !== 'ndjson' && split.format !== 'event') return undefined;
  return split.events.map((event) => {
    let value: unknown;
    try {
      value = JSON.parse(
        typeof event.body === 'string' ? event.body : Buffer.from(event.body).toString('utf8'),
      );
    } catch {
      return { Source: 'unknown', DetailType: 'unknown', Detail: String(event.body) };
    }
    if (!isRecord(value)) return value;
    return {
      Source: value.source,
      DetailType: value['detail-type'],
      Detail: isRecord(value.detail) ? JSON.stringify(value.detail) : value.detail,
      ...(Array.isArray(value.resources) ? { Resources: value.resources } : {}),
      ...(typeof value.time === 'string' ? { Time: value.time } : {}),
    };
  });
}

/** An entry's size as EventBridge counts it: Time (14), Source, DetailType, Detail, Resources. */
function entrySize(entry: Entry): number {
  return (
    (entry.Time === undefined ? 0 : 14) +
    Buffer.byteLength(entry.Source) +
    Buffer.byteLength(entry.DetailType) +
    Buffer.byteLength(entry.Detail) +
    (entry.Resources ?? []).reduce((n, r) => n + Buffer.byteLength(r), 0)
  );
}

/** EventBridge's time format: RFC 3339 in UTC, whole seconds. */
function eventTime(time: Entry['Time'], now: number): string | undefined {
  const ms = time === undefined ? now : typeof time === 'number' ? time * 1000 : Date.parse(time);
  if (!Number.isFinite(ms)) return undefined;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const ACCOUNT = /^\d{12}$/;

/** The account an event is about, from the fields the sources use; 000000000000 when none. */
export function accountOf(detail: JsonRecord): string {
  const candidates: unknown[] = [
    detail.accountId,
    detail.awsAccountId,
    detail.account,
    detail.recipientAccountId,
    isRecord(detail.userIdentity) ? detail.userIdentity.accountId : undefined,
    Array.isArray(detail.findings) && isRecord(detail.findings[0])
      ? detail.findings[0].AwsAccountId
      : undefined,
  ];
  const found = candidates.find((c): c is string => typeof c === 'string' && ACCOUNT.test(c));
  return found ?? '000000000000';
}

type Checked =
  | { readonly ok: true; readonly event: JsonRecord }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly body?: string };

/**
 * Validates one entry and converts it to the EventBridge event a rule would deliver; for a
 * refused entry, the body to keep as a rejected event (the event as far as it can be built).
 */
function checkEntry(raw: unknown, region: string, now: number): Checked {
  const parsed = EntrySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'entry' : issue.path.join('.');
    return {
      ok: false,
      code: 'InvalidArgument',
      message: `${where}: ${issue?.message ?? 'invalid'}`,
      ...(isRecord(raw) ? { body: JSON.stringify(partialEvent(raw, region, now)) } : {}),
    };
  }
  const entry = parsed.data;
  const size = entrySize(entry);
  if (size > MAX_ENTRY_BYTES) {
    return {
      ok: false,
      code: 'InvalidArgument',
      message: `the entry is ${size} bytes, over the ${MAX_ENTRY_BYTES}-byte limit`,
      body: JSON.stringify(partialEvent(entry, region, now)),
    };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    detail = undefined;
  }
  if (!isRecord(detail)) {
    return {
      ok: false,
      code: 'MalformedDetail',
      message: 'Detail is malformed: it must be a JSON object, as a string',
      body: JSON.stringify(partialEvent(entry, region, now)),
    };
  }
  const time = eventTime(entry.Time, now);
  if (time === undefined) {
    return { ok: false, code: 'InvalidArgument', message: `Time "${String(entry.Time)}" is not a timestamp` };
  }
  return {
    ok: true,
    event: {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: accountOf(detail),
      time,
      region,
      resources: entry.Resources ?? [],
      detail,
    },
  };
}

/** A refused entry as an event, keeping what it carried (Detail decoded when it is JSON). */
function partialEvent(entry: Record<string, unknown>, region: string, now: number): JsonRecord {
  let detail: unknown = entry.Detail;
  if (typeof detail === 'string') {
    try {
      detail = JSON.parse(detail);
    } catch {
      // kept as the string it was
    }
  }
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: isRecord(detail) ? accountOf(detail) : '000000000000',
    time: typeof entry.Time === 'string' ? entry.Time : eventTime(undefined, now),
    region,
    resources: entry.Resources ?? [],
    detail,
  };
}

// -------------------------------------------------------------------------------------------
// Server
// -------------------------------------------------------------------------------------------

class HttpError extends Error {
  public constructor(
    public readonly status: number,
    public readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The media types a PutEvents body may come as: JSON, and the AWS JSON protocol the AWS SDK
 * speaks. Neither can be sent cross-origin without a CORS preflight, which is never granted.
 */
const EVENT_MEDIA_TYPES: readonly string[] = [...JSON_MEDIA_TYPES, 'application/x-amz-json-1.1'];

/** The `__type` of a refused request, by status. */
const REFUSAL_TYPES: Readonly<Record<number, string>> = {
  403: 'AccessDeniedException',
  415: 'UnsupportedMediaTypeException',
  421: 'MisdirectedRequestException',
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end even when too large (leaving the loop would destroy the socket before the
  // answer), keeping nothing past the limit.
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
  }
  if (size > MAX_BODY_BYTES) {
    throw new HttpError(413, 'ValidationException', `the request is ${size} bytes, over ${MAX_BODY_BYTES}`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const READ_CALL = /^(Describe|Get|List|Head)/;

function outcomeOf(execution: LocalExecutionResult, approvals: readonly boolean[]): string {
  const changes = execution.actions.reduce(
    (n, a) => n + a.calls.filter((c) => !READ_CALL.test(c.api)).length,
    0,
  );
  const approval =
    approvals.length === 0 ? '' : ` (approval ${approvals.every((a) => a) ? 'granted' : 'denied'})`;
  return `${execution.playbook} ${execution.version} ${execution.status}${approval}, ${changes} state-changing call(s)${
    execution.error === undefined ? '' : ` [${execution.error}]`
  }`;
}

/**
 * Starts the local PutEvents endpoint on `host:port` (loopback by default) over the store in
 * `dataDir`.
 *
 * @example
 * const server = await startServer({ cwd, port: 0, dataDir: tmp, approve: async () => true });
 * await fetch(`${server.url}/events`, { method: 'POST', body: JSON.stringify({ Entries: [...] }) });
 * await server.close();
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && options.allowNonLoopback !== true) throw new NonLoopbackHostError(host);
  /** A non-loopback address given explicitly: requests may name it in Host too. */
  const boundHost = isLoopback(host) ? undefined : host;
  const port = options.port ?? DEFAULT_PORT;
  const dataDir = path.resolve(options.cwd, options.dataDir ?? path.join(LOCAL_DIR, 'db'));
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const log = options.log ?? (() => undefined);
  const config = loadProjectConfig(options.cwd);
  const { playbooks, broken } = await loadPlaybookReport();
  for (const b of broken) log(`riposte serve: skipped ${b.file}: ${brokenReason(b)}`);
  const routes = routesFor(playbooks, (p) => p.id);
  const world = loadWorldFor(dataDir, path.resolve(options.cwd, options.worldFile ?? EXAMPLE_WORLD));
  const store = await openLocalStore({ dataDir });
  await waitForActiveTable(store).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const dispatcher = new RecordingDispatcher();
  const pipeline = new LocalPipeline({ store, config, dispatcher, routes });
  let processed = 0;
  let bound = 0;

  // One request at a time: the pipeline, the playbooks and the world see events in order.
  let tail: Promise<unknown> = Promise.resolve();
  const serialize = <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };

  const live = serveConsole({
    store,
    description: displayPath(options.cwd, dataDir),
    dataDir,
    playbooks,
    response: { store, config, world },
    approve: options.approve,
    serialize,
    port: () => bound,
    onReleaseEnd: async (summary) => {
      await saveWorld(dataDir, world);
      log(`${new Date().toISOString()} release: ${summary}`);
    },
  });

  /** Keeps a refused entry as a rejected event, when the ingest code refuses it too. */
  const keepRejected = async (id: string, body: string): Promise<string> => {
    const outputs = normalize(body);
    if (outputs.length === 0 || outputs.some((o) => !('rejected' in o))) return 'not stored';
    const report = await ingestBatch([{ id, body }], {
      db: store.db,
      tableName: store.tableName,
      dispatcher,
      routes: [],
      incidentWindowMs: config.incidentWindowHours * 3_600_000,
      rejectedRetentionDays: config.rejectedRetentionDays,
    });
    return `kept as rejected (${Object.keys(report.rejectedByReason).join(', ')})`;
  };

  const processEntry = async (raw: unknown): Promise<PutEventsResultEntry> => {
    const now = Date.now();
    const checked = checkEntry(raw, region, now);
    const stamp = new Date(now).toISOString();
    if (!checked.ok) {
      let kept = 'not stored';
      if (checked.body !== undefined) {
        try {
          kept = await keepRejected(`refused:${stamp}`, checked.body);
        } catch (error) {
          kept = `not stored: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
      log(`${stamp} refused ${checked.code}: ${checked.message}; ${kept}`);
      return { ErrorCode: checked.code, ErrorMessage: checked.message };
    }
    const { event } = checked;
    const eventId = String(event.id);
    const head = `${stamp} ${eventId} ${String(event.source)} "${String(event['detail-type'])}"`;
    try {
      const before = dispatcher.started.length;
      const { summary, report } = await pipeline.replay([{ input: eventId, body: JSON.stringify(event) }]);
      const started = dispatcher.started.slice(before);
      const approvals: boolean[] = [];
      const run = live.tracker.start(started, playbooks, {
        ...live.response,
        onEvent: (e) => {
          if (e.type === 'approval') approvals.push(e.approved);
        },
      });
      // An execution waiting for a person does not hold the next events: it ends on its own.
      const waiting = (await run.ready) === 'waiting';
      const executions = waiting ? [] : await run.done;
      if (waiting) {
        void run.done.then(
          async (ended) => {
            await saveWorld(dataDir, world);
            const outcomes = ended.map((execution) => outcomeOf(execution, approvals)).join('; ');
            log(`${new Date().toISOString()} ${eventId}: ${outcomes}`);
          },
          (error: unknown) => log(`${new Date().toISOString()} ${eventId}: failed: ${String(error)}`),
        );
      }
      if (executions.length > 0) await saveWorld(dataDir, world);
      live.feed.bump(report.incidentIds[0]);
      processed += 1;
      const parts: string[] = [];
      if (summary.matched === 0) parts.push('matches no Riposte rule (EventBridge would not deliver it)');
      if (report.rejected > 0) parts.push(`rejected (${Object.keys(report.rejectedByReason).join(', ')})`);
      if (summary.alerts > 0) parts.push('new alert');
      if (summary.duplicates > 0) parts.push('known alert');
      const incidents = report.incidentIds.join(', ');
      if (report.incidentsOpened > 0) parts.push(`incident ${incidents} opened`);
      else if (report.incidentsEscalated > 0) parts.push(`incident ${incidents} escalated`);
      else if (report.incidentsJoined > 0) parts.push(`joined incident ${incidents}`);
      if (report.suppressed > 0) parts.push('suppressed: no incident, no playbook (riposte suppressions)');
      for (const execution of executions) parts.push(outcomeOf(execution, approvals));
      if (waiting) {
        const id = report.incidentIds[0] ?? '';
        parts.push(`waiting for approval (riposte approve ${id}, riposte deny ${id}, or the console)`);
      }
      log(`${head}: ${parts.join('; ') || 'stored, no incident'}`);
      return { EventId: eventId };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`${head}: failed: ${message}`);
      return { ErrorCode: 'InternalException', ErrorMessage: message };
    }
  };

  const putEvents = async (req: IncomingMessage): Promise<PutEventsResponse> => {
    const text = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      // NDJSON (one event per line) is not one JSON value.
      body = undefined;
      if (splitEvents('body', text).format !== 'ndjson')
        throw new HttpError(400, 'ValidationException', 'the request body is not JSON');
    }
    const exported = eventsAsEntries(text, body);
    if (exported !== undefined) {
      if (exported.length > MAX_EXPORTED_EVENTS)
        throw new HttpError(
          400,
          'ValidationException',
          `${exported.length} events: at most ${MAX_EXPORTED_EVENTS} a request`,
        );
      return serialize(async () => {
        const entries: PutEventsResultEntry[] = [];
        for (const entry of exported) entries.push(await processEntry(entry));
        return { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries };
      });
    }
    const request = RequestSchema.safeParse(body);
    if (!request.success) {
      const count = isRecord(body) && Array.isArray(body.Entries) ? body.Entries.length : undefined;
      throw new HttpError(
        400,
        'ValidationException',
        count !== undefined && count > MAX_ENTRIES
          ? `${count} entries: PutEvents takes from 1 to ${MAX_ENTRIES}`
          : 'expected {"Entries":[...]} with 1 to 10 entries',
      );
    }
    return serialize(async () => {
      const entries: PutEventsResultEntry[] = [];
      for (const entry of request.data.Entries) entries.push(await processEntry(entry));
      return { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries };
    });
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const target = req.headers['x-amz-target'];
    // Every request: this server's loopback Host, and no other origin (DNS rebinding, CSRF).
    checkRead(req, bound, boundHost);
    if (req.method === 'POST' && (url.pathname === '/events' || target === 'AWSEvents.PutEvents')) {
      checkJsonPost(req, bound, EVENT_MEDIA_TYPES, boundHost);
      sendJson(res, 200, await putEvents(req));
      return;
    }
    if (await live.handle(req, res)) return;
    if (req.method === 'GET' && url.pathname === '/health') {
      sendJson(res, 200, { status: 'ok', events: processed });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/incidents') {
      const incidents = await serialize(() => listIncidents(store.db, store.tableName));
      sendJson(
        res,
        200,
        incidents.map(({ pk: _pk, sk: _sk, ...rest }) => rest),
      );
      return;
    }
    const match = /^\/incidents\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && match?.[1] !== undefined) {
      const id = decodeURIComponent(match[1]);
      const view = await serialize(async () => {
        const incident = await resolveIncident(store.db, store.tableName, id, dataDir);
        return loadIncidentView(store.db, store.tableName, incident);
      }).catch((error: unknown) => {
        if (error instanceof IncidentNotFoundError || error instanceof UsageError)
          throw new HttpError(404, 'ResourceNotFoundException', error.message);
        throw error;
      });
      sendJson(res, 200, view);
      return;
    }
    const known = ['/events', '/health', '/incidents'].includes(url.pathname) || match !== null;
    throw known
      ? new HttpError(405, 'MethodNotAllowed', `${req.method ?? ''} is not allowed on ${url.pathname}`)
      : new HttpError(404, 'NotFound', `no ${url.pathname}: POST /events, GET /health, GET /incidents`);
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        sendJson(res, error.status, { __type: error.type, message: error.message });
        return;
      }
      if (error instanceof ConsoleRequestError) {
        sendJson(res, error.status, {
          __type: REFUSAL_TYPES[error.status] ?? 'AccessDeniedException',
          message: error.message,
        });
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      log(`${new Date().toISOString()} internal error: ${message}`);
      if (!res.headersSent) sendJson(res, 500, { __type: 'InternalException', message });
      else res.destroy();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await store.close().catch(() => undefined);
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE')
      throw new Error(`port ${port} on ${host} is in use (try --port N)`, { cause: error });
    throw error;
  }
  bound = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  // Other riposte commands on this folder read serve.json and go through this server's API or
  // its embedded DynamoDB (or refuse in one line) instead of meeting a locked store.
  const releaseStore = claimStore(dataDir, {
    pid: process.pid,
    port: bound,
    url,
    store: { endpoint: store.endpoint, tableName: store.tableName },
  });
  let closing: Promise<void> | undefined;
  return {
    url,
    port: bound,
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await tail;
        await live.close();
        server.closeAllConnections();
        await closed;
        await store.close();
        releaseStore();
      })();
      return closing;
    },
  };
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'a local PutEvents endpoint: events in, pipeline and playbooks run (dry-run)',
  help: HELP,
  async run(args, io) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        world: { type: 'string' },
        approve: { type: 'boolean', default: false },
        deny: { type: 'boolean', default: false },
      },
    });
    if (values.approve && values.deny) throw new UsageError('--approve and --deny exclude each other');
    const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new UsageError('--port must be an integer from 0 to 65535');
    const host = values.host ?? '127.0.0.1';
    if (!isLoopback(host)) {
      write(
        io.stderr,
        `riposte serve: WARNING: binding ${host}, not loopback: anyone who reaches this address can send ` +
          'events and run playbooks, without authentication.',
      );
    }
    const choice = values.approve ? 'approve' : values.deny ? 'deny' : undefined;
    const server = await startServer({
      cwd: io.cwd,
      port,
      host,
      allowNonLoopback: values.host !== undefined,
      ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
      ...(values.world === undefined ? {} : { worldFile: values.world }),
      ...(choice === undefined ? {} : { approve: approvalDecider(choice, io) }),
      log: (line) => write(io.stdout, line),
    });
    const dataDir = path.resolve(io.cwd, values['data-dir'] ?? path.join(LOCAL_DIR, 'db'));
    write(
      io.stdout,
      `riposte serve: POST ${server.url}/events (PutEvents JSON), GET ${server.url}/health; ` +
        `console ${server.url}/; ` +
        `store ${displayPath(io.cwd, dataDir)}, dry-run. Ctrl-C to stop.`,
    );
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    write(io.stdout, 'riposte serve: stopping (finishing the event in progress)...');
    await server.close();
    write(io.stdout, 'riposte serve: stopped, store closed.');
    return 0;
  },
};

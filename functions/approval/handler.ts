import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { decideApproval, readApprovalItem } from '#core/actions/approval/decide.ts';
import {
  type ApprovalItem,
  type ApprovalKey,
  type ApprovalPayload,
  approvalKeyFrom,
  taskTokenHash,
  verifyApprovalToken,
} from '#core/actions/approval/token.ts';
import { InvalidApprovalTokenError } from '#core/actions/errors.ts';
import { SecretsManagerReader } from '#core/actions/notify/transport.ts';

/**
 * The approval endpoint (API Gateway HTTP API, payload v2): `/approve` and `/deny`, each with
 * `?token=<signed token>`.
 *
 * - `GET` verifies the token and shows a confirmation page; it changes nothing. Mail security
 *   scanners and chat link previews fetch links on their own: a GET that decided would let them
 *   approve (or deny) containment in the human's place.
 * - `POST` (the page's button; token in the form body or the query) decides: verify → move the
 *   approval item from `pending` to `approved`/`denied` with a conditional update (first decision
 *   wins; replays and the other link are refused) → `SendTaskSuccess` with
 *   `{ approved: true, approver, decidedAt }` or `SendTaskFailure` with error `ApprovalDenied`
 *   → a small HTML page saying what happened.
 * - An invalid, tampered or expired token → 403, nothing read or sent.
 *
 * Environment: `TABLE_NAME`, `APPROVAL_KEY_SECRET_ARN`. The token and the key are never logged.
 */

/** What the endpoint answers (an HTTP API v2 structured result). */
export interface ApprovalHttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A request, once parsed at the edge. */
export interface ApprovalHttpRequest {
  readonly method: 'GET' | 'POST';
  /** From the path: `/approve` or `/deny`. */
  readonly decision: 'approve' | 'deny';
  readonly token: string | undefined;
  /** Who decides: the authorizer's identity when there is one, else the link and source IP. */
  readonly approver: string;
}

/** What the request handling runs with. */
export interface ApprovalHandlerDeps {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly sfn: SFNClient;
  readonly key: () => Promise<ApprovalKey>;
  readonly now: () => number;
  readonly log?: {
    info(message: string, attributes: Record<string, unknown>): void;
    warn(message: string, attributes: Record<string, unknown>): void;
    error(message: string, attributes: Record<string, unknown>): void;
  };
}

/** The HTTP API v2 event, validated at the edge: only what the endpoint reads. */
export const HttpApiEventSchema = z
  .object({
    rawPath: z.string(),
    queryStringParameters: z.record(z.string(), z.string()).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    body: z.string().optional(),
    isBase64Encoded: z.boolean().optional(),
    requestContext: z
      .object({
        http: z.object({ method: z.string(), sourceIp: z.string().optional() }).loose(),
        authorizer: z
          .object({
            jwt: z
              .object({ claims: z.record(z.string(), z.unknown()) })
              .loose()
              .optional(),
            iam: z.object({ userArn: z.string().optional() }).loose().optional(),
          })
          .loose()
          .optional(),
      })
      .loose(),
  })
  .loose();

const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // The token is in the URL: never send it to another site.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

/**
 * Parses an HTTP API v2 event into an {@link ApprovalHttpRequest}, or answers it directly (400,
 * 404, 405) when it is not one.
 *
 * @example
 * const parsed = parseApprovalEvent(event);
 * if ('statusCode' in parsed) return parsed;
 */
export function parseApprovalEvent(event: unknown): ApprovalHttpRequest | ApprovalHttpResponse {
  const parsed = HttpApiEventSchema.safeParse(event);
  if (!parsed.success) return page(400, 'Bad request', 'This request is not one Riposte understands.');
  const { rawPath, requestContext, queryStringParameters } = parsed.data;
  const segment = rawPath.replace(/\/+$/, '').split('/').pop();
  if (segment !== 'approve' && segment !== 'deny') {
    return page(404, 'Not found', 'Approval links end in /approve or /deny.');
  }
  const method = requestContext.http.method.toUpperCase();
  if (method !== 'GET' && method !== 'POST') {
    return {
      ...page(405, 'Method not allowed', 'Use the link, then the button on its page.'),
      headers: { ...PAGE_HEADERS, allow: 'GET, POST' },
    };
  }
  let token = queryStringParameters?.token;
  if (method === 'POST' && parsed.data.body !== undefined) {
    const text =
      parsed.data.isBase64Encoded === true
        ? Buffer.from(parsed.data.body, 'base64').toString('utf8')
        : parsed.data.body;
    token = new URLSearchParams(text).get('token') ?? token;
  }
  const claims = requestContext.authorizer?.jwt?.claims;
  const identity =
    stringClaim(claims?.email) ?? stringClaim(claims?.sub) ?? requestContext.authorizer?.iam?.userArn;
  const approver = identity ?? `approval link (${requestContext.http.sourceIp ?? 'unknown address'})`;
  return { method, decision: segment, token: token === '' ? undefined : token, approver };
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Handles one approval request (see the module comment). Pure of AWS wiring: every dependency
 * is injected, so tests run it on a local table and a mocked Step Functions client.
 *
 * @example
 * const response = await handleApprovalRequest({ method: 'POST', decision: 'approve', token, approver: 'alice' }, deps);
 */
export async function handleApprovalRequest(
  request: ApprovalHttpRequest,
  deps: ApprovalHandlerDeps,
): Promise<ApprovalHttpResponse> {
  if (request.token === undefined) {
    return page(
      400,
      'Link incomplete',
      'This approval link has no token. Open the link exactly as it was sent.',
    );
  }
  let payload: ApprovalPayload;
  try {
    payload = verifyApprovalToken(request.token, await deps.key(), deps.now());
  } catch (error) {
    if (!(error instanceof InvalidApprovalTokenError)) throw error;
    deps.log?.warn('approval link refused', { reason: error.message, decision: request.decision });
    return page(403, 'Link refused', `${capitalize(error.message)}. Nothing was approved or denied.`);
  }
  if (payload.decision !== request.decision) {
    const wrong = payload.decision === 'approve' ? 'Approve' : 'Deny';
    return page(
      403,
      'Link refused',
      `This is the ${wrong} link: it cannot ${request.decision}. Nothing was changed.`,
    );
  }
  return request.method === 'GET' ? confirm(request, payload, deps) : decide(request, payload, deps);
}

/** The answer when this request is not (or no longer) pending. */
function notPending(item: ApprovalItem | undefined, payload: ApprovalPayload): ApprovalHttpResponse {
  if (item === undefined || item.taskTokenHash !== taskTokenHash(payload.taskToken)) {
    return page(
      410,
      'Request closed',
      `This approval request for incident ${payload.incidentId} is no longer open (it expired or a newer request replaced it). Nothing was changed.`,
    );
  }
  if (item.status === 'expired') {
    return page(
      410,
      'Request expired',
      `The playbook for incident ${payload.incidentId} stopped waiting for a decision. Nothing was changed.`,
    );
  }
  const by = item.approver === undefined ? '' : ` by ${item.approver}`;
  const at = item.decidedAt === undefined ? '' : ` at ${item.decidedAt}`;
  return page(
    409,
    'Already decided',
    `This request for incident ${payload.incidentId} was already ${item.status}${by}${at}. Nothing more was sent.`,
  );
}

async function confirm(
  request: ApprovalHttpRequest,
  payload: ApprovalPayload,
  deps: ApprovalHandlerDeps,
): Promise<ApprovalHttpResponse> {
  const item = await readApprovalItem(deps.db, deps.tableName, payload.incidentId);
  if (
    item === undefined ||
    item.status !== 'pending' ||
    item.taskTokenHash !== taskTokenHash(payload.taskToken)
  ) {
    return notPending(item, payload);
  }
  const verb = payload.decision === 'approve' ? 'Approve' : 'Deny';
  const asked = item.message === undefined ? '' : `The request: ${item.message} `;
  const consequence =
    payload.decision === 'approve'
      ? `${asked}Approving lets the playbook continue.`
      : `${asked}Denying stops the playbook here.`;
  const form =
    `<form method="post" action="${escapeHtml(request.decision)}">` +
    `<input type="hidden" name="token" value="${escapeHtml(request.token ?? '')}">` +
    `<button type="submit">${verb}</button></form>`;
  return page(
    200,
    `${verb} the request for incident ${payload.incidentId}?`,
    `${consequence} This link is valid until ${new Date(payload.expiresAt).toISOString()}.`,
    form,
  );
}

async function decide(
  request: ApprovalHttpRequest,
  payload: ApprovalPayload,
  deps: ApprovalHandlerDeps,
): Promise<ApprovalHttpResponse> {
  const attributes = {
    incidentId: payload.incidentId,
    executionId: payload.executionId,
    decision: payload.decision,
  };
  const result = await decideApproval(deps, {
    incidentId: payload.incidentId,
    executionId: payload.executionId,
    taskToken: payload.taskToken,
    decision: payload.decision,
    approver: request.approver,
    deadline: payload.expiresAt,
  });
  switch (result.outcome) {
    case 'not-pending':
      deps.log?.warn('approval decision refused: not pending', attributes);
      return notPending(result.item, payload);
    case 'task-gone':
      deps.log?.warn('approval arrived after the execution stopped waiting', attributes);
      return page(
        410,
        'Too late',
        `The playbook for incident ${payload.incidentId} is no longer waiting (it timed out or was stopped). Your decision was not applied.`,
      );
    case 'unreachable':
      deps.log?.error('Step Functions refused the decision', {
        ...attributes,
        error: errorName(result.error),
      });
      return page(
        503,
        'Try again',
        'Riposte could not reach Step Functions. Nothing was applied; use the link again in a minute.',
      );
    case 'decided':
      deps.log?.info('approval decided', { ...attributes, approver: request.approver });
      return payload.decision === 'approve'
        ? page(
            200,
            'Approved',
            `You approved the request for incident ${payload.incidentId}. The playbook continues.`,
          )
        : page(
            200,
            'Denied',
            `You denied the request for incident ${payload.incidentId}. The playbook stops.`,
          );
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A small self-contained HTML page. */
function page(statusCode: number, title: string, message: string, extraHtml = ''): ApprovalHttpResponse {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Riposte: ${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}button{font-size:1rem;padding:.5rem 1.5rem;cursor:pointer}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${extraHtml}</body></html>
`;
  return { statusCode, headers: PAGE_HEADERS, body };
}

// -------------------------------------------------------------------------------------------
// The Lambda
// -------------------------------------------------------------------------------------------

const EnvSchema = z.object({
  TABLE_NAME: z.string().min(3),
  APPROVAL_KEY_SECRET_ARN: z.string().regex(/^arn:aws[a-z-]*:secretsmanager:/),
});

const logger = new Logger({ serviceName: 'riposte-approval' });
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const sfn = new SFNClient({});
const secrets = new SecretsManagerReader(new SecretsManagerClient({}));
let deps: ApprovalHandlerDeps | undefined;

/** Built on the first request, so importing this module (tests) needs no environment. */
function productionDeps(): ApprovalHandlerDeps {
  if (deps === undefined) {
    const env = EnvSchema.parse(process.env);
    deps = {
      db,
      tableName: env.TABLE_NAME,
      sfn,
      key: approvalKeyFrom(secrets, env.APPROVAL_KEY_SECRET_ARN),
      now: Date.now,
      log: logger,
    };
  }
  return deps;
}

async function approval(event: unknown, _context: Context): Promise<ApprovalHttpResponse> {
  const request = parseApprovalEvent(event);
  if ('statusCode' in request) return request;
  try {
    return await handleApprovalRequest(request, productionDeps());
  } catch (error) {
    logger.error('approval request failed', { error: errorName(error), decision: request.decision });
    return page(
      500,
      'Something went wrong',
      'Riposte could not record this decision. Nothing was applied; try again later.',
    );
  }
}

/** The Lambda handler. The event (it holds the token) is never logged. */
export const handler = middy(approval).use(
  injectLambdaContext(logger, { clearState: true, logEvent: false }),
);

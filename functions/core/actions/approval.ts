import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { RiposteError } from '../errors.ts';
import { declares } from '../permissions.ts';
import { buildUpdate, condition, Placeholders } from '../store/expression.ts';
import { APPROVAL_DENIED_ERROR, EXECUTION_STATE_CALLS, settleFromExecution } from './approval-settlement.ts';
import { InvalidApprovalTokenError } from './errors.ts';
import { buildNotification } from './notify/build.ts';
import { NOTIFY_SECRET_CALLS, NOTIFY_TOPIC_CALLS } from './notify/config.ts';
import { deliverNotification } from './notify/deliver.ts';
import { DeliverySchema } from './notify/delivery.ts';
import { NotifyInputSchema } from './notify/message.ts';
import { defaultNotifyTransport } from './notify/notify.ts';
import type { NotifyTransport, SecretReader } from './notify/transport.ts';
import { APPROVAL_PURPOSES, safetyKeys } from './safety.ts';
import { defineAction } from './types.ts';

/** {@link readApprovalItem}: the approval item of an incident. */
export const READ_APPROVAL_CALLS = declares({
  service: 'dynamodb',
  actions: ['dynamodb:GetItem'],
  resource: 'table',
  why: 'reads the approval item',
});

/** {@link decideApproval}: the conditional decision on the item, and its settlement after a failed send. */
export const DECIDE_APPROVAL_CALLS = declares({
  service: 'dynamodb',
  actions: ['dynamodb:UpdateItem'],
  resource: 'table',
  why: 'records the decision on the approval item (conditional update), or settles it',
});

/**
 * {@link decideApproval}: answers the waiting task. Step Functions authorizes `SendTaskSuccess`
 * and `SendTaskFailure` on the ARN of the state machine whose execution issued the token.
 */
export const TASK_RESPONSE_CALLS = declares({
  service: 'states',
  actions: ['states:SendTaskFailure', 'states:SendTaskSuccess'],
  resource: 'playbook-machines',
  why: 'tells the waiting execution the decision',
});

/** The request-approval action: writes the pending approval item. */
export const REQUEST_APPROVAL_CALLS = declares({
  service: 'dynamodb',
  actions: ['dynamodb:PutItem'],
  resource: 'table',
  why: 'request-approval writes the pending approval item (conditional put)',
});

/** The approval key, read to sign (request-approval) and to verify (the approval endpoint) links. */
export const APPROVAL_KEY_CALLS = declares({
  service: 'secretsmanager',
  actions: ['secretsmanager:GetSecretValue'],
  resource: 'approval-key',
  why: 'reads the key signing approval links',
});

/**
 * What the approval endpoint (`functions/approval/handler.ts`) sends: the key to verify a link,
 * {@link readApprovalItem} and {@link decideApproval} (with the execution read that settles a
 * decision whose answer was lost).
 */
export const APPROVAL_ENDPOINT_CALLS = [
  APPROVAL_KEY_CALLS,
  READ_APPROVAL_CALLS,
  DECIDE_APPROVAL_CALLS,
  TASK_RESPONSE_CALLS,
  EXECUTION_STATE_CALLS,
] as const;

/**
 * Human approval: signed, expiring approve/deny links.
 *
 * ## Token format
 *
 * `<payload>.<signature>`, both base64url without padding:
 * - `payload` = base64url(UTF-8 JSON `{ v: 1, incidentId, executionId, taskToken, decision, expiresAt }`),
 *   `decision` = `approve` | `deny`, `expiresAt` = epoch **milliseconds**;
 * - `signature` = base64url(HMAC-SHA256(key, payload)) — the MAC is over the payload *string*,
 *   so any change to it, or to the signature (compared in constant time as its canonical
 *   string), is rejected.
 *
 * The key is a Secrets Manager secret (≥ 32 characters), read by ARN and cached, never logged.
 * The payload is signed, not encrypted: it carries the Step Functions task token, which only
 * principals allowed `states:SendTask*` can use. Riposte stores only the SHA-256 of the task
 * token (`taskTokenHash`) in the approval item and redacts approval tokens from every recorded
 * call, so neither token lives in the table or the timeline.
 */

/** Approval keys shorter than this are refused. */
export const MIN_APPROVAL_KEY_LENGTH = 32;
/** Longer tokens are refused before any work. */
export const MAX_APPROVAL_TOKEN_LENGTH = 8_192;

export type ApprovalKey = string | Uint8Array;
export type ApprovalDecision = 'approve' | 'deny';

const ApprovalPayloadSchema = z.strictObject({
  v: z.literal(1),
  incidentId: z.string().min(1),
  executionId: z.string(),
  taskToken: z.string().min(1),
  decision: z.enum(['approve', 'deny']),
  expiresAt: z.number().int(),
});

/** What an approval token carries. */
export interface ApprovalPayload {
  readonly incidentId: string;
  /** The Step Functions execution ARN (may be empty outside Step Functions). */
  readonly executionId: string;
  readonly taskToken: string;
  readonly decision: ApprovalDecision;
  /** Epoch milliseconds after which the token is refused. */
  readonly expiresAt: number;
}

/** Raised when the approval key is missing or too short. */
export class ApprovalKeyError extends RiposteError {
  public constructor(message: string) {
    super(message);
    this.name = 'ApprovalKeyError';
  }
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function keyBytes(key: ApprovalKey): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
  if (bytes.length < MIN_APPROVAL_KEY_LENGTH) {
    throw new ApprovalKeyError(`the approval key must be at least ${MIN_APPROVAL_KEY_LENGTH} bytes`);
  }
  return bytes;
}

function mac(key: ApprovalKey, payload: string): string {
  return createHmac('sha256', keyBytes(key)).update(payload, 'utf8').digest('base64url');
}

/**
 * Signs an approval token (see the module comment for the format).
 *
 * @example
 * const token = signApprovalToken({ incidentId, executionId, taskToken, decision: 'approve', expiresAt: now + 3_600_000 }, key);
 * const link = `${baseUrl}/approve?token=${token}`;
 */
export function signApprovalToken(payload: ApprovalPayload, key: ApprovalKey): string {
  const body = Buffer.from(
    JSON.stringify({
      v: 1,
      incidentId: payload.incidentId,
      executionId: payload.executionId,
      taskToken: payload.taskToken,
      decision: payload.decision,
      expiresAt: payload.expiresAt,
    }),
    'utf8',
  ).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

/**
 * Verifies an approval token: format, signature (constant-time), then expiry against `now`
 * (epoch ms). Returns the payload or throws {@link InvalidApprovalTokenError} saying why.
 *
 * @example
 * const payload = verifyApprovalToken(token, key, Date.now()); // throws when tampered or expired
 */
export function verifyApprovalToken(token: string, key: ApprovalKey, now: number): ApprovalPayload {
  const expectedKey = keyBytes(key);
  if (token.length === 0 || token.length > MAX_APPROVAL_TOKEN_LENGTH) {
    throw new InvalidApprovalTokenError('the approval link is malformed');
  }
  const parts = token.split('.');
  const [body, signature] = parts;
  if (
    parts.length !== 2 ||
    body === undefined ||
    signature === undefined ||
    !BASE64URL.test(body) ||
    !BASE64URL.test(signature)
  ) {
    throw new InvalidApprovalTokenError('the approval link is malformed');
  }
  const expected = Buffer.from(mac(expectedKey, body), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidApprovalTokenError('the approval link is not genuine (its signature does not match)');
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidApprovalTokenError('the approval link is malformed');
  }
  const parsed = ApprovalPayloadSchema.safeParse(json);
  if (!parsed.success) throw new InvalidApprovalTokenError('the approval link is malformed');
  const { v: _version, ...payload } = parsed.data;
  if (payload.expiresAt <= now) {
    throw new InvalidApprovalTokenError(
      `the approval link expired at ${new Date(payload.expiresAt).toISOString()}`,
    );
  }
  return payload;
}

/** SHA-256 (hex) of a Step Functions task token: what the approval item stores instead of it. */
export function taskTokenHash(taskToken: string): string {
  return createHash('sha256').update(taskToken, 'utf8').digest('hex');
}

/** The approval item (`APPROVAL#<incidentId>` / `APPROVAL`). */
export const ApprovalItemSchema = z
  .object({
    incidentId: z.string(),
    status: z.enum(['pending', 'approved', 'denied', 'expired']),
    taskTokenHash: z.string(),
    executionId: z.string().optional(),
    /** What the approver was asked. */
    message: z.string().optional(),
    /** Which rail the approval lifts (see `APPROVAL_PURPOSES`); absent on items before purposes. */
    purpose: z.enum(APPROVAL_PURPOSES).optional(),
    requestedAt: z.number(),
    /** Epoch ms when the links expire. */
    deadline: z.number(),
    decidedAt: z.string().optional(),
    approver: z.string().optional(),
    /** TTL (epoch seconds) while pending; removed once decided, so decisions stay on record. */
    expiresAt: z.number().optional(),
  })
  .loose();
export type ApprovalItem = z.infer<typeof ApprovalItemSchema>;

/**
 * Reads the approval key from Secrets Manager through `secrets` (which caches it) and checks
 * its length; the value is never logged.
 *
 * @example
 * const key = approvalKeyFrom(new SecretsManagerReader(client), process.env.APPROVAL_KEY_SECRET_ARN);
 */
export function approvalKeyFrom(secrets: SecretReader, secretArn: string): () => Promise<string> {
  return async () => {
    const value = await secrets.read(secretArn);
    keyBytes(value);
    return value;
  };
}

// -------------------------------------------------------------------------------------------
// Deciding an approval
// -------------------------------------------------------------------------------------------

/**
 * Reads the approval item of `incidentId` (consistent read); undefined when there is none or it
 * is not one Riposte wrote.
 *
 * @example
 * const item = await readApprovalItem(db, tableName, 'inc-3f2a');
 * if (item?.status === 'pending') console.log(item.deadline);
 */
export async function readApprovalItem(
  db: DynamoDBDocumentClient,
  tableName: string,
  incidentId: string,
): Promise<ApprovalItem | undefined> {
  const out = await db.send(
    new GetCommand({ TableName: tableName, Key: safetyKeys.approval(incidentId), ConsistentRead: true }),
  );
  if (out.Item === undefined) return undefined;
  const parsed = ApprovalItemSchema.safeParse(out.Item);
  return parsed.success ? parsed.data : undefined;
}

/** What {@link decideApproval} runs with. */
export interface ApprovalDecisionDeps {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly sfn: SFNClient;
  readonly now: () => number;
  /** Told when the approval item could not be settled after a failed send. */
  readonly log?: { error(message: string, attributes: Record<string, unknown>): void };
}

/** One decision on a waiting approval task. */
export interface ApprovalDecisionRequest {
  readonly incidentId: string;
  /** The waiting execution's ARN (for logs). */
  readonly executionId: string;
  /** The Step Functions task token of the waiting `request-approval` task. */
  readonly taskToken: string;
  readonly decision: ApprovalDecision;
  /** Who decides, recorded on the item and sent to the execution. */
  readonly approver: string;
  /** Epoch ms when the request expires: its TTL again when a failed send puts it back to pending. */
  readonly deadline: number;
}

/**
 * What became of a decision: `decided` (recorded and sent, or found applied by an earlier send
 * whose answer was lost), `not-pending` (decided before,
 * expired or replaced: nothing changed), `task-gone` (the execution no longer waits: the item is
 * now `expired`), `unreachable` (Step Functions refused or failed: the item is pending again).
 */
export type ApprovalDecisionResult =
  | { readonly outcome: 'decided'; readonly status: 'approved' | 'denied'; readonly decidedAt: string }
  | { readonly outcome: 'not-pending'; readonly item: ApprovalItem | undefined }
  | { readonly outcome: 'task-gone'; readonly decidedAt: string }
  | { readonly outcome: 'unreachable'; readonly error: unknown };

/** A decision as the approval item records it. */
export interface RecordedApprovalDecision {
  readonly incidentId: string;
  /** {@link taskTokenHash} of the task decided on: only its pending item moves. */
  readonly taskTokenHash: string;
  readonly status: 'approved' | 'denied';
  /** ISO-8601. */
  readonly decidedAt: string;
  readonly approver: string;
}

/**
 * Records a decision on the approval item with a conditional update: `pending` →
 * `approved`/`denied`, with the approver and the time, and the TTL removed so the decision stays
 * on record. Only a pending item of the task whose token hashes to `taskTokenHash` moves; false
 * when the item is not (decided before, expired, or replaced by a newer request).
 *
 * @example
 * const recorded = await recordApprovalDecision(db, tableName,
 *   { incidentId, taskTokenHash: item.taskTokenHash, status: 'approved', decidedAt, approver: 'alice' });
 */
export async function recordApprovalDecision(
  db: DynamoDBDocumentClient,
  tableName: string,
  decision: RecordedApprovalDecision,
): Promise<boolean> {
  return (await recordDecision(db, tableName, decision)) !== undefined;
}

/** {@link recordApprovalDecision}, answering the item as recorded (undefined when it did not move). */
async function recordDecision(
  db: DynamoDBDocumentClient,
  tableName: string,
  decision: RecordedApprovalDecision,
): Promise<Record<string, unknown> | undefined> {
  const { status, decidedAt, approver } = decision;
  const p = new Placeholders();
  const update = buildUpdate({ set: { status, decidedAt, approver }, remove: ['expiresAt'] }, p);
  try {
    const out = await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: safetyKeys.approval(decision.incidentId),
        ...update,
        ConditionExpression: condition(
          '{status} = :{pending} AND {taskTokenHash} = :{hash}',
          { pending: 'pending', hash: decision.taskTokenHash },
          p,
        ),
        ExpressionAttributeValues: p.values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out?.Attributes ?? {};
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Step Functions errors meaning the task no longer waits for a decision. */
const TASK_GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/**
 * Decides a pending approval: moves the approval item from `pending` to `approved`/`denied`
 * with a conditional update (only a pending item of this very task moves: the first decision
 * wins), then tells the waiting execution, `SendTaskSuccess` with
 * `{ approved: true, approver, decidedAt }` or `SendTaskFailure` with error `ApprovalDenied`.
 * When the send fails, the item is settled: back to `pending` after a transient failure, so the
 * decision can be taken again. When the task is gone (`TaskTimedOut`, `InvalidToken`...), an
 * earlier send of this decision may have been applied with its answer lost: the execution
 * recorded on the item is read (`DescribeExecution`, see `settleFromExecution`) and the decision
 * stays recorded when the execution went on with it, else the item becomes `expired` (also when
 * the execution cannot be read). The item is never left between the two.
 *
 * @example
 * const result = await decideApproval({ db, tableName, sfn, now: Date.now },
 *   { incidentId, executionId, taskToken, decision: 'approve', approver: 'alice', deadline });
 * if (result.outcome === 'decided') console.log(`${result.status} at ${result.decidedAt}`);
 */
export async function decideApproval(
  deps: ApprovalDecisionDeps,
  request: ApprovalDecisionRequest,
): Promise<ApprovalDecisionResult> {
  const key = safetyKeys.approval(request.incidentId);
  const status = request.decision === 'approve' ? 'approved' : 'denied';
  const decidedAt = new Date(deps.now()).toISOString();

  // 1. First decision wins: only a pending item of this very task moves.
  const recorded = await recordDecision(deps.db, deps.tableName, {
    incidentId: request.incidentId,
    taskTokenHash: taskTokenHash(request.taskToken),
    status,
    decidedAt,
    approver: request.approver,
  });
  if (recorded === undefined) {
    return {
      outcome: 'not-pending',
      item: await readApprovalItem(deps.db, deps.tableName, request.incidentId),
    };
  }

  // 2. Tell the waiting execution.
  try {
    if (request.decision === 'approve') {
      await deps.sfn.send(
        new SendTaskSuccessCommand({
          taskToken: request.taskToken,
          output: JSON.stringify({ approved: true, approver: request.approver, decidedAt }),
        }),
      );
    } else {
      await deps.sfn.send(
        new SendTaskFailureCommand({
          taskToken: request.taskToken,
          error: APPROVAL_DENIED_ERROR,
          cause: `denied by ${request.approver} at ${decidedAt}`,
        }),
      );
    }
  } catch (error) {
    const gone = error instanceof Error && TASK_GONE.has(error.name);
    if (gone && (await appliedBefore(deps, request, recorded, decidedAt))) {
      return { outcome: 'decided', status, decidedAt };
    }
    await settle(
      deps,
      key,
      status,
      decidedAt,
      gone ? { status: 'expired' } : { status: 'pending', deadline: request.deadline },
    ).catch((e: unknown) =>
      deps.log?.error('could not settle the approval item', {
        incidentId: request.incidentId,
        executionId: request.executionId,
        decision: request.decision,
        error: e instanceof Error ? e.name : 'unknown',
      }),
    );
    return gone ? { outcome: 'task-gone', decidedAt } : { outcome: 'unreachable', error };
  }
  return { outcome: 'decided', status, decidedAt };
}

/**
 * Whether an earlier send of this decision was applied (its answer lost): read from the execution
 * the approval item records. False, logged, when the execution cannot be read.
 */
async function appliedBefore(
  deps: ApprovalDecisionDeps,
  request: ApprovalDecisionRequest,
  item: Record<string, unknown>,
  decidedAt: string,
): Promise<boolean> {
  const executionArn = typeof item.executionId === 'string' ? item.executionId : undefined;
  const deadline = typeof item.deadline === 'number' ? item.deadline : request.deadline;
  try {
    const settled = await settleFromExecution(deps.sfn, executionArn, {
      decision: request.decision,
      decidedAt: Date.parse(decidedAt),
      deadline,
    });
    return settled === 'applied';
  } catch (error) {
    deps.log?.error('could not read the execution of a refused decision; the approval expires', {
      incidentId: request.incidentId,
      executionId: executionArn,
      error: error instanceof Error ? error.message : 'unknown',
    });
    return false;
  }
}

/**
 * After a failed send, moves our own decision (same status and time) to `expired` (the task is
 * gone) or back to `pending` (transient failure: the decision can be taken again).
 */
async function settle(
  deps: ApprovalDecisionDeps,
  key: { pk: string; sk: string },
  status: string,
  decidedAt: string,
  to: { status: 'expired' } | { status: 'pending'; deadline: number },
): Promise<void> {
  const p = new Placeholders();
  const update =
    to.status === 'expired'
      ? buildUpdate({ set: { status: 'expired' } }, p)
      : buildUpdate(
          {
            set: { status: 'pending', expiresAt: Math.ceil(to.deadline / 1_000) },
            remove: ['decidedAt', 'approver'],
          },
          p,
        );
  await deps.db.send(
    new UpdateCommand({
      TableName: deps.tableName,
      Key: key,
      ...update,
      ConditionExpression: condition(
        '{status} = :{status} AND {decidedAt} = :{decidedAt}',
        { status, decidedAt },
        p,
      ),
      ExpressionAttributeValues: p.values,
    }),
  );
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

// -------------------------------------------------------------------------------------------
// The request-approval action
// -------------------------------------------------------------------------------------------

/** Environment variables the approval pieces read. */
export const APPROVAL_ENV = {
  tableName: 'TABLE_NAME',
  baseUrl: 'APPROVAL_BASE_URL',
  keySecretArn: 'APPROVAL_KEY_SECRET_ARN',
} as const;

export const ApprovalConfigSchema = z.object({
  tableName: z.string().min(3),
  /** The approval API's base URL, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com`. */
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .refine(
      (url) => url.startsWith('https://') || /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(url),
      'must use https (http only for localhost)',
    ),
  keySecretArn: z.string().regex(/^arn:aws[a-z-]*:secretsmanager:/, 'must be a Secrets Manager secret ARN'),
});
export type ApprovalConfig = z.infer<typeof ApprovalConfigSchema>;

/** Raised when the approval environment variables are invalid. */
export class ApprovalConfigError extends RiposteError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApprovalConfigError';
  }
}

/**
 * Reads {@link ApprovalConfig} from `TABLE_NAME`, `APPROVAL_BASE_URL` and `APPROVAL_KEY_SECRET_ARN`.
 *
 * @example
 * const config = approvalConfigFromEnv(process.env);
 */
export function approvalConfigFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ApprovalConfig {
  const parsed = ApprovalConfigSchema.safeParse({
    tableName: env[APPROVAL_ENV.tableName],
    baseUrl: env[APPROVAL_ENV.baseUrl],
    keySecretArn: env[APPROVAL_ENV.keySecretArn],
  });
  if (!parsed.success) {
    const details = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new ApprovalConfigError(`invalid approval configuration: ${details}`, { cause: parsed.error });
  }
  return parsed.data;
}

/** What `request-approval` runs with. */
export interface ApprovalDeps {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly baseUrl: string;
  readonly key: () => Promise<ApprovalKey>;
  readonly transport: NotifyTransport;
}

export const RequestApprovalInputSchema = NotifyInputSchema.extend({
  /** `$$.Task.Token`, passed by the compiled playbook's `waitForTaskToken` task. */
  taskToken: z.string().min(1).max(4_096),
  /** How long the links stay valid; the state's own timeout should match. */
  timeoutSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(3_600),
  /** What the approver reads: what will happen on approval. */
  message: z.string().min(1).max(2_000),
  /**
   * Which rail the approval lifts, recorded on the approval item for this execution only:
   * `production` (the environment rail), `blast-radius` (the hourly limit, for 15 minutes),
   * `containment` (none). @default containment
   */
  purpose: z.enum(APPROVAL_PURPOSES).default('containment'),
  subject: z.string().min(1).max(1_000).optional(),
});
export type RequestApprovalInput = z.input<typeof RequestApprovalInputSchema>;

export const RequestApprovalOutputSchema = z.object({
  /** False in dry-run (nothing stored or sent) and when this task was already decided. */
  requested: z.boolean(),
  /** Epoch ms when the links expire. */
  expiresAt: z.number(),
  deliveries: z.array(DeliverySchema),
});

/**
 * The `request-approval` action on given dependencies (tests, the local engine).
 *
 * Signs an approve and a deny token, stores the pending approval item (only the task token's
 * hash), then sends the links through the notification channels. In dry-run it renders and
 * records with placeholder links, and stores, signs and sends nothing.
 *
 * @example
 * const requestApproval = createRequestApprovalAction(() => deps);
 * await requestApproval.run(requestApproval.input.parse({ taskToken, message: 'Isolate i-0abc?' }), env);
 */
export function createRequestApprovalAction(resolve: () => ApprovalDeps | Promise<ApprovalDeps>) {
  return defineAction({
    id: 'request-approval',
    family: 'approve',
    description:
      'Asks a human to approve or deny, with signed expiring links sent through the notification channels.',
    input: RequestApprovalInputSchema,
    output: RequestApprovalOutputSchema,
    iamActions: [],
    calls: [NOTIFY_TOPIC_CALLS, NOTIFY_SECRET_CALLS, REQUEST_APPROVAL_CALLS, APPROVAL_KEY_CALLS],
    target: (input) => input.channel,
    async run(input, env) {
      const deps = await resolve();
      const { execution } = env;
      const now = env.now();
      const expiresAt = now + input.timeoutSeconds * 1_000;
      const base = deps.baseUrl.replace(/\/+$/, '');
      const item = {
        ...safetyKeys.approval(execution.incidentId),
        incidentId: execution.incidentId,
        status: 'pending',
        taskTokenHash: taskTokenHash(input.taskToken),
        ...(execution.executionId === undefined ? {} : { executionId: execution.executionId }),
        playbookId: execution.playbookId,
        playbookVersion: execution.playbookVersion,
        purpose: input.purpose,
        message: input.message,
        requestedAt: now,
        deadline: expiresAt,
        expiresAt: Math.ceil(expiresAt / 1_000),
      };
      const recordPut = (dryRun: boolean): void =>
        env.recorder.record({
          service: 'dynamodb',
          api: 'PutItem',
          params: {
            TableName: deps.tableName,
            Key: safetyKeys.approval(execution.incidentId),
            status: 'pending',
            expiresAt: item.expiresAt,
          },
          dryRun,
          mutating: true,
        });

      let approveUrl = `${base}/approve?token=DRY-RUN`;
      let denyUrl = `${base}/deny?token=DRY-RUN`;
      if (env.dryRun) {
        recordPut(true);
      } else {
        const key = await deps.key();
        const common = {
          incidentId: execution.incidentId,
          executionId: execution.executionId ?? '',
          taskToken: input.taskToken,
          expiresAt,
        };
        approveUrl = `${base}/approve?token=${signApprovalToken({ ...common, decision: 'approve' }, key)}`;
        denyUrl = `${base}/deny?token=${signApprovalToken({ ...common, decision: 'deny' }, key)}`;
        const stored = await storePending(deps, item);
        recordPut(false);
        if (!stored) return { requested: false, expiresAt, deliveries: [] };
      }
      const message = buildNotification(
        { ...input, subject: input.subject ?? `Approval needed: ${input.message}` },
        execution,
        now,
        { approveUrl, denyUrl, expiresAt: new Date(expiresAt).toISOString(), message: input.message },
      );
      const deliveries = await deliverNotification(message, input.channel, deps.transport, env);
      return { requested: !env.dryRun, expiresAt, deliveries };
    },
  });
}

/**
 * Writes the pending item, replacing an earlier request of the incident — unless this very
 * task was already decided (a retried request must not reopen a decision): then false.
 */
async function storePending(
  deps: ApprovalDeps,
  item: Record<string, unknown> & { taskTokenHash: string },
): Promise<boolean> {
  const p = new Placeholders();
  try {
    await deps.db.send(
      new PutCommand({
        TableName: deps.tableName,
        Item: item,
        ConditionExpression: condition(
          'attribute_not_exists({pk}) OR {status} = :{pending} OR {taskTokenHash} <> :{hash}',
          { pending: 'pending', hash: item.taskTokenHash },
          p,
        ),
        ExpressionAttributeNames: p.names,
        ExpressionAttributeValues: p.values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

let productionDeps: ApprovalDeps | undefined;

/**
 * The Lambda's dependencies: configuration from the environment, clients created once per
 * container, the notification transport of {@link defaultNotifyTransport}.
 *
 * @example
 * const deps = defaultApprovalDeps();
 */
export function defaultApprovalDeps(): ApprovalDeps {
  if (productionDeps === undefined) {
    const config = approvalConfigFromEnv(process.env);
    const transport = defaultNotifyTransport();
    productionDeps = {
      db: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
        marshallOptions: { removeUndefinedValues: true },
      }),
      tableName: config.tableName,
      baseUrl: config.baseUrl,
      key: approvalKeyFrom(transport.secrets, config.keySecretArn),
      transport,
    };
  }
  return productionDeps;
}

/** The `request-approval` action as deployed (see {@link createRequestApprovalAction}). */
export const requestApprovalAction = createRequestApprovalAction(defaultApprovalDeps);

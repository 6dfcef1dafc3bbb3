import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { RiposteError } from '../../errors.ts';
import { InvalidApprovalTokenError } from '../errors.ts';
import type { SecretReader } from '../notify/transport.ts';
import { APPROVAL_PURPOSES } from '../safety.ts';

/** Approval links: HMAC-signed, expiring tokens naming the incident, the execution and the decision. */

/** Approval keys shorter than this are refused. */
export const MIN_APPROVAL_KEY_LENGTH = 32;
/** Longer tokens are refused before any work. */
export const MAX_APPROVAL_TOKEN_LENGTH = 8_192;

export type ApprovalKey = string | Uint8Array;
export type ApprovalDecision = 'approve' | 'deny';

export const ApprovalPayloadSchema = z.strictObject({
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

export const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function keyBytes(key: ApprovalKey): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
  if (bytes.length < MIN_APPROVAL_KEY_LENGTH) {
    throw new ApprovalKeyError(`the approval key must be at least ${MIN_APPROVAL_KEY_LENGTH} bytes`);
  }
  return bytes;
}

export function mac(key: ApprovalKey, payload: string): string {
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

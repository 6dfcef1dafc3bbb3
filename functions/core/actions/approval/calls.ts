import { declares } from '../../permissions.ts';
import { EXECUTION_STATE_CALLS } from './approval-settlement.ts';

/** What the approval pieces call on Riposte's own resources (the table, the task responses, the key), declared beside them. */

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

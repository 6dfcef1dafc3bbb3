/** The inline policies the IAM actions put on users and roles, and their names. */

/** The inline policy that denies everything to a contained user. */
export const DENY_ALL_POLICY_NAME = 'riposte-deny-all';
/** The inline policy that revokes a role's sessions issued before the containment. */
export const REVOKE_SESSIONS_POLICY_NAME = 'riposte-revoke-older-sessions';
/** Managed policies AWS attaches to a user whose key it found exposed; Riposte never detaches them. */
export const AWS_QUARANTINE_PREFIX = 'AWSCompromisedKeyQuarantine';
export const DAY_MS = 24 * 3_600_000;

/**
 * The user deny policy: one unconditional `Deny *` on `*`.
 *
 * CONTAINMENT.md asks for a deny that also kills temporary credentials minted from the keys
 * (`GetSessionToken` / `GetFederationToken`). Those credentials can never have more
 * permissions than the user, and this deny applies to the user itself, so it blocks them
 * whatever their `aws:TokenIssueTime`: a second statement conditioned on
 * `aws:TokenIssueTime` would be redundant while this one is attached.
 */
export const DENY_ALL_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'RiposteContainment', Effect: 'Deny', Action: '*', Resource: '*' }],
} as const;

/**
 * The policy the IAM console's "Revoke active sessions" attaches (there named
 * `AWSRevokeOlderSessions`): deny everything to sessions issued before `issuedBefore`.
 * Riposte uses its own policy name so that its release never removes a revocation an operator
 * made in the console.
 *
 * @example
 * revokeOlderSessionsPolicy('2025-06-01T12:00:00.000Z').Statement[0].Condition;
 * // { DateLessThan: { 'aws:TokenIssueTime': '2025-06-01T12:00:00.000Z' } }
 */
export function revokeOlderSessionsPolicy(issuedBefore: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Action: ['*'],
        Resource: ['*'],
        Condition: { DateLessThan: { 'aws:TokenIssueTime': issuedBefore } },
      },
    ],
  } as const;
}

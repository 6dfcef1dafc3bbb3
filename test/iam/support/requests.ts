import type { RecordedCall } from './authorize.ts';
import { authorizationsOf } from './authorize.ts';
import type { ResolvedTemplate } from './cfn.ts';
import { type Deployment, MEMBER, SECURITY } from './deployment.ts';
import type { AuthRequest } from './evaluate.ts';
import type { GatheredCall } from './gather.ts';
import type { PolicyDocument, RoleModel } from './policies.ts';

/**
 * Turns gathered calls into the authorization requests AWS makes for them, each with the role
 * that makes it (the member role for an incident in a member account), its resource policy
 * (the member role's trust policy, the key policy, the bus policy) and the KMS requests of the
 * services that use the key on the caller's behalf.
 */

const RESOURCE_SERVICES = new Set(['ec2', 'iam', 'autoScaling', 'elbv2', 's3', 'rds', 'kms', 'cloudtrail']);

/** Whether a call acts on the incident's resources (Lambda: any call but the state machines' Invoke). */
function onIncidentResource(call: RecordedCall): boolean {
  return RESOURCE_SERVICES.has(call.service) || (call.service === 'lambda' && call.api !== 'Invoke');
}

/** Roles as evaluated: the deployment's, or mutated copies (the mutation tests). */
export interface Roles {
  roleOf(principal: string): RoleModel;
  readonly memberRole: RoleModel;
}

/** The stack's one KMS key: its ARN and key policy. */
export function keyOf(deployment: Deployment): { arn: string; policy: PolicyDocument } {
  const keys = deployment.security.resourcesOf('AWS::KMS::Key');
  if (keys.length !== 1) throw new Error(`expected one KMS key, found ${keys.length}`);
  const arn = deployment.security.arnOf((keys[0] as [string, unknown])[0]);
  return { arn, policy: deployment.resourcePolicies.get(arn) as PolicyDocument };
}

function tableArn(security: ResolvedTemplate): string {
  const tables = security.resourcesOf('AWS::DynamoDB::Table');
  return security.arnOf((tables[0] as [string, unknown])[0]);
}

/** The ARN (and request context) of a call on one of Riposte's own resources. */
function riposteResource(
  call: RecordedCall,
  deployment: Deployment,
): { arn: string; context: Record<string, string> } {
  const p = call.params as Record<string, unknown>;
  const { account, region } = SECURITY;
  switch (call.service) {
    case 'dynamodb': {
      const table = tableArn(deployment.security);
      return {
        arn: p.IndexName === undefined ? table : `${table}/index/${String(p.IndexName)}`,
        context: {},
      };
    }
    case 'ssm':
      return { arn: `arn:aws:ssm:${region}:${account}:parameter${String(p.Name)}`, context: {} };
    case 'sts':
      return {
        arn: String(p.RoleArn),
        context: p.ExternalId === undefined ? {} : { 'sts:ExternalId': String(p.ExternalId) },
      };
    case 'events': {
      const entries = p.Entries as { EventBusName: string }[];
      return {
        arn: `arn:aws:events:${region}:${account}:event-bus/${entries[0]?.EventBusName}`,
        context: {},
      };
    }
    case 'sns':
      return { arn: String(p.TopicArn), context: { 'aws:SecureTransport': 'true' } };
    case 'secretsmanager':
      return { arn: String(p.SecretId), context: {} };
    case 'lambda':
      return { arn: String(p.FunctionName), context: {} };
    case 'cloudformation':
      // DescribeStacks by name is authorized on the stack's ARN (name and id).
      return { arn: String(deployment.security.resolve({ Ref: 'AWS::StackId' })), context: {} };
    case 'sfn': {
      if (call.api === 'StartExecution') {
        // Step Functions authorizes a start through an alias on the state machine's unqualified ARN,
        // with the alias name in states:StateMachineQualifier ("Authorization for versions and
        // aliases", Step Functions Developer Guide).
        const match = /^(arn:[^:]+:states:[^:]+:[^:]+:stateMachine:[^:]+)(?::([^:]+))?$/.exec(
          String(p.stateMachineArn),
        );
        if (match === null) throw new Error(`StartExecution on ${String(p.stateMachineArn)}`);
        return {
          arn: match[1] as string,
          context: match[2] === undefined ? {} : { 'states:StateMachineQualifier': match[2] },
        };
      }
      // GetExecutionHistory, DescribeExecution: on the execution's ARN.
      if (call.api === 'GetExecutionHistory' || call.api === 'DescribeExecution') {
        return { arn: String(p.executionArn), context: {} };
      }
      // SendTaskSuccess/Failure: on the state machine of the waiting execution (see evaluate.ts).
      return { arn: String(p.stateMachineArnOfToken), context: {} };
    }
    default:
      throw new Error(`no Riposte resource for ${call.service} ${call.api}`);
  }
}

/** The authorization requests of `calls`, with `roles` (the deployment's unless mutated). */
export async function requestsOf(
  calls: readonly GatheredCall[],
  deployment: Deployment,
  roles: Roles,
): Promise<AuthRequest[]> {
  const requests: AuthRequest[] = [];
  const key = keyOf(deployment);
  const kmsSeen = new Set<string>();
  // The secrets and topics of the stack are encrypted with its key (external secrets are not).
  const encryptedResources = new Set(
    ['AWS::SecretsManager::Secret', 'AWS::SNS::Topic'].flatMap((type) =>
      deployment.security.resourcesOf(type).map(([id]) => deployment.security.arnOf(id)),
    ),
  );
  for (const call of calls) {
    const inMember = call.account === MEMBER.account && onIncidentResource(call);
    const principal = inMember ? roles.memberRole : roles.roleOf(call.principal);
    const resolved = onIncidentResource(call) ? undefined : riposteResource(call, deployment);
    const authorizations = await authorizationsOf(call, {
      world: call.world,
      ...(call.initial === undefined ? {} : { initial: call.initial }),
      riposteResource: () => resolved?.arn ?? '',
    });
    const what = `${call.origin} → ${call.service} ${call.api}`;
    for (const auth of authorizations) {
      const context: Record<string, string | string[]> = { ...auth.context, ...(resolved?.context ?? {}) };
      const memberTrust = auth.action === 'sts:AssumeRole' && auth.resource === roles.memberRole.arn;
      requests.push({
        call: what,
        principal,
        action: auth.action,
        resource: auth.resource,
        resourceAccount: auth.resourceAccount,
        context,
        ...(memberTrust
          ? { resourcePolicy: roles.memberRole.trust }
          : auth.resourcePolicy !== undefined
            ? { resourcePolicy: auth.resourcePolicy }
            : deployment.resourcePolicies.has(auth.resource)
              ? { resourcePolicy: deployment.resourcePolicies.get(auth.resource) as PolicyDocument }
              : {}),
      });
    }
    // The key, used by DynamoDB, SNS and Secrets Manager on the caller's behalf.
    const via: Record<string, { service: string; actions: string[]; context?: Record<string, string> }> = {
      dynamodb: { service: 'dynamodb', actions: ['kms:Decrypt', 'kms:GenerateDataKey'] },
      sns: { service: 'sns', actions: ['kms:GenerateDataKey', 'kms:Decrypt'] },
      secretsmanager: { service: 'secretsmanager', actions: ['kms:Decrypt'] },
    };
    const use = via[call.service];
    const encrypted =
      use !== undefined && (call.service === 'dynamodb' || encryptedResources.has(resolved?.arn ?? ''));
    if (use !== undefined && encrypted && !kmsSeen.has(`${principal.arn} ${use.service}`)) {
      kmsSeen.add(`${principal.arn} ${use.service}`);
      for (const action of use.actions) {
        requests.push({
          call: `${what} (the table/topic/secret key, through ${use.service})`,
          principal,
          action,
          resource: key.arn,
          resourceAccount: SECURITY.account,
          context: {
            'kms:ViaService': `${use.service}.${SECURITY.region}.amazonaws.com`,
            'kms:CallerAccount': SECURITY.account,
          },
          resourcePolicy: key.policy,
        });
      }
    }
  }
  return requests;
}

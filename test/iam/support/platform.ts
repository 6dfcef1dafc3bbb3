import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { openLocalStore } from '../../../cli/local/store.ts';
import { exampleWorld } from '../../../cli/local/testkit.ts';
import { decideApproval, readApprovalItem } from '../../../functions/core/actions/approval/decide.ts';
import { taskTokenHash } from '../../../functions/core/actions/approval/token.ts';
import { SecretsManagerReader } from '../../../functions/core/actions/notify/transport.ts';
import { safetyKeys } from '../../../functions/core/actions/safety.ts';
import { StepFunctionsDispatcher } from '../../../functions/core/intake/dispatch.ts';
import { EventBridgePublisher } from '../../../functions/core/lifecycle/events.ts';
import type { Deployment } from './deployment.ts';
import { SECURITY } from './deployment.ts';
import type { AuthRequest } from './evaluate.ts';
import { clients } from './functions.ts';
import type { GatheredCall } from './gather.ts';
import { runRelay } from './relay.ts';
import { keyOf } from './requests.ts';
import { runAs, tapped } from './tap.ts';

/**
 * The calls outside the playbook scenarios: ingest starting every playbook through its alias and
 * publishing, the lifecycle relay publishing an outbox batch, the approval endpoint deciding, each state machine invoking its tasks' functions,
 * and the services assuming the functions' and state machines' roles.
 */

/**
 * Ingest's starts and events, the lifecycle relay's events and the approval endpoint's decision,
 * run through their code.
 */
export async function gatherFunctionCalls(deployment: Deployment): Promise<GatheredCall[]> {
  const first = tapped.length;
  const world = exampleWorld();
  const dispatcher = new StepFunctionsDispatcher(clients.sfn);
  await runAs('ingest', 'ingest: dispatch', async () => {
    for (const [id, aliasArn] of Object.entries(deployment.aliases)) {
      await dispatcher.start({
        name: `inc-0001-${id}`,
        route: { id, version: '1.0.0', target: aliasArn, trigger: {} },
        input: { incidentId: 'inc-0001', alertId: 'alert-0001', mode: 'live' } as never,
      });
    }
    await new EventBridgePublisher(clients.events, 'riposte-lifecycle').publish([
      { kind: 'opened', detail: { incidentId: 'inc-0001', at: Date.now() } },
    ]);
  });
  await runRelay();

  const store = await openLocalStore();
  try {
    const approvalKey = deployment.security.refOf(
      deployment.logicalIdOf(deployment.stack, deployment.stack.settings.approvalKey),
    );
    const machine = deployment.stack.playbooks.machines.get('ec2-instance-compromise');
    if (machine === undefined) throw new Error('no ec2-instance-compromise machine');
    const machineArn = deployment.security.arnOf(
      deployment.logicalIdOf(deployment.stack, machine.stateMachine),
    );
    const taskToken = 'token-0001';
    // A pending approval, as request-approval writes it (the seed is no call of the endpoint).
    await store.db.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          ...safetyKeys.approval('inc-0001'),
          incidentId: 'inc-0001',
          status: 'pending',
          taskTokenHash: taskTokenHash(taskToken),
          executionId: `${machineArn}:exec`,
          requestedAt: Date.now(),
          deadline: Date.now() + 60_000,
        },
      }),
    );
    await runAs('approval', 'approval endpoint', async () => {
      await new SecretsManagerReader(clients.secrets).read(approvalKey);
      await readApprovalItem(store.db, store.tableName, 'inc-0001');
      await decideApproval(
        { db: store.db, tableName: store.tableName, sfn: clients.sfn, now: Date.now },
        {
          incidentId: 'inc-0001',
          executionId: `${machineArn}:exec`,
          taskToken,
          decision: 'approve',
          approver: 'alice',
          deadline: Date.now() + 60_000,
        },
      );
    });
    // A decision retried after its first answer was lost: the token is refused, so the endpoint
    // reads where the execution stands (DescribeExecution on the execution ARN on the item).
    const executionArn = `${machineArn.replace(':stateMachine:', ':execution:')}:exec-0002`;
    await store.db.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          ...safetyKeys.approval('inc-0002'),
          incidentId: 'inc-0002',
          status: 'pending',
          taskTokenHash: taskTokenHash('token-0002'),
          executionId: executionArn,
          requestedAt: Date.now(),
          deadline: Date.now() + 60_000,
        },
      }),
    );
    await runAs('approval', 'approval endpoint: lost answer', async () => {
      const result = await decideApproval(
        { db: store.db, tableName: store.tableName, sfn: clients.sfnAfterLostAnswer, now: Date.now },
        {
          incidentId: 'inc-0002',
          executionId: executionArn,
          taskToken: 'token-0002',
          decision: 'approve',
          approver: 'alice',
          deadline: Date.now() + 60_000,
        },
      );
      if (result.outcome !== 'decided') throw new Error(`the lost answer settled as ${result.outcome}`);
    });
    return tapped
      .slice(first)
      .filter((call) => call.principal !== 'unattributed')
      .map((call) => ({
        ...call,
        params: call.api.startsWith('SendTask')
          ? { ...call.params, stateMachineArnOfToken: machineArn }
          : call.params,
        account: SECURITY.account,
        region: SECURITY.region,
        world,
      }));
  } finally {
    await store.close();
  }
}

interface TaskState {
  readonly Type?: string;
  readonly Resource?: string;
  readonly Parameters?: { readonly FunctionName?: string };
  readonly Arguments?: { readonly FunctionName?: string };
  readonly Branches?: readonly { readonly States: Record<string, TaskState> }[];
  readonly Iterator?: { readonly States: Record<string, TaskState> };
  readonly ItemProcessor?: { readonly States: Record<string, TaskState> };
}

/** Every task state of a definition, nested ones included. */
function tasksOf(states: Record<string, TaskState>): TaskState[] {
  return Object.values(states).flatMap((state) => [
    state,
    ...(state.Branches ?? []).flatMap((branch) => tasksOf(branch.States)),
    ...tasksOf(state.Iterator?.States ?? {}),
    ...tasksOf(state.ItemProcessor?.States ?? {}),
  ]);
}

/** The synthesized definitions, by playbook id. */
export function definitionsOf(deployment: Deployment): Map<string, { States: Record<string, TaskState> }> {
  const definitions = new Map<string, { States: Record<string, TaskState> }>();
  for (const [id, machine] of deployment.stack.playbooks.machines) {
    const logicalId = deployment.logicalIdOf(deployment.stack, machine.stateMachine);
    const props = deployment.security.resource(logicalId).Properties ?? {};
    const at = (value: unknown) => deployment.security.resolveAt(logicalId, value);
    const substitutions = at(props.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
    const text =
      props.DefinitionString !== undefined
        ? String(at(props.DefinitionString))
        : JSON.stringify(at(props.Definition));
    // DefinitionSubstitutions: ${name} placeholders CloudFormation replaces at deployment.
    const substituted = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (match, name: string) =>
      name in substitutions ? String(substitutions[name]) : match,
    );
    const definition = JSON.parse(substituted);
    definitions.set(id, definition as { States: Record<string, TaskState> });
  }
  return definitions;
}

/** Each state machine's invocation of its tasks' functions (lambda:InvokeFunction). */
export function stateMachineCalls(deployment: Deployment): GatheredCall[] {
  const world = exampleWorld();
  return [...definitionsOf(deployment)].flatMap(([id, definition]) =>
    tasksOf(definition.States)
      .filter((state) => state.Type === 'Task' && String(state.Resource).includes(':states:::lambda:invoke'))
      .map((state) => ({
        origin: `state machine ${id}`,
        principal: `machine:${id}`,
        service: 'lambda',
        api: 'Invoke',
        params: { FunctionName: String(state.Parameters?.FunctionName ?? state.Arguments?.FunctionName) },
        account: SECURITY.account,
        region: SECURITY.region,
        world,
      })),
  );
}

/** The services assuming Riposte's roles (Lambda, Step Functions), against the roles' trust policies. */
export function serviceRequests(deployment: Deployment): AuthRequest[] {
  const { security } = deployment;
  const requests: AuthRequest[] = [];
  const service = (name: string) => ({ service: name, account: SECURITY.account });
  const roleArns = new Map([...deployment.roles.values()].map((role) => [role.arn, role]));
  const assumed = (type: string, principal: string) => {
    for (const [id, resource] of security.resourcesOf(type)) {
      const roleArn = String(
        security.resolveAt(id, resource.Properties?.Role ?? resource.Properties?.RoleArn),
      );
      const role = roleArns.get(roleArn);
      if (role === undefined) throw new Error(`${id} runs as ${roleArn}, a role outside the deployment`);
      requests.push({
        call: `${principal} assumes the role of ${id}`,
        principal: service(principal),
        action: 'sts:AssumeRole',
        resource: role.arn,
        resourceAccount: SECURITY.account,
        context: { 'aws:SourceAccount': SECURITY.account, 'aws:SourceArn': security.arnOf(id) },
        resourcePolicy: role.trust,
        resourcePolicyOnly: true,
      });
    }
  };
  assumed('AWS::Lambda::Function', 'lambda.amazonaws.com');
  assumed('AWS::StepFunctions::StateMachine', 'states.amazonaws.com');
  // CloudWatch publishing each alarm to the encrypted alert topic: SNS asks KMS for the data key on
  // the alarm's behalf, with the alarm as source (the key policy's aws:SourceAccount/aws:SourceArn).
  const key = keyOf(deployment);
  for (const [id] of security.resourcesOf('AWS::CloudWatch::Alarm')) {
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      requests.push({
        call: `cloudwatch.amazonaws.com publishes ${id} to an encrypted topic`,
        principal: service('cloudwatch.amazonaws.com'),
        action,
        resource: key.arn,
        resourceAccount: SECURITY.account,
        context: { 'aws:SourceAccount': SECURITY.account, 'aws:SourceArn': security.arnOf(id) },
        resourcePolicy: key.policy,
        resourcePolicyOnly: true,
      });
    }
  }
  // Not evaluated: CloudWatch Logs' and EventBridge's use of the key, bound by encryption context
  // (kms:EncryptionContext:aws:logs:arn, :aws:sqs:arn, :aws:sns:topicArn). iam-simulate does not
  // match condition keys whose variable follows a colon, so it cannot decide them.
  return requests;
}

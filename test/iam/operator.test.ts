import { beforeAll, describe, expect, it } from 'vitest';
import { type Deployment, SECURITY, synthesizeDeployment } from './support/deployment.ts';
import { denialsOf } from './support/evaluate.ts';
import type { GatheredCall } from './support/gather.ts';
import { gatherOperatorCalls } from './support/operator.ts';
import type { RoleModel } from './support/policies.ts';
import { requestsOf } from './support/requests.ts';

/** The operator role with the statements naming `action` stripped of it. */
function without(operator: RoleModel, action: string): RoleModel {
  return {
    ...operator,
    policies: operator.policies.map((policy) => ({
      ...policy,
      document: {
        ...policy.document,
        Statement: policy.document.Statement.map((statement) => ({
          ...statement,
          Action: [statement.Action ?? []].flat().filter((a) => a !== action),
        })),
      },
    })),
  };
}

let deployment: Deployment;
let calls: GatheredCall[];

beforeAll(async () => {
  deployment = await synthesizeDeployment();
  calls = await gatherOperatorCalls(deployment);
}, 600_000);

describe('IAM: the operator policy allows what riposte --stack sends, and no containment', () => {
  it('allows every call of the read, case, approval and release commands', async () => {
    // Prepare
    const requests = await requestsOf(calls, deployment, deployment);

    // Act
    const denials = await denialsOf(requests);

    // Assess
    console.info(`operator IAM evaluation: ${calls.length} calls, ${requests.length} authorization requests`);
    const apis = new Set(calls.map((call) => `${call.service}:${call.api}`));
    for (const expected of [
      'cloudformation:DescribeStacks',
      'dynamodb:Query',
      'dynamodb:Update',
      'dynamodb:Delete',
      'sfn:GetExecutionHistory',
      'sfn:DescribeExecution',
      'sfn:SendTaskSuccess',
      'sfn:StartExecution',
    ]) {
      expect(apis, expected).toContain(expected);
    }
    // The case commands leave their lifecycle events in the table's outbox, with the operator's own PutItem.
    const outbox = calls.filter(
      (call) => call.api === 'Put' && String((call.params.Item as { sk?: unknown }).sk).startsWith('OUTBOX#'),
    );
    expect(new Set(outbox.map((call) => (call.params.Item as { kind?: unknown }).kind))).toEqual(
      new Set([
        'assigned',
        'noteAdded',
        'tagged',
        'closed',
        'reopened',
        'statusChanged',
        'suppressionCreated',
        'suppressionRemoved',
      ]),
    );
    expect(denials).toEqual([]);
  }, 300_000);

  it('fails naming the command and the action when the policy lacks states:GetExecutionHistory', async () => {
    // Prepare
    const roles = {
      roleOf: (p: string) =>
        p === 'operator' ? without(deployment.operator, 'states:GetExecutionHistory') : deployment.roleOf(p),
      memberRole: deployment.memberRole,
    };

    // Act
    const denials = await denialsOf(await requestsOf(calls, deployment, roles));

    // Assess
    expect(denials).toHaveLength(1);
    expect(denials[0]).toMatch(
      /^DENIED riposte --stack: GetExecutionHistory → sfn GetExecutionHistory by role SecurityAnalyst: states:GetExecutionHistory on arn:aws:states:eu-west-1:111122223333:execution:Riposte-ec2-instance-compromise:/,
    );
  }, 300_000);

  it('does not let an analyst start a containment playbook, only the release playbooks', async () => {
    // Prepare: StartExecution of every deployed playbook's live alias, as the operator
    const starts: GatheredCall[] = Object.entries(deployment.aliases).map(([id, aliasArn]) => ({
      principal: 'operator',
      origin: `start ${id}`,
      service: 'sfn',
      api: 'StartExecution',
      params: { stateMachineArn: aliasArn, name: 'x', input: '{}' },
      account: SECURITY.account,
      region: SECURITY.region,
      world: calls[0]?.world as GatheredCall['world'],
    }));

    // Act
    const denied = await denialsOf(await requestsOf(starts, deployment, deployment));

    // Assess
    const startable = Object.keys(deployment.aliases).filter(
      (id) => !denied.some((line) => line.startsWith(`DENIED start ${id} `)),
    );
    expect(startable.sort()).toEqual([
      'ec2-instance-release',
      'exposed-access-key-release',
      'iam-credential-release',
      'instance-credential-release',
      'kms-key-deletion-release',
      'lambda-function-release',
      'rds-instance-release',
      's3-malware-release',
      's3-public-bucket-release',
      'security-group-release',
    ]);
  }, 300_000);
});

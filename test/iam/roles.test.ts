import aslValidator from 'asl-validator';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { parameterProblem } from './support/api-models.ts';
import { type Deployment, synthesizeDeployment } from './support/deployment.ts';
import { type AuthRequest, checkPolicy, denialsOf } from './support/evaluate.ts';
import { tapDocumentClients } from './support/functions.ts';
import { type GatheredCall, gatherScenarioCalls } from './support/gather.ts';
import {
  definitionsOf,
  gatherFunctionCalls,
  serviceRequests,
  stateMachineCalls,
} from './support/platform.ts';
import type { PolicyDocument, RoleModel } from './support/policies.ts';
import { relayMappingRequests } from './support/relay.ts';
import { type Roles, requestsOf } from './support/requests.ts';

// Each action request runs as its family's deployed function: kill switch, member role, bus.
vi.mock('../../functions/core/actions/runner.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../functions/core/actions/runner.ts')>();
  const { runAsDeployed } = await import('./support/functions.ts');
  return {
    ...original,
    runAction: (raw: unknown, deps: never) => runAsDeployed(original.runAction, raw, deps),
  };
});

/** The roles with `mutate` applied to a copy of the policies of `principal`'s role. */
function mutated(
  deployment: Deployment,
  principal: string,
  mutate: (statement: Record<string, unknown>) => Record<string, unknown>,
): Roles {
  const target = deployment.roleOf(principal);
  const copy: RoleModel = {
    ...target,
    policies: target.policies.map((policy) => ({
      ...policy,
      document: {
        ...policy.document,
        Statement: policy.document.Statement.map((s) => mutate(structuredClone(s))),
      },
    })),
  };
  return {
    roleOf: (p) => (p === principal ? copy : deployment.roleOf(p)),
    memberRole: deployment.memberRole,
  };
}

const actionsOf = (statement: Record<string, unknown>): string[] =>
  [statement.Action ?? []].flat() as string[];

// Synthesized and gathered once for the whole file.
let deployment: Deployment;
let calls: GatheredCall[];
let requests: AuthRequest[];

beforeAll(async () => {
  tapDocumentClients();
  deployment = await synthesizeDeployment();
  calls = [
    ...(await gatherScenarioCalls()),
    ...(await gatherFunctionCalls(deployment)),
    ...stateMachineCalls(deployment),
  ];
  requests = [
    ...(await requestsOf(calls, deployment, deployment)),
    ...serviceRequests(deployment),
    ...relayMappingRequests(deployment),
  ];
}, 600_000);

describe('IAM: every call Riposte makes, evaluated against the synthesized policies', () => {
  it('attributes every call to the function that makes it', () => {
    // Assess
    expect(calls.filter((call) => call.principal === 'unattributed')).toEqual([]);
    const principals = new Set(calls.map((call) => call.principal));
    // (request-approval runs as the approval task, which the local engine answers itself.)
    for (const expected of [
      'context',
      'enrich',
      'contain',
      'release',
      'notify',
      'ingest',
      'approval',
      'relay',
    ]) {
      expect(principals, expected).toContain(expected);
    }
    expect(calls.filter((call) => call.principal === 'approval').map((call) => call.api)).toContain(
      'DescribeExecution',
    );
    expect(calls.filter((call) => call.principal === 'relay').map((call) => call.api)).toEqual(['PutEvents']);
  });

  it('names only IAM actions the reference knows, with condition keys valid for them', async () => {
    // Prepare
    const policies = [
      ...[...deployment.roles.values(), deployment.memberRole].flatMap((role) => [
        { owner: `${role.name} trust`, document: role.trust },
        ...role.policies.map((policy) => ({
          owner: `${role.name} ${policy.name}`,
          document: policy.document,
        })),
      ]),
      ...[...deployment.resourcePolicies].map(([arn, document]) => ({ owner: arn, document })),
    ];

    // Act
    const problems = (
      await Promise.all(policies.map(({ owner, document }) => checkPolicy(owner, document)))
    ).flat();

    // Assess
    expect(problems).toEqual([]);
  });

  it('allows every call, in the security account and through the member role', async () => {
    // Act
    const denials = await denialsOf(requests);

    // Assess
    console.info(
      `IAM evaluation: ${calls.length} calls, ${requests.length} authorization requests, ` +
        `${new Set(requests.map((r) => ('name' in r.principal ? r.principal.name : r.principal.service))).size} principals`,
    );
    expect(denials).toEqual([]);
  }, 300_000);

  it('never lets a role share a snapshot: ModifySnapshotAttribute adding an account or all is denied, removing is allowed', async () => {
    // Prepare: the contain role and the member role, on an EBS snapshot of each account
    const principals = [deployment.roleOf('contain'), deployment.memberRole];
    const request = (principal: RoleModel, context: Record<string, string>): AuthRequest => ({
      call: `share snapshot ${JSON.stringify(context)}`,
      principal,
      action: 'ec2:ModifySnapshotAttribute',
      resource: 'arn:aws:ec2:eu-west-1::snapshot/snap-0e1f2a3b4c5d6e7f8',
      resourceAccount: principal.arn.split(':')[4] ?? '',
      context,
    });

    // Act
    const adds = await denialsOf(
      principals.flatMap((p) => [
        request(p, { 'ec2:Add/group': 'all' }),
        request(p, { 'ec2:Add/userId': '444455556666' }),
      ]),
    );
    const removes = await denialsOf(principals.map((p) => request(p, { 'ec2:Remove/group': 'all' })));

    // Assess
    expect(adds).toHaveLength(4);
    expect(removes).toEqual([]);
  }, 300_000);

  describe('fails, naming the call, the role and the action, when a permission is missing', () => {
    it('the contain role without dynamodb:UpdateItem', async () => {
      // Prepare
      const roles = mutated(deployment, 'contain', (s) => ({
        ...s,
        Action: actionsOf(s).filter((action) => action !== 'dynamodb:UpdateItem'),
      }));

      // Act
      const denials = await denialsOf(await requestsOf(calls, deployment, roles));

      // Assess
      console.info(`mutation "contain without dynamodb:UpdateItem":\n  ${denials.slice(0, 3).join('\n  ')}`);
      expect(denials.length).toBeGreaterThan(0);
      expect(denials[0]).toMatch(
        /^DENIED .*isolate-instance → dynamodb Update by role Riposte-Action-Contain-eu-west-1: dynamodb:UpdateItem on arn:aws:dynamodb:eu-west-1:111122223333:table\//,
      );
    }, 300_000);

    it('ModifyNetworkInterfaceAttribute allowed on the network interface only, not its security groups', async () => {
      // Prepare
      const roles = mutated(deployment, 'contain', (s) =>
        actionsOf(s).includes('ec2:ModifyNetworkInterfaceAttribute')
          ? { ...s, Resource: [s.Resource].flat().filter((r) => !String(r).includes(':security-group/')) }
          : s,
      );

      // Act
      const denials = await denialsOf(await requestsOf(calls, deployment, roles));

      // Assess
      console.info(
        `mutation "ModifyNetworkInterfaceAttribute without security-group":\n  ${denials.slice(0, 3).join('\n  ')}`,
      );
      expect(denials.length).toBeGreaterThan(0);
      expect(
        denials.every((d) =>
          d.includes(
            'ec2:ModifyNetworkInterfaceAttribute on arn:aws:ec2:eu-west-1:111122223333:security-group/',
          ),
        ),
      ).toBe(true);
      expect(denials[0]).toMatch(
        /^DENIED .*isolate-instance → ec2 ModifyNetworkInterfaceAttribute by role Riposte-Action-Contain-eu-west-1: /,
      );
    }, 300_000);

    it('the approval role without states:DescribeExecution', async () => {
      // Prepare
      const roles = mutated(deployment, 'approval', (s) => ({
        ...s,
        Action: actionsOf(s).filter((action) => action !== 'states:DescribeExecution'),
      }));

      // Act
      const denials = await denialsOf(await requestsOf(calls, deployment, roles));

      // Assess
      console.info(
        `mutation "approval without states:DescribeExecution":\n  ${denials.slice(0, 3).join('\n  ')}`,
      );
      expect(denials).toHaveLength(1);
      expect(denials[0]).toMatch(
        /^DENIED approval endpoint: lost answer → sfn DescribeExecution by role .*Approval.*: states:DescribeExecution on arn:aws:states:eu-west-1:111122223333:execution:/,
      );
    }, 300_000);

    it('the lifecycle relay role without events:PutEvents', async () => {
      // Prepare
      const roles = mutated(deployment, 'relay', (s) => ({
        ...s,
        Action: actionsOf(s).filter((action) => action !== 'events:PutEvents'),
      }));

      // Act
      const denials = await denialsOf(await requestsOf(calls, deployment, roles));

      // Assess
      console.info(`mutation "relay without events:PutEvents":\n  ${denials.slice(0, 3).join('\n  ')}`);
      expect(denials).toHaveLength(1);
      expect(denials[0]).toMatch(
        /^DENIED lifecycle relay → events PutEvents by role .*LifecycleRelay.*: events:PutEvents on arn:aws:events:eu-west-1:111122223333:event-bus\/riposte-lifecycle/,
      );
    }, 300_000);

    it('the lifecycle bus policy without the relay among its publishers', async () => {
      // Prepare: the bus policy as if the relay were not among the LifecycleBus publishers
      const relayArn = deployment.roleOf('relay').arn;
      const withoutRelay = (value: unknown): unknown =>
        Array.isArray(value)
          ? value.filter((v) => v !== relayArn).map(withoutRelay)
          : typeof value === 'object' && value !== null
            ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutRelay(v)]))
            : value;
      const resourcePolicies = new Map(
        [...deployment.resourcePolicies].map(([arn, document]) => [
          arn,
          arn.includes(':event-bus/') ? (withoutRelay(document) as PolicyDocument) : document,
        ]),
      );

      // Act
      const denials = await denialsOf(
        await requestsOf(calls, { ...deployment, resourcePolicies }, deployment),
      );

      // Assess
      console.info(`mutation "bus policy without the relay":\n  ${denials.slice(0, 3).join('\n  ')}`);
      expect(denials).toHaveLength(1);
      expect(denials[0]).toMatch(
        /^DENIED lifecycle relay → events PutEvents by role .*LifecycleRelay.*: events:PutEvents/,
      );
    }, 300_000);

    it('the lifecycle relay role without the stream read its event source mapping needs', async () => {
      // Prepare
      const roles = mutated(deployment, 'relay', (s) => ({
        ...s,
        Action: actionsOf(s).filter((action) => action !== 'dynamodb:GetRecords'),
      }));

      // Act
      const denials = await denialsOf(relayMappingRequests(deployment, roles));

      // Assess
      expect(denials).toHaveLength(1);
      expect(denials[0]).toMatch(
        /^DENIED lifecycle relay mapping: reads the table stream .*dynamodb:GetRecords on arn:aws:dynamodb:/,
      );
    }, 300_000);

    it('StartExecution granted on the alias ARN only', async () => {
      // Prepare: what a policy naming the alias looks like; Step Functions checks the machine's ARN
      const aliases = Object.values(deployment.aliases);
      const roles = mutated(deployment, 'ingest', (s) => {
        if (!actionsOf(s).includes('states:StartExecution')) return s;
        const { Condition: _condition, ...rest } = s;
        const machine = String([s.Resource].flat()[0]);
        return { ...rest, Resource: aliases.filter((alias) => alias.startsWith(`${machine}:`)) };
      });

      // Act
      const denials = await denialsOf(await requestsOf(calls, deployment, roles));

      // Assess
      console.info(`mutation "StartExecution on the alias ARN only":\n  ${denials.slice(0, 3).join('\n  ')}`);
      expect(denials).toHaveLength(Object.keys(deployment.aliases).length);
      expect(denials[0]).toMatch(
        /^DENIED ingest: dispatch → sfn StartExecution by role .*Ingest.*: states:StartExecution on arn:aws:states:eu-west-1:111122223333:stateMachine:/,
      );
    }, 300_000);
  });
});

describe('API models and state machine definitions', () => {
  it('sends every recorded call with parameters its API model accepts', () => {
    // Act
    const problems = [...new Set(calls.map((call) => parameterProblem(call)).filter((p) => p !== undefined))];

    // Assess
    expect(calls.length).toBeGreaterThan(100);
    expect(problems).toEqual([]);
  });

  it('synthesizes every state machine definition valid for asl-validator', () => {
    for (const [id, definition] of definitionsOf(deployment)) {
      // Act
      const { isValid, errors } = aslValidator(definition as never, { checkArn: true, checkPaths: true });

      // Assess
      expect(errors, id).toEqual([]);
      expect(isValid, id).toBe(true);
    }
  });
});

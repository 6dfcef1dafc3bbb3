import {
  DeleteRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { NotAllowedError, ProtectedResourceError } from '../../../../functions/core/actions/errors.ts';
import { revokeRoleSessionsAction } from '../../../../functions/core/actions/iam/revoke-role-sessions.ts';
import { revokeOlderSessionsPolicy } from '../../../../functions/core/actions/iam/shared/policies.ts';
import { actionEnv, wireMocks } from '../../../support/action-env.ts';
import { type IamMock, liveEnv, mutations, NOW, NOW_ISO, ROLE, ROLE_ARN, sent } from './support.ts';

describe('revoke-role-sessions', () => {
  function role(
    iam: IamMock,
    path = '/',
    name = ROLE,
    tags: Record<string, string> = { owner: 'payments-team' },
  ): void {
    iam.on(GetRoleCommand).resolves({
      Role: {
        Path: path,
        RoleName: name,
        RoleId: 'AROAPAYMENTSAPPROLE1',
        Arn: `arn:aws:iam::111122223333:role${path}${name}`,
        CreateDate: new Date('2024-03-04T09:20:00Z'),
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      },
    });
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['read-payments-exports'], IsTruncated: false });
    iam.on(ListAttachedRolePoliciesCommand).resolves({
      AttachedPolicies: [
        {
          PolicyName: 'AmazonSSMManagedInstanceCore',
          PolicyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
        },
      ],
      IsTruncated: false,
    });
    iam.on(PutRolePolicyCommand).resolves({});
    iam.on(DeleteRolePolicyCommand).resolves({});
  }

  const ROLE_READS: [string, unknown][] = [
    ['GetRole', { RoleName: ROLE }],
    ['ListRolePolicies', { RoleName: ROLE }],
    ['ListAttachedRolePolicies', { RoleName: ROLE }],
  ];

  it("puts the console's revoke-older-sessions policy with now as aws:TokenIssueTime", async () => {
    // Prepare
    const { env, iam } = liveEnv();
    role(iam);

    // Act
    const output = await revokeRoleSessionsAction.run({ roleName: ROLE }, env);

    // Assess
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: ['*'],
          Resource: ['*'],
          Condition: { DateLessThan: { 'aws:TokenIssueTime': NOW_ISO } },
        },
      ],
    };
    expect(sent(iam)).toEqual([
      ...ROLE_READS,
      [
        'PutRolePolicy',
        {
          RoleName: ROLE,
          PolicyName: 'riposte-revoke-older-sessions',
          PolicyDocument: JSON.stringify(policy),
        },
      ],
      ['GetRolePolicy', { RoleName: ROLE, PolicyName: 'riposte-revoke-older-sessions' }],
    ]);
    expect(output).toMatchObject({
      roleName: ROLE,
      arn: ROLE_ARN,
      revokedBefore: NOW_ISO,
      appliedByThisRun: true,
    });
    expect(await env.state.load(`iam-role:${ROLE}`)).toMatchObject({
      kind: 'iam-role',
      inlinePolicies: ['read-payments-exports'],
      revokedBefore: NOW_ISO,
    });
  });

  it('keeps the first revocation: a later run in the same incident changes nothing', async () => {
    // Prepare
    const first = liveEnv();
    role(first.iam);
    await revokeRoleSessionsAction.run({ roleName: ROLE }, first.env);
    const env = actionEnv({ mode: { kind: 'live' }, state: first.env.state, now: () => NOW + 3_600_000 });
    const { iam } = wireMocks(env.clients);
    role(iam);
    iam.on(ListRolePoliciesCommand).resolves({
      PolicyNames: ['read-payments-exports', 'riposte-revoke-older-sessions'],
      IsTruncated: false,
    });
    iam.on(GetRolePolicyCommand).resolves({
      RoleName: ROLE,
      PolicyName: 'riposte-revoke-older-sessions',
      PolicyDocument: encodeURIComponent(JSON.stringify(revokeOlderSessionsPolicy(NOW_ISO))),
    });

    // Act
    const output = await revokeRoleSessionsAction.run({ roleName: ROLE }, env);

    // Assess
    expect(sent(iam)).toEqual([
      ...ROLE_READS,
      ['GetRolePolicy', { RoleName: ROLE, PolicyName: 'riposte-revoke-older-sessions' }],
      ['GetRolePolicy', { RoleName: ROLE, PolicyName: 'riposte-revoke-older-sessions' }],
    ]);
    expect(output).toMatchObject({ revokedBefore: NOW_ISO, appliedByThisRun: false });
    expect(output.verification.evidence.map((c) => [c.check, c.actual, c.ok])).toEqual([
      [
        `${ROLE} inline policy riposte-revoke-older-sessions`,
        JSON.stringify(revokeOlderSessionsPolicy(NOW_ISO)),
        true,
      ],
      [`${ROLE} riposte-revoke-older-sessions aws:TokenIssueTime DateLessThan`, NOW_ISO, true],
    ]);
  });

  it('refuses a service-linked role with NotAllowedError before saving or changing anything', async () => {
    // Prepare
    const { env, iam } = liveEnv();
    role(
      iam,
      '/aws-service-role/elasticloadbalancing.amazonaws.com/',
      'AWSServiceRoleForElasticLoadBalancing',
    );

    // Act
    const run = revokeRoleSessionsAction.run({ roleName: 'AWSServiceRoleForElasticLoadBalancing' }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(NotAllowedError);
    await expect(run).rejects.toThrow(/service-linked/);
    expect(sent(iam)).toEqual([['GetRole', { RoleName: 'AWSServiceRoleForElasticLoadBalancing' }]]);
    expect(await env.state.load('iam-role:AWSServiceRoleForElasticLoadBalancing')).toBeUndefined();
  });

  it('refuses an IAM Identity Center role and points to Identity Center', async () => {
    // Prepare
    const { env, iam } = liveEnv();
    const name = 'AWSReservedSSO_AdministratorAccess_0123456789abcdef';
    role(iam, '/aws-reserved/sso.amazonaws.com/eu-west-1/', name);

    // Act
    const run = revokeRoleSessionsAction.run({ roleName: name }, env);

    // Assess
    await expect(run).rejects.toThrow(NotAllowedError);
    await expect(run).rejects.toThrow(/IAM Identity Center/);
    expect(mutations(iam)).toEqual([]);
  });

  it('refuses a protected role with ProtectedResourceError and changes nothing', async () => {
    // Prepare
    const { env, iam } = liveEnv();
    role(iam, '/', ROLE, { 'riposte:protected': 'true' });

    // Act
    const run = revokeRoleSessionsAction.run({ roleName: ROLE }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    expect(sent(iam)).toEqual(ROLE_READS);
  });
});

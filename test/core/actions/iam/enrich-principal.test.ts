import {
  GetAccessKeyLastUsedCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { enrichPrincipalAction } from '../../../../functions/core/actions/iam/enrich-principal.ts';
import {
  liveEnv,
  NEW_KEY,
  OLD_KEY,
  ROLE,
  sent,
  USER,
  USER_ARN,
  USER_READS,
  uncontainedUser,
} from './support.ts';

describe('enrich-principal', () => {
  it('resolves an access key to its user and describes keys, policies, MFA and console', async () => {
    // Prepare
    const { env, iam } = liveEnv();
    uncontainedUser(iam);
    iam.on(GetAccessKeyLastUsedCommand).resolves({
      UserName: USER,
      AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' },
    });
    iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: NEW_KEY }).resolves({
      UserName: USER,
      AccessKeyLastUsed: {
        LastUsedDate: new Date('2025-06-01T11:41:05Z'),
        ServiceName: 'iam',
        Region: 'us-east-1',
      },
    });

    // Act
    const output = await enrichPrincipalAction.run({ accessKeyId: NEW_KEY }, env);

    // Assess
    expect(sent(iam)).toEqual([
      ['GetAccessKeyLastUsed', { AccessKeyId: NEW_KEY }],
      ...USER_READS,
      ['GetAccessKeyLastUsed', { AccessKeyId: OLD_KEY }],
    ]);
    expect(output).toEqual({
      principalType: 'user',
      name: USER,
      arn: USER_ARN,
      id: 'AIDAPAYMENTSDEPLOY01',
      path: '/',
      createDate: '2024-03-04T09:00:00.000Z',
      tags: { owner: 'payments-team', environment: 'production' },
      owner: 'payments-team',
      environment: 'production',
      attachedPolicies: [
        {
          name: 'AWSCompromisedKeyQuarantineV2',
          arn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2',
        },
      ],
      inlinePolicies: ['deploy-payments-artifacts'],
      resolvedFromAccessKeyId: NEW_KEY,
      accessKeys: [
        {
          accessKeyId: OLD_KEY,
          status: 'Active',
          createDate: '2024-03-04T09:05:00.000Z',
          lastUsed: { date: null, serviceName: 'N/A', region: 'N/A' },
        },
        {
          accessKeyId: NEW_KEY,
          status: 'Active',
          createDate: '2025-06-01T03:12:44.000Z',
          lastUsed: { date: '2025-06-01T11:41:05.000Z', serviceName: 'iam', region: 'us-east-1' },
        },
      ],
      mfaDevices: [
        { serialNumber: `arn:aws:iam::111122223333:mfa/${USER}`, enableDate: '2024-03-04T09:10:00.000Z' },
        {
          serialNumber: 'arn:aws:iam::111122223333:mfa/attacker-phone',
          enableDate: '2025-06-01T03:20:00.000Z',
        },
      ],
      loginProfile: { present: true, createDate: '2024-03-04T09:00:00.000Z' },
      passwordLastUsed: null,
      awsQuarantinePolicyAttached: true,
      contained: false,
    });
    expect(enrichPrincipalAction.output.parse(output)).toEqual(output);
  });

  it('describes a role and whether it is service-linked', async () => {
    // Prepare
    const { env, iam } = liveEnv();
    iam.on(GetRoleCommand).resolves({
      Role: {
        Path: '/aws-service-role/elasticloadbalancing.amazonaws.com/',
        RoleName: 'AWSServiceRoleForElasticLoadBalancing',
        RoleId: 'AROAELBSERVICEROLE01',
        Arn: 'arn:aws:iam::111122223333:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing',
        CreateDate: new Date('2023-06-01T10:00:00Z'),
        MaxSessionDuration: 3600,
        RoleLastUsed: {},
      },
    });
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [], IsTruncated: false });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });

    // Act
    const output = await enrichPrincipalAction.run(
      { roleName: 'AWSServiceRoleForElasticLoadBalancing' },
      env,
    );

    // Assess
    expect(sent(iam)).toEqual([
      ['GetRole', { RoleName: 'AWSServiceRoleForElasticLoadBalancing' }],
      ['ListRolePolicies', { RoleName: 'AWSServiceRoleForElasticLoadBalancing' }],
      ['ListAttachedRolePolicies', { RoleName: 'AWSServiceRoleForElasticLoadBalancing' }],
    ]);
    expect(output).toMatchObject({
      principalType: 'role',
      serviceLinked: true,
      identityCenter: false,
      tags: {},
      owner: null,
      lastUsed: null,
      sessionsRevoked: false,
    });
  });

  it('follows IsTruncated/Marker pages', async () => {
    // Prepare
    const { env, iam } = liveEnv();
    uncontainedUser(iam);
    iam.on(ListUserPoliciesCommand).resolves({ PolicyNames: ['a'], IsTruncated: true, Marker: 'm1' });
    iam
      .on(ListUserPoliciesCommand, { UserName: USER, Marker: 'm1' })
      .resolves({ PolicyNames: ['b'], IsTruncated: false });
    iam
      .on(GetAccessKeyLastUsedCommand)
      .resolves({ UserName: USER, AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } });

    // Act
    const output = await enrichPrincipalAction.run({ userName: USER }, env);

    // Assess
    expect(output.inlinePolicies).toEqual(['a', 'b']);
    expect(sent(iam).filter(([api]) => api === 'ListUserPolicies')).toEqual([
      ['ListUserPolicies', { UserName: USER }],
      ['ListUserPolicies', { UserName: USER, Marker: 'm1' }],
    ]);
  });

  it('rejects input naming both a user and a role', () => {
    // Prepare
    const input = { userName: USER, roleName: ROLE };

    // Act
    const parsed = enrichPrincipalAction.input.safeParse(input);

    // Assess
    expect(parsed.success).toBe(false);
  });
});

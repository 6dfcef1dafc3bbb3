import { describe, expect, it } from 'vitest';
import { NotAllowedError, ProtectedResourceError } from '../../../../functions/core/actions/errors.ts';
import { containUserAction } from '../../../../functions/core/actions/iam/contain-iam-user.ts';
import { enrichPrincipalAction } from '../../../../functions/core/actions/iam/enrich-principal.ts';
import { releaseUserAction } from '../../../../functions/core/actions/iam/release-iam-user.ts';
import { releaseRoleSessionsAction } from '../../../../functions/core/actions/iam/release-role-sessions.ts';
import { revokeRoleSessionsAction } from '../../../../functions/core/actions/iam/revoke-role-sessions.ts';
import {
  DENY_ALL_POLICY,
  revokeOlderSessionsPolicy,
} from '../../../../functions/core/actions/iam/shared/policies.ts';
import { UnsupportedWorldCallError } from '../../../../functions/core/actions/world/errors.ts';
import { handleIam } from '../../../../functions/core/actions/world/iam/index.ts';
import { IamWorldSchema } from '../../../../functions/core/actions/world/iam/schema.ts';
import { LocalWorld } from '../../../../functions/core/actions/world/index.ts';
import { actionEnv, TEST_NOW } from '../../../support/action-env.ts';

const NOW = TEST_NOW; // 2025-06-01T12:00:00.000Z
const USER = 'payments-deployer';
const ROLE = 'payments-app-role';

function worldEnv(world: LocalWorld = LocalWorld.fromFile('examples/world.json')) {
  return { world, env: actionEnv({ mode: { kind: 'world', world }, now: () => NOW }) };
}

function calls(env: ReturnType<typeof worldEnv>['env']): [string, unknown][] {
  return env.recorder.calls.map((c) => [c.api, c.params]);
}

function smallWorld() {
  return IamWorldSchema.parse({
    users: {
      alice: {
        createDate: '2025-01-01T00:00:00Z',
        tags: { owner: 'team-a' },
        accessKeys: [
          { accessKeyId: 'AKIAALICE00000000001', createDate: '2025-01-01T00:00:00Z' },
          {
            accessKeyId: 'AKIAALICE00000000002',
            status: 'Inactive',
            createDate: '2025-02-01T00:00:00Z',
            lastUsed: { date: '2025-02-02T00:00:00Z', serviceName: 's3', region: 'eu-west-1' },
          },
        ],
        inlinePolicies: {
          one: { Version: '2012-10-17', Statement: [] },
          two: '{"Version":"2012-10-17","Statement":[]}',
        },
      },
    },
    roles: {
      app: { createDate: '2025-01-01T00:00:00Z' },
      AWSServiceRoleForSupport: {
        path: '/aws-service-role/support.amazonaws.com/',
        createDate: '2025-01-01T00:00:00Z',
      },
    },
    instanceProfiles: { 'app-profile': { createDate: '2025-01-01T00:00:00Z', roles: ['app'] } },
  });
}

describe('IAM world', () => {
  it('parses {} to an empty account', () => {
    // Prepare
    const empty = {};

    // Act
    const iam = IamWorldSchema.parse(empty);

    // Assess
    expect(iam).toEqual({
      accountId: '111122223333',
      partition: 'aws',
      users: {},
      roles: {},
      instanceProfiles: {},
    });
  });

  it('answers GetUser with the SDK shape: derived id and ARN, Date objects, Tags list', () => {
    // Prepare
    const iam = smallWorld();

    // Act
    const out = handleIam(iam, 'GetUser', { UserName: 'alice' });

    // Assess
    expect(out).toEqual({
      User: {
        Path: '/',
        UserName: 'alice',
        UserId: expect.stringMatching(/^AIDA[A-Z2-7]{17}$/),
        Arn: 'arn:aws:iam::111122223333:user/alice',
        CreateDate: new Date('2025-01-01T00:00:00Z'),
        Tags: [{ Key: 'owner', Value: 'team-a' }],
      },
    });
  });

  it('throws NoSuchEntity as the SDK names it for an unknown user, role, key or profile', () => {
    // Prepare
    const iam = smallWorld();
    const attempts: [string, Record<string, unknown>][] = [
      ['GetUser', { UserName: 'mallory' }],
      ['GetRole', { RoleName: 'nope' }],
      ['GetAccessKeyLastUsed', { AccessKeyId: 'AKIANOTAKEY000000000' }],
      ['GetInstanceProfile', { InstanceProfileName: 'nope' }],
      ['GetLoginProfile', { UserName: 'alice' }],
      ['DeleteUserPolicy', { UserName: 'alice', PolicyName: 'absent' }],
    ];

    // Act
    const errors = attempts.map(([api, params]) => {
      try {
        handleIam(iam, api, params);
        return undefined;
      } catch (error) {
        return error as Error & { Code?: string };
      }
    });

    // Assess
    for (const error of errors) {
      expect(error?.name).toBe('NoSuchEntityException');
      expect(error?.Code).toBe('NoSuchEntity');
    }
  });

  it('answers key metadata, last use (N/A when never used) and applies UpdateAccessKey', () => {
    // Prepare
    const iam = smallWorld();

    // Act
    handleIam(iam, 'UpdateAccessKey', {
      UserName: 'alice',
      AccessKeyId: 'AKIAALICE00000000001',
      Status: 'Inactive',
    });
    const keys = handleIam(iam, 'ListAccessKeys', { UserName: 'alice' });
    const unused = handleIam(iam, 'GetAccessKeyLastUsed', { AccessKeyId: 'AKIAALICE00000000001' });
    const used = handleIam(iam, 'GetAccessKeyLastUsed', { AccessKeyId: 'AKIAALICE00000000002' });

    // Assess
    expect(keys).toEqual({
      AccessKeyMetadata: [
        {
          UserName: 'alice',
          AccessKeyId: 'AKIAALICE00000000001',
          Status: 'Inactive',
          CreateDate: new Date('2025-01-01T00:00:00Z'),
        },
        {
          UserName: 'alice',
          AccessKeyId: 'AKIAALICE00000000002',
          Status: 'Inactive',
          CreateDate: new Date('2025-02-01T00:00:00Z'),
        },
      ],
      IsTruncated: false,
    });
    expect(unused).toEqual({ UserName: 'alice', AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } });
    expect(used).toEqual({
      UserName: 'alice',
      AccessKeyLastUsed: {
        LastUsedDate: new Date('2025-02-02T00:00:00Z'),
        ServiceName: 's3',
        Region: 'eu-west-1',
      },
    });
  });

  it('returns inline policy documents URL-encoded, as IAM does, and paginates with MaxItems/Marker', () => {
    // Prepare
    const iam = smallWorld();

    // Act
    const first = handleIam(iam, 'ListUserPolicies', { UserName: 'alice', MaxItems: 1 });
    const second = handleIam(iam, 'ListUserPolicies', {
      UserName: 'alice',
      MaxItems: 1,
      Marker: first.Marker,
    });
    const document = handleIam(iam, 'GetUserPolicy', { UserName: 'alice', PolicyName: 'one' });

    // Assess
    expect(first).toEqual({ PolicyNames: ['one'], IsTruncated: true, Marker: '1' });
    expect(second).toEqual({ PolicyNames: ['two'], IsTruncated: false });
    expect(document.PolicyDocument).toBe(encodeURIComponent('{"Version":"2012-10-17","Statement":[]}'));
  });

  it('refuses policy changes on a service-linked role with UnmodifiableEntity and malformed documents', () => {
    // Prepare
    const iam = smallWorld();
    const policy = JSON.stringify(revokeOlderSessionsPolicy('2025-01-01T00:00:00.000Z'));

    // Act
    const onServiceLinked = () =>
      handleIam(iam, 'PutRolePolicy', {
        RoleName: 'AWSServiceRoleForSupport',
        PolicyName: 'x',
        PolicyDocument: policy,
      });
    const malformed = () =>
      handleIam(iam, 'PutRolePolicy', { RoleName: 'app', PolicyName: 'x', PolicyDocument: 'nope' });

    // Assess
    expect(onServiceLinked).toThrow(expect.objectContaining({ name: 'UnmodifiableEntityException' }));
    expect(malformed).toThrow(expect.objectContaining({ name: 'MalformedPolicyDocumentException' }));
    expect(iam.roles.AWSServiceRoleForSupport?.inlinePolicies).toEqual({});
  });

  it('answers GetInstanceProfile with its role and ListInstanceProfilesForRole', () => {
    // Prepare
    const iam = smallWorld();

    // Act
    const profile = handleIam(iam, 'GetInstanceProfile', { InstanceProfileName: 'app-profile' });
    const forRole = handleIam(iam, 'ListInstanceProfilesForRole', { RoleName: 'app' });

    // Assess
    expect(profile).toEqual({
      InstanceProfile: {
        Path: '/',
        InstanceProfileName: 'app-profile',
        InstanceProfileId: expect.stringMatching(/^AIPA/),
        Arn: 'arn:aws:iam::111122223333:instance-profile/app-profile',
        CreateDate: new Date('2025-01-01T00:00:00Z'),
        Roles: [
          {
            Path: '/',
            RoleName: 'app',
            RoleId: expect.stringMatching(/^AROA/),
            Arn: 'arn:aws:iam::111122223333:role/app',
            CreateDate: new Date('2025-01-01T00:00:00Z'),
          },
        ],
      },
    });
    expect(forRole).toEqual({ InstanceProfiles: [profile.InstanceProfile], IsTruncated: false });
  });

  it('throws UnsupportedWorldCallError for an operation it does not model', () => {
    // Prepare
    const iam = smallWorld();

    // Act
    const deleteKey = () =>
      handleIam(iam, 'DeleteAccessKey', { UserName: 'alice', AccessKeyId: 'AKIAALICE00000000001' });

    // Assess
    expect(deleteKey).toThrow(UnsupportedWorldCallError);
    expect(() => handleIam(iam, 'toString', {})).toThrow(UnsupportedWorldCallError);
  });
});

describe('IAM actions on the example world', () => {
  it('contains payments-deployer, and a second run makes no state-changing call', async () => {
    // Prepare
    const { world, env } = worldEnv();

    // Act
    const first = await containUserAction.run({ userName: USER }, env);
    const firstMutations = env.recorder.mutations.length;
    const second = await containUserAction.run({ userName: USER }, env);

    // Assess
    expect(env.recorder.mutations.slice(0, firstMutations).map((c) => [c.api, c.params])).toEqual([
      ['UpdateAccessKey', { UserName: USER, AccessKeyId: 'AKIAPAYMENTSDEPLOY01', Status: 'Inactive' }],
      ['UpdateAccessKey', { UserName: USER, AccessKeyId: 'AKIAPAYMENTSATTACK02', Status: 'Inactive' }],
      [
        'PutUserPolicy',
        { UserName: USER, PolicyName: 'riposte-deny-all', PolicyDocument: JSON.stringify(DENY_ALL_POLICY) },
      ],
      ['DeleteLoginProfile', { UserName: USER }],
    ]);
    expect(env.recorder.mutations).toHaveLength(firstMutations);
    expect(first.flaggedAccessKeys).toEqual([
      { accessKeyId: 'AKIAPAYMENTSATTACK02', createDate: '2025-06-01T03:12:44.000Z' },
    ]);
    expect(second.deactivatedAccessKeys).toEqual([]);
    expect(second.loginProfile).toMatchObject({ existedBeforeContainment: true, deletedByThisRun: false });
    const user = world.state.iam.users[USER];
    expect(user?.accessKeys.map((k) => k.status)).toEqual(['Inactive', 'Inactive']);
    expect(Object.keys(user?.inlinePolicies ?? {})).toEqual([
      'deploy-payments-artifacts',
      'riposte-deny-all',
    ]);
    expect(user?.loginProfile).toBeUndefined();
    expect(user?.mfaDevices).toHaveLength(1);
  });

  it('release after contain restores the keys and the inline policies; the console password is left to the operator', async () => {
    // Prepare
    const { world, env } = worldEnv();
    const before = structuredClone(world.state.iam.users[USER]);
    await containUserAction.run({ userName: USER }, env);
    const mark = env.recorder.calls.length;

    // Act
    const output = await releaseUserAction.run({ userName: USER }, env);
    const again = await releaseUserAction.run({ userName: USER }, env);

    // Assess
    const released = env.recorder.calls.slice(mark).filter((c) => c.mutating);
    expect(released.map((c) => [c.api, c.params])).toEqual([
      ['UpdateAccessKey', { UserName: USER, AccessKeyId: 'AKIAPAYMENTSDEPLOY01', Status: 'Active' }],
      ['UpdateAccessKey', { UserName: USER, AccessKeyId: 'AKIAPAYMENTSATTACK02', Status: 'Active' }],
      ['DeleteUserPolicy', { UserName: USER, PolicyName: 'riposte-deny-all' }],
    ]);
    const user = world.state.iam.users[USER];
    expect(user?.accessKeys).toEqual(before?.accessKeys);
    expect(user?.inlinePolicies).toEqual(before?.inlinePolicies);
    expect(user?.loginProfile).toBeUndefined();
    expect(output.loginProfile).toMatchObject({ existedBeforeContainment: true, restored: false });
    expect(output.warnings.some((w) => w.includes('AKIAPAYMENTSATTACK02'))).toBe(true);
    expect(again.reactivatedAccessKeys).toEqual([]);
    expect(again.denyPolicy.outcome).toBe('absent');
  });

  it('refuses the protected break-glass-admin with ProtectedResourceError and zero state-changing calls', async () => {
    // Prepare
    const { world, env } = worldEnv();
    const before = structuredClone(world.state.iam.users['break-glass-admin']);

    // Act
    const run = containUserAction.run({ userName: 'break-glass-admin' }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    expect(env.recorder.mutations).toEqual([]);
    expect(world.state.iam.users['break-glass-admin']).toEqual(before);
  });

  it('revokes payments-app-role sessions once, and release removes the policy', async () => {
    // Prepare
    const { world, env } = worldEnv();

    // Act
    const revoked = await revokeRoleSessionsAction.run({ roleName: ROLE }, env);
    const again = await revokeRoleSessionsAction.run({ roleName: ROLE }, { ...env, now: () => NOW + 60_000 });
    const policyWhileContained = world.state.iam.roles[ROLE]?.inlinePolicies['riposte-revoke-older-sessions'];
    const released = await releaseRoleSessionsAction.run({ roleName: ROLE }, env);

    // Assess
    expect(env.recorder.mutations.map((c) => [c.api, c.params.PolicyName])).toEqual([
      ['PutRolePolicy', 'riposte-revoke-older-sessions'],
      ['DeleteRolePolicy', 'riposte-revoke-older-sessions'],
    ]);
    expect(JSON.parse(String(policyWhileContained))).toEqual(
      revokeOlderSessionsPolicy('2025-06-01T12:00:00.000Z'),
    );
    expect(again).toMatchObject({ revokedBefore: revoked.revokedBefore, appliedByThisRun: false });
    expect(released.outcome).toBe('removed');
    expect(Object.keys(world.state.iam.roles[ROLE]?.inlinePolicies ?? {})).toEqual(['read-payments-exports']);
  });

  it('refuses the service-linked role before any change', async () => {
    // Prepare
    const { env } = worldEnv();

    // Act
    const run = revokeRoleSessionsAction.run({ roleName: 'AWSServiceRoleForElasticLoadBalancing' }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(NotAllowedError);
    expect(calls(env)).toEqual([['GetRole', { RoleName: 'AWSServiceRoleForElasticLoadBalancing' }]]);
  });

  it('enriches from the attacker key id through the world', async () => {
    // Prepare
    const { env } = worldEnv();

    // Act
    const output = await enrichPrincipalAction.run({ accessKeyId: 'AKIAPAYMENTSATTACK02' }, env);

    // Assess
    expect(output).toMatchObject({
      principalType: 'user',
      name: USER,
      arn: `arn:aws:iam::111122223333:user/${USER}`,
      owner: 'payments-team',
      environment: 'production',
      loginProfile: { present: true },
      contained: false,
    });
    expect(output.principalType === 'user' && output.accessKeys.map((k) => k.lastUsed.serviceName)).toEqual([
      's3',
      'iam',
    ]);
    expect(env.recorder.mutations).toEqual([]);
  });
});

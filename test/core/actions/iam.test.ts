import {
  DeleteLoginProfileCommand,
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetAccessKeyLastUsedCommand,
  GetLoginProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListMFADevicesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import {
  AwsAccessDeniedError,
  NotAllowedError,
  NothingToReleaseError,
  ProtectedResourceError,
  ResourceNotFoundError,
} from '../../../functions/core/actions/errors.ts';
import {
  containUserAction,
  DENY_ALL_POLICY,
  enrichPrincipalAction,
  releaseRoleSessionsAction,
  releaseUserAction,
  revokeOlderSessionsPolicy,
  revokeRoleSessionsAction,
} from '../../../functions/core/actions/iam.ts';
import { actionEnv, TEST_NOW, wireMocks } from '../../support/action-env.ts';

const NOW = TEST_NOW; // 2025-06-01T12:00:00.000Z
const NOW_ISO = new Date(NOW).toISOString();
const USER = 'payments-deployer';
const ROLE = 'payments-app-role';
const OLD_KEY = 'AKIAPAYMENTSDEPLOY01';
const NEW_KEY = 'AKIAPAYMENTSATTACK02';
const USER_ARN = `arn:aws:iam::111122223333:user/${USER}`;
const ROLE_ARN = `arn:aws:iam::111122223333:role/${ROLE}`;
const MUTATING = new Set([
  'UpdateAccessKey',
  'PutUserPolicy',
  'DeleteUserPolicy',
  'DeleteLoginProfile',
  'PutRolePolicy',
  'DeleteRolePolicy',
  'DeleteAccessKey',
  'DetachUserPolicy',
  'CreateLoginProfile',
]);

/** Live clients with aws-sdk-client-mock behind their middleware (recording, error translation). */
function liveEnv() {
  const env = actionEnv({ mode: { kind: 'live' }, now: () => NOW });
  const { iam } = wireMocks(env.clients);
  return { env, iam };
}

type IamMock = ReturnType<typeof liveEnv>['iam'];

/** The calls the mock received, as `[operation, input]`, in order. */
function sent(mock: IamMock): [string, unknown][] {
  return mock.calls().map((call) => {
    const command = call.args[0];
    return [command.constructor.name.replace(/Command$/, ''), command.input];
  });
}

function mutations(mock: IamMock): [string, unknown][] {
  return sent(mock).filter(([api]) => MUTATING.has(api));
}

const noSuchEntity = (message: string) => new NoSuchEntityException({ message, $metadata: {} });

/** A user before containment: two Active keys (one created by the attacker), console, two MFA devices. */
function uncontainedUser(
  iam: IamMock,
  tags: Record<string, string> = { owner: 'payments-team', environment: 'production' },
): void {
  iam.on(GetUserCommand).resolves({
    User: {
      Path: '/',
      UserName: USER,
      UserId: 'AIDAPAYMENTSDEPLOY01',
      Arn: USER_ARN,
      CreateDate: new Date('2024-03-04T09:00:00Z'),
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    },
  });
  iam.on(ListAccessKeysCommand).resolves({
    AccessKeyMetadata: [
      {
        UserName: USER,
        AccessKeyId: OLD_KEY,
        Status: 'Active',
        CreateDate: new Date('2024-03-04T09:05:00Z'),
      },
      {
        UserName: USER,
        AccessKeyId: NEW_KEY,
        Status: 'Active',
        CreateDate: new Date('2025-06-01T03:12:44Z'),
      },
    ],
    IsTruncated: false,
  });
  iam
    .on(ListUserPoliciesCommand)
    .resolves({ PolicyNames: ['deploy-payments-artifacts'], IsTruncated: false });
  iam.on(ListAttachedUserPoliciesCommand).resolves({
    AttachedPolicies: [
      {
        PolicyName: 'AWSCompromisedKeyQuarantineV2',
        PolicyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2',
      },
    ],
    IsTruncated: false,
  });
  iam.on(GetLoginProfileCommand).resolves({
    LoginProfile: {
      UserName: USER,
      CreateDate: new Date('2024-03-04T09:00:00Z'),
      PasswordResetRequired: false,
    },
  });
  iam.on(ListMFADevicesCommand).resolves({
    MFADevices: [
      {
        UserName: USER,
        SerialNumber: `arn:aws:iam::111122223333:mfa/${USER}`,
        EnableDate: new Date('2024-03-04T09:10:00Z'),
      },
      {
        UserName: USER,
        SerialNumber: 'arn:aws:iam::111122223333:mfa/attacker-phone',
        EnableDate: new Date('2025-06-01T03:20:00Z'),
      },
    ],
    IsTruncated: false,
  });
  iam.on(UpdateAccessKeyCommand).resolves({});
  iam.on(PutUserPolicyCommand).resolves({});
  iam.on(DeleteLoginProfileCommand).resolves({});
  iam.on(DeleteUserPolicyCommand).resolves({});
}

/** The same user once contained: keys Inactive, riposte-deny-all in place, no console password. */
function containedUser(iam: IamMock): void {
  uncontainedUser(iam);
  iam.on(ListAccessKeysCommand).resolves({
    AccessKeyMetadata: [
      {
        UserName: USER,
        AccessKeyId: OLD_KEY,
        Status: 'Inactive',
        CreateDate: new Date('2024-03-04T09:05:00Z'),
      },
      {
        UserName: USER,
        AccessKeyId: NEW_KEY,
        Status: 'Inactive',
        CreateDate: new Date('2025-06-01T03:12:44Z'),
      },
    ],
    IsTruncated: false,
  });
  iam
    .on(ListUserPoliciesCommand)
    .resolves({ PolicyNames: ['deploy-payments-artifacts', 'riposte-deny-all'], IsTruncated: false });
  iam.on(GetUserPolicyCommand).resolves({
    UserName: USER,
    PolicyName: 'riposte-deny-all',
    PolicyDocument: encodeURIComponent(JSON.stringify(DENY_ALL_POLICY)),
  });
  iam.on(GetLoginProfileCommand).rejects(noSuchEntity(`Login Profile for User ${USER} cannot be found.`));
}

/** contain-iam-user's read-back: the keys, the deny policy, the login profile. */
const CONTAINED_READ_BACK: [string, unknown][] = [
  ['ListAccessKeys', { UserName: USER }],
  ['GetUserPolicy', { UserName: USER, PolicyName: 'riposte-deny-all' }],
  ['GetLoginProfile', { UserName: USER }],
];

const USER_READS: [string, unknown][] = [
  ['GetUser', { UserName: USER }],
  ['ListAccessKeys', { UserName: USER }],
  ['ListUserPolicies', { UserName: USER }],
  ['ListAttachedUserPolicies', { UserName: USER }],
  ['GetLoginProfile', { UserName: USER }],
  ['ListMFADevices', { UserName: USER }],
];

describe('contain-iam-user', () => {
  it('captures, passes the rails, then deactivates every Active key, attaches riposte-deny-all and deletes the login profile', async () => {
    // Prepare
    const { env, iam } = liveEnv();
    uncontainedUser(iam);
    let callsWhenRailsRan: [string, unknown][] = [];
    let capturedWhenRailsRan: unknown;
    const rails = env.safety;
    const checked = {
      ...env,
      safety: {
        async assertContainable(target: { resource: string; tags: Readonly<Record<string, string>> }) {
          callsWhenRailsRan = sent(iam);
          capturedWhenRailsRan = await env.state.load(`iam-user:${USER}`);
          await rails.assertContainable(target);
        },
        standing: (tags: Readonly<Record<string, string>>) => rails.standing(tags),
      },
    };

    // Act
    const output = await containUserAction.run(
      { userName: USER, windowStart: '2025-06-01T00:00:00Z' },
      checked,
    );

    // Assess
    expect(sent(iam)).toEqual([
      ...USER_READS,
      ['UpdateAccessKey', { UserName: USER, AccessKeyId: OLD_KEY, Status: 'Inactive' }],
      ['UpdateAccessKey', { UserName: USER, AccessKeyId: NEW_KEY, Status: 'Inactive' }],
      [
        'PutUserPolicy',
        { UserName: USER, PolicyName: 'riposte-deny-all', PolicyDocument: JSON.stringify(DENY_ALL_POLICY) },
      ],
      ['DeleteLoginProfile', { UserName: USER }],
      ...CONTAINED_READ_BACK,
    ]);
    expect(callsWhenRailsRan).toEqual(USER_READS);
    expect(capturedWhenRailsRan).toMatchObject({
      kind: 'iam-user',
      userName: USER,
      arn: USER_ARN,
      accessKeys: [
        { accessKeyId: OLD_KEY, status: 'Active', createDate: '2024-03-04T09:05:00.000Z' },
        { accessKeyId: NEW_KEY, status: 'Active', createDate: '2025-06-01T03:12:44.000Z' },
      ],
      inlinePolicies: ['deploy-payments-artifacts'],
      loginProfile: { createDate: '2024-03-04T09:00:00.000Z', passwordResetRequired: false },
    });
    expect(JSON.parse(JSON.stringify(DENY_ALL_POLICY))).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'RiposteContainment', Effect: 'Deny', Action: '*', Resource: '*' }],
    });
    expect(output.deactivatedAccessKeys).toEqual([OLD_KEY, NEW_KEY]);
    expect(output.flaggedAccessKeys).toEqual([
      { accessKeyId: NEW_KEY, createDate: '2025-06-01T03:12:44.000Z' },
    ]);
    expect(output.flaggedMfaDevices).toEqual([
      {
        serialNumber: 'arn:aws:iam::111122223333:mfa/attacker-phone',
        enableDate: '2025-06-01T03:20:00.000Z',
      },
    ]);
    expect(output.loginProfile).toEqual({
      existedBeforeContainment: true,
      createDate: '2024-03-04T09:00:00.000Z',
      deletedByThisRun: true,
    });
    expect(output.denyPolicy).toEqual({ policyName: 'riposte-deny-all', attachedByThisRun: true });
    expect(output.awsQuarantinePolicies).toEqual(['AWSCompromisedKeyQuarantineV2']);
    expect(containUserAction.output.parse(output)).toEqual(output);
  });

  it('flags keys created in the 24 hours before now when no window is given', async () => {
    // Prepare
    const { env, iam } = liveEnv();
    uncontainedUser(iam);

    // Act
    const output = await containUserAction.run({ userName: USER }, env);

    // Assess
    expect(output.windowStart).toBe('2025-05-31T12:00:00.000Z');
    expect(output.flaggedAccessKeys.map((k) => k.accessKeyId)).toEqual([NEW_KEY]);
  });

  it('makes no state-changing call on a second run and keeps the first capture', async () => {
    // Prepare
    const first = liveEnv();
    uncontainedUser(first.iam);
    await containUserAction.run({ userName: USER, windowStart: '2025-06-01T00:00:00Z' }, first.env);
    const capture = await first.env.state.load(`iam-user:${USER}`);
    const { env, iam } = liveEnv();
    await env.state.save(`iam-user:${USER}`, capture ?? {});
    containedUser(iam);

    // Act
    const output = await containUserAction.run({ userName: USER }, env);

    // Assess
    expect(sent(iam)).toEqual([
      ...USER_READS,
      ['GetUserPolicy', { UserName: USER, PolicyName: 'riposte-deny-all' }],
      ...CONTAINED_READ_BACK,
    ]);
    // The user reads back contained: keys Inactive, riposte-deny-all, no login profile.
    expect(output.verification).toMatchObject({ verified: true, basis: 'read-back' });
    expect(await env.state.load(`iam-user:${USER}`)).toEqual(capture);
    expect(output.deactivatedAccessKeys).toEqual([]);
    expect(output.denyPolicy.attachedByThisRun).toBe(false);
    expect(output.loginProfile).toEqual({
      existedBeforeContainment: true,
      createDate: '2024-03-04T09:00:00.000Z',
      deletedByThisRun: false,
    });
    expect(output.accessKeys.map((k) => k.statusBefore)).toEqual(['Active', 'Active']);
    expect(output.windowStart).toBe('2025-06-01T00:00:00.000Z');
  });

  it('refuses a protected user with ProtectedResourceError and changes nothing', async () => {
    // Prepare
    const { env, iam } = liveEnv();
    uncontainedUser(iam, { owner: 'security', 'riposte:protected': 'true' });

    // Act
    const run = containUserAction.run({ userName: USER }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    expect(sent(iam)).toEqual(USER_READS);
    expect(mutations(iam)).toEqual([]);
  });

  it('reports a missing user as ResourceNotFoundError', async () => {
    // Prepare
    const { env, iam } = liveEnv();
    iam.on(GetUserCommand).rejects(noSuchEntity(`The user with name ${USER} cannot be found.`));

    // Act
    const run = containUserAction.run({ userName: USER }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ResourceNotFoundError);
    expect(sent(iam)).toEqual([['GetUser', { UserName: USER }]]);
  });

  it('turns an AccessDenied answer into AwsAccessDeniedError and changes nothing', async () => {
    // Prepare
    const { env, iam } = liveEnv();
    uncontainedUser(iam);
    iam.on(UpdateAccessKeyCommand).rejects(accessDenied('iam:UpdateAccessKey'));

    // Act
    const run = containUserAction.run({ userName: USER }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(AwsAccessDeniedError);
    await expect(run).rejects.toThrow(/iam:UpdateAccessKey was denied/);
    expect(sent(iam)).toEqual([
      ...USER_READS,
      ['UpdateAccessKey', { UserName: USER, AccessKeyId: OLD_KEY, Status: 'Inactive' }],
    ]);
    expect(env.recorder.calls.map((c) => c.api)).toEqual([
      ...USER_READS.map(([api]) => api),
      'UpdateAccessKey',
    ]);
  });
});

/** The error the IAM SDK throws for a 403 AccessDenied (not modelled: its name is the code). */
function accessDenied(action: string): Error {
  return Object.assign(
    new Error(
      `User: arn:aws:sts::111122223333:assumed-role/riposte-contain/fn is not authorized to perform: ${action}`,
    ),
    { name: 'AccessDenied', Code: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } },
  );
}

describe('release-iam-user', () => {
  it('reactivates the keys that were Active, then deletes riposte-deny-all, and says the password cannot be restored', async () => {
    // Prepare
    const { env, iam } = liveEnv();
    await env.state.save(`iam-user:${USER}`, {
      kind: 'iam-user',
      userName: USER,
      arn: USER_ARN,
      tags: {},
      capturedAt: NOW_ISO,
      windowStart: '2025-06-01T00:00:00.000Z',
      accessKeys: [
        { accessKeyId: OLD_KEY, status: 'Active', createDate: '2024-03-04T09:05:00.000Z' },
        { accessKeyId: NEW_KEY, status: 'Inactive', createDate: '2025-06-01T03:12:44.000Z' },
      ],
      inlinePolicies: ['deploy-payments-artifacts'],
      attachedPolicies: [],
      loginProfile: { createDate: '2024-03-04T09:00:00.000Z', passwordResetRequired: false },
      mfaDevices: [],
    });
    containedUser(iam);

    // Act
    const output = await releaseUserAction.run({ userName: USER }, env);

    // Assess
    expect(sent(iam)).toEqual([
      ['ListAccessKeys', { UserName: USER }],
      ['ListUserPolicies', { UserName: USER }],
      ['UpdateAccessKey', { UserName: USER, AccessKeyId: OLD_KEY, Status: 'Active' }],
      ['DeleteUserPolicy', { UserName: USER, PolicyName: 'riposte-deny-all' }],
      ['ListAccessKeys', { UserName: USER }],
      ['GetUserPolicy', { UserName: USER, PolicyName: 'riposte-deny-all' }],
    ]);
    expect(output.reactivatedAccessKeys).toEqual([OLD_KEY]);
    expect(output.denyPolicy).toEqual({ policyName: 'riposte-deny-all', outcome: 'removed' });
    expect(output.loginProfile.existedBeforeContainment).toBe(true);
    expect(output.loginProfile.restored).toBe(false);
    expect(output.loginProfile.operatorAction).toMatch(/cannot be restored.*CreateLoginProfile/);
    expect(releaseUserAction.output.parse(output)).toEqual(output);
  });

  it('throws NothingToReleaseError when nothing was captured', async () => {
    // Prepare
    const { env, iam } = liveEnv();

    // Act
    const run = releaseUserAction.run({ userName: USER }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(NothingToReleaseError);
    expect(sent(iam)).toEqual([]);
  });
});

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

describe('release-role-sessions', () => {
  it('deletes riposte-revoke-older-sessions', async () => {
    // Prepare
    const { env, iam } = liveEnv();
    await env.state.save(`iam-role:${ROLE}`, {
      kind: 'iam-role',
      roleName: ROLE,
      arn: ROLE_ARN,
      tags: {},
      capturedAt: NOW_ISO,
      inlinePolicies: ['read-payments-exports'],
      attachedPolicies: [],
      revokedBefore: NOW_ISO,
    });
    iam.on(ListRolePoliciesCommand).resolves({
      PolicyNames: ['read-payments-exports', 'riposte-revoke-older-sessions'],
      IsTruncated: false,
    });
    iam.on(DeleteRolePolicyCommand).resolves({});

    // Act
    const output = await releaseRoleSessionsAction.run({ roleName: ROLE }, env);

    // Assess
    expect(sent(iam)).toEqual([
      ['ListRolePolicies', { RoleName: ROLE }],
      ['DeleteRolePolicy', { RoleName: ROLE, PolicyName: 'riposte-revoke-older-sessions' }],
      ['ListRolePolicies', { RoleName: ROLE }],
    ]);
    expect(output.outcome).toBe('removed');
  });

  it('throws NothingToReleaseError when no revocation was recorded', async () => {
    // Prepare
    const { env, iam } = liveEnv();

    // Act
    const run = releaseRoleSessionsAction.run({ roleName: ROLE }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(NothingToReleaseError);
    expect(sent(iam)).toEqual([]);
  });
});

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

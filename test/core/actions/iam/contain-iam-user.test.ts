import { GetUserCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import {
  AwsAccessDeniedError,
  ProtectedResourceError,
  ResourceNotFoundError,
} from '../../../../functions/core/actions/errors.ts';
import { containUserAction } from '../../../../functions/core/actions/iam/contain-iam-user.ts';
import { DENY_ALL_POLICY } from '../../../../functions/core/actions/iam/shared/policies.ts';
import {
  accessDenied,
  CONTAINED_READ_BACK,
  containedUser,
  liveEnv,
  mutations,
  NEW_KEY,
  noSuchEntity,
  OLD_KEY,
  sent,
  USER,
  USER_ARN,
  USER_READS,
  uncontainedUser,
} from './support.ts';

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

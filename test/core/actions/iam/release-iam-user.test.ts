import { GetUserCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { NothingToReleaseError, ProtectedResourceError } from '../../../../functions/core/actions/errors.ts';
import { releaseUserAction } from '../../../../functions/core/actions/iam/release-iam-user.ts';
import {
  containedUser,
  liveEnv,
  mutations,
  NEW_KEY,
  NOW_ISO,
  OLD_KEY,
  sent,
  USER,
  USER_ARN,
} from './support.ts';

/** What contain-iam-user saved: the old key Active, the attacker's new key Inactive, a console password. */
const CAPTURE = {
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
};

describe('release-iam-user', () => {
  it('reactivates the keys that were Active, then deletes riposte-deny-all, and says the password cannot be restored', async () => {
    // Prepare
    const { env, iam } = liveEnv();
    await env.state.save(`iam-user:${USER}`, CAPTURE);
    containedUser(iam);

    // Act
    const output = await releaseUserAction.run({ userName: USER }, env);

    // Assess
    expect(sent(iam)).toEqual([
      ['GetUser', { UserName: USER }],
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

  it('refuses a user tagged protected since its containment, before changing anything', async () => {
    // Prepare: the tag as people write it (key and value trimmed and compared case-insensitively)
    const { env, iam } = liveEnv();
    await env.state.save(`iam-user:${USER}`, CAPTURE);
    containedUser(iam);
    iam.on(GetUserCommand).resolves({
      User: {
        UserName: USER,
        UserId: 'AIDAPAYMENTSDEPLOY01',
        Arn: USER_ARN,
        Path: '/',
        CreateDate: new Date('2024-03-04T09:00:00Z'),
        Tags: [{ Key: ' Riposte:Protected', Value: 'TRUE ' }],
      },
    });

    // Act
    const run = releaseUserAction.run({ userName: USER }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    await expect(run).rejects.toThrow(
      /release of IAM user payments-deployer refused: it now carries the protected tag/,
    );
    expect(sent(iam)).toEqual([['GetUser', { UserName: USER }]]);
    expect(mutations(iam)).toEqual([]);
  });
});

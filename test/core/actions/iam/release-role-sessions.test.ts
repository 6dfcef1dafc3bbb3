import { DeleteRolePolicyCommand, GetRoleCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { NothingToReleaseError, ProtectedResourceError } from '../../../../functions/core/actions/errors.ts';
import { releaseRoleSessionsAction } from '../../../../functions/core/actions/iam/release-role-sessions.ts';
import { type IamMock, liveEnv, mutations, NOW_ISO, ROLE, ROLE_ARN, sent } from './support.ts';

/** What revoke-role-sessions saved before revoking. */
const CAPTURE = {
  kind: 'iam-role',
  roleName: ROLE,
  arn: ROLE_ARN,
  tags: {},
  capturedAt: NOW_ISO,
  inlinePolicies: ['read-payments-exports'],
  attachedPolicies: [],
  revokedBefore: NOW_ISO,
};

/** `GetRole` answering the role with these tags. */
function roleTagged(iam: IamMock, tags: { Key: string; Value: string }[]): void {
  iam.on(GetRoleCommand).resolves({
    Role: {
      RoleName: ROLE,
      RoleId: 'AROAPAYMENTSAPPROLE1',
      Arn: ROLE_ARN,
      Path: '/',
      CreateDate: new Date('2024-03-04T09:00:00Z'),
      Tags: tags,
    },
  });
}

describe('release-role-sessions', () => {
  it('deletes riposte-revoke-older-sessions', async () => {
    // Prepare
    const { env, iam } = liveEnv();
    await env.state.save(`iam-role:${ROLE}`, CAPTURE);
    roleTagged(iam, [{ Key: 'team', Value: 'payments' }]);
    iam.on(ListRolePoliciesCommand).resolves({
      PolicyNames: ['read-payments-exports', 'riposte-revoke-older-sessions'],
      IsTruncated: false,
    });
    iam.on(DeleteRolePolicyCommand).resolves({});

    // Act
    const output = await releaseRoleSessionsAction.run({ roleName: ROLE }, env);

    // Assess
    expect(sent(iam)).toEqual([
      ['GetRole', { RoleName: ROLE }],
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

  it('refuses a role tagged protected since its revocation, before changing anything', async () => {
    // Prepare: the tag as people write it (key and value trimmed and compared case-insensitively)
    const { env, iam } = liveEnv();
    await env.state.save(`iam-role:${ROLE}`, CAPTURE);
    roleTagged(iam, [{ Key: 'RIPOSTE:protected ', Value: ' True' }]);
    iam.on(ListRolePoliciesCommand).resolves({
      PolicyNames: ['read-payments-exports', 'riposte-revoke-older-sessions'],
      IsTruncated: false,
    });

    // Act
    const run = releaseRoleSessionsAction.run({ roleName: ROLE }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    await expect(run).rejects.toThrow(
      /release of IAM role payments-app-role refused: it now carries the protected tag/,
    );
    expect(sent(iam)).toEqual([['GetRole', { RoleName: ROLE }]]);
    expect(mutations(iam)).toEqual([]);
  });
});

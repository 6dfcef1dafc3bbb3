import { DeleteRolePolicyCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { NothingToReleaseError } from '../../../../functions/core/actions/errors.ts';
import { releaseRoleSessionsAction } from '../../../../functions/core/actions/iam/release-role-sessions.ts';
import { liveEnv, NOW_ISO, ROLE, ROLE_ARN, sent } from './support.ts';

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

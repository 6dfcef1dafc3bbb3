import { restoreWorldOpenIngressAction } from '#core/actions/ec2/restore-world-open-ingress.ts';
import { releaseUserAction } from '#core/actions/iam/release-iam-user.ts';
import { releaseRoleSessionsAction } from '#core/actions/iam/release-role-sessions.ts';
import { definePlaybook, type Flow } from '#core/playbooks/sdk.ts';

/**
 * Release of a security group changed by security-group-open-to-world, started by an operator
 * (`riposte release <incident>`): the inbound rules the containment revoked are authorized again
 * exactly as saved (protocol, ports, CIDR, description) with `AuthorizeSecurityGroupIngress`, and
 * read back with `DescribeSecurityGroupRules`. The group is open to the internet again
 * afterwards: release only once the rules are meant to be there. A group that now carries the
 * protected tag is left alone.
 *
 * Then the caller security-group-open-to-world contained, if it did (a CloudTrail-triggered
 * incident whose containment of the caller was approved), is released from the state saved in
 * this incident with the actions of iam-credential-release: a user's keys that were active are
 * reactivated (except the long-term key the call was signed with, which stays inactive and must
 * be rotated) and the deny-all policy removed; a role's session revocation is removed. A caller
 * that was never contained is told apart and nothing is changed for it; a caller tagged protected
 * since its containment is left alone (the release action refuses before any change): notified.
 *
 * AWS: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupIngress.html
 */
export default definePlaybook({
  id: 'security-group-release',
  version: '1.2.0',
  title: 'Release a security group changed by security-group-open-to-world',
  description:
    'Undoes security-group-open-to-world: re-authorizes the saved world-open inbound rules with their descriptions and reads them back, and releases the caller it contained.',
  owner: 'security-engineering',
  changelog: {
    '1.0.0':
      'Re-authorize the saved rules that are missing and verify them; nothing to release and protected groups are told apart; notify.',
    '1.1.0':
      'Release the caller security-group-open-to-world contained (user or role); a caller never contained is told apart.',
    '1.2.0':
      'A caller tagged protected since its containment is left alone (the release action refuses before any change): a notification says so instead of the execution failing; the group’s rules stay restored.',
  },
  trigger: { manual: true },
  timeoutSeconds: 3600,
  steps: (flow) =>
    flow
      .run('release', restoreWorldOpenIngressAction, ($) => ({ groupId: $('incident.resourceUid') }), {
        name: 'Restore inbound rules',
        timeoutSeconds: 300,
        catch: [
          {
            errors: ['NothingToReleaseError'],
            recover: (f) =>
              f
                .notify(
                  'nothingToRelease',
                  {
                    subject: 'Nothing to release: no rule of the group was revoked',
                    summary: 'This incident saved no revoked rule of the group: nothing was changed.',
                  },
                  { name: 'Notify: nothing to release' },
                )
                .succeed('stopNothing', { name: 'Stop: nothing to release' }),
          },
          {
            errors: ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError'],
            recover: (f) =>
              f
                .notify(
                  'releaseRefused',
                  {
                    subject: 'Security group release refused by a safety rail',
                    summary:
                      'The group now carries the protected tag: Riposte changes nothing on it. Re-authorize its rules by hand if needed.',
                  },
                  { name: 'Notify: refused' },
                )
                .succeed('stopRefused', { name: 'Stop: refused' }),
          },
        ],
      })
      .choice(
        'callerKind',
        (c) => [
          c.when(c.eq('alert.actor.type', 'IAMUser'), (f) =>
            f.run(
              'releaseCallerUser',
              releaseUserAction,
              ($) => ({
                userName: $('alert.actor.name'),
                attackerAccessKeyIds: $('alert.actor.accessKeyIds'),
              }),
              {
                name: 'Release the calling user',
                timeoutSeconds: 300,
                catch: [
                  {
                    errors: ['NothingToReleaseError'],
                    recover: callerNotContained('userNotContained', 'user'),
                  },
                  {
                    errors: ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError'],
                    recover: callerRefused('userRefused', 'user'),
                  },
                ],
              },
            ),
          ),
          c.when(c.eq('alert.actor.type', 'AssumedRole'), (f) =>
            f.run(
              'releaseCallerRole',
              releaseRoleSessionsAction,
              ($) => ({ roleName: $('alert.actor.name') }),
              {
                name: 'Release the calling role',
                timeoutSeconds: 300,
                catch: [
                  {
                    errors: ['NothingToReleaseError'],
                    recover: callerNotContained('roleNotContained', 'role'),
                  },
                  {
                    errors: ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError'],
                    recover: callerRefused('roleRefused', 'role'),
                  },
                ],
              },
            ),
          ),
        ],
        undefined,
        { name: 'Caller contained as user or role?' },
      )
      .notify(
        'released',
        {
          subject: 'Security group rules restored',
          summary:
            'The inbound rules the containment revoked are authorized again (read back to check): the group is open to the internet as before. A caller the containment contained is released (a user’s console password must be reset by hand, and the key the call was signed with stays inactive: rotate it).',
        },
        { name: 'Notify: released' },
      ),
});

/** A caller this incident never contained (approval denied, refused, not containable): told, nothing changed. */
function callerNotContained(id: string, kind: 'user' | 'role') {
  return <C>(f: Flow<C>) =>
    f.notify(
      id,
      {
        subject: `The calling ${kind} was never contained: nothing to release for it`,
        summary: 'This incident contained no caller: only the security group rules were restored.',
      },
      { name: `Notify: caller not contained (${kind})` },
    );
}

/** A caller a rail refuses to release (tagged protected since): told, nothing changed for it. */
function callerRefused(id: string, kind: 'user' | 'role') {
  const byHand =
    kind === 'user'
      ? 'reactivate its keys and remove riposte-deny-all by hand if it may be trusted again'
      : 'remove riposte-revoke-older-sessions by hand if its sessions may be trusted again';
  return <C>(f: Flow<C>) =>
    f
      .notify(
        id,
        {
          subject: `Security group rules restored; the calling ${kind} was left contained by a safety rail`,
          summary: `The inbound rules the containment revoked are authorized again (read back to check). The ${kind} now carries the protected tag: Riposte changed nothing on it; ${byHand}.`,
        },
        { name: `Notify: caller refused (${kind})` },
      )
      .succeed(`${id}Stop`, { name: `Stop: caller refused (${kind})` });
}

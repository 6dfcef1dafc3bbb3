import { releaseUserAction } from '#core/actions/iam/release-iam-user.ts';
import { releaseRoleSessionsAction } from '#core/actions/iam/release-role-sessions.ts';
import { definePlaybook } from '#core/playbooks/sdk.ts';

const NOTHING_TO_RELEASE = 'NothingToReleaseError';
const REFUSED = ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError'];
const NOTHING_SUMMARY =
  'This incident has no completed containment (none ran, or a safety rail or a person refused it): nothing was released and nothing was changed.';

/**
 * Release of contained IAM credentials, started by an operator: a user's keys that were active
 * are reactivated, except the key the finding names as used by the attacker (it stays inactive
 * and the notification asks for its rotation), and the deny-all policy removed (the console
 * password cannot be restored: the user needs a new one); a role's session revocation is
 * removed. An incident that was never contained ends on "nothing to release". A user or role
 * tagged protected since its containment is left alone (release-iam-user and
 * release-role-sessions refuse before any change): notified.
 */
export default definePlaybook({
  id: 'iam-credential-release',
  version: '1.2.0',
  title: 'Release contained IAM credentials',
  description: 'Undoes iam-credential-compromise from the saved pre-containment state.',
  owner: 'security-engineering',
  changelog: {
    '1.2.0':
      'A user or role tagged protected since its containment is left alone (the release action refuses before any change): a notification says so instead of the execution failing.',
    '1.1.0':
      'The access key the finding names as used by the attacker stays inactive and the notification asks to rotate it; an incident never contained ends on a "nothing to release" notification instead of failing.',
    '1.0.1':
      'Steps are run again when AWS keeps throttling or failing on its side past the SDK’s own retries (up to three more times, waits growing to at most 30 s; more AWS error codes recognized); access denied and safety refusals are still never retried.',
    '1.0.0': 'Reactivate a user’s keys and remove deny-all, or remove a role’s session revocation; notify.',
  },
  trigger: { manual: true },
  timeoutSeconds: 3600,
  steps: (flow) =>
    flow
      .choice(
        'releaseKind',
        (c) => [
          c.when(c.eq('incident.resourceType', 'AWS::IAM::User'), (f) =>
            f.run(
              'releaseUser',
              releaseUserAction,
              ($) => ({
                userName: $('incident.resourceName'),
                attackerAccessKeyIds: $('alert.accessKeyIds'),
              }),
              {
                name: 'Restore user',
                timeoutSeconds: 300,
                catch: [
                  {
                    errors: [NOTHING_TO_RELEASE],
                    recover: (r) =>
                      r
                        .notify(
                          'userNothingToRelease',
                          {
                            subject: 'Nothing to release: the user’s credentials were never contained',
                            summary: NOTHING_SUMMARY,
                          },
                          { name: 'Notify: nothing to release (user)' },
                        )
                        .succeed('stopUserNothing', { name: 'Stop: nothing to release (user)' }),
                  },
                  {
                    errors: REFUSED,
                    recover: (r) =>
                      r
                        .notify(
                          'userRefused',
                          {
                            subject: 'IAM user release refused by a safety rail',
                            summary:
                              'The user now carries the protected tag: Riposte changed nothing on it. Reactivate its keys and remove riposte-deny-all by hand if it may be trusted again.',
                          },
                          { name: 'Notify: refused (user)' },
                        )
                        .succeed('stopUserRefused', { name: 'Stop: refused (user)' }),
                  },
                ],
              },
            ),
          ),
          c.when(c.eq('incident.resourceType', 'AWS::IAM::Role'), (f) =>
            f.run(
              'releaseRole',
              releaseRoleSessionsAction,
              ($) => ({ roleName: $('incident.resourceName') }),
              {
                name: 'Restore role sessions',
                timeoutSeconds: 300,
                catch: [
                  {
                    errors: [NOTHING_TO_RELEASE],
                    recover: (r) =>
                      r
                        .notify(
                          'roleNothingToRelease',
                          {
                            subject: 'Nothing to release: the role’s credentials were never contained',
                            summary: NOTHING_SUMMARY,
                          },
                          { name: 'Notify: nothing to release (role)' },
                        )
                        .succeed('stopRoleNothing', { name: 'Stop: nothing to release (role)' }),
                  },
                  {
                    errors: REFUSED,
                    recover: (r) =>
                      r
                        .notify(
                          'roleRefused',
                          {
                            subject: 'IAM role release refused by a safety rail',
                            summary:
                              'The role now carries the protected tag: Riposte changed nothing on it. Remove riposte-revoke-older-sessions by hand if its sessions may be trusted again.',
                          },
                          { name: 'Notify: refused (role)' },
                        )
                        .succeed('stopRoleRefused', { name: 'Stop: refused (role)' }),
                  },
                ],
              },
            ),
          ),
        ],
        (f) =>
          f
            .notify(
              'cannotRelease',
              { subject: 'Nothing Riposte can release for this principal' },
              { name: 'Notify: cannot release' },
            )
            .succeed('stopCannotRelease', { name: 'Stop: cannot release' }),
        { name: 'User or role?' },
      )
      .notify(
        'credentialsReleased',
        {
          subject: 'IAM credentials released',
          summary:
            'Keys that were active are active again, except a key the finding names as used by the attacker: it stays inactive and must be rotated (see the to-do list). The deny policy is gone. A user’s console password must be reset by hand.',
        },
        { name: 'Notify: released' },
      ),
});

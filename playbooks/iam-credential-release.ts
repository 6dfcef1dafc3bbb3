import { releaseRoleSessionsAction, releaseUserAction } from '#core/actions/iam.ts';
import { definePlaybook } from '#core/playbooks/sdk.ts';

/**
 * Release of contained IAM credentials, started by an operator: a user's keys that were active
 * are reactivated and the deny-all policy removed (the console password cannot be restored: the
 * user needs a new one); a role's session revocation is removed.
 */
export default definePlaybook({
  id: 'iam-credential-release',
  version: '1.0.1',
  title: 'Release contained IAM credentials',
  description: 'Undoes iam-credential-compromise from the saved pre-containment state.',
  owner: 'security-engineering',
  changelog: {
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
            f.run('releaseUser', releaseUserAction, ($) => ({ userName: $('incident.resourceName') }), {
              name: 'Restore user',
              timeoutSeconds: 300,
            }),
          ),
          c.when(c.eq('incident.resourceType', 'AWS::IAM::Role'), (f) =>
            f.run(
              'releaseRole',
              releaseRoleSessionsAction,
              ($) => ({ roleName: $('incident.resourceName') }),
              {
                name: 'Restore role sessions',
                timeoutSeconds: 300,
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
            'Keys that were active are active again and the deny policy is gone. A user’s console password must be reset by hand.',
        },
        { name: 'Notify: released' },
      ),
});

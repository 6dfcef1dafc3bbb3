import { enrichPrincipalAction } from '#core/actions/iam/enrich-principal.ts';
import { releaseUserAction } from '#core/actions/iam/release-iam-user.ts';
import { definePlaybook } from '#core/playbooks/sdk.ts';

const NOTHING_SUMMARY =
  'The user was never contained (the approval was denied, a rail refused it, or the key could not be tied to a user): nothing was released and nothing was changed. The exposed key stays inactive.';

/**
 * Release of exposed-access-key, started by an operator (`riposte release <incident>`): the
 * **user** it contained is released from the state saved in this incident, with the action
 * iam-credential-release uses: the user's other keys that were active are reactivated and the
 * deny-all policy removed (the console password cannot be restored: the user needs a new one).
 *
 * The exposed key is never reactivated: it was already inactive when the user was contained, and
 * it is passed as the attacker's key, so release-iam-user keeps it inactive and asks for its
 * rotation. A key AWS found exposed must be rotated and deleted
 * (https://repost.aws/knowledge-center/potential-account-compromise). The user is found again
 * from the key (`GetAccessKeyLastUsed`), as the incident is about the key. A user tagged
 * protected since its containment is left alone (release-iam-user refuses before any change):
 * notified.
 */
export default definePlaybook({
  id: 'exposed-access-key-release',
  version: '1.1.0',
  title: 'Release the user contained by exposed-access-key',
  description:
    'Releases the user exposed-access-key contained (other keys reactivated, deny-all removed); the exposed key stays inactive.',
  owner: 'security-engineering',
  changelog: {
    '1.1.0':
      'A user tagged protected since its containment is left alone (release-iam-user refuses before any change): a notification says so instead of the execution failing.',
    '1.0.0':
      'Find the key’s user again; release it from the saved state (keys that were active reactivated, except the exposed key; deny-all removed); nothing to release is told apart.',
  },
  trigger: { manual: true },
  timeoutSeconds: 3600,
  steps: (flow) =>
    flow
      .run('user', enrichPrincipalAction, ($) => ({ accessKeyId: $('incident.resourceUid') }), {
        name: 'Find the key’s user',
        catch: [
          {
            errors: ['ResourceNotFoundError', 'InvalidInputError'],
            recover: (r) =>
              r
                .notify(
                  'noUser',
                  { subject: 'Nothing to release: no user owns the key', summary: NOTHING_SUMMARY },
                  { name: 'Notify: no user' },
                )
                .succeed('stopNoUser', { name: 'Stop: no user' }),
          },
        ],
      })
      .run(
        'releaseUser',
        releaseUserAction,
        ($) => ({ userName: $('steps.user.output.name'), attackerAccessKeyIds: $('alert.accessKeyIds') }),
        {
          name: 'Release the user',
          timeoutSeconds: 300,
          catch: [
            {
              errors: ['NothingToReleaseError'],
              recover: (r) =>
                r
                  .notify(
                    'nothingToRelease',
                    {
                      subject: 'Nothing to release: the key’s user was never contained',
                      summary: NOTHING_SUMMARY,
                    },
                    { name: 'Notify: nothing to release' },
                  )
                  .succeed('stopNothing', { name: 'Stop: nothing to release' }),
            },
            {
              errors: ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError'],
              recover: (r) =>
                r
                  .notify(
                    'releaseRefused',
                    {
                      subject: 'Release of the key’s user refused by a safety rail',
                      summary:
                        'The user now carries the protected tag: Riposte changed nothing on it. Reactivate its other keys and remove riposte-deny-all by hand if it may be trusted again; the exposed key stays inactive.',
                    },
                    { name: 'Notify: refused' },
                  )
                  .succeed('stopRefused', { name: 'Stop: refused' }),
            },
          ],
        },
      )
      .notify(
        'released',
        {
          subject: 'User released; the exposed key stays inactive',
          summary:
            'The user’s keys that were active are active again, except the exposed key: rotate it, then delete it. The deny policy is gone. The console password must be reset by hand.',
        },
        { name: 'Notify: released' },
      ),
});

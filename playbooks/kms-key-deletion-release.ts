import { releaseUserAction } from '#core/actions/iam/release-iam-user.ts';
import { releaseRoleSessionsAction } from '#core/actions/iam/release-role-sessions.ts';
import { definePlaybook } from '#core/playbooks/sdk.ts';

const NOTHING_TO_RELEASE = 'NothingToReleaseError';
const NOTHING_SUMMARY =
  'This incident contained no caller (the approval was denied, a rail refused it, or the caller was not containable): nothing was released and nothing was changed.';

/**
 * Release of kms-key-deletion-scheduled, started by an operator (`riposte release <incident>`):
 * the **caller** it contained is released from the state saved in this incident, with the same
 * actions as iam-credential-release: a user's keys that were active are reactivated (except the
 * long-term key the call was signed with, which stays inactive and must be rotated) and the
 * deny-all policy removed; a role's session revocation is removed.
 *
 * The key itself is not touched: its deletion stays cancelled and its state stays as restored.
 * Disabling it again or scheduling its deletion again would redo what the attacker did; an owner
 * who meant to retire the key does so by hand.
 */
export default definePlaybook({
  id: 'kms-key-deletion-release',
  version: '1.0.0',
  title: 'Release the caller contained by kms-key-deletion-scheduled',
  description:
    'Releases the user or role kms-key-deletion-scheduled contained from the saved state; the KMS key stays as restored.',
  owner: 'security-engineering',
  changelog: {
    '1.0.0':
      'Release the calling user (keys reactivated except the one the call was signed with, deny-all removed) or role (revocation removed); the key is left as restored; nothing to release is told apart.',
  },
  trigger: { manual: true },
  timeoutSeconds: 3600,
  steps: (flow) =>
    flow
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
                    errors: [NOTHING_TO_RELEASE],
                    recover: (r) =>
                      r
                        .notify(
                          'userNothingToRelease',
                          {
                            subject: 'Nothing to release: the calling user was never contained',
                            summary: NOTHING_SUMMARY,
                          },
                          { name: 'Notify: nothing to release (user)' },
                        )
                        .succeed('stopUserNothing', { name: 'Stop: nothing to release (user)' }),
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
                    errors: [NOTHING_TO_RELEASE],
                    recover: (r) =>
                      r
                        .notify(
                          'roleNothingToRelease',
                          {
                            subject: 'Nothing to release: the calling role was never contained',
                            summary: NOTHING_SUMMARY,
                          },
                          { name: 'Notify: nothing to release (role)' },
                        )
                        .succeed('stopRoleNothing', { name: 'Stop: nothing to release (role)' }),
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
              { subject: 'Nothing Riposte can release for this caller', summary: NOTHING_SUMMARY },
              { name: 'Notify: cannot release' },
            )
            .succeed('stopCannotRelease', { name: 'Stop: cannot release' }),
        { name: 'User or role?' },
      )
      .notify(
        'callerReleased',
        {
          subject: 'Caller released; the KMS key stays as restored',
          summary:
            'The caller’s containment is undone (a user’s console password must be reset by hand, and the key the call was signed with stays inactive: rotate it). The KMS key’s deletion stays cancelled.',
        },
        { name: 'Notify: released' },
      ),
});

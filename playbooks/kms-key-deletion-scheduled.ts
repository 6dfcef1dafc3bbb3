import { enrichKmsKeyAction } from '#core/actions/kms/enrich-kms-key.ts';
import { restoreKmsKeyAction } from '#core/actions/kms/restore-kms-key.ts';
import { containCaller } from '#core/playbooks/fragments/contain-caller.ts';
import { definePlaybook, type Flow } from '#core/playbooks/sdk.ts';

const REFUSED = ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError', 'ApprovalRequiredError'];

/**
 * A KMS key scheduled for deletion or disabled: the key is saved first, then the principal who
 * did it is contained once a person approves.
 *
 * Every piece of data encrypted under a key becomes unrecoverable when the key is deleted, so
 * scheduling a key's deletion (or disabling it, which stops every decryption at once) is how an
 * attacker holds data to ransom or destroys it. Both calls are management events that
 * CloudTrail delivers to EventBridge; only successful calls trigger (a failed call carries an
 * `errorCode` and is rated Informational, without the `signal:kms-key-disabled` label).
 * CloudTrail records are never provider samples; the restore action refuses a sample alert all
 * the same.
 *
 * 1. Enrich: `DescribeKey` (state, `KeyManager`, deletion date) and `ListResourceTags`
 *    (https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html). An AWS managed
 *    key (`KeyManager: AWS`) is AWS's to manage and a protected key is the owners': both are
 *    only reported. The restore action refuses them too.
 * 2. Restore (`restore-kms-key`): `CancelKeyDeletion`
 *    (https://docs.aws.amazon.com/kms/latest/APIReference/API_CancelKeyDeletion.html), which
 *    leaves the key Disabled, then `EnableKey`
 *    (https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKey.html) only when the key
 *    was enabled before the change: after `DisableKey` it was, by definition; after
 *    `ScheduleKeyDeletion` the key's CloudTrail history (`LookupEvents`, 90 days) decides, and a
 *    key that was already disabled, or whose history says nothing, stays Disabled (see
 *    `actions/kms/shared/history.ts`). Read back with `DescribeKey`: the expected state and no
 *    `DeletionDate`. A key that does not read back so ends the execution failed after a
 *    `NOT VERIFIED` notification. No approval: cancelling a deletion loses nothing.
 * 3. The caller: `assess-actor` applies the rails on the principal (never an AWS service acting
 *    on someone's behalf, root, Riposte's own roles, service-linked or Identity Center roles,
 *    another account's principals, protected ones). A containable caller is contained only
 *    after a person approves: an IAM user with `contain-iam-user` (keys deactivated, deny-all
 *    policy, console password removed), an assumed role with `revoke-role-sessions`, as
 *    AWS's guidance for compromised credentials describes
 *    (https://docs.aws.amazon.com/guardduty/latest/ug/compromised-creds.html). Past the hourly
 *    containment limit, a second approval (purpose `blast-radius`) lets it through. These steps
 *    are the `containCaller` fragment (`functions/core/playbooks/fragments/contain-caller.ts`).
 *
 * Release: there is none for the key. Disabling it again or scheduling its deletion again would
 * redo the attack, not undo Riposte's work; an owner who really meant to retire the key does it
 * again by hand. What can be undone is the caller's containment: `kms-key-deletion-release`
 * releases it from the state saved in this incident (the same actions as
 * `iam-credential-release`).
 */
export default definePlaybook({
  id: 'kms-key-deletion-scheduled',
  version: '1.1.0',
  title: 'KMS key scheduled for deletion or disabled',
  description:
    'Cancels the scheduled deletion of a customer managed KMS key, enables it again if it was enabled before, and contains the caller after an approval.',
  owner: 'security-engineering',
  changelog: {
    '1.1.0':
      'A containment of the caller past the hourly containment limit (BlastRadiusExceededError) asks for an over-limit approval (purpose blast-radius): approved, the caller is contained; denied, the execution stops after a notification. The caller’s steps come from the shared contain-caller fragment, their state names unchanged.',
    '1.0.0':
      'Enrich the key; AWS managed and protected keys are only reported; cancel the deletion and re-enable a key that was enabled before (CloudTrail history), verified with DescribeKey; contain the caller (user or role) after an approval, under the rails on the caller; notify.',
  },
  trigger: {
    anyOf: [
      {
        sources: ['aws.kms'],
        apiCalls: ['kms:ScheduleKeyDeletion', 'kms:DisableKey'],
        labels: ['signal:kms-key-disabled'],
        resourceTypes: ['AWS::KMS::Key'],
      },
    ],
  },
  timeoutSeconds: 6 * 3600,
  steps: (flow) =>
    flow
      .run('key', enrichKmsKeyAction, ($) => ({ keyId: $('incident.resourceUid') }), {
        name: 'Enrich key',
        catch: [
          {
            errors: ['ResourceNotFoundError'],
            recover: (f) =>
              f
                .notify(
                  'keyGone',
                  {
                    subject: 'KMS key not found: it may already be deleted',
                    summary:
                      'DescribeKey does not find the key: a deleted key cannot be recovered. Find what was encrypted under it.',
                  },
                  { name: 'Notify: key not found' },
                )
                .succeed('stopKeyGone', { name: 'Stop: key not found' }),
          },
        ],
      })
      .choice(
        'keyStanding',
        (c) => [
          c.when(c.or(c.isTrue('steps.key.output.awsManaged'), c.isTrue('steps.key.output.protected')), (f) =>
            f
              .notify(
                'keyNotRestored',
                {
                  subject: 'KMS key not changed: AWS managed or protected key',
                  summary:
                    'The key is managed by AWS, or carries the protected tag: Riposte never changes it. Check the change by hand.',
                },
                { name: 'Notify: not changed' },
              )
              .succeed('stopNotRestored', { name: 'Stop: not changed' }),
          ),
        ],
        undefined,
        { name: 'AWS managed or protected?' },
      )
      .run(
        'restore',
        restoreKmsKeyAction,
        ($) => ({
          keyId: $('steps.key.output.arn'),
          change: $('alert.apiCall'),
          changedAt: $('alert.time'),
          changeEventId: $('alert.id'),
          actorArn: $('alert.actor.arn'),
        }),
        {
          name: 'Cancel deletion, re-enable',
          timeoutSeconds: 300,
          catch: [
            {
              errors: REFUSED,
              recover: (f) =>
                f
                  .notify(
                    'restoreRefused',
                    {
                      subject: 'KMS key restore refused by a safety rail',
                      summary: 'The reason is in the incident timeline.',
                    },
                    { name: 'Notify: refused' },
                  )
                  .succeed('stopRefused', { name: 'Stop: refused' }),
            },
            {
              errors: ['BlastRadiusExceededError'],
              recover: (f) =>
                f
                  .approve('overLimitApproval', {
                    name: 'Approve over the containment limit',
                    message:
                      'The hourly containment limit is reached. Cancel this KMS key’s deletion anyway?',
                    purpose: 'blast-radius',
                  })
                  .run(
                    'restoreApproved',
                    restoreKmsKeyAction,
                    ($) => ({
                      keyId: $('steps.key.output.arn'),
                      change: $('alert.apiCall'),
                      changedAt: $('alert.time'),
                      changeEventId: $('alert.id'),
                      actorArn: $('alert.actor.arn'),
                    }),
                    {
                      name: 'Cancel deletion, re-enable (approved)',
                      timeoutSeconds: 300,
                    },
                  )
                  .choice(
                    'approvedKeyVerified',
                    (c) => [
                      c.when(
                        c.and(
                          c.isFalse('steps.restoreApproved.output.verification.verified'),
                          c.eq('steps.restoreApproved.output.verification.basis', 'read-back'),
                        ),
                        notVerified('approvedKeyNotVerified', ' (approved)'),
                      ),
                    ],
                    undefined,
                    { name: 'Key verified? (approved)' },
                  ),
            },
          ],
        },
      )
      .choice(
        'keyVerified',
        (c) => [
          c.when(
            c.and(
              c.isFalse('steps.restore.output.verification.verified'),
              c.eq('steps.restore.output.verification.basis', 'read-back'),
            ),
            notVerified('keyNotVerified', ''),
          ),
        ],
        undefined,
        { name: 'Key verified?' },
      )
      .notify(
        'keyRestored',
        {
          subject: 'KMS key deletion cancelled',
          summary:
            'The scheduled deletion is cancelled; the key is enabled again if it was enabled before the change, else left disabled (see the notes). Next: the caller.',
        },
        { name: 'Notify: key restored' },
      )
      .use(
        containCaller({
          approvalMessage:
            'A KMS key was scheduled for deletion or disabled. Contain the principal who did it (user: keys deactivated, deny-all, console password removed; role: sessions revoked)?',
          notContainedSummary:
            'Riposte does not contain this caller (the reason is in the timeline): review its activity by hand.',
          refusedSummary:
            'The KMS key is restored; the caller is not contained (the reason is in the timeline).',
          contained: {
            subject: 'KMS key restored and caller contained',
            summary:
              'The caller is contained. Review what else it did in CloudTrail; release it with kms-key-deletion-release once cleared.',
          },
        }),
      ),
});

/** The branch of a restore that did not read back as expected: say so, and fail the execution. */
function notVerified(id: string, suffix: string) {
  return <C>(f: Flow<C>) =>
    f
      .notify(
        id,
        {
          subject: 'KMS key restore NOT VERIFIED: check the key now',
          summary:
            'DescribeKey does not show the key as expected after the restore: its deletion may still be scheduled.',
        },
        { name: `Notify: not verified${suffix}` },
      )
      .fail(`${id}Fail`, 'ContainmentNotVerifiedError', 'the KMS key did not read back as restored', {
        name: `Fail: not verified${suffix}`,
      });
}

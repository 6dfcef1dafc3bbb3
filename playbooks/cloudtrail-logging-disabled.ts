import { restoreTrailLoggingAction } from '#core/actions/cloudtrail/restore-trail-logging.ts';
import { containCaller } from '#core/playbooks/fragments/contain-caller.ts';
import { definePlaybook, type Flow } from '#core/playbooks/sdk.ts';

const REFUSED = ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError', 'ApprovalRequiredError'];

/**
 * CloudTrail logging stopped, deleted or reduced: logging is put back, then the principal who did
 * it is contained once a person approves. Stopping the record of API calls is what an intruder
 * does before acting unseen (MITRE ATT&CK T1562.008); GuardDuty reports it as
 * `Stealth:IAMUser/CloudTrailLoggingDisabled` and its remediation guide treats it as a sign of
 * compromised credentials (https://docs.aws.amazon.com/guardduty/latest/ug/compromised-creds.html).
 *
 * Triggers: CloudTrail `StopLogging`, `DeleteTrail`, `UpdateTrail` and `PutEventSelectors`
 * (successful calls: Riposte rates them High with `signal:cloudtrail-tampering`), and the
 * GuardDuty finding, whose affected trail the normalizer keeps among the alert's resources.
 * `PutInsightSelectors` is left out: Insights only add anomaly detection on top of logging, and
 * turning them off stops no record.
 *
 * 1. `restore-trail-logging`: `StartLogging` when the trail is stopped
 *    (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StartLogging.html); after
 *    a `PutEventSelectors` that reduced what is logged, the selectors from before it, taken from
 *    the CloudTrail history (`LookupEvents`: the previous `PutEventSelectors`, or the default of a
 *    trail created since) and never guessed: when they cannot be established, the notification
 *    lists the current selectors as a manual step
 *    (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html).
 *    Read back with `GetTrailStatus` (IsLogging) and `GetEventSelectors`; a restore that does not
 *    read back ends the execution failed after a `NOT VERIFIED` notification.
 * 2. What Riposte does not touch, and reports as manual steps: a deleted trail (StartLogging
 *    needs it; its last known configuration is rebuilt from `CreateTrail` and `UpdateTrail` in
 *    the history), an organization trail seen from a member account (only the management
 *    account can start it), a trail whose home Region is not the incident's (a trail is managed
 *    from its home Region), the settings an `UpdateTrail` changed, and a protected trail.
 * 3. The caller, as in kms-key-deletion-scheduled: `assess-actor` applies the rails (no AWS
 *    service acting for someone, root, Riposte's roles, service-linked roles, other accounts,
 *    protected principals), then an approval, then `contain-iam-user` or `revoke-role-sessions`
 *    (past the hourly containment limit, after a second approval with purpose `blast-radius`):
 *    the `containCaller` fragment (`functions/core/playbooks/fragments/contain-caller.ts`).
 *
 * Release: none for the trail. Stopping logging again, or reducing its selectors again, would
 * redo the attack; an owner who meant to change the trail does it again by hand. The caller's
 * containment is released with iam-credential-release when the incident is about the caller
 * (the GuardDuty finding), and with that playbook's actions by hand otherwise.
 */
export default definePlaybook({
  id: 'cloudtrail-logging-disabled',
  version: '1.1.0',
  title: 'CloudTrail logging stopped, deleted or reduced',
  description:
    'Starts a stopped trail again, restores event selectors that were reduced (from the CloudTrail history), reports deleted and organization trails, and contains the caller after an approval.',
  owner: 'security-engineering',
  changelog: {
    '1.1.0':
      'A containment of the caller past the hourly containment limit (BlastRadiusExceededError) asks for an over-limit approval (purpose blast-radius): approved, the caller is contained; denied, the execution stops after a notification. The caller’s steps come from the shared contain-caller fragment, their state names unchanged.',
    '1.0.0':
      'Restart logging and restore reduced event selectors from the history, verified with GetTrailStatus and GetEventSelectors; deleted, organization, other-Region and protected trails reported as manual steps; contain the caller after an approval, under the rails on the caller; notify.',
  },
  trigger: {
    anyOf: [
      {
        sources: ['aws.cloudtrail'],
        apiCalls: [
          'cloudtrail:StopLogging',
          'cloudtrail:DeleteTrail',
          'cloudtrail:UpdateTrail',
          'cloudtrail:PutEventSelectors',
        ],
        labels: ['signal:cloudtrail-tampering'],
      },
      { sources: ['aws.guardduty'], findingTypes: ['Stealth:IAMUser/CloudTrailLoggingDisabled'] },
    ],
  },
  timeoutSeconds: 6 * 3600,
  steps: (flow) =>
    flow
      .run(
        'restore',
        restoreTrailLoggingAction,
        ($) => ({
          resources: $('alert.resources'),
          change: $('alert.apiCall'),
          changedAt: $('alert.time'),
          changeEventId: $('alert.id'),
        }),
        {
          name: 'Restart logging',
          timeoutSeconds: 300,
          catch: [
            {
              errors: ['ResourceNotFoundError'],
              recover: note(
                'noTrail',
                'Notify: no trail',
                'The alert names no trail: check every trail of the Region by hand',
              ),
            },
            {
              errors: REFUSED,
              recover: note(
                'trailRefused',
                'Notify: trail refused',
                'Trail not restored: a safety rail refused it (see the timeline)',
              ),
            },
            {
              errors: ['BlastRadiusExceededError'],
              recover: (f) =>
                f
                  .approve('overLimitApproval', {
                    name: 'Approve over the containment limit',
                    message: 'The hourly containment limit is reached. Restart this trail’s logging anyway?',
                    purpose: 'blast-radius',
                  })
                  .run(
                    'restoreApproved',
                    restoreTrailLoggingAction,
                    ($) => ({
                      resources: $('alert.resources'),
                      change: $('alert.apiCall'),
                      changedAt: $('alert.time'),
                      changeEventId: $('alert.id'),
                    }),
                    { name: 'Restart logging (approved)', timeoutSeconds: 300 },
                  ),
            },
          ],
        },
      )
      .choice(
        'trailOutcome',
        (c) => [
          c.when(
            c.eq('steps.restore.output.outcome', 'deleted'),
            note(
              'trailDeleted',
              'Notify: trail deleted',
              'CloudTrail trail deleted: recreate it (last known configuration in the to-do list)',
            ),
          ),
          c.when(
            c.eq('steps.restore.output.outcome', 'not-owned'),
            note(
              'trailNotOwned',
              'Notify: organization trail',
              'Organization trail changed: check it from the management account',
            ),
          ),
          c.when(
            c.eq('steps.restore.output.outcome', 'other-region'),
            note('trailOtherRegion', 'Notify: other Region', 'Trail of another home Region: check it there'),
          ),
          c.when(
            c.and(
              c.isFalse('steps.restore.output.verification.verified'),
              c.eq('steps.restore.output.verification.basis', 'read-back'),
            ),
            (f) =>
              f
                .notify(
                  'trailNotVerified',
                  {
                    subject: 'CloudTrail logging restore NOT VERIFIED: check the trail now',
                    summary:
                      'GetTrailStatus or GetEventSelectors does not read back as restored: the trail may still be stopped.',
                  },
                  { name: 'Notify: not verified' },
                )
                .fail(
                  'trailNotVerifiedFail',
                  'ContainmentNotVerifiedError',
                  'the trail did not read back as logging',
                  {
                    name: 'Fail: not verified',
                  },
                ),
          ),
          c.when(
            c.eq('steps.restore.output.outcome', 'restored'),
            note('trailRestored', 'Notify: logging restored', 'CloudTrail logging restored'),
          ),
        ],
        undefined,
        { name: 'Trail outcome?' },
      )
      .use(
        containCaller({
          approvalMessage:
            'CloudTrail logging was stopped, deleted or reduced. Contain the principal who did it (user: keys deactivated, deny-all, console password removed; role: sessions revoked)?',
          notContainedSummary:
            'Riposte does not contain this caller (the reason is in the timeline): review its activity by hand.',
          refusedSummary: 'The reason is in the timeline.',
          contained: {
            subject: 'CloudTrail logging restored and caller contained',
            summary:
              'The caller is contained. Review what it did while logging was off in the event history (90 days).',
          },
        }),
      ),
});

/** A notification that lets the flow go on (the caller is assessed next). */
function note(id: string, name: string, subject: string) {
  return <C>(f: Flow<C>) => f.notify(id, { subject }, { name });
}

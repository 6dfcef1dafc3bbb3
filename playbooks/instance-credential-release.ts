import { enrichInstanceAction } from '#core/actions/ec2/enrich-instance.ts';
import { releaseInstanceMetadataOptionsAction } from '#core/actions/ec2/release-instance-metadata-options.ts';
import { releaseRoleSessionsAction } from '#core/actions/iam/release-role-sessions.ts';
import { definePlaybook, type Flow, type Ref } from '#core/playbooks/sdk.ts';

/** A release step that found nothing of its own to undo: said, and the flow goes on. */
function nothing<C>(f: Flow<C>, id: string, what: string): Flow<C> {
  return f.notify(
    id,
    {
      subject: `Nothing to release: ${what}`,
      summary: `This incident recorded no change of ${what} (none was made, or a safety rail or a person refused it): it is left as it is.`,
    },
    { name: `Notify: nothing to release (${what})` },
  );
}

/**
 * Release of instance-credential-exfiltration, started by an operator (`riposte release
 * <incident>`): the instance's metadata options are put back as the containment found them
 * (release-instance-metadata-options: `ModifyInstanceMetadataOptions` with the saved HttpTokens,
 * hop limit and endpoint, read back with `DescribeInstances`), and the role's session revocation
 * is removed (release-role-sessions), for the leaked role or, after a DNS rebinding, the
 * instance's role. What was not contained is said and left alone; an instance that now carries
 * the protected tag is not changed. Restoring IMDSv1 reopens the path the credentials were taken
 * through: the notification says so.
 *
 * EC2 API Reference, ModifyInstanceMetadataOptions:
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceMetadataOptions.html
 */
export default definePlaybook({
  id: 'instance-credential-release',
  version: '1.0.0',
  title: 'Release instance credential containment',
  description:
    "Undoes instance-credential-exfiltration: restores the instance's metadata options from the saved state (read back) and removes the role's session revocation.",
  owner: 'security-engineering',
  changelog: {
    '1.0.0':
      "Remove the leaked role's session revocation; restore the instance's metadata options (read back, not verified: notify and fail); remove the instance role's revocation after a DNS rebinding; nothing to release and protected instances told apart; notify.",
  },
  trigger: { manual: true },
  timeoutSeconds: 3600,
  steps: (flow) =>
    flow
      .choice(
        'leakedRole',
        (c) => [
          c.when(c.eq('incident.resourceType', 'AWS::IAM::Role'), (f) =>
            f.run(
              'releaseLeaked',
              releaseRoleSessionsAction,
              ($) => ({ roleName: $('incident.resourceName') }),
              {
                name: 'Restore the leaked role sessions',
                timeoutSeconds: 300,
                catch: [
                  {
                    errors: ['NothingToReleaseError'],
                    recover: (r) => nothing(r, 'leakedNothing', 'the role sessions'),
                  },
                ],
              },
            ),
          ),
        ],
        undefined,
        { name: 'Leaked role?' },
      )
      .choice(
        'instanceNamed',
        (c) => [
          c.when(c.not(c.eq('alert.instanceId', '')), (f) =>
            f
              .run(
                'restoreImds',
                releaseInstanceMetadataOptionsAction,
                ($) => ({ instanceId: $('alert.instanceId') }),
                {
                  name: 'Restore metadata options',
                  timeoutSeconds: 300,
                  catch: [
                    {
                      errors: ['NothingToReleaseError'],
                      recover: (r) =>
                        nothing(r, 'imdsNothing', 'the instance metadata options').succeed(
                          'stopImdsNothing',
                          {
                            name: 'Stop: nothing to release (metadata options)',
                          },
                        ),
                    },
                    {
                      errors: ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError'],
                      recover: (r) =>
                        r
                          .notify(
                            'imdsReleaseRefused',
                            {
                              subject: 'Metadata options release refused by a safety rail',
                              summary:
                                'The instance now carries the protected tag: Riposte changes nothing on it. Restore its metadata options by hand if needed.',
                            },
                            { name: 'Notify: release refused' },
                          )
                          .succeed('stopReleaseRefused', { name: 'Stop: release refused' }),
                    },
                  ],
                },
              )
              .choice(
                'imdsRestored',
                (c) => [
                  c.when(
                    c.and(
                      c.isFalse('steps.restoreImds.output.verification.verified'),
                      c.eq('steps.restoreImds.output.verification.basis', 'read-back'),
                    ),
                    (f) =>
                      f
                        .notify(
                          'imdsNotRestored',
                          {
                            subject: 'Metadata options release NOT VERIFIED: check the instance',
                            summary:
                              'ModifyInstanceMetadataOptions was sent, but DescribeInstances does not read the saved options back (the verification is in the timeline).',
                          },
                          { name: 'Notify: release not verified' },
                        )
                        .fail(
                          'imdsNotRestoredFail',
                          'ReleaseNotVerifiedError',
                          'the metadata options did not read back as saved',
                          {
                            name: 'Fail: release not verified',
                          },
                        ),
                  ),
                ],
                undefined,
                { name: 'Metadata options verified?' },
              ),
          ),
        ],
        undefined,
        { name: 'Instance named?' },
      )
      .choice(
        'rebindRole',
        (c) => [
          c.when(
            c.and(c.eq('incident.resourceType', 'AWS::EC2::Instance'), c.not(c.eq('alert.instanceId', ''))),
            (f) =>
              f
                .run('instance', enrichInstanceAction, ($) => ({ instanceId: $('alert.instanceId') }), {
                  name: 'Enrich instance',
                })
                .choice(
                  'instanceRoleNamed',
                  (n) => [
                    n.when(n.isPresent('steps.instance.output.instanceProfile.roleName'), (g) =>
                      g.choice(
                        'instanceRoleString',
                        (m) => [
                          m.when(m.matches('steps.instance.output.instanceProfile.roleName', '*'), (h) =>
                            h.run(
                              'releaseInstanceRole',
                              releaseRoleSessionsAction,
                              // The choice above matched a string: the role name is not null here.
                              ($) => ({
                                roleName: $('steps.instance.output.instanceProfile.roleName') as Ref<string>,
                              }),
                              {
                                name: 'Restore the instance role sessions',
                                timeoutSeconds: 300,
                                catch: [
                                  {
                                    errors: ['NothingToReleaseError'],
                                    recover: (r) =>
                                      nothing(r, 'instanceRoleNothing', 'the instance role sessions'),
                                  },
                                ],
                              },
                            ),
                          ),
                        ],
                        undefined,
                        { name: 'Instance role is a name?' },
                      ),
                    ),
                  ],
                  undefined,
                  { name: 'Instance role named?' },
                ),
          ),
        ],
        undefined,
        { name: 'DNS rebinding?' },
      )
      .notify(
        'released',
        {
          subject: 'Instance credential containment released',
          summary:
            'The instance metadata options are back as before (read back): an instance that answered IMDSv1 does again, which is how its credentials can be taken; move its software to IMDSv2 and require it. Sessions issued before the revocation that have not expired are valid again.',
        },
        { name: 'Notify: released' },
      ),
});

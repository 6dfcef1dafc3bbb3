import { releaseInstanceAction } from '#core/actions/ec2/release-instance.ts';
import { definePlaybook } from '#core/playbooks/sdk.ts';

const REFUSED = ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError'];

/**
 * Release of an isolated instance, started by an operator (`riposte release <incident>`): every
 * change of the isolation is undone from the state saved before it (security groups per ENI,
 * instance profile and role sessions, Elastic IPs, Auto Scaling group, target groups,
 * termination settings). Snapshots are kept as evidence. An instance, or an instance role whose
 * sessions were revoked, that now carries the protected tag is left alone: release-instance
 * refuses before any change and the operator is told to restore it by hand.
 */
export default definePlaybook({
  id: 'ec2-instance-release',
  version: '1.1.0',
  title: 'Release an isolated EC2 instance',
  description: 'Undoes ec2-instance-compromise from the saved pre-containment state; keeps the snapshots.',
  owner: 'security-engineering',
  changelog: {
    '1.1.0':
      'An instance, or an instance role whose sessions were revoked, tagged protected since the isolation is left alone (release-instance refuses before any change): notified, nothing is changed.',
    '1.0.1':
      'Steps are run again when AWS keeps throttling or failing on its side past the SDK’s own retries (up to three more times, waits growing to at most 30 s; more AWS error codes recognized); access denied and safety refusals are still never retried.',
    '1.0.0': 'Restore the instance from the saved state, then notify.',
  },
  trigger: { manual: true },
  timeoutSeconds: 3600,
  steps: (flow) =>
    flow
      .run('release', releaseInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') }), {
        name: 'Restore instance',
        timeoutSeconds: 300,
        catch: [
          {
            errors: ['NothingToReleaseError'],
            recover: (f) =>
              f
                .notify(
                  'nothingToRelease',
                  { subject: 'Nothing to release: the instance was never isolated' },
                  { name: 'Notify: nothing to release' },
                )
                .succeed('stopNothing', { name: 'Stop: nothing to release' }),
          },
          {
            errors: REFUSED,
            recover: (f) =>
              f
                .notify(
                  'releaseRefused',
                  {
                    subject: 'Instance release refused by a safety rail',
                    summary:
                      'The instance, or its instance role, now carries the protected tag: Riposte changed nothing. Restore its security groups, instance profile, network and role sessions by hand from the saved state if it may be trusted again.',
                  },
                  { name: 'Notify: refused' },
                )
                .succeed('stopRefused', { name: 'Stop: refused' }),
          },
        ],
      })
      .notify(
        'released',
        {
          subject: 'Instance released',
          summary: 'The instance is back in its groups and network; snapshots are kept.',
        },
        { name: 'Notify: released' },
      ),
});

import { releaseInstanceAction } from '#core/actions/ec2/release-instance.ts';
import { definePlaybook } from '#core/playbooks/sdk.ts';

/**
 * Release of an isolated instance, started by an operator (`riposte release <incident>`): every
 * change of the isolation is undone from the state saved before it (security groups per ENI,
 * instance profile and role sessions, Elastic IPs, Auto Scaling group, target groups,
 * termination settings). Snapshots are kept as evidence.
 */
export default definePlaybook({
  id: 'ec2-instance-release',
  version: '1.0.1',
  title: 'Release an isolated EC2 instance',
  description: 'Undoes ec2-instance-compromise from the saved pre-containment state; keeps the snapshots.',
  owner: 'security-engineering',
  changelog: {
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

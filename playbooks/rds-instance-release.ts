import { releaseDbInstanceAction } from '#core/actions/rds/release-db-instance.ts';
import { definePlaybook } from '#core/playbooks/sdk.ts';

const REFUSED = ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError'];

/**
 * Release of a DB instance restricted by rds-instance-exposure, started by an operator
 * (`riposte release <incident>`): its `PubliclyAccessible` goes back to what the containment
 * found (`ModifyDBInstance`,
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html) and is
 * read back with `DescribeDBInstances`. The snapshot the containment took is kept. An instance
 * that now carries the protected tag is left alone.
 */
export default definePlaybook({
  id: 'rds-instance-release',
  version: '1.0.0',
  title: 'Release a DB instance restricted by rds-instance-exposure',
  description:
    'Undoes rds-instance-exposure: restores the DB instance’s PubliclyAccessible from the saved state (verified); the snapshot is kept.',
  owner: 'security-engineering',
  changelog: {
    '1.0.0':
      'Restore PubliclyAccessible and read it back; keep the snapshot; nothing to release and protected instances told apart; notify.',
  },
  trigger: { manual: true },
  timeoutSeconds: 3600,
  steps: (flow) =>
    flow
      .run('release', releaseDbInstanceAction, ($) => ({ dbInstance: $('incident.resourceUid') }), {
        name: 'Restore public accessibility',
        timeoutSeconds: 120,
        catch: [
          {
            errors: ['NothingToReleaseError'],
            recover: (f) =>
              f
                .notify(
                  'nothingToRelease',
                  {
                    subject: 'Nothing to release: the DB instance was never restricted',
                    summary:
                      'This incident saved no restriction of the DB instance: nothing was contained, nothing was changed.',
                  },
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
                    subject: 'DB instance release refused by a safety rail',
                    summary:
                      'The DB instance now carries the protected tag: Riposte changes nothing on it. Restore its public accessibility by hand if needed.',
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
          subject: 'DB instance released',
          summary:
            'PubliclyAccessible is back as before containment (read back). The snapshot taken at containment is kept: delete it by hand when the investigation no longer needs it.',
        },
        { name: 'Notify: released' },
      ),
});

import { restoreWorldOpenIngressAction } from '#core/actions/ec2/restore-world-open-ingress.ts';
import { definePlaybook } from '#core/playbooks/sdk.ts';

/**
 * Release of a security group changed by security-group-open-to-world, started by an operator
 * (`riposte release <incident>`): the inbound rules the containment revoked are authorized again
 * exactly as saved (protocol, ports, CIDR, description) with `AuthorizeSecurityGroupIngress`, and
 * read back with `DescribeSecurityGroupRules`. The group is open to the internet again
 * afterwards: release only once the rules are meant to be there. A group that now carries the
 * protected tag is left alone.
 *
 * AWS: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupIngress.html
 */
export default definePlaybook({
  id: 'security-group-release',
  version: '1.0.0',
  title: 'Release a security group changed by security-group-open-to-world',
  description:
    'Undoes security-group-open-to-world: re-authorizes the saved world-open inbound rules with their descriptions and reads them back.',
  owner: 'security-engineering',
  changelog: {
    '1.0.0':
      'Re-authorize the saved rules that are missing and verify them; nothing to release and protected groups are told apart; notify.',
  },
  trigger: { manual: true },
  timeoutSeconds: 3600,
  steps: (flow) =>
    flow
      .run('release', restoreWorldOpenIngressAction, ($) => ({ groupId: $('incident.resourceUid') }), {
        name: 'Restore inbound rules',
        timeoutSeconds: 300,
        catch: [
          {
            errors: ['NothingToReleaseError'],
            recover: (f) =>
              f
                .notify(
                  'nothingToRelease',
                  {
                    subject: 'Nothing to release: no rule of the group was revoked',
                    summary: 'This incident saved no revoked rule of the group: nothing was changed.',
                  },
                  { name: 'Notify: nothing to release' },
                )
                .succeed('stopNothing', { name: 'Stop: nothing to release' }),
          },
          {
            errors: ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError'],
            recover: (f) =>
              f
                .notify(
                  'releaseRefused',
                  {
                    subject: 'Security group release refused by a safety rail',
                    summary:
                      'The group now carries the protected tag: Riposte changes nothing on it. Re-authorize its rules by hand if needed.',
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
          subject: 'Security group rules restored',
          summary:
            'The inbound rules the containment revoked are authorized again (read back to check): the group is open to the internet as before.',
        },
        { name: 'Notify: released' },
      ),
});

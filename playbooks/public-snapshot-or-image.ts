// Over ~300 lines for a reason: a playbook is one file (the lock hashes it whole), with its EC2
// and RDS branches side by side.
import { enrichEc2SharingAction } from '#core/actions/ec2/enrich-ec2-sharing.ts';
import { removePublicEc2SharingAction } from '#core/actions/ec2/remove-public-ec2-sharing.ts';
import { enrichDbSnapshotSharingAction } from '#core/actions/rds/enrich-db-snapshot-sharing.ts';
import { removePublicDbSnapshotSharingAction } from '#core/actions/rds/remove-public-db-snapshot-sharing.ts';
import { definePlaybook, type Flow } from '#core/playbooks/sdk.ts';

const OVER_LIMIT = 'The hourly containment limit is reached. Remove the public permission anyway?';

const REFUSED = ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError', 'ApprovalRequiredError'];

/**
 * Snapshot or image shared with everyone: an EBS snapshot, an AMI, an RDS DB snapshot or DB
 * cluster snapshot made public has that public permission removed (and only it: the accounts it
 * is shared with one by one keep their access), the permission is read back, and the team is
 * told whether block public access for snapshots and AMIs is on in the Region.
 *
 * Started by a CloudTrail `ModifySnapshotAttribute`, `ModifyImageAttribute`,
 * `ModifyDBSnapshotAttribute` or `ModifyDBClusterSnapshotAttribute` that adds `all` (Riposte's
 * `signal:public-share`), and by Security Hub EC2.1 (public EBS snapshots, reported on the
 * account: every public snapshot of the account is handled) and RDS.1 (public RDS snapshots).
 * Sample findings and protected resources are never changed. No approval: removing public access
 * breaks no workload of the account (its own accounts and the shared ones keep access); a
 * resource meant to be public carries the protected tag. Past the hourly containment limit a
 * person is asked whether to go on. A permission that does not read back as removed ends the
 * execution failed (`ContainmentNotVerifiedError`) after a `NOT VERIFIED` notification.
 *
 * No release: sharing a snapshot or an image with every AWS account again is not an undo anyone
 * should automate. Whoever needs it public shares it again by hand, knowingly.
 *
 * AWS:
 * - https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-1
 * - https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-1
 * - https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html
 * - https://docs.aws.amazon.com/ebs/latest/userguide/block-public-access-snapshots.html
 * - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-intro.html
 * - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/block-public-access-to-amis.html
 * - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/share-snapshot.html
 */
export default definePlaybook({
  id: 'public-snapshot-or-image',
  version: '1.1.0',
  title: 'Snapshot or image shared publicly',
  description:
    'Removes the public permission of an EBS snapshot, AMI or RDS snapshot shared with every AWS account (account shares stay), reads it back, and reports block public access.',
  owner: 'security-engineering',
  changelog: {
    '1.0.0':
      'Enrich (who may use it, tags, block public access); notify only for samples, protected and already private resources; remove the public permission only and read it back; notify. No release.',
    '1.1.0':
      'Past the hourly containment limit, ask before removing; a permission that does not read back as removed fails after a NOT VERIFIED notification.',
  },
  trigger: {
    anyOf: [
      {
        sources: ['aws.ec2'],
        apiCalls: ['ec2:ModifySnapshotAttribute', 'ec2:ModifyImageAttribute'],
        labels: ['signal:public-share'],
        resourceTypes: ['AWS::EC2::Snapshot', 'AWS::EC2::Image'],
      },
      {
        sources: ['aws.rds'],
        apiCalls: ['rds:ModifyDBSnapshotAttribute', 'rds:ModifyDBClusterSnapshotAttribute'],
        labels: ['signal:public-share'],
        resourceTypes: ['AWS::RDS::DBSnapshot', 'AWS::RDS::DBClusterSnapshot'],
      },
      {
        sources: ['aws.securityhub'],
        controls: ['EC2.1'],
        classUids: [2003],
        resourceTypes: ['AWS::Account'],
      },
      {
        sources: ['aws.securityhub'],
        controls: ['RDS.1'],
        classUids: [2003],
        resourceTypes: ['AWS::RDS::DBSnapshot', 'AWS::RDS::DBClusterSnapshot'],
      },
    ],
  },
  timeoutSeconds: 3600,
  steps: (flow) =>
    flow.choice(
      'service',
      (c) => [
        c.when(
          c.or(
            c.eq('incident.resourceType', 'AWS::RDS::DBSnapshot'),
            c.eq('incident.resourceType', 'AWS::RDS::DBClusterSnapshot'),
          ),
          (f) =>
            f
              .run(
                'dbSnapshot',
                enrichDbSnapshotSharingAction,
                ($) => ({
                  snapshotIdentifier: $('incident.resourceUid'),
                  resourceType: $('incident.resourceType'),
                }),
                { name: 'Enrich RDS snapshot' },
              )
              .choice(
                'dbContainable',
                (d) => [
                  d.when(
                    d.or(d.isTrue('steps.dbSnapshot.output.protected'), d.isTrue('incident.sample')),
                    (g) =>
                      g
                        .notify(
                          'dbNotChanged',
                          {
                            subject: 'Public RDS snapshot not changed: protected snapshot or sample finding',
                            summary:
                              'The snapshot carries the protected tag, or the finding is a provider sample: Riposte changes nothing.',
                          },
                          { name: 'Notify: RDS snapshot not changed' },
                        )
                        .succeed('stopDbNotChanged', { name: 'Stop: RDS snapshot not changed' }),
                  ),
                  d.when(d.isFalse('steps.dbSnapshot.output.public'), (g) =>
                    g
                      .notify(
                        'dbNotPublic',
                        { subject: 'RDS snapshot is not public: nothing to remove' },
                        { name: 'Notify: RDS snapshot not public' },
                      )
                      .succeed('stopDbNotPublic', { name: 'Stop: RDS snapshot not public' }),
                  ),
                ],
                undefined,
                { name: 'RDS snapshot protected, sample or private?' },
              )
              .run(
                'dbUnshare',
                removePublicDbSnapshotSharingAction,
                ($) => ({
                  snapshotIdentifier: $('incident.resourceUid'),
                  resourceType: $('incident.resourceType'),
                }),
                {
                  name: 'Remove public RDS snapshot sharing',
                  timeoutSeconds: 300,
                  catch: [
                    { errors: REFUSED, recover: refused('dbRefused', 'RDS snapshot', ' RDS') },
                    {
                      errors: ['BlastRadiusExceededError'],
                      recover: (g) =>
                        g
                          .approve('dbOverLimit', {
                            name: 'Approve over the containment limit (RDS snapshot)',
                            message: OVER_LIMIT,
                            timeoutSeconds: 3600,
                            onTimeout: 'deny',
                            purpose: 'blast-radius',
                          })
                          .run(
                            'dbUnshareApproved',
                            removePublicDbSnapshotSharingAction,
                            ($) => ({
                              snapshotIdentifier: $('incident.resourceUid'),
                              resourceType: $('incident.resourceType'),
                            }),
                            { name: 'Remove public RDS snapshot sharing (approved)', timeoutSeconds: 300 },
                          )
                          .choice(
                            'dbApprovedVerified',
                            (c) => [
                              c.when(
                                c.and(
                                  c.isFalse('steps.dbUnshareApproved.output.verification.verified'),
                                  c.eq('steps.dbUnshareApproved.output.verification.basis', 'read-back'),
                                ),
                                notVerified('dbApprovedNotVerified', ' (RDS, approved)'),
                              ),
                            ],
                            undefined,
                            { name: 'RDS snapshot verified? (approved)' },
                          ),
                    },
                  ],
                },
              )
              .choice(
                'dbVerified',
                (c) => [
                  c.when(
                    c.and(
                      c.isFalse('steps.dbUnshare.output.verification.verified'),
                      c.eq('steps.dbUnshare.output.verification.basis', 'read-back'),
                    ),
                    notVerified('dbNotVerified', ' (RDS)'),
                  ),
                ],
                undefined,
                { name: 'RDS snapshot verified?' },
              )
              .notify(
                'dbUnshared',
                {
                  subject: 'RDS snapshot no longer public',
                  summary:
                    'The snapshot is no longer shared with every AWS account (accounts it is shared with keep access); read back to check. Anyone may have copied it while it was public. No release: share it again by hand if it must be public.',
                },
                { name: 'Notify: RDS snapshot unshared' },
              )
              .succeed('doneDb', { name: 'Done: RDS snapshot' }),
        ),
      ],
      (f) =>
        f
          .run('ec2Sharing', enrichEc2SharingAction, ($) => ({ resourceId: $('incident.resourceUid') }), {
            name: 'Enrich snapshot or image',
          })
          .choice(
            'ec2Containable',
            (d) => [
              d.when(d.or(d.isTrue('steps.ec2Sharing.output.protected'), d.isTrue('incident.sample')), (g) =>
                g
                  .notify(
                    'ec2NotChanged',
                    {
                      subject: 'Public snapshot or image not changed: protected resource or sample finding',
                      summary:
                        'The resource carries the protected tag, or the finding is a provider sample: Riposte changes nothing.',
                    },
                    { name: 'Notify: not changed' },
                  )
                  .succeed('stopEc2NotChanged', { name: 'Stop: not changed' }),
              ),
              d.when(d.isFalse('steps.ec2Sharing.output.public'), (g) =>
                g
                  .notify(
                    'ec2NotPublic',
                    { subject: 'Snapshot or image is not public: nothing to remove' },
                    { name: 'Notify: not public' },
                  )
                  .succeed('stopEc2NotPublic', { name: 'Stop: not public' }),
              ),
            ],
            undefined,
            { name: 'Protected, sample or private?' },
          )
          .run(
            'ec2Unshare',
            removePublicEc2SharingAction,
            ($) => ({ resourceId: $('incident.resourceUid') }),
            {
              name: 'Remove public sharing',
              timeoutSeconds: 300,
              catch: [
                { errors: REFUSED, recover: refused('ec2Refused', 'Snapshot or image', '') },
                {
                  errors: ['BlastRadiusExceededError'],
                  recover: (g) =>
                    g
                      .approve('ec2OverLimit', {
                        name: 'Approve over the containment limit (snapshot or image)',
                        message: OVER_LIMIT,
                        timeoutSeconds: 3600,
                        onTimeout: 'deny',
                        purpose: 'blast-radius',
                      })
                      .run(
                        'ec2UnshareApproved',
                        removePublicEc2SharingAction,
                        ($) => ({ resourceId: $('incident.resourceUid') }),
                        { name: 'Remove public sharing (approved)', timeoutSeconds: 300 },
                      )
                      .choice(
                        'ec2ApprovedVerified',
                        (c) => [
                          c.when(
                            c.and(
                              c.isFalse('steps.ec2UnshareApproved.output.verification.verified'),
                              c.eq('steps.ec2UnshareApproved.output.verification.basis', 'read-back'),
                            ),
                            notVerified('ec2ApprovedNotVerified', ' (approved)'),
                          ),
                        ],
                        undefined,
                        { name: 'Sharing verified? (approved)' },
                      ),
                },
              ],
            },
          )
          .choice(
            'ec2Verified',
            (c) => [
              c.when(
                c.and(
                  c.isFalse('steps.ec2Unshare.output.verification.verified'),
                  c.eq('steps.ec2Unshare.output.verification.basis', 'read-back'),
                ),
                notVerified('ec2NotVerified', ''),
              ),
            ],
            undefined,
            { name: 'Sharing verified?' },
          )
          .notify(
            'ec2Unshared',
            {
              subject: 'Snapshot or image no longer public',
              summary:
                'The public permission is removed (accounts it is shared with keep access) and read back; whether block public access for snapshots and AMIs is on in the Region is in the incident. Anyone may have copied it while it was public. No release: share it again by hand if it must be public.',
            },
            { name: 'Notify: unshared' },
          ),
      { name: 'RDS or EC2?' },
    ),
});

/** A removal a safety rail refused: said, and the execution stops. */
function refused(id: string, what: string, suffix: string) {
  return <C>(f: Flow<C>) =>
    f
      .notify(
        id,
        { subject: `${what} change refused by a safety rail` },
        { name: `Notify:${suffix} refused` },
      )
      .succeed(`${id}Stop`, { name: `Stop:${suffix} refused` });
}

/** A removal that does not read back as done: said, and the execution fails by name. */
function notVerified(id: string, suffix: string) {
  return <C>(f: Flow<C>) =>
    f
      .notify(
        id,
        {
          subject: 'Public sharing removal NOT VERIFIED: check the resource now',
          summary:
            'The permission read back after the removal still shares the resource with every AWS account (the verification is in the timeline).',
        },
        { name: `Notify: not verified${suffix}` },
      )
      .fail(
        `${id}Fail`,
        'ContainmentNotVerifiedError',
        'the public permission did not read back as removed',
        {
          name: `Fail: not verified${suffix}`,
        },
      );
}

import { enrichDbInstanceAction } from '#core/actions/rds/enrich-db-instance.ts';
import { restrictDbInstanceAction } from '#core/actions/rds/restrict-db-instance.ts';
import { definePlaybook } from '#core/playbooks/sdk.ts';

/** Security Hub controls and Config rules that report a DB instance open to the public. */
const PUBLIC_DB_CONTROLS = ['RDS.2', '*rds-instance-public-access-check*'];

const REFUSED = [
  'ProtectedResourceError',
  'SampleAlertError',
  'NotAllowedError',
  'ApprovalRequiredError',
  'ClusterMemberError',
];

/**
 * RDS DB instance exposure: a DB instance that is publicly accessible (Security Hub control
 * RDS.2, "RDS DB instances should prohibit public access",
 * https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-2), or that
 * GuardDuty RDS Protection saw logged in to anomalously (`CredentialAccess:RDS/*`, Medium and
 * above: successful logins and brute force; the Low failed-login findings only make an
 * incident), is snapshotted and taken off the internet, as "Remediating a potentially
 * compromised database" says
 * (https://docs.aws.amazon.com/guardduty/latest/ug/remediate-rds-protection-finding-types.html).
 *
 * 1. Enrich: `DescribeDBInstances`, `ListTagsForResource`. Protected instances, members of a DB
 *    cluster (public access is per member and the data is the cluster's: contained by hand) and
 *    sample findings are only reported.
 * 2. An instance the configuration does not name non-production waits for a human approval.
 * 3. `restrict-db-instance`: `CreateDBSnapshot` tagged with the incident (not awaited), then
 *    `ModifyDBInstance` `PubliclyAccessible: false, ApplyImmediately: true`
 *    (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html),
 *    read back with `DescribeDBInstances`.
 *
 * Release: rds-instance-release restores PubliclyAccessible; the snapshot is kept.
 */
export default definePlaybook({
  id: 'rds-instance-exposure',
  version: '1.0.0',
  title: 'RDS DB instance exposure',
  description:
    'Snapshots an RDS DB instance that Security Hub reports publicly accessible or GuardDuty saw logged in to anomalously, then makes it not publicly accessible (verified).',
  owner: 'security-engineering',
  changelog: {
    '1.0.0':
      'Enrich; notify only for protected instances, DB cluster members and sample findings; approval unless tagged non-production; snapshot tagged with the incident, PubliclyAccessible false (verified); notify.',
  },
  trigger: {
    anyOf: [
      {
        sources: ['aws.securityhub', 'aws.config'],
        controls: PUBLIC_DB_CONTROLS,
        classUids: [2003],
        resourceTypes: ['AWS::RDS::DBInstance'],
      },
      {
        sources: ['aws.guardduty'],
        findingTypes: ['CredentialAccess:RDS/*'],
        minSeverity: 4,
        resourceTypes: ['AWS::RDS::DBInstance'],
      },
    ],
  },
  timeoutSeconds: 6 * 3600,
  steps: (flow) =>
    flow
      .choice(
        'sampleDb',
        (c) => [
          c.when(c.isTrue('incident.sample'), (f) =>
            f
              .notify(
                'sampleNote',
                { subject: 'DB instance reported by a sample finding: nothing changed' },
                { name: 'Notify: sample' },
              )
              .succeed('stopSample', { name: 'Stop: sample' }),
          ),
        ],
        undefined,
        { name: 'Sample?' },
      )
      .run('db', enrichDbInstanceAction, ($) => ({ dbInstance: $('incident.resourceUid') }), {
        name: 'Enrich DB instance',
      })
      .choice(
        'protectedDb',
        (c) => [
          c.when(c.isTrue('steps.db.output.protected'), (f) =>
            f
              .notify(
                'notContained',
                {
                  subject: 'DB instance not contained: protected instance',
                  summary:
                    'The DB instance carries the protected tag: Riposte never contains it. Its endpoint, engine and public accessibility are in the incident; investigate manually.',
                },
                { name: 'Notify: not contained' },
              )
              .succeed('stopProtected', { name: 'Stop: protected' }),
          ),
          c.when(c.isTrue('steps.db.output.clusterMember'), (f) =>
            f
              .notify(
                'clusterMember',
                {
                  subject: 'DB instance not contained: member of a DB cluster',
                  summary:
                    'Public access is set per instance of a cluster, and the data is backed up as a DB cluster snapshot: Riposte does not contain one member alone. Take a cluster snapshot and set PubliclyAccessible false on every member by hand.',
                },
                { name: 'Notify: cluster member' },
              )
              .succeed('stopCluster', { name: 'Stop: cluster member' }),
          ),
        ],
        undefined,
        { name: 'Protected or cluster?' },
      )
      .choice(
        'production',
        (c) => [
          c.when(c.isTrue('steps.db.output.approvalRequired'), (f) =>
            f.approve('approval', {
              name: 'Approve restriction',
              message:
                'A DB instance in production (or of unknown environment) is exposed or was logged in to anomalously. Snapshot it and make it not publicly accessible? Clients outside its VPC lose access.',
              timeoutSeconds: 3600,
              onTimeout: 'deny',
              purpose: 'production',
            }),
          ),
        ],
        undefined,
        { name: 'Production?' },
      )
      .run(
        'restrict',
        restrictDbInstanceAction,
        ($) => ({ dbInstance: $('steps.db.output.dbInstanceArn') }),
        {
          name: 'Snapshot and restrict',
          timeoutSeconds: 180,
          catch: [
            {
              errors: REFUSED,
              recover: (f) =>
                f
                  .notify(
                    'refused',
                    {
                      subject: 'DB instance restriction refused by a safety rail',
                      summary:
                        'Riposte refused to contain this DB instance; the reason is in the incident timeline.',
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
                    message: 'The hourly containment limit is reached. Restrict this DB instance anyway?',
                    timeoutSeconds: 3600,
                    onTimeout: 'deny',
                    purpose: 'blast-radius',
                  })
                  .run(
                    'restrictApproved',
                    restrictDbInstanceAction,
                    ($) => ({ dbInstance: $('steps.db.output.dbInstanceArn') }),
                    { name: 'Snapshot and restrict (approved)', timeoutSeconds: 180 },
                  ),
            },
          ],
        },
      )
      .notify(
        'contained',
        {
          subject: 'DB instance snapshotted and no longer publicly accessible',
          summary:
            'A manual DB snapshot tagged with the incident is being made (kept on release). PubliclyAccessible reads false: the endpoint resolves to a private address only. Review the database logins and rotate the credentials used, then release with rds-instance-release if public access was intended.',
        },
        { name: 'Notify: contained' },
      ),
});

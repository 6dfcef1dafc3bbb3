import { blockBucketPublicAccessAction } from '#core/actions/s3/block-bucket-public-access.ts';
import { definePlaybook } from '#core/playbooks/sdk.ts';

/** Security Hub controls and Config rules that report a bucket open to the public. */
const PUBLIC_BUCKET_CONTROLS = [
  'S3.2',
  'S3.3',
  'S3.8',
  '*s3-bucket-public-read-prohibited*',
  '*s3-bucket-public-write-prohibited*',
  '*s3-bucket-level-public-access-prohibited*',
];

/**
 * Public S3 bucket: Block Public Access is turned on for the bucket (its previous setting is
 * kept for release) and the owner is told. Sample findings and protected buckets are left alone.
 */
export default definePlaybook({
  id: 's3-public-bucket',
  version: '1.0.1',
  title: 'Public S3 bucket',
  description:
    'Blocks public access on a bucket reported public by Security Hub controls, Config rules, IAM Access Analyzer or GuardDuty.',
  owner: 'security-engineering',
  changelog: {
    '1.0.1':
      'Steps are run again when AWS keeps throttling or failing on its side past the SDK’s own retries (up to three more times, waits growing to at most 30 s; more AWS error codes recognized); access denied and safety refusals are still never retried.',
    '1.0.0': 'Block public access on the bucket (previous setting saved), then notify.',
  },
  trigger: {
    anyOf: [
      {
        // Security Hub controls and the AWS Config managed rules, from AWS only.
        sources: ['aws.securityhub', 'aws.config'],
        controls: PUBLIC_BUCKET_CONTROLS,
        classUids: [2003],
        resourceTypes: ['AWS::S3::Bucket'],
      },
      { sources: ['aws.access-analyzer'], findingTypes: ['AccessAnalyzer:AWS::S3::Bucket/PublicAccess'] },
      {
        sources: ['aws.guardduty'],
        findingTypes: [
          'Policy:S3/BucketBlockPublicAccessDisabled',
          'Policy:S3/BucketAnonymousAccessGranted',
          'Policy:S3/BucketPublicAccessGranted',
        ],
        resourceTypes: ['AWS::S3::Bucket'],
      },
    ],
  },
  timeoutSeconds: 3600,
  steps: (flow) =>
    flow
      .choice(
        'sampleBucket',
        (c) => [
          c.when(c.isTrue('incident.sample'), (f) =>
            f
              .notify(
                'sampleBucketNote',
                { subject: 'Public bucket reported by a sample finding: nothing changed' },
                { name: 'Notify: sample' },
              )
              .succeed('stopSampleBucket', { name: 'Stop: sample' }),
          ),
        ],
        undefined,
        { name: 'Sample?' },
      )
      .run('block', blockBucketPublicAccessAction, ($) => ({ bucketName: $('incident.resourceName') }), {
        name: 'Block public access',
        catch: [
          {
            errors: ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError'],
            recover: (f) =>
              f
                .notify(
                  'bucketRefused',
                  { subject: 'Bucket change refused by a safety rail' },
                  { name: 'Notify: refused' },
                )
                .succeed('stopBucketRefused', { name: 'Stop: refused' }),
          },
        ],
      })
      .notify(
        'bucketBlocked',
        {
          subject: 'Public access blocked on the bucket',
          summary:
            'Block Public Access is on for the bucket; its previous setting is saved and can be restored.',
        },
        { name: 'Notify: blocked' },
      ),
});

import { releaseBucketPublicAccessAction } from '#core/actions/s3/release-bucket-public-access.ts';
import { definePlaybook } from '#core/playbooks/sdk.ts';

/**
 * Release of a bucket blocked by s3-public-bucket, started by an operator (`riposte release
 * <incident>`): the bucket's own Block Public Access configuration is put back as the
 * containment found it (or deleted when it had none) and read back. The containment changed no
 * bucket policy or ACL, so there is nothing else to restore. A bucket that now carries the
 * protected tag is left alone.
 */
export default definePlaybook({
  id: 's3-public-bucket-release',
  version: '1.0.0',
  title: 'Release a bucket blocked by s3-public-bucket',
  description:
    "Undoes s3-public-bucket: restores the bucket's Block Public Access configuration from the saved pre-containment state and reads it back.",
  owner: 'security-engineering',
  changelog: {
    '1.0.0':
      'Restore the bucket’s Block Public Access from the saved state and verify it; nothing to release and protected buckets are told apart; notify.',
  },
  trigger: { manual: true },
  timeoutSeconds: 3600,
  steps: (flow) =>
    flow
      .run('release', releaseBucketPublicAccessAction, ($) => ({ bucketName: $('incident.resourceName') }), {
        name: 'Restore Block Public Access',
        timeoutSeconds: 300,
        catch: [
          {
            errors: ['NothingToReleaseError'],
            recover: (f) =>
              f
                .notify(
                  'nothingToRelease',
                  {
                    subject: 'Nothing to release: public access was never blocked on the bucket',
                    summary:
                      'This incident saved no Block Public Access change of the bucket: nothing was contained, nothing was changed.',
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
                    subject: 'Bucket release refused by a safety rail',
                    summary:
                      'The bucket now carries the protected tag: Riposte changes nothing on it. Restore its Block Public Access by hand if needed.',
                  },
                  { name: 'Notify: refused' },
                )
                .succeed('stopRefused', { name: 'Stop: refused' }),
          },
        ],
      })
      .notify(
        'bucketReleased',
        {
          subject: 'Bucket Block Public Access restored',
          summary:
            'The bucket’s Block Public Access is back as before containment (read back to check): the bucket may be public again. Its policy and ACL were never changed.',
        },
        { name: 'Notify: released' },
      ),
});

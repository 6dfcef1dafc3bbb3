import { describe, expect, it } from 'vitest';
import { exampleWorld, scenario } from '../../cli/local/testkit.ts';
import { bucketIsPublic, S3WorldSchema } from '../../functions/core/actions/world/s3.ts';
import s3PublicBucket from '../../playbooks/s3-public-bucket.ts';
import s3Release from '../../playbooks/s3-public-bucket-release.ts';
import { accessAnalyzerPublicBucket } from '../support/events.ts';

const BUCKET = 'payments-exports';
const PROTECTED_BUCKET = 'riposte-protected-logs';

const OWN_SETTINGS = {
  blockPublicAcls: true,
  ignorePublicAcls: false,
  blockPublicPolicy: false,
  restrictPublicBuckets: false,
};

describe('s3-public-bucket-release', () => {
  it('after s3-public-bucket deletes the configuration the bucket did not have: the bucket is as before', async () => {
    // Prepare
    const before = exampleWorld().s3;

    // Act
    const result = await scenario(s3PublicBucket)
      .event(accessAnalyzerPublicBucket({ bucket: BUCKET }))
      .andThen(s3Release)
      .run();

    // Assess
    const [containment, release] = result.executions;
    expect(containment?.path).toContain('Block public access');
    expect(release?.playbook).toBe('s3-public-bucket-release');
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Restore Block Public Access');
    expect(result.path).toContain('Notify: released');
    expect(result.calls('release-bucket-public-access').map((c) => c.api)).toEqual([
      'GetBucketTagging',
      'GetPublicAccessBlock',
      'DeletePublicAccessBlock',
      'GetPublicAccessBlock',
    ]);
    expect(result.world.s3).toEqual(before);
    expect(bucketIsPublic(S3WorldSchema.parse(result.world.s3), BUCKET)).toBe(true);
  });

  it('puts back the settings the bucket had of its own', async () => {
    // Prepare
    const s = scenario(s3PublicBucket)
      .event(accessAnalyzerPublicBucket({ bucket: BUCKET }))
      .editWorld((world) => {
        const bucket = world.s3.buckets[BUCKET];
        if (bucket !== undefined) bucket.publicAccessBlock = { ...OWN_SETTINGS };
      })
      .andThen(s3Release);

    // Act
    const result = await s.run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.mutations('release-bucket-public-access')).toEqual([
      {
        api: 'PutPublicAccessBlock',
        params: expect.objectContaining({
          Bucket: BUCKET,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: false,
            BlockPublicPolicy: false,
            RestrictPublicBuckets: false,
          },
        }),
      },
    ]);
    expect(result.world.s3.buckets[BUCKET]?.publicAccessBlock).toEqual(OWN_SETTINGS);
  });

  it('without a prior containment says there is nothing to release and changes nothing', async () => {
    // Prepare
    const before = exampleWorld();

    // Act
    const result = await scenario(s3Release)
      .event(accessAnalyzerPublicBucket({ bucket: BUCKET }))
      .run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: nothing to release');
    expect(result.path).not.toContain('Notify: released');
    expect(result.actions.find((a) => a.action === 'release-bucket-public-access')?.error).toMatch(
      /^NothingToReleaseError: nothing to release/,
    );
    expect(result.mutations()).toEqual([]);
    expect(result.world).toEqual(before);
  });

  it('after a refused containment of a protected bucket there is nothing to release', async () => {
    // Prepare
    const before = exampleWorld();

    // Act
    const result = await scenario(s3PublicBucket)
      .event(accessAnalyzerPublicBucket({ bucket: PROTECTED_BUCKET }))
      .andThen(s3Release)
      .run();

    // Assess
    expect(result.executions[0]?.path).toContain('Notify: refused');
    expect(result.path).toContain('Notify: nothing to release');
    expect(result.mutations()).toEqual([]);
    expect(result.world).toEqual(before);
  });

  it('stops on the refusal branch when a rail refuses the release (the action refuses a bucket tagged protected since)', async () => {
    // Prepare: the action's own protected-tag check is tested in test/core/actions/s3-release.test.ts.
    const s = scenario(s3PublicBucket)
      .event(accessAnalyzerPublicBucket({ bucket: BUCKET }))
      .failAction('release-bucket-public-access', 'ProtectedResourceError', 1)
      .andThen(s3Release);

    // Act
    const result = await s.run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: refused');
    expect(result.path).not.toContain('Notify: released');
    expect(result.mutations('release-bucket-public-access')).toEqual([]);
    expect(bucketIsPublic(S3WorldSchema.parse(result.world.s3), BUCKET)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { NothingToReleaseError, ProtectedResourceError } from '../../../../functions/core/actions/errors.ts';
import { quarantineS3ObjectAction } from '../../../../functions/core/actions/s3/quarantine-s3-object.ts';
import { releaseS3ObjectQuarantineAction } from '../../../../functions/core/actions/s3/release-s3-object-quarantine.ts';
import type { WorldData } from '../../../../functions/core/actions/world/index.ts';
import { executionFacts, StaticSafetyRails } from '../../../support/action-env.ts';
import { DriftingWorld, failed, worldEnv } from '../../../support/drifting-world.ts';

const BUCKET = 'riposte-demo-uploads';
const KEY = 'incoming/invoices/2025-08/invoice-4471.pdf.exe';
const VERSION = '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY';
const INPUT = {
  resources: [
    { type: 'AWS::S3::Object', uid: `arn:aws:s3:::${BUCKET}/${KEY}`, region: 'us-east-2', version: VERSION },
  ],
};

const bucketOf = (w: WorldData) => {
  const bucket = w.s3.buckets[BUCKET];
  if (bucket === undefined) throw new Error('no bucket');
  return bucket;
};
const versionOf = (w: WorldData) => bucketOf(w).objects[KEY]?.[0];

/** A world where quarantine-s3-object ran, and the environment that ran it (same incident state). */
async function quarantined(prepare: (w: WorldData) => void = () => {}) {
  const world = new DriftingWorld();
  prepare(world.state);
  const env = worldEnv(world);
  await quarantineS3ObjectAction.run(INPUT, env);
  return { world, env, seen: env.recorder.calls.length };
}

describe('release-s3-object-quarantine', () => {
  it('cuts exactly its statement out of the policy and its tag off the version, byte for byte, then reads back', async () => {
    // Prepare
    const original = new DriftingWorld().state;
    const { world, env, seen } = await quarantined();

    // Act
    const output = await releaseS3ObjectQuarantineAction.run(INPUT, env);

    // Assess
    expect(env.recorder.calls.slice(seen).map((c) => c.api)).toEqual([
      'GetBucketTagging',
      'GetBucketPolicy',
      'PutBucketPolicy',
      'GetObjectTagging',
      'PutObjectTagging',
      'GetBucketPolicy',
      'GetObjectTagging',
    ]);
    expect(bucketOf(world.state).policy).toBe(bucketOf(original).policy);
    expect(versionOf(world.state)?.tags).toEqual(versionOf(original)?.tags);
    expect(output).toMatchObject({
      policy: 'statement-removed',
      tagChangedByThisRun: true,
      verification: { verified: true, basis: 'read-back' },
    });
  });

  it('deletes the policy when its statement was the only one, and the tag set when it had no other tag', async () => {
    // Prepare
    const { world, env, seen } = await quarantined((w) => {
      delete bucketOf(w).policy;
      const version = versionOf(w);
      if (version !== undefined) version.tags = {};
    });

    // Act
    const output = await releaseS3ObjectQuarantineAction.run(INPUT, env);

    // Assess
    expect(env.recorder.mutations.slice(2).map((c) => c.api)).toEqual([
      'DeleteBucketPolicy',
      'DeleteObjectTagging',
    ]);
    expect(env.recorder.calls.length).toBeGreaterThan(seen);
    expect(bucketOf(world.state).policy).toBeUndefined();
    expect(versionOf(world.state)?.tags).toEqual({});
    expect(output).toMatchObject({ policy: 'policy-deleted', verification: { verified: true } });
  });

  it('keeps a statement and a tag added since containment', async () => {
    // Prepare
    const { world, env } = await quarantined();
    const policy = JSON.parse(bucketOf(world.state).policy ?? '{}');
    policy.Statement.push({
      Sid: 'AddedLater',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:DeleteObject',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
    });
    bucketOf(world.state).policy = JSON.stringify(policy);
    const version = versionOf(world.state);
    if (version !== undefined) version.tags.reviewed = 'yes';

    // Act
    const output = await releaseS3ObjectQuarantineAction.run(INPUT, env);

    // Assess
    const after = JSON.parse(bucketOf(world.state).policy ?? '{}');
    expect(after.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'AllowInvoiceProcessor',
      'AddedLater',
    ]);
    expect(versionOf(world.state)?.tags).toMatchObject({ reviewed: 'yes' });
    expect(versionOf(world.state)?.tags).not.toHaveProperty('riposte:quarantine');
    expect(output.warnings.join('\n')).toMatch(/tags changed since containment/);
    expect(output.verification.verified).toBe(true);
  });

  it('reports unverified when the statement reads back after the release', async () => {
    // Prepare
    const { world, env } = await quarantined();
    const contained = bucketOf(world.state).policy;
    world.arm('PutBucketPolicy', (w) => {
      bucketOf(w).policy = contained;
    });

    // Act
    const output = await releaseS3ObjectQuarantineAction.run(INPUT, env);

    // Assess
    expect(output.verification).toMatchObject({ verified: false, basis: 'read-back' });
    expect(failed(output.verification)).toEqual([`bucket ${BUCKET} policy statement ${output.statementSid}`]);
  });

  it('refuses with NothingToReleaseError when this incident quarantined nothing', async () => {
    // Prepare
    const env = worldEnv(new DriftingWorld());

    // Act
    const run = releaseS3ObjectQuarantineAction.run(INPUT, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(NothingToReleaseError);
    expect(env.recorder.calls).toEqual([]);
  });

  it('refuses a bucket that carries the protected tag now', async () => {
    // Prepare
    const { world, env } = await quarantined();
    bucketOf(world.state).tags = { 'RIPOSTE:protected': 'true ' };
    const railed = { ...env, safety: new StaticSafetyRails(executionFacts()) };
    const writes = env.recorder.mutations.length;

    // Act
    const run = releaseS3ObjectQuarantineAction.run(INPUT, railed);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    expect(env.recorder.mutations).toHaveLength(writes);
  });

  it('removes the statement of a version deleted since, and says so', async () => {
    // Prepare
    const { world, env } = await quarantined();
    delete bucketOf(world.state).objects[KEY];

    // Act
    const output = await releaseS3ObjectQuarantineAction.run(INPUT, env);

    // Assess
    expect(output).toMatchObject({ policy: 'statement-removed', restoredTags: null });
    expect(output.warnings.join('\n')).toMatch(/no longer exists/);
    expect(output.verification.verified).toBe(true);
  });
});

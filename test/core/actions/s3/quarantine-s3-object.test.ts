import { describe, expect, it } from 'vitest';
import { ProtectedResourceError, ResourceNotFoundError } from '../../../../functions/core/actions/errors.ts';
import { quarantineS3ObjectAction } from '../../../../functions/core/actions/s3/quarantine-s3-object.ts';
import { ObjectTagLimitError } from '../../../../functions/core/actions/s3/shared/object.ts';
import {
  BucketPolicyTooLargeError,
  BucketPolicyUnreadableError,
} from '../../../../functions/core/actions/s3/shared/policy.ts';
import type { WorldData } from '../../../../functions/core/actions/world/index.ts';
import { actionEnv, executionFacts, StaticSafetyRails } from '../../../support/action-env.ts';
import { DriftingWorld, failed, worldEnv } from '../../../support/drifting-world.ts';

const BUCKET = 'riposte-demo-uploads';
const KEY = 'incoming/invoices/2025-08/invoice-4471.pdf.exe';
const VERSION = '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY';
const ARN = `arn:aws:s3:::${BUCKET}/${KEY}`;
const INPUT = {
  resources: [
    { type: 'AWS::S3::Object', uid: ARN, region: 'us-east-2', version: VERSION },
    { type: 'AWS::S3::Bucket', uid: `arn:aws:s3:::${BUCKET}`, region: 'us-east-2' },
  ],
};

const bucketOf = (w: WorldData) => {
  const bucket = w.s3.buckets[BUCKET];
  if (bucket === undefined) throw new Error('no bucket');
  return bucket;
};
const versionOf = (w: WorldData) => bucketOf(w).objects[KEY]?.[0];

describe('quarantine-s3-object', () => {
  it('denies reads of the object in the bucket policy and tags its version, keeping everything else, then reads back', async () => {
    // Prepare
    const world = new DriftingWorld();
    const before = bucketOf(world.state).policy ?? '';
    const env = worldEnv(world);

    // Act
    const output = await quarantineS3ObjectAction.run(INPUT, env);

    // Assess
    expect(env.recorder.calls.map((c) => c.api)).toEqual([
      'GetBucketTagging',
      'GetObjectTagging',
      'GetBucketPolicy',
      'PutBucketPolicy',
      'PutObjectTagging',
      'GetBucketPolicy',
      'GetObjectTagging',
    ]);
    expect(env.recorder.calls.every((c) => c.params.ExpectedBucketOwner === '111122223333')).toBe(true);
    const policy = JSON.parse(bucketOf(world.state).policy ?? '{}');
    expect(policy.Statement).toHaveLength(2);
    expect(policy.Statement[1]).toEqual({
      Sid: output.statementSid,
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: ARN,
    });
    // The statement before ours is byte for byte what it was (pretty-printed as the owner wrote it).
    const firstStatement = before.slice(before.indexOf('    {'), before.indexOf('\n    }') + 6);
    expect(bucketOf(world.state).policy).toContain(firstStatement);
    expect(
      bucketOf(world.state).policy?.startsWith(
        before.slice(0, before.lastIndexOf('}', before.lastIndexOf(']'))),
      ),
    ).toBe(true);
    expect(versionOf(world.state)?.tags).toEqual({
      GuardDutyMalwareScanStatus: 'THREATS_FOUND',
      uploader: 'partner-portal',
      'riposte:quarantine': env.execution.incidentId,
    });
    expect(env.recorder.mutations[1]?.params).toMatchObject({ VersionId: VERSION });
    expect(output).toMatchObject({
      versionId: VERSION,
      policyChangedByThisRun: true,
      tagChangedByThisRun: true,
      previousTags: { GuardDutyMalwareScanStatus: 'THREATS_FOUND', uploader: 'partner-portal' },
      verification: { verified: true, basis: 'read-back' },
    });
  });

  it('on a rerun finds its statement and tag in place and writes nothing', async () => {
    // Prepare
    const world = new DriftingWorld();
    const env = worldEnv(world);
    await quarantineS3ObjectAction.run(INPUT, env);
    const seen = env.recorder.mutations.length;

    // Act
    const output = await quarantineS3ObjectAction.run(INPUT, env);

    // Assess
    expect(env.recorder.mutations.slice(seen)).toEqual([]);
    expect(JSON.parse(bucketOf(world.state).policy ?? '{}').Statement).toHaveLength(2);
    expect(output).toMatchObject({ policyChangedByThisRun: false, tagChangedByThisRun: false });
    expect(output.verification.verified).toBe(true);
  });

  it('writes a new policy for a bucket without one', async () => {
    // Prepare
    const world = new DriftingWorld();
    delete bucketOf(world.state).policy;

    // Act
    const output = await quarantineS3ObjectAction.run(INPUT, worldEnv(world));

    // Assess
    expect(JSON.parse(bucketOf(world.state).policy ?? '{}')).toEqual({
      Version: '2012-10-17',
      Statement: [expect.objectContaining({ Sid: output.statementSid, Effect: 'Deny' })],
    });
    expect(output.verification.verified).toBe(true);
  });

  it('reports unverified when the policy change silently does not take', async () => {
    // Prepare
    const world = new DriftingWorld();
    const original = bucketOf(world.state).policy;
    world.arm('PutBucketPolicy', (w) => {
      bucketOf(w).policy = original;
    });

    // Act
    const output = await quarantineS3ObjectAction.run(INPUT, worldEnv(world));

    // Assess
    expect(output.verification).toMatchObject({ verified: false, basis: 'read-back' });
    expect(failed(output.verification)).toEqual([`bucket ${BUCKET} policy statement ${output.statementSid}`]);
  });

  it('escapes wildcard characters of the key so the Deny names that one object', async () => {
    // Prepare
    const world = new DriftingWorld();
    bucketOf(world.state).objects['drop/a*b?.exe'] = [{ versionId: 'v1', tags: {} }];
    const input = {
      resources: [
        {
          type: 'AWS::S3::Object',
          uid: `arn:aws:s3:::${BUCKET}/drop/a*b?.exe`,
          region: 'us-east-2',
          version: 'v1',
        },
      ],
    };

    // Act
    const output = await quarantineS3ObjectAction.run(input, worldEnv(world));

    // Assess
    expect(output.deniedResource).toBe(`arn:aws:s3:::${BUCKET}/drop/a\${*}b\${?}.exe`);
    expect(output.verification.verified).toBe(true);
  });

  it('denies reads but raises ObjectTagLimitError when the version already has 10 tags', async () => {
    // Prepare
    const world = new DriftingWorld();
    const version = versionOf(world.state);
    if (version !== undefined)
      version.tags = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v']));
    const env = worldEnv(world);

    // Act
    const run = quarantineS3ObjectAction.run(INPUT, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ObjectTagLimitError);
    await expect(run).rejects.toThrow(/already has 10 tags/);
    expect(env.recorder.mutations.map((c) => c.api)).toEqual(['PutBucketPolicy']);
    expect(bucketOf(world.state).policy).toContain('RiposteQuarantine');
  });

  it('refuses a policy that would pass 20 KB, before any write', async () => {
    // Prepare
    const world = new DriftingWorld();
    bucketOf(world.state).policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Big',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${BUCKET}/${'x'.repeat(20_300)}`,
        },
      ],
    });
    const env = worldEnv(world);

    // Act
    const run = quarantineS3ObjectAction.run(INPUT, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(BucketPolicyTooLargeError);
    expect(env.recorder.mutations).toEqual([]);
  });

  it('refuses a bucket policy that is not JSON, before any write', async () => {
    // Prepare
    const world = new DriftingWorld();
    bucketOf(world.state).policy = '{"Version": "2012-10-17", "Statement": [';
    const env = worldEnv(world);

    // Act
    const run = quarantineS3ObjectAction.run(INPUT, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(BucketPolicyUnreadableError);
    expect(env.recorder.mutations).toEqual([]);
  });

  it('refuses a bucket whose protected tag is spaced and cased differently, trusting no object tag', async () => {
    // Prepare
    const world = new DriftingWorld();
    bucketOf(world.state).tags = { ' Riposte:Protected ': ' TRUE ' };
    const env = actionEnv({
      mode: { kind: 'world', world },
      safety: new StaticSafetyRails(executionFacts()),
    });

    // Act
    const run = quarantineS3ObjectAction.run(INPUT, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    expect(env.recorder.mutations).toEqual([]);
  });

  it('is not stopped by a protected tag the uploader put on the object itself', async () => {
    // Prepare
    const world = new DriftingWorld();
    const version = versionOf(world.state);
    if (version !== undefined) version.tags = { 'riposte:protected': 'true' };
    const env = actionEnv({
      mode: { kind: 'world', world },
      safety: new StaticSafetyRails(executionFacts()),
    });

    // Act
    const output = await quarantineS3ObjectAction.run(INPUT, env);

    // Assess
    expect(output.verification.verified).toBe(true);
  });

  it('changes nothing on a bucket of another account (ExpectedBucketOwner answers 403)', async () => {
    // Prepare
    const world = new DriftingWorld();
    bucketOf(world.state).accountId = '999988887777';
    const env = worldEnv(world);

    // Act
    const run = quarantineS3ObjectAction.run(INPUT, env);

    // Assess
    await expect(run).rejects.toThrow();
    expect(env.recorder.mutations).toEqual([]);
  });

  it('reports a version deleted since the scan as not found', async () => {
    // Prepare
    const world = new DriftingWorld();
    delete bucketOf(world.state).objects[KEY];

    // Act
    const run = quarantineS3ObjectAction.run(INPUT, worldEnv(world));

    // Assess
    await expect(run).rejects.toBeInstanceOf(ResourceNotFoundError);
  });
});

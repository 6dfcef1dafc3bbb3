import {
  DeletePublicAccessBlockCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  NothingToReleaseError,
  ProtectedResourceError,
  TransientAwsError,
} from '../../../../functions/core/actions/errors.ts';
import { releaseBucketPublicAccessAction } from '../../../../functions/core/actions/s3/release-bucket-public-access.ts';
import { actionEnv, TEST_NOW, type TestActionEnv, wireMocks } from '../../../support/action-env.ts';
import { ACCOUNT, ALL_TRUE, BUCKET, PARTIAL, REF, STATE_KEY } from '../../../support/s3-bucket.ts';

type Settings = typeof ALL_TRUE;

const NO_CONFIGURATION = new S3ServiceException({
  name: 'NoSuchPublicAccessBlockConfiguration',
  $fault: 'client',
  message: 'The public access block configuration was not found',
  $metadata: { httpStatusCode: 404 },
});

function liveEnv(dryRun = false) {
  const env = actionEnv({ mode: dryRun ? { kind: 'dry-run' } : { kind: 'live' }, now: () => TEST_NOW });
  return { env, s3: wireMocks(env.clients).s3 };
}

type S3Mock = ReturnType<typeof liveEnv>['s3'];

function captured(previous: Settings | null) {
  return {
    kind: 's3-bucket-public-access-block',
    bucketName: BUCKET,
    accountId: ACCOUNT,
    previous,
    policyPublic: true,
    capturedAt: '2025-05-22T05:00:00.000Z',
  };
}

/** A bucket on the wire: its tags, then what successive `GetPublicAccessBlock` answer (undefined: none). */
function bucket(mock: S3Mock, tags: Record<string, string>, reads: readonly (Settings | undefined)[]): void {
  mock.on(GetBucketTaggingCommand).resolves({
    TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  });
  let stub = mock.on(GetPublicAccessBlockCommand);
  for (const read of reads) {
    stub =
      read === undefined
        ? stub.rejectsOnce(NO_CONFIGURATION)
        : stub.resolvesOnce({ PublicAccessBlockConfiguration: read });
  }
  mock.on(PutPublicAccessBlockCommand).resolves({});
  mock.on(DeletePublicAccessBlockCommand).resolves({});
}

function sent(env: TestActionEnv): [string, unknown][] {
  return env.recorder.calls.map((c) => [c.api, c.params]);
}

describe('release-bucket-public-access (live)', () => {
  it('deletes the configuration the bucket did not have, then reads it back absent', async () => {
    // Prepare
    const { env, s3 } = liveEnv();
    await env.state.save(STATE_KEY, captured(null));
    bucket(s3, { team: 'payments' }, [ALL_TRUE, undefined]);

    // Act
    const output = await releaseBucketPublicAccessAction.run({ bucketName: BUCKET }, env);

    // Assess
    expect(sent(env)).toEqual([
      ['GetBucketTagging', REF],
      ['GetPublicAccessBlock', REF],
      ['DeletePublicAccessBlock', REF],
      ['GetPublicAccessBlock', REF],
    ]);
    expect(output).toMatchObject({
      scope: 'bucket',
      restored: null,
      changedByThisRun: true,
      verification: {
        verified: true,
        basis: 'read-back',
        evidence: [
          {
            check: `bucket ${BUCKET} Block Public Access configuration`,
            expected: 'none',
            actual: 'none',
            ok: true,
          },
        ],
      },
      policyAndAcl: 'unchanged',
    });
    expect(releaseBucketPublicAccessAction.output.parse(output)).toEqual(output);
  });

  it('puts the previous settings back and verifies them by reading them back', async () => {
    // Prepare
    const { env, s3 } = liveEnv();
    await env.state.save(STATE_KEY, captured(PARTIAL));
    bucket(s3, {}, [ALL_TRUE, PARTIAL]);

    // Act
    const output = await releaseBucketPublicAccessAction.run({ bucketName: BUCKET }, env);

    // Assess
    expect(sent(env)).toEqual([
      ['GetBucketTagging', REF],
      ['GetPublicAccessBlock', REF],
      ['PutPublicAccessBlock', { ...REF, PublicAccessBlockConfiguration: PARTIAL }],
      ['GetPublicAccessBlock', REF],
    ]);
    expect(output).toMatchObject({
      restored: PARTIAL,
      changedByThisRun: true,
      verification: { verified: true, basis: 'read-back' },
    });
  });

  it('changes nothing when the bucket is already as before containment', async () => {
    // Prepare
    const { env, s3 } = liveEnv();
    await env.state.save(STATE_KEY, captured(null));
    bucket(s3, {}, [undefined]);

    // Act
    const output = await releaseBucketPublicAccessAction.run({ bucketName: BUCKET }, env);

    // Assess
    expect(env.recorder.mutations).toEqual([]);
    // The first read is the read-back: nothing was written.
    expect(env.recorder.calls.map((c) => c.api)).toEqual(['GetBucketTagging', 'GetPublicAccessBlock']);
    expect(output).toMatchObject({
      changedByThisRun: false,
      verification: { verified: true, basis: 'read-back' },
      warnings: [],
    });
  });

  it('fails as transient (retried by the state machine) when the read-back is not the restored settings', async () => {
    // Prepare
    const { env, s3 } = liveEnv();
    await env.state.save(STATE_KEY, captured(PARTIAL));
    bucket(s3, {}, [ALL_TRUE, ALL_TRUE]);

    // Act
    const run = releaseBucketPublicAccessAction.run({ bucketName: BUCKET }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(TransientAwsError);
    await expect(run).rejects.toThrow(/reads back .* after the release/);
  });

  it('in dry-run records the write and reports that the read-back cannot verify it', async () => {
    // Prepare
    const { env, s3 } = liveEnv(true);
    await env.state.save(STATE_KEY, captured(PARTIAL));
    bucket(s3, {}, [ALL_TRUE, ALL_TRUE]);

    // Act
    const output = await releaseBucketPublicAccessAction.run({ bucketName: BUCKET }, env);

    // Assess
    expect(env.recorder.mutations.map((c) => [c.api, c.dryRun])).toEqual([['PutPublicAccessBlock', true]]);
    expect(s3.commandCalls(PutPublicAccessBlockCommand)).toEqual([]);
    expect(output.verification).toMatchObject({ verified: false, basis: 'dry-run' });
  });

  it('refuses a bucket that now carries the protected tag, changing nothing', async () => {
    // Prepare
    const { env, s3 } = liveEnv();
    await env.state.save(STATE_KEY, captured(null));
    bucket(s3, { 'riposte:protected': 'true' }, [ALL_TRUE]);

    // Act
    const run = releaseBucketPublicAccessAction.run({ bucketName: BUCKET }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    expect(env.recorder.mutations).toEqual([]);
  });

  it('says there is nothing to release when the incident captured nothing, and calls nothing', async () => {
    // Prepare
    const { env, s3 } = liveEnv();

    // Act
    const run = releaseBucketPublicAccessAction.run({ bucketName: BUCKET, accountId: ACCOUNT }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(NothingToReleaseError);
    await expect(run).rejects.toThrow(/^nothing to release: /);
    expect(s3.calls()).toEqual([]);
  });
});

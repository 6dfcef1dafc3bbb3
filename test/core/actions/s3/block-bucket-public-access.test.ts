import { readFileSync } from 'node:fs';
import {
  DeletePublicAccessBlockCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  NoSuchBucket,
  PutPublicAccessBlockCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  AwsAccessDeniedError,
  ProtectedResourceError,
  ResourceNotFoundError,
} from '../../../../functions/core/actions/errors.ts';
import { blockBucketPublicAccessAction } from '../../../../functions/core/actions/s3/block-bucket-public-access.ts';
import { releaseBucketPublicAccessAction } from '../../../../functions/core/actions/s3/release-bucket-public-access.ts';
import { LocalWorld } from '../../../../functions/core/actions/world/index.ts';
import { bucketIsPublic, handleS3, S3WorldSchema } from '../../../../functions/core/actions/world/s3.ts';
import { InvalidInputError } from '../../../../functions/core/errors.ts';
import {
  actionEnv,
  PermissiveSafetyRails,
  TEST_NOW,
  type TestActionEnv,
  wireMocks,
} from '../../../support/action-env.ts';
import { ACCOUNT, ALL_TRUE, BUCKET, PARTIAL, REF, STATE_KEY } from '../../../support/s3-bucket.ts';

const NOW = TEST_NOW;

function s3Error(name: string, message: string): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', message, $metadata: { httpStatusCode: 404 } });
}

function liveEnv(overrides: Parameters<typeof actionEnv>[0] = {}) {
  const env = actionEnv({ mode: { kind: 'live' }, now: () => NOW, ...overrides });
  const { s3 } = wireMocks(env.clients);
  return { env, s3 };
}

type S3Mock = ReturnType<typeof liveEnv>['s3'];

/**
 * Asserts what the action sent, in order, with its exact parameters (as recorded before the
 * SDK adds its own, such as `ChecksumAlgorithm`), and that the same operations reached the wire.
 */
function expectSent(env: TestActionEnv, mock: S3Mock, calls: readonly (readonly [string, unknown])[]): void {
  expect(env.recorder.calls.map((c) => [c.api, c.params])).toEqual(calls);
  expect(mock.calls().map((call) => call.args[0].constructor.name.replace(/Command$/, ''))).toEqual(
    calls.map(([api]) => api),
  );
}

/** A bucket on the wire: its tags, its own Block Public Access (undefined: none), a public policy. */
function bucket(mock: S3Mock, tags: Record<string, string>, settings: typeof ALL_TRUE | undefined): void {
  if (Object.keys(tags).length === 0) {
    mock.on(GetBucketTaggingCommand).rejects(s3Error('NoSuchTagSet', 'The TagSet does not exist'));
  } else {
    mock
      .on(GetBucketTaggingCommand)
      .resolves({ TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
  }
  if (settings === undefined) {
    mock
      .on(GetPublicAccessBlockCommand)
      .rejects(
        s3Error(
          'NoSuchPublicAccessBlockConfiguration',
          'The public access block configuration was not found',
        ),
      );
  } else {
    mock.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: settings });
  }
  mock.on(GetBucketPolicyStatusCommand).resolves({ PolicyStatus: { IsPublic: true } });
  mock.on(PutPublicAccessBlockCommand).resolves({});
  mock.on(DeletePublicAccessBlockCommand).resolves({});
}

const READS: [string, unknown][] = [
  ['GetBucketTagging', REF],
  ['GetPublicAccessBlock', REF],
  ['GetBucketPolicyStatus', REF],
];
const PUT_ALL: [string, unknown] = [
  'PutPublicAccessBlock',
  { ...REF, PublicAccessBlockConfiguration: ALL_TRUE },
];
/** The read-back after the change. */
const READ_BACK: [string, unknown] = ['GetPublicAccessBlock', REF];

describe('block-bucket-public-access (live, aws-sdk-client-mock behind the middleware)', () => {
  it('reads tags and the bucket configuration, captures, passes the rails, then puts all four settings on the bucket', async () => {
    // Prepare
    const safety = new PermissiveSafetyRails();
    const { env, s3 } = liveEnv({ safety });
    bucket(s3, { owner: 'payments-team' }, undefined);
    s3.on(GetPublicAccessBlockCommand)
      .rejectsOnce(s3Error('NoSuchPublicAccessBlockConfiguration', 'not found'))
      .resolves({ PublicAccessBlockConfiguration: ALL_TRUE });
    let atRails: { calls: [string, unknown][]; saved: unknown } | undefined;
    const spying = {
      ...env,
      safety: {
        async assertContainable(target: { resource: string; tags: Readonly<Record<string, string>> }) {
          atRails = {
            calls: env.recorder.calls.map((c) => [c.api, c.params]),
            saved: await env.state.load(STATE_KEY),
          };
          await safety.assertContainable(target);
        },
        standing: (tags: Readonly<Record<string, string>>) => safety.standing(tags),
      },
    };

    // Act
    const output = await blockBucketPublicAccessAction.run(
      { bucketName: BUCKET, accountId: ACCOUNT },
      spying,
    );

    // Assess
    expectSent(env, s3, [...READS, PUT_ALL, READ_BACK]);
    expect(env.recorder.calls.map((c) => [c.service, c.api, c.mutating])).toEqual([
      ['s3', 'GetBucketTagging', false],
      ['s3', 'GetPublicAccessBlock', false],
      ['s3', 'GetBucketPolicyStatus', false],
      ['s3', 'PutPublicAccessBlock', true],
      ['s3', 'GetPublicAccessBlock', false],
    ]);
    expect(atRails?.calls).toEqual(READS);
    expect(atRails?.saved).toEqual({
      kind: 's3-bucket-public-access-block',
      bucketName: BUCKET,
      accountId: ACCOUNT,
      previous: null,
      policyPublic: true,
      capturedAt: '2025-06-01T12:00:00.000Z',
    });
    expect(safety.checked).toEqual([{ resource: BUCKET, tags: { owner: 'payments-team' } }]);
    expect(output).toMatchObject({
      bucketName: BUCKET,
      accountId: ACCOUNT,
      scope: 'bucket',
      previous: null,
      applied: ALL_TRUE,
      changedByThisRun: true,
      policyPublic: true,
    });
    expect(output.verification).toMatchObject({ verified: true, basis: 'read-back' });
    expect(output.verification.evidence.map((c) => [c.check, c.actual])).toEqual([
      [`bucket ${BUCKET} BlockPublicAcls`, 'true'],
      [`bucket ${BUCKET} IgnorePublicAcls`, 'true'],
      [`bucket ${BUCKET} BlockPublicPolicy`, 'true'],
      [`bucket ${BUCKET} RestrictPublicBuckets`, 'true'],
    ]);
    expect(output.notes[0]).toMatch(/on the bucket payments-exports only/);
    expect(blockBucketPublicAccessAction.output.parse(output)).toEqual(output);
  });

  it('takes the owner from the execution when the input has none, and reports the previous bucket settings', async () => {
    // Prepare
    const { env, s3 } = liveEnv();
    bucket(s3, {}, PARTIAL);

    // Act
    const output = await blockBucketPublicAccessAction.run({ bucketName: BUCKET }, env);

    // Assess
    expectSent(env, s3, [...READS, PUT_ALL, READ_BACK]);
    expect(output).toMatchObject({ accountId: ACCOUNT, previous: PARTIAL, changedByThisRun: true });
  });

  it('changes nothing when the four settings are already on, and keeps the first capture', async () => {
    // Prepare
    const { env, s3 } = liveEnv();
    const first = {
      kind: 's3-bucket-public-access-block',
      bucketName: BUCKET,
      accountId: ACCOUNT,
      previous: PARTIAL,
      policyPublic: true,
      capturedAt: '2025-05-22T05:00:00.000Z',
    };
    await env.state.save(STATE_KEY, first);
    bucket(s3, {}, ALL_TRUE);

    // Act
    const output = await blockBucketPublicAccessAction.run({ bucketName: BUCKET, accountId: ACCOUNT }, env);

    // Assess
    expectSent(env, s3, [...READS, READ_BACK]);
    expect(env.recorder.mutations).toEqual([]);
    expect(output).toMatchObject({ previous: PARTIAL, changedByThisRun: false });
    expect(output.verification.verified).toBe(true);
    expect(await env.state.load(STATE_KEY)).toEqual(first);
  });

  it('refuses a protected bucket with ProtectedResourceError and makes no state-changing call', async () => {
    // Prepare
    const { env, s3 } = liveEnv();
    bucket(s3, { 'riposte:protected': 'true' }, undefined);

    // Act
    const run = blockBucketPublicAccessAction.run({ bucketName: BUCKET, accountId: ACCOUNT }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    expectSent(env, s3, READS);
    expect(env.recorder.mutations).toEqual([]);
  });

  it('reports a missing bucket as ResourceNotFoundError before capturing anything', async () => {
    // Prepare
    const { env, s3 } = liveEnv();
    s3.on(GetBucketTaggingCommand).rejects(
      new NoSuchBucket({
        message: 'The specified bucket does not exist',
        $metadata: { httpStatusCode: 404 },
      }),
    );

    // Act
    const run = blockBucketPublicAccessAction.run({ bucketName: BUCKET, accountId: ACCOUNT }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ResourceNotFoundError);
    expectSent(env, s3, [['GetBucketTagging', REF]]);
    expect(await env.state.load(STATE_KEY)).toBeUndefined();
  });

  it('treats a bucket without policy as not public by policy, and a denied GetBucketPolicyStatus as unknown', async () => {
    // Prepare
    const noPolicy = liveEnv();
    bucket(noPolicy.s3, {}, undefined);
    noPolicy.s3
      .on(GetBucketPolicyStatusCommand)
      .rejects(s3Error('NoSuchBucketPolicy', 'The bucket policy does not exist'));
    const denied = liveEnv();
    bucket(denied.s3, {}, undefined);
    denied.s3.on(GetBucketPolicyStatusCommand).rejects(
      Object.assign(new Error('Access Denied'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );

    // Act
    const withoutPolicy = await blockBucketPublicAccessAction.run({ bucketName: BUCKET }, noPolicy.env);
    const unknown = await blockBucketPublicAccessAction.run({ bucketName: BUCKET }, denied.env);

    // Assess
    expect(withoutPolicy).toMatchObject({ policyPublic: false, changedByThisRun: true });
    expect(unknown).toMatchObject({ policyPublic: null, changedByThisRun: true });
    expect(unknown.notes).toContain(
      'GetBucketPolicyStatus was denied: whether the bucket policy is public is unknown',
    );
    expectSent(denied.env, denied.s3, [...READS, PUT_ALL, READ_BACK]);
  });

  it('needs the bucket owner: from the input or the execution', async () => {
    // Prepare
    const { env, s3 } = liveEnv();
    const { account: _omit, ...facts } = env.execution;

    // Act
    const run = blockBucketPublicAccessAction.run({ bucketName: BUCKET }, { ...env, execution: facts });

    // Assess
    await expect(run).rejects.toBeInstanceOf(InvalidInputError);
    expectSent(env, s3, []);
  });

  it('turns an AccessDenied answer into AwsAccessDeniedError', async () => {
    // Prepare
    const { env, s3 } = liveEnv();
    bucket(s3, {}, undefined);
    s3.on(PutPublicAccessBlockCommand).rejects(
      Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
    );

    // Act
    const run = blockBucketPublicAccessAction.run({ bucketName: BUCKET, accountId: ACCOUNT }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(AwsAccessDeniedError);
    await expect(run).rejects.toThrow(/s3:PutPublicAccessBlock was denied/);
    expect(env.recorder.calls.map((c) => c.api)).toEqual([
      'GetBucketTagging',
      'GetPublicAccessBlock',
      'GetBucketPolicyStatus',
      'PutPublicAccessBlock',
    ]);
  });

  it('in dry-run records the put and sends no state-changing call', async () => {
    // Prepare
    const { env, s3 } = liveEnv({ mode: { kind: 'dry-run' } });
    bucket(s3, {}, undefined);

    // Act
    const output = await blockBucketPublicAccessAction.run({ bucketName: BUCKET }, env);

    // Assess
    expect(s3.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'GetBucketTaggingCommand',
      'GetPublicAccessBlockCommand',
      'GetBucketPolicyStatusCommand',
      'GetPublicAccessBlockCommand',
    ]);
    expect(env.recorder.mutations.map((c) => [c.api, c.params, c.dryRun])).toEqual([
      ['PutPublicAccessBlock', { ...REF, PublicAccessBlockConfiguration: ALL_TRUE }, true],
    ]);
    expect(output.changedByThisRun).toBe(true);
    // The put was not sent: the read-back shows the bucket as it was and cannot verify it.
    expect(output.verification).toMatchObject({ verified: false, basis: 'dry-run' });
  });
});

// ---------------------------------------------------------------------------------------------
// World mode: examples/world.json

const OTHER = 'marketing-site';
const PARTIAL_WORLD = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: false,
  restrictPublicBuckets: false,
};

/**
 * The example world plus a second public bucket and an account-level setting that leaves both
 * public (BlockPublicAcls only), so that a change to either would show.
 */
function worldSetup(payments: Record<string, unknown> = {}): { world: LocalWorld; env: TestActionEnv } {
  const data = JSON.parse(readFileSync('examples/world.json', 'utf8')) as {
    s3: { buckets: Record<string, Record<string, unknown>> };
  };
  const world = new LocalWorld({
    ...data,
    s3: {
      ...data.s3,
      accountPublicAccessBlocks: { [ACCOUNT]: { blockPublicAcls: true } },
      buckets: {
        ...data.s3.buckets,
        [BUCKET]: { ...data.s3.buckets[BUCKET], ...payments },
        [OTHER]: {
          region: 'eu-west-1',
          createDate: '2024-01-01T00:00:00Z',
          policyIsPublic: true,
          aclPublic: true,
        },
      },
    },
  });
  return { world, env: actionEnv({ mode: { kind: 'world', world }, now: () => NOW }) };
}

const ACCOUNT_LEVEL = {
  [ACCOUNT]: {
    blockPublicAcls: true,
    ignorePublicAcls: false,
    blockPublicPolicy: false,
    restrictPublicBuckets: false,
  },
};

describe('S3 world', () => {
  it('parses {} to no bucket and no account setting', () => {
    // Prepare
    const empty = {};

    // Act
    const s3 = S3WorldSchema.parse(empty);

    // Assess
    expect(s3).toEqual({ accountId: ACCOUNT, partition: 'aws', accountPublicAccessBlocks: {}, buckets: {} });
  });

  it('answers with the error codes of S3', () => {
    // Prepare
    const s3 = S3WorldSchema.parse({ buckets: { b1: { createDate: '2025-01-01T00:00:00Z' } } });

    // Act
    const noConfig = () => handleS3(s3, 'GetPublicAccessBlock', { Bucket: 'b1' });
    const noTags = () => handleS3(s3, 'GetBucketTagging', { Bucket: 'b1' });
    const noBucket = () => handleS3(s3, 'GetBucketTagging', { Bucket: 'nope' });
    const otherOwner = () =>
      handleS3(s3, 'GetPublicAccessBlock', { Bucket: 'b1', ExpectedBucketOwner: '444455556666' });
    const accountLevel = () => handleS3(s3, 'GetPublicAccessBlock', { AccountId: ACCOUNT });
    const unmodelled = () => handleS3(s3, 'GetBucketAcl', { Bucket: 'b1' });

    // Assess
    expect(noConfig).toThrow(expect.objectContaining({ name: 'NoSuchPublicAccessBlockConfiguration' }));
    expect(noTags).toThrow(expect.objectContaining({ name: 'NoSuchTagSet' }));
    expect(noBucket).toThrow(expect.objectContaining({ name: 'NoSuchBucket' }));
    expect(otherOwner).toThrow(expect.objectContaining({ name: 'AccessDenied' }));
    expect(accountLevel).toThrow(expect.objectContaining({ name: 'InvalidRequest' }));
    expect(unmodelled).toThrow(expect.objectContaining({ name: 'UnsupportedWorldCallError' }));
    expect(handleS3(s3, 'GetBucketPolicyStatus', { Bucket: 'b1' })).toEqual({
      PolicyStatus: { IsPublic: false },
    });
  });

  it('blocks payments-exports only: the account setting and the other public bucket are untouched', async () => {
    // Prepare
    const { world, env } = worldSetup();
    const input = { bucketName: BUCKET };
    const before = [bucketIsPublic(world.state.s3, BUCKET), bucketIsPublic(world.state.s3, OTHER)];

    // Act
    const blocked = await blockBucketPublicAccessAction.run(input, env);

    // Assess
    expect(before).toEqual([true, true]);
    expect(bucketIsPublic(world.state.s3, BUCKET)).toBe(false);
    expect(bucketIsPublic(world.state.s3, OTHER)).toBe(true);
    expect(world.state.s3.buckets[OTHER]?.publicAccessBlock).toBeUndefined();
    expect(world.state.s3.accountPublicAccessBlocks).toEqual(ACCOUNT_LEVEL);
    expect(world.state.s3.buckets[BUCKET]?.publicAccessBlock).toEqual({
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    });
    expect(blocked).toMatchObject({ previous: null, changedByThisRun: true, policyPublic: true });
    expect(env.recorder.calls.map((c) => [c.service, c.api, c.params])).toEqual([
      ['s3', 'GetBucketTagging', REF],
      ['s3', 'GetPublicAccessBlock', REF],
      ['s3', 'GetBucketPolicyStatus', REF],
      ['s3', 'PutPublicAccessBlock', { ...REF, PublicAccessBlockConfiguration: ALL_TRUE }],
      ['s3', 'GetPublicAccessBlock', REF],
    ]);
    expect(blocked.verification).toMatchObject({ verified: true, basis: 'read-back' });
  });

  it('a second block makes no state-changing call, and release deletes the configuration the bucket did not have', async () => {
    // Prepare
    const { world, env } = worldSetup();
    const input = { bucketName: BUCKET };
    await blockBucketPublicAccessAction.run(input, env);
    const mark = env.recorder.calls.length;

    // Act
    const again = await blockBucketPublicAccessAction.run(input, env);
    const secondRunMutations = env.recorder.calls.slice(mark).filter((c) => c.mutating);
    const released = await releaseBucketPublicAccessAction.run(input, env);
    const releasedAgain = await releaseBucketPublicAccessAction.run(input, env);

    // Assess
    expect(again).toMatchObject({ previous: null, changedByThisRun: false });
    expect(secondRunMutations).toEqual([]);
    expect(released).toMatchObject({ restored: null, changedByThisRun: true });
    expect(releasedAgain.changedByThisRun).toBe(false);
    expect(env.recorder.mutations.map((c) => [c.api, c.params])).toEqual([
      ['PutPublicAccessBlock', { ...REF, PublicAccessBlockConfiguration: ALL_TRUE }],
      ['DeletePublicAccessBlock', REF],
    ]);
    expect(world.state.s3.buckets[BUCKET]?.publicAccessBlock).toBeUndefined();
    expect(bucketIsPublic(world.state.s3, BUCKET)).toBe(true);
    expect(bucketIsPublic(world.state.s3, OTHER)).toBe(true);
    expect(world.state.s3.accountPublicAccessBlocks).toEqual(ACCOUNT_LEVEL);
  });

  it('release puts back the configuration the bucket had before', async () => {
    // Prepare
    const { world, env } = worldSetup({ publicAccessBlock: PARTIAL_WORLD });
    const input = { bucketName: BUCKET };
    const publicBefore = bucketIsPublic(world.state.s3, BUCKET);
    const blocked = await blockBucketPublicAccessAction.run(input, env);
    const publicWhileBlocked = bucketIsPublic(world.state.s3, BUCKET);

    // Act
    const released = await releaseBucketPublicAccessAction.run(input, env);

    // Assess
    expect([publicBefore, publicWhileBlocked]).toEqual([true, false]);
    expect(blocked.previous).toEqual(PARTIAL);
    expect(released).toMatchObject({ restored: PARTIAL, changedByThisRun: true });
    expect(world.state.s3.buckets[BUCKET]?.publicAccessBlock).toEqual(PARTIAL_WORLD);
    expect(bucketIsPublic(world.state.s3, BUCKET)).toBe(true);
    expect(env.recorder.mutations.map((c) => [c.api, c.params])).toEqual([
      ['PutPublicAccessBlock', { ...REF, PublicAccessBlockConfiguration: ALL_TRUE }],
      ['PutPublicAccessBlock', { ...REF, PublicAccessBlockConfiguration: PARTIAL }],
    ]);
  });

  it('refuses the protected riposte-protected-logs bucket with zero state-changing calls', async () => {
    // Prepare
    const { world, env } = worldSetup();
    const protectedBefore = structuredClone(world.state.s3.buckets['riposte-protected-logs']);

    // Act
    const run = blockBucketPublicAccessAction.run({ bucketName: 'riposte-protected-logs' }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    expect(env.recorder.mutations).toEqual([]);
    expect(world.state.s3.buckets['riposte-protected-logs']).toEqual(protectedBefore);
    expect(world.state.s3.accountPublicAccessBlocks).toEqual(ACCOUNT_LEVEL);
  });

  it('the example world file still loads with its buckets', () => {
    // Prepare
    const world = LocalWorld.fromFile('examples/world.json');

    // Act
    const publicBuckets = Object.keys(world.state.s3.buckets).filter((b) =>
      bucketIsPublic(world.state.s3, b),
    );

    // Assess
    expect(publicBuckets).toEqual([BUCKET]);
    expect(world.state.s3.accountPublicAccessBlocks).toEqual({});
  });
});

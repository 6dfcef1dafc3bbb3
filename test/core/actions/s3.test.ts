import {
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  ListTagsForResourceCommand,
  NoSuchPublicAccessBlockConfiguration,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3-control';
import { describe, expect, it } from 'vitest';
import {
  AwsAccessDeniedError,
  NothingToReleaseError,
  ProtectedResourceError,
} from '../../../functions/core/actions/errors.ts';
import {
  blockBucketPublicAccessAction,
  releaseBucketPublicAccessAction,
} from '../../../functions/core/actions/s3.ts';
import { LocalWorld } from '../../../functions/core/actions/world/index.ts';
import { bucketIsPublic, handleS3, S3WorldSchema } from '../../../functions/core/actions/world/s3.ts';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import { actionEnv, TEST_NOW, wireMocks } from '../../support/action-env.ts';

const NOW = TEST_NOW;
const ACCOUNT = '111122223333';
const BUCKET = 'payments-exports';
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const ALL_TRUE = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
const PARTIAL = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: false,
  RestrictPublicBuckets: false,
};

function liveEnv() {
  const env = actionEnv({ mode: { kind: 'live' }, now: () => NOW });
  const { s3control } = wireMocks(env.clients);
  return { env, s3control };
}

type S3ControlMock = ReturnType<typeof liveEnv>['s3control'];

function sent(mock: S3ControlMock): [string, unknown][] {
  return mock.calls().map((call) => {
    const command = call.args[0];
    return [command.constructor.name.replace(/Command$/, ''), command.input];
  });
}

function bucket(
  mock: S3ControlMock,
  tags: Record<string, string>,
  settings: typeof ALL_TRUE | undefined,
): void {
  mock
    .on(ListTagsForResourceCommand)
    .resolves({ Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
  if (settings === undefined) {
    mock.on(GetPublicAccessBlockCommand).rejects(
      new NoSuchPublicAccessBlockConfiguration({
        message: 'The public access block configuration was not found',
        $metadata: {},
      }),
    );
  } else {
    mock.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: settings });
  }
  mock.on(PutPublicAccessBlockCommand).resolves({});
  mock.on(DeletePublicAccessBlockCommand).resolves({});
}

const READS: [string, unknown][] = [
  ['ListTagsForResource', { AccountId: ACCOUNT, ResourceArn: BUCKET_ARN }],
  ['GetPublicAccessBlock', { AccountId: ACCOUNT }],
];

describe('block-bucket-public-access', () => {
  it('captures the absence of settings, then puts all four settings true', async () => {
    // Prepare
    const { env, s3control } = liveEnv();
    bucket(s3control, { owner: 'payments-team' }, undefined);

    // Act
    const output = await blockBucketPublicAccessAction.run({ bucketName: BUCKET, accountId: ACCOUNT }, env);

    // Assess
    expect(sent(s3control)).toEqual([
      ...READS,
      ['PutPublicAccessBlock', { AccountId: ACCOUNT, PublicAccessBlockConfiguration: ALL_TRUE }],
    ]);
    expect(output).toMatchObject({
      bucketName: BUCKET,
      accountId: ACCOUNT,
      scope: 'account',
      previous: null,
      applied: ALL_TRUE,
      changedByThisRun: true,
    });
    expect(await env.state.load(`s3-account-public-access-block:${ACCOUNT}`)).toEqual({
      kind: 's3-account-public-access-block',
      accountId: ACCOUNT,
      previous: null,
      capturedAt: '2025-06-01T12:00:00.000Z',
      bucketName: BUCKET,
    });
    expect(blockBucketPublicAccessAction.output.parse(output)).toEqual(output);
  });

  it('takes the account from the execution when the input has none, and reports the previous settings', async () => {
    // Prepare
    const { env, s3control } = liveEnv();
    bucket(s3control, {}, PARTIAL);
    const inAccount = { ...env, execution: { ...env.execution, account: ACCOUNT } };

    // Act
    const output = await blockBucketPublicAccessAction.run({ bucketName: BUCKET }, inAccount);

    // Assess
    expect(sent(s3control)).toEqual([
      ...READS,
      ['PutPublicAccessBlock', { AccountId: ACCOUNT, PublicAccessBlockConfiguration: ALL_TRUE }],
    ]);
    expect(output.previous).toEqual(PARTIAL);
  });

  it('changes nothing when the four settings are already on, and keeps the first capture', async () => {
    // Prepare
    const { env, s3control } = liveEnv();
    await env.state.save(`s3-account-public-access-block:${ACCOUNT}`, {
      kind: 's3-account-public-access-block',
      accountId: ACCOUNT,
      previous: PARTIAL,
      capturedAt: '2025-05-22T05:00:00.000Z',
      bucketName: BUCKET,
    });
    bucket(s3control, {}, ALL_TRUE);

    // Act
    const output = await blockBucketPublicAccessAction.run({ bucketName: BUCKET, accountId: ACCOUNT }, env);

    // Assess
    expect(sent(s3control)).toEqual(READS);
    expect(output).toMatchObject({ previous: PARTIAL, changedByThisRun: false });
  });

  it('refuses a protected bucket with ProtectedResourceError and changes nothing', async () => {
    // Prepare
    const { env, s3control } = liveEnv();
    bucket(s3control, { 'riposte:protected': 'true' }, undefined);

    // Act
    const run = blockBucketPublicAccessAction.run({ bucketName: BUCKET, accountId: ACCOUNT }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    expect(sent(s3control)).toEqual(READS);
  });

  it('needs an account: from the input or the execution', async () => {
    // Prepare
    const { env, s3control } = liveEnv();
    const { account: _omit, ...facts } = env.execution;

    // Act
    const run = blockBucketPublicAccessAction.run({ bucketName: BUCKET }, { ...env, execution: facts });

    // Assess
    await expect(run).rejects.toBeInstanceOf(InvalidInputError);
    expect(sent(s3control)).toEqual([]);
  });

  it('turns an AccessDenied answer into AwsAccessDeniedError', async () => {
    // Prepare
    const { env, s3control } = liveEnv();
    bucket(s3control, {}, undefined);
    s3control.on(PutPublicAccessBlockCommand).rejects(
      Object.assign(new Error('Access Denied'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );

    // Act
    const run = blockBucketPublicAccessAction.run({ bucketName: BUCKET, accountId: ACCOUNT }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(AwsAccessDeniedError);
    await expect(run).rejects.toThrow(/s3control:PutPublicAccessBlock was denied/);
    expect(env.recorder.calls.map((c) => c.api)).toEqual([
      'ListTagsForResource',
      'GetPublicAccessBlock',
      'PutPublicAccessBlock',
    ]);
  });
});

describe('release-bucket-public-access', () => {
  it('deletes the configuration when the account had none', async () => {
    // Prepare
    const { env, s3control } = liveEnv();
    await env.state.save(`s3-account-public-access-block:${ACCOUNT}`, {
      kind: 's3-account-public-access-block',
      accountId: ACCOUNT,
      previous: null,
      capturedAt: '2025-05-22T05:00:00.000Z',
      bucketName: BUCKET,
    });
    bucket(s3control, {}, ALL_TRUE);

    // Act
    const output = await releaseBucketPublicAccessAction.run({ bucketName: BUCKET, accountId: ACCOUNT }, env);

    // Assess
    expect(sent(s3control)).toEqual([
      ['GetPublicAccessBlock', { AccountId: ACCOUNT }],
      ['DeletePublicAccessBlock', { AccountId: ACCOUNT }],
    ]);
    expect(output).toMatchObject({ restored: null, changedByThisRun: true });
  });

  it('puts the previous settings back when there were some', async () => {
    // Prepare
    const { env, s3control } = liveEnv();
    await env.state.save(`s3-account-public-access-block:${ACCOUNT}`, {
      kind: 's3-account-public-access-block',
      accountId: ACCOUNT,
      previous: PARTIAL,
      capturedAt: '2025-05-22T05:00:00.000Z',
      bucketName: BUCKET,
    });
    bucket(s3control, {}, ALL_TRUE);

    // Act
    const output = await releaseBucketPublicAccessAction.run({ bucketName: BUCKET, accountId: ACCOUNT }, env);

    // Assess
    expect(sent(s3control)).toEqual([
      ['GetPublicAccessBlock', { AccountId: ACCOUNT }],
      ['PutPublicAccessBlock', { AccountId: ACCOUNT, PublicAccessBlockConfiguration: PARTIAL }],
    ]);
    expect(output.restored).toEqual(PARTIAL);
  });

  it('throws NothingToReleaseError when nothing was captured', async () => {
    // Prepare
    const { env, s3control } = liveEnv();

    // Act
    const run = releaseBucketPublicAccessAction.run({ bucketName: BUCKET, accountId: ACCOUNT }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(NothingToReleaseError);
    expect(sent(s3control)).toEqual([]);
  });
});

describe('S3 world', () => {
  it('parses {} to no bucket and no account setting', () => {
    // Prepare
    const empty = {};

    // Act
    const s3 = S3WorldSchema.parse(empty);

    // Assess
    expect(s3).toEqual({ accountId: ACCOUNT, partition: 'aws', accountPublicAccessBlocks: {}, buckets: {} });
  });

  it('answers NoSuchPublicAccessBlockConfiguration, NoSuchBucket and UnsupportedWorldCallError as AWS would', () => {
    // Prepare
    const s3 = S3WorldSchema.parse({ buckets: { b: { createDate: '2025-01-01T00:00:00Z' } } });

    // Act
    const get = () => handleS3(s3, 'GetPublicAccessBlock', { AccountId: ACCOUNT });
    const tags = () =>
      handleS3(s3, 'ListTagsForResource', { AccountId: ACCOUNT, ResourceArn: 'arn:aws:s3:::nope' });
    const bucketLevel = () => handleS3(s3, 'GetBucketPolicyStatus', { Bucket: 'b' });

    // Assess
    expect(get).toThrow(expect.objectContaining({ name: 'NoSuchPublicAccessBlockConfiguration' }));
    expect(tags).toThrow(expect.objectContaining({ name: 'NoSuchBucket' }));
    expect(bucketLevel).toThrow(expect.objectContaining({ name: 'UnsupportedWorldCallError' }));
  });

  it('blocks payments-exports on the example world, once, and release makes it public again', async () => {
    // Prepare
    const world = LocalWorld.fromFile('examples/world.json');
    const env = actionEnv({ mode: { kind: 'world', world }, now: () => NOW });
    const input = { bucketName: BUCKET, accountId: ACCOUNT };
    const publicBefore = bucketIsPublic(world.state.s3, BUCKET);

    // Act
    const blocked = await blockBucketPublicAccessAction.run(input, env);
    const again = await blockBucketPublicAccessAction.run(input, env);
    const publicWhileBlocked = bucketIsPublic(world.state.s3, BUCKET);
    const released = await releaseBucketPublicAccessAction.run(input, env);

    // Assess
    expect(publicBefore).toBe(true);
    expect(publicWhileBlocked).toBe(false);
    expect(bucketIsPublic(world.state.s3, BUCKET)).toBe(true);
    expect(blocked).toMatchObject({ previous: null, changedByThisRun: true });
    expect(again.changedByThisRun).toBe(false);
    expect(released).toMatchObject({ restored: null, changedByThisRun: true });
    expect(env.recorder.mutations.map((c) => [c.api, c.params])).toEqual([
      ['PutPublicAccessBlock', { AccountId: ACCOUNT, PublicAccessBlockConfiguration: ALL_TRUE }],
      ['DeletePublicAccessBlock', { AccountId: ACCOUNT }],
    ]);
    expect(world.state.s3.accountPublicAccessBlocks).toEqual({});
  });

  it('refuses the protected riposte-protected-logs bucket with zero state-changing calls', async () => {
    // Prepare
    const world = LocalWorld.fromFile('examples/world.json');
    const env = actionEnv({ mode: { kind: 'world', world }, now: () => NOW });

    // Act
    const run = blockBucketPublicAccessAction.run(
      { bucketName: 'riposte-protected-logs', accountId: ACCOUNT },
      env,
    );

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    expect(env.recorder.mutations).toEqual([]);
    expect(world.state.s3.accountPublicAccessBlocks).toEqual({});
  });
});

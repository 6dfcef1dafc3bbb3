import { describe, expect, it } from 'vitest';
import { ProtectedResourceError, SampleAlertError } from '../../../../functions/core/actions/errors.ts';
import {
  accessKeyStateKey,
  DeactivateAccessKeyInputSchema,
  deactivateAccessKeyAction,
} from '../../../../functions/core/actions/iam/deactivate-access-key.ts';
import { AccessKeyNotFoundError } from '../../../../functions/core/actions/iam/shared/access-key.ts';
import { LocalWorld, type WorldData } from '../../../../functions/core/actions/world/index.ts';
import { actionEnv, executionFacts, StaticSafetyRails } from '../../../support/action-env.ts';
import { DriftingWorld, failed } from '../../../support/drifting-world.ts';

const KEY = 'AKIAEXAMPLEEXPOSED01';
const OTHER_KEY = 'AKIACIDEPLOYERKEY002';
const USER = 'ci-deployer';

function world(edit?: (data: WorldData) => void): LocalWorld {
  const w = LocalWorld.fromFile('examples/world.json');
  edit?.(w.state);
  return w;
}

const envOf = (w: LocalWorld, execution: Parameters<typeof executionFacts>[0] = {}) =>
  actionEnv({
    mode: { kind: 'world', world: w },
    execution,
    safety: new StaticSafetyRails(executionFacts(execution)),
  });

const statusOf = (w: LocalWorld, key: string) =>
  w.state.iam.users[USER]?.accessKeys.find((k) => k.accessKeyId === key)?.status;

describe('deactivate-access-key', () => {
  it('deactivates exactly the named key, records its last use and AWS’s quarantine, reads it back', async () => {
    // Prepare
    const w = world();
    const env = envOf(w);

    // Act
    const output = await deactivateAccessKeyAction.run({ accessKeyId: KEY }, env);

    // Assess
    expect(env.recorder.calls.map((c) => c.api)).toEqual([
      'GetAccessKeyLastUsed',
      'GetUser',
      'ListAccessKeys',
      'ListAttachedUserPolicies',
      'UpdateAccessKey',
      'ListAccessKeys',
    ]);
    expect(env.recorder.mutations.map((c) => [c.api, c.params])).toEqual([
      ['UpdateAccessKey', { UserName: USER, AccessKeyId: KEY, Status: 'Inactive' }],
    ]);
    expect(statusOf(w, KEY)).toBe('Inactive');
    expect(statusOf(w, OTHER_KEY)).toBe('Active');
    expect(output).toMatchObject({
      userName: USER,
      userArn: 'arn:aws:iam::111122223333:user/ci-deployer',
      account: '111122223333',
      statusBefore: 'Active',
      deactivatedByThisRun: true,
      lastUsed: { date: '2026-11-30T08:58:12.000Z', serviceName: 'ec2', region: 'eu-west-1' },
      awsQuarantinePolicies: ['AWSCompromisedKeyQuarantineV3'],
      awsQuarantined: true,
      verification: { verified: true, basis: 'read-back' },
      timeline: { before: { status: 'Active' }, after: { status: 'Inactive', deactivatedByThisRun: true } },
    });
    expect(await env.state.load(accessKeyStateKey(KEY))).toMatchObject({ status: 'Active', userName: USER });
  });

  it('changes nothing on a second run and keeps the first capture', async () => {
    // Prepare
    const w = world();
    const env = envOf(w);
    await deactivateAccessKeyAction.run({ accessKeyId: KEY }, env);
    const before = env.recorder.mutations.length;

    // Act
    const output = await deactivateAccessKeyAction.run({ accessKeyId: KEY }, env);

    // Assess
    expect(env.recorder.mutations.length).toBe(before);
    expect(output).toMatchObject({ statusBefore: 'Active', deactivatedByThisRun: false });
    expect(output.verification.verified).toBe(true);
  });

  it('records NOT VERIFIED when the change silently does not take', async () => {
    // Prepare: the key is Active again right after UpdateAccessKey answers.
    const w = new DriftingWorld('UpdateAccessKey', (state) => {
      const key = state.iam.users[USER]?.accessKeys.find((k) => k.accessKeyId === KEY);
      if (key !== undefined) key.status = 'Active';
    });
    const env = envOf(w);

    // Act
    const output = await deactivateAccessKeyAction.run({ accessKeyId: KEY }, env);

    // Assess
    expect(output.verification).toMatchObject({ verified: false, basis: 'read-back' });
    expect(failed(output.verification)).toEqual([`access key ${KEY} status`]);
    expect(output.verification.evidence[0]).toMatchObject({ expected: 'Inactive', actual: 'Active' });
  });

  it('fails closed with AccessKeyNotFoundError when IAM does not know the key', async () => {
    // Prepare
    const w = world((data) => {
      delete data.iam.users[USER];
    });
    const env = envOf(w);

    // Act
    const run = deactivateAccessKeyAction.run({ accessKeyId: KEY }, env);

    // Assess
    await expect(run).rejects.toThrow(AccessKeyNotFoundError);
    await expect(run).rejects.toThrow(`access key ${KEY} does not exist in this account`);
    expect(env.recorder.mutations).toEqual([]);
    expect(await env.state.load(accessKeyStateKey(KEY))).toBeUndefined();
  });

  it('fails closed when the owner is in another account than the incident’s, or the incident names none', async () => {
    // Prepare
    const other = envOf(world(), { account: '444455556666' });
    const none = envOf(world(), { account: undefined });

    // Act & Assess
    await expect(deactivateAccessKeyAction.run({ accessKeyId: KEY }, other)).rejects.toThrow(
      /belongs to arn:aws:iam::111122223333:user\/ci-deployer, not to a user of the incident's account 444455556666/,
    );
    await expect(deactivateAccessKeyAction.run({ accessKeyId: KEY }, none)).rejects.toThrow(
      AccessKeyNotFoundError,
    );
    expect([...other.recorder.mutations, ...none.recorder.mutations]).toEqual([]);
  });

  it('refuses a protected owner (tag trimmed, any case) and a sample alert before any change', async () => {
    // Prepare
    const protectedWorld = world((data) => {
      const user = data.iam.users[USER];
      if (user !== undefined) user.tags = { ' RIPOSTE:protected': 'True ' };
    });
    const protectedEnv = envOf(protectedWorld);
    const sampleEnv = envOf(world(), { sample: true });

    // Act & Assess
    await expect(deactivateAccessKeyAction.run({ accessKeyId: KEY }, protectedEnv)).rejects.toThrow(
      ProtectedResourceError,
    );
    await expect(deactivateAccessKeyAction.run({ accessKeyId: KEY }, sampleEnv)).rejects.toThrow(
      SampleAlertError,
    );
    expect(statusOf(protectedWorld, KEY)).toBe('Active');
    expect([...protectedEnv.recorder.mutations, ...sampleEnv.recorder.mutations]).toEqual([]);
  });

  it('reports only AWS managed quarantine policies', async () => {
    // Prepare
    const w = world((data) => {
      const user = data.iam.users[USER];
      if (user !== undefined) {
        user.attachedPolicies = [
          {
            policyName: 'AWSCompromisedKeyQuarantineV2',
            policyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2',
          },
          {
            policyName: 'AWSCompromisedKeyQuarantineLookalike',
            policyArn: 'arn:aws:iam::111122223333:policy/AWSCompromisedKeyQuarantineLookalike',
          },
        ];
      }
    });

    // Act
    const output = await deactivateAccessKeyAction.run({ accessKeyId: KEY }, envOf(w));

    // Assess
    expect(output.awsQuarantinePolicies).toEqual(['AWSCompromisedKeyQuarantineV2']);
    expect(w.state.iam.users[USER]?.attachedPolicies).toHaveLength(2);
  });

  it('takes only a long-term key id', () => {
    expect(DeactivateAccessKeyInputSchema.safeParse({ accessKeyId: KEY }).success).toBe(true);
    expect(DeactivateAccessKeyInputSchema.safeParse({ accessKeyId: 'ASIAEXAMPLETEMPKEY01' }).success).toBe(
      false,
    );
    expect(DeactivateAccessKeyInputSchema.safeParse({ accessKeyId: 'AKIA-not-a-key' }).success).toBe(false);
  });
});

import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandOutput,
  ModifyInstanceMetadataOptionsCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { releaseInstanceMetadataOptionsAction } from '../../../../functions/core/actions/ec2/release-instance-metadata-options.ts';
import { requireImdsv2Action } from '../../../../functions/core/actions/ec2/require-imdsv2.ts';
import {
  ApprovalRequiredError,
  NothingToReleaseError,
  ProtectedResourceError,
} from '../../../../functions/core/actions/errors.ts';
import { LocalWorld } from '../../../../functions/core/actions/world/index.ts';
import { actionEnv, executionFacts, StaticSafetyRails, wireMocks } from '../../../support/action-env.ts';

const INSTANCE = 'i-0a1b2c3d4e5f60718';
const PROTECTED = 'i-0badc0ffee0000001';
const KEY = `ec2-metadata-options:${INSTANCE}`;

function worldEnv(options: { readonly productionApproved?: boolean } = {}) {
  const world = LocalWorld.fromFile('examples/world.json');
  const env = actionEnv({
    mode: { kind: 'world', world },
    safety: new StaticSafetyRails(executionFacts(), {}, options),
  });
  const instance = (id: string) => world.state.ec2.instances.find((i) => i.instanceId === id);
  return { env, world, instance };
}

const modifies = (env: ReturnType<typeof worldEnv>['env']) =>
  env.recorder.mutations.filter((c) => c.api === 'ModifyInstanceMetadataOptions');

describe('require-imdsv2', () => {
  it('saves the options, requires IMDSv2 with hop limit 1, and reads it back through pending', async () => {
    // Prepare
    const { env, instance } = worldEnv();

    // Act
    const output = await requireImdsv2Action.run({ instanceId: INSTANCE }, env);

    // Assess
    expect(modifies(env).map((c) => c.params)).toEqual([
      { InstanceId: INSTANCE, HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' },
    ]);
    expect(output.previous).toEqual({
      httpTokens: 'optional',
      httpPutResponseHopLimit: 1,
      httpEndpoint: 'enabled',
    });
    expect(await env.state.load(KEY)).toMatchObject({
      kind: 'ec2-metadata-options',
      previous: output.previous,
    });
    expect(output.verification.verified).toBe(true);
    // pending right after the change, read again: the second read shows it applied.
    const reads = env.recorder.calls.filter((c) => c.api === 'DescribeInstances');
    expect(reads).toHaveLength(3);
    expect(output.verification.evidence.at(-1)?.actual).toBe('applied');
    expect(instance(INSTANCE)?.metadataOptions).toMatchObject({ httpTokens: 'required', state: 'applied' });
    expect(output.timeline.before).toEqual({ metadataOptions: output.previous });
  });

  it('changes nothing on a second run and keeps the first capture', async () => {
    // Prepare
    const { env } = worldEnv();
    await requireImdsv2Action.run({ instanceId: INSTANCE }, env);

    // Act
    const again = await requireImdsv2Action.run({ instanceId: INSTANCE }, env);

    // Assess
    expect(again.changedByThisRun).toBe(false);
    expect(again.previous.httpTokens).toBe('optional');
    expect(modifies(env)).toHaveLength(1);
  });

  it('refuses a protected instance before any change, the capture kept for the audit', async () => {
    // Prepare
    const { env } = worldEnv();

    // Act
    const run = requireImdsv2Action.run({ instanceId: PROTECTED }, env);

    // Assess
    await expect(run).rejects.toThrow(ProtectedResourceError);
    expect(env.recorder.mutations).toEqual([]);
  });

  it('refuses a production instance without this execution’s approval', async () => {
    // Prepare
    const { env } = worldEnv({ productionApproved: false });

    // Act
    const run = requireImdsv2Action.run({ instanceId: INSTANCE }, env);

    // Assess
    await expect(run).rejects.toThrow(ApprovalRequiredError);
    expect(env.recorder.mutations).toEqual([]);
  });

  it('counts options still pending after a second read with the right values as verified', async () => {
    // Prepare
    const env = actionEnv();
    const ec2 = wireMocks(env.clients).ec2;
    const answer = (
      tokens: 'optional' | 'required',
      state: 'pending' | 'applied',
    ): Partial<DescribeInstancesCommandOutput> => ({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: INSTANCE,
              State: { Name: 'running' as const },
              Tags: [{ Key: 'environment', Value: 'staging' }],
              MetadataOptions: {
                State: state,
                HttpTokens: tokens,
                HttpPutResponseHopLimit: 1,
                HttpEndpoint: 'enabled',
              },
            },
          ],
        },
      ],
    });
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce(answer('optional', 'applied'))
      .resolves(answer('required', 'pending'));
    ec2.on(ModifyInstanceMetadataOptionsCommand).resolves({});

    // Act
    const output = await requireImdsv2Action.run({ instanceId: INSTANCE }, env);

    // Assess
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(3);
    expect(output.verification.verified).toBe(true);
    expect(output.verification.evidence.at(-1)?.actual).toContain('pending');
  });

  it('reports NOT VERIFIED when the options read back otherwise', async () => {
    // Prepare
    const env = actionEnv();
    const ec2 = wireMocks(env.clients).ec2;
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: INSTANCE,
              State: { Name: 'running' as const },
              Tags: [{ Key: 'environment', Value: 'staging' }],
              MetadataOptions: { State: 'applied', HttpTokens: 'optional', HttpPutResponseHopLimit: 2 },
            },
          ],
        },
      ],
    });
    ec2.on(ModifyInstanceMetadataOptionsCommand).resolves({});

    // Act
    const output = await requireImdsv2Action.run({ instanceId: INSTANCE }, env);

    // Assess
    expect(output.verification.verified).toBe(false);
    expect(output.verification.evidence.filter((c) => !c.ok).map((c) => c.check)).toEqual([
      `${INSTANCE} HttpTokens`,
      `${INSTANCE} HttpPutResponseHopLimit`,
    ]);
  });
});

describe('release-instance-metadata-options', () => {
  it('puts the saved options back and reads them back', async () => {
    // Prepare
    const { env, instance } = worldEnv();
    const found = instance(INSTANCE);
    if (found !== undefined) found.metadataOptions.httpPutResponseHopLimit = 2;
    await requireImdsv2Action.run({ instanceId: INSTANCE }, env);

    // Act
    const output = await releaseInstanceMetadataOptionsAction.run({ instanceId: INSTANCE }, env);

    // Assess
    expect(modifies(env).at(-1)?.params).toEqual({
      InstanceId: INSTANCE,
      HttpTokens: 'optional',
      HttpPutResponseHopLimit: 2,
      HttpEndpoint: 'enabled',
    });
    expect(output.verification.verified).toBe(true);
    expect(instance(INSTANCE)?.metadataOptions).toMatchObject({
      httpTokens: 'optional',
      httpPutResponseHopLimit: 2,
    });
    expect(output.warnings[0]).toContain('IMDSv1 again');
  });

  it('says nothing to release when nothing was saved', async () => {
    // Prepare
    const { env } = worldEnv();

    // Act
    const run = releaseInstanceMetadataOptionsAction.run({ instanceId: INSTANCE }, env);

    // Assess
    await expect(run).rejects.toThrow(NothingToReleaseError);
    expect(env.recorder.calls).toEqual([]);
  });

  it('leaves an instance that became protected alone', async () => {
    // Prepare
    const { env, instance } = worldEnv();
    await requireImdsv2Action.run({ instanceId: INSTANCE }, env);
    const found = instance(INSTANCE);
    if (found !== undefined) found.tags['Riposte:Protected '] = ' TRUE';

    // Act
    const run = releaseInstanceMetadataOptionsAction.run({ instanceId: INSTANCE }, env);

    // Assess
    await expect(run).rejects.toThrow(ProtectedResourceError);
    expect(modifies(env)).toHaveLength(1);
  });
});

import { GetFunctionCommand, LambdaClient, ListTagsCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { ProtectedResourceError } from '../../../../functions/core/actions/errors.ts';
import { throttleLambdaFunctionAction } from '../../../../functions/core/actions/lambda/throttle-lambda-function.ts';
import { runAction } from '../../../../functions/core/actions/runner.ts';
import { MemoryContainmentState, MemoryTimeline } from '../../../../functions/core/actions/state.ts';
import type { ActionDefinition } from '../../../../functions/core/actions/types.ts';
import { InvalidInputError } from '../../../../functions/core/errors.ts';
import {
  actionEnv,
  executionFacts,
  PermissiveSafetyRails,
  StaticSafetyRails,
} from '../../../support/action-env.ts';
import { DriftingWorld, failed, worldEnv } from '../../../support/drifting-world.ts';

const FUNCTION = 'payments-webhook';

describe('throttle-lambda-function', () => {
  it('captures the configuration and code location, then sets reserved concurrency 0 and reads it back', async () => {
    // Prepare
    const world = new DriftingWorld();
    const env = worldEnv(world);

    // Act
    const output = await throttleLambdaFunctionAction.run({ functionName: FUNCTION }, env);

    // Assess
    expect(env.recorder.calls.map((c) => c.api)).toEqual([
      'GetFunction',
      'ListTags',
      'GetFunctionConcurrency',
      'PutFunctionConcurrency',
      'GetFunctionConcurrency',
    ]);
    expect(env.recorder.mutations[0]?.params).toEqual({
      FunctionName: FUNCTION,
      ReservedConcurrentExecutions: 0,
    });
    expect(world.state.lambda.functions[FUNCTION]?.reservedConcurrency).toBe(0);
    expect(output).toMatchObject({
      roleName: 'payments-webhook-role',
      previousReservedConcurrency: null,
      changedByThisRun: true,
      verification: { verified: true, basis: 'read-back' },
    });
    expect(output.evidence).toMatchObject({
      runtime: 'nodejs22.x',
      codeSha256: 'b3BlbnNzbC1zaGEyNTYtcGF5bWVudHMtd2ViaG9vaw==',
      layers: ['arn:aws:lambda:eu-west-1:111122223333:layer:payments-common:7'],
      code: { repositoryType: 'S3' },
    });
    const saved = await env.state.load(`lambda-function:${FUNCTION}`);
    expect(saved).toMatchObject({ previousReservedConcurrency: null, roleName: 'payments-webhook-role' });
    expect(output.timeline.before).toEqual(saved);
  });

  it('keeps the first capture: a second run changes nothing and still restores to none', async () => {
    // Prepare
    const env = worldEnv(new DriftingWorld());
    await throttleLambdaFunctionAction.run({ functionName: FUNCTION }, env);
    const seen = env.recorder.calls.length;

    // Act
    const again = await throttleLambdaFunctionAction.run({ functionName: FUNCTION }, env);

    // Assess
    expect(again.changedByThisRun).toBe(false);
    expect(again.previousReservedConcurrency).toBeNull();
    expect(env.recorder.calls.slice(seen).filter((c) => c.mutating)).toEqual([]);
  });

  it('is NOT VERIFIED when the concurrency reads back other than 0', async () => {
    // Prepare
    const env = worldEnv(
      new DriftingWorld('PutFunctionConcurrency', (state) => {
        const fn = state.lambda.functions[FUNCTION];
        if (fn !== undefined) fn.reservedConcurrency = 100;
      }),
    );

    // Act
    const output = await throttleLambdaFunctionAction.run({ functionName: FUNCTION }, env);

    // Assess
    expect(output.verification.verified).toBe(false);
    expect(failed(output.verification)).toEqual([`function ${FUNCTION} reserved concurrency`]);
  });

  it('refuses a protected function after saving the evidence, and changes nothing', async () => {
    // Prepare
    const world = new DriftingWorld();
    const env = actionEnv({ mode: { kind: 'world', world } });

    // Act
    const run = throttleLambdaFunctionAction.run({ functionName: 'audit-forwarder' }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    expect(env.recorder.mutations).toEqual([]);
    expect(world.state.lambda.functions['audit-forwarder']?.reservedConcurrency).toBeUndefined();
    expect(env.state.keys()).toEqual(['lambda-function:audit-forwarder']);
  });

  it('asks for the production approval through the rails', async () => {
    // Prepare
    const env = actionEnv({ mode: { kind: 'world', world: new DriftingWorld() } });
    const rails = new StaticSafetyRails(env.execution, {}, { productionApproved: false });

    // Act
    const run = throttleLambdaFunctionAction.run({ functionName: FUNCTION }, { ...env, safety: rails });

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ApprovalRequiredError' });
    expect(rails.checked).toEqual([
      { resource: FUNCTION, tags: { environment: 'production', owner: 'payments-team' } },
    ]);
  });

  it('refuses a function ARN of another account before any call', async () => {
    // Prepare
    const env = worldEnv(new DriftingWorld());

    // Act
    const run = throttleLambdaFunctionAction.run(
      { functionName: 'arn:aws:lambda:eu-west-1:444455556666:function:payments-webhook' },
      env,
    );

    // Assess
    await expect(run).rejects.toBeInstanceOf(InvalidInputError);
    expect(env.recorder.calls).toEqual([]);
  });

  it('fails rather than read a denied ListTags as "no protected tag"', async () => {
    // Prepare
    const lambda = new LambdaClient({ region: 'eu-west-1' });
    const mock = mockClient(lambda);
    mock.onAnyCommand().resolves({});
    mock
      .on(ListTagsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const env = worldEnv(new DriftingWorld());
    const safety = new PermissiveSafetyRails();
    mock.on(GetFunctionCommand).resolves({
      Configuration: {
        FunctionName: FUNCTION,
        FunctionArn: `arn:aws:lambda:eu-west-1:111122223333:function:${FUNCTION}`,
        Role: 'arn:aws:iam::111122223333:role/payments-webhook-role',
      },
    });

    // Act
    const run = throttleLambdaFunctionAction.run(
      { functionName: FUNCTION },
      { ...env, safety, clients: { ...env.clients, lambda } },
    );

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(safety.checked).toEqual([]);
  });

  it('puts the capture on its timeline entry as `before`', async () => {
    // Prepare
    const facts = executionFacts();
    const timeline = new MemoryTimeline(facts);
    const world = new DriftingWorld();

    // Act
    await runAction(
      { action: throttleLambdaFunctionAction.id, input: { functionName: FUNCTION }, execution: facts },
      {
        actions: new Map([
          [throttleLambdaFunctionAction.id, throttleLambdaFunctionAction as ActionDefinition],
        ]),
        family: 'all',
        store: {
          db: { send: async () => ({ Attributes: {} }) } as never,
          tableName: 'riposte',
          now: () => 0,
        },
        baseMode: { kind: 'world', world },
        killSwitch: async () => false,
        rails: () => new PermissiveSafetyRails(),
        state: () => new MemoryContainmentState(),
        timeline: () => timeline,
        defaultRegion: 'eu-west-1',
      },
    ).catch(() => undefined);

    // Assess
    const entry = timeline.entries[0];
    expect(entry?.before).toMatchObject({
      kind: 'lambda-function',
      previousReservedConcurrency: null,
      evidence: { functionName: FUNCTION, code: { repositoryType: 'S3' } },
    });
    expect(entry?.verification).toMatchObject({ verified: true });
  });
});

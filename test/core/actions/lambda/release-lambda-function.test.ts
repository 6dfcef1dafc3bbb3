import { describe, expect, it } from 'vitest';
import { NothingToReleaseError, ProtectedResourceError } from '../../../../functions/core/actions/errors.ts';
import { releaseLambdaFunctionAction } from '../../../../functions/core/actions/lambda/release-lambda-function.ts';
import { throttleLambdaFunctionAction } from '../../../../functions/core/actions/lambda/throttle-lambda-function.ts';
import { DriftingWorld, worldEnv } from '../../../support/drifting-world.ts';

describe('release-lambda-function', () => {
  it.each([
    ['had none: DeleteFunctionConcurrency', 'payments-webhook', 'DeleteFunctionConcurrency', undefined],
    ['had 25: PutFunctionConcurrency 25', 'thumbnail-builder', 'PutFunctionConcurrency', 25],
  ])('restores a function that %s, and reads it back', async (_label, name, api, expected) => {
    // Prepare
    const world = new DriftingWorld();
    const env = worldEnv(world);
    await throttleLambdaFunctionAction.run({ functionName: name }, env);
    const seen = env.recorder.calls.length;

    // Act
    const output = await releaseLambdaFunctionAction.run({ functionName: name }, env);

    // Assess
    expect(
      env.recorder.calls
        .slice(seen)
        .filter((c) => c.mutating)
        .map((c) => c.api),
    ).toEqual([api]);
    expect(world.state.lambda.functions[name]?.reservedConcurrency).toBe(expected);
    expect(output).toMatchObject({
      restoredReservedConcurrency: expected ?? null,
      changedByThisRun: true,
      verification: { verified: true, basis: 'read-back' },
    });
  });

  it('names the execution role the containment saved, for the role release', async () => {
    // Prepare
    const env = worldEnv(new DriftingWorld());
    await throttleLambdaFunctionAction.run({ functionName: 'payments-webhook' }, env);

    // Act
    const output = await releaseLambdaFunctionAction.run(
      { functionName: 'arn:aws:lambda:eu-west-1:111122223333:function:payments-webhook' },
      env,
    );

    // Assess
    expect(output.roleName).toBe('payments-webhook-role');
  });

  it('says nothing to release when this incident throttled nothing, before any call', async () => {
    // Prepare
    const env = worldEnv(new DriftingWorld());

    // Act
    const run = releaseLambdaFunctionAction.run({ functionName: 'payments-webhook' }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(NothingToReleaseError);
    expect(env.recorder.calls).toEqual([]);
  });

  it('refuses a function tagged protected since containment, and changes nothing', async () => {
    // Prepare
    const world = new DriftingWorld();
    const env = worldEnv(world);
    await throttleLambdaFunctionAction.run({ functionName: 'payments-webhook' }, env);
    const fn = world.state.lambda.functions['payments-webhook'];
    if (fn !== undefined) fn.tags[' Riposte:Protected'] = 'TRUE ';
    const seen = env.recorder.calls.length;

    // Act
    const run = releaseLambdaFunctionAction.run({ functionName: 'payments-webhook' }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ProtectedResourceError);
    expect(env.recorder.calls.slice(seen).filter((c) => c.mutating)).toEqual([]);
    expect(fn?.reservedConcurrency).toBe(0);
  });
});

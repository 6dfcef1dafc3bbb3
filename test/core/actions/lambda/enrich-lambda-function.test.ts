import { describe, expect, it } from 'vitest';
import { ResourceNotFoundError } from '../../../../functions/core/actions/errors.ts';
import { enrichLambdaFunctionAction } from '../../../../functions/core/actions/lambda/enrich-lambda-function.ts';
import { DriftingWorld, worldEnv } from '../../../support/drifting-world.ts';

describe('enrich-lambda-function', () => {
  it.each([
    [
      'a production function',
      'payments-webhook',
      { approvalRequired: true, protected: false, reservedConcurrency: null },
    ],
    [
      'a staging function',
      'thumbnail-builder',
      { approvalRequired: false, protected: false, reservedConcurrency: 25 },
    ],
    ['a protected function', 'audit-forwarder', { protected: true }],
  ])('classifies %s as the rails will, read-only', async (_label, name, expected) => {
    // Prepare
    const env = worldEnv(new DriftingWorld());

    // Act
    const output = await enrichLambdaFunctionAction.run({ functionName: name }, env);

    // Assess
    expect(output).toMatchObject(expected);
    expect(env.recorder.mutations).toEqual([]);
  });

  it('names the execution role by its name, path dropped, and keeps an image function’s URI', async () => {
    // Prepare
    const env = worldEnv(new DriftingWorld());

    // Act
    const webhook = await enrichLambdaFunctionAction.run({ functionName: 'payments-webhook' }, env);
    const image = await enrichLambdaFunctionAction.run({ functionName: 'thumbnail-builder' }, env);

    // Assess
    expect(webhook.roleName).toBe('payments-webhook-role');
    expect(webhook.evidence.code.location).not.toContain('?');
    expect(image.evidence.code).toMatchObject({
      repositoryType: 'ECR',
      imageUri: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/thumbnail-builder:2026-10-30',
    });
  });

  it('reports a function that no longer exists as ResourceNotFoundError', async () => {
    // Prepare
    const env = worldEnv(new DriftingWorld());

    // Act
    const run = enrichLambdaFunctionAction.run({ functionName: 'deleted-function' }, env);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ResourceNotFoundError);
  });
});

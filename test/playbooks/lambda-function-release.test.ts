import { describe, expect, it } from 'vitest';
import { exampleWorld, scenario } from '../../cli/local/testkit.ts';
import compromise from '../../playbooks/lambda-function-compromise.ts';
import release from '../../playbooks/lambda-function-release.ts';
import { guardDutyLambdaFinding } from '../support/events.ts';

describe('lambda-function-release', () => {
  it.each([
    ['payments-webhook', 'DeleteFunctionConcurrency'],
    ['thumbnail-builder', 'PutFunctionConcurrency'],
  ])('puts %s back as it was (%s) and removes its role’s revocation', async (name, api) => {
    // Prepare
    const before = exampleWorld();

    // Act
    const result = await scenario(compromise)
      .event(guardDutyLambdaFinding({ functionName: name }))
      .approve()
      .andThen(release)
      .run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: released');
    expect(result.mutations('release-lambda-function').map((c) => c.api)).toEqual([api]);
    expect(result.mutations('release-role-sessions').map((c) => c.api)).toEqual(['DeleteRolePolicy']);
    expect(result.world.lambda).toEqual(before.lambda);
    expect(result.world.iam.roles).toEqual(before.iam.roles);
  });

  it('restores the function and leaves a protected role as it always was', async () => {
    // Act
    const result = await scenario(compromise)
      .event(guardDutyLambdaFinding({ functionName: 'ledger-sync' }))
      .andThen(release)
      .run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.world.lambda.functions['ledger-sync']?.reservedConcurrency).toBe(5);
    expect(result.mutations('release-role-sessions')).toEqual([]);
  });

  it('ends on "nothing to release" when the function was never throttled', async () => {
    // Act
    const result = await scenario(release).event(guardDutyLambdaFinding()).run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: nothing to release');
    expect(result.mutations()).toEqual([]);
  });
});

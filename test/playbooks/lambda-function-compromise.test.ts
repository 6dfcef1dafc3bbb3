import { describe, expect, it } from 'vitest';
import { exampleWorld, scenario } from '../../cli/local/testkit.ts';
import { normalize } from '../../functions/core/normalize/index.ts';
import { matchesTrigger } from '../../functions/core/playbooks/trigger.ts';
import playbook from '../../playbooks/lambda-function-compromise.ts';
import { guardDutyInstanceFinding, guardDutyLambdaFinding } from '../support/events.ts';

const REVOKE_POLICY = 'riposte-revoke-older-sessions';

/** Whether the playbook's own trigger starts it for `event` (the test kit runs it regardless). */
function triggers(event: unknown): boolean {
  return normalize(event).some((out) => 'alert' in out && matchesTrigger(playbook.trigger, out.alert));
}

describe('lambda-function-compromise', () => {
  it.each([
    ['a GuardDuty CryptoCurrency:Lambda finding', true, guardDutyLambdaFinding()],
    ['a Backdoor:Lambda finding', true, guardDutyLambdaFinding({ type: 'Backdoor:Lambda/C&CActivity.B' })],
    [
      'a Medium Trojan:Lambda finding',
      true,
      guardDutyLambdaFinding({ type: 'Trojan:Lambda/DropPoint', severity: 5 }),
    ],
    [
      'an UnauthorizedAccess:Lambda finding',
      true,
      guardDutyLambdaFinding({ type: 'UnauthorizedAccess:Lambda/TorClient' }),
    ],
    ['a Low Lambda finding', false, guardDutyLambdaFinding({ severity: 2 })],
    ['a Lambda finding of another family', false, guardDutyLambdaFinding({ type: 'Recon:Lambda/Unknown' })],
    ['an EC2 finding', false, guardDutyInstanceFinding()],
  ])('its trigger, given %s, starts it: %s', (_label, expected, event) => {
    // Act
    const started = triggers(event);

    // Assess
    expect(started).toBe(expected);
  });

  it('throttles a production function after approval, revokes its role’s sessions, and verifies', async () => {
    // Act
    const result = await scenario(playbook).event(guardDutyLambdaFinding()).approve().run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(
      expect.arrayContaining([
        'Enrich function',
        'Approve throttling',
        'Throttle to zero',
        'Notify: contained',
      ]),
    );
    expect(result.mutations('throttle-lambda-function')).toEqual([
      {
        api: 'PutFunctionConcurrency',
        params: { FunctionName: 'payments-webhook', ReservedConcurrentExecutions: 0 },
      },
    ]);
    expect(result.mutations('revoke-role-sessions')).toEqual([
      {
        api: 'PutRolePolicy',
        params: expect.objectContaining({ RoleName: 'payments-webhook-role', PolicyName: REVOKE_POLICY }),
      },
    ]);
    expect(result.world.lambda.functions['payments-webhook']?.reservedConcurrency).toBe(0);
    expect(result.world.iam.roles['payments-webhook-role']?.inlinePolicies).toHaveProperty(REVOKE_POLICY);
    expect(result.world.lambda.functions['thumbnail-builder']).toEqual(
      exampleWorld().lambda.functions['thumbnail-builder'],
    );
  });

  it('changes nothing when the approval is denied', async () => {
    // Act
    const result = await scenario(playbook).event(guardDutyLambdaFinding()).deny().run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Approve throttling: denied');
    expect(result.mutations()).toEqual([]);
    expect(result.world.lambda).toEqual(exampleWorld().lambda);
  });

  it('throttles a staging function without asking', async () => {
    // Act
    const result = await scenario(playbook)
      .event(guardDutyLambdaFinding({ functionName: 'thumbnail-builder' }))
      .deny()
      .run();

    // Assess
    expect(result.path).not.toContain('Approve throttling');
    expect(result.path).toContain('Notify: contained');
    expect(result.world.lambda.functions['thumbnail-builder']?.reservedConcurrency).toBe(0);
  });

  it('throttles the function but leaves a protected execution role alone, and says so', async () => {
    // Act
    const result = await scenario(playbook)
      .event(guardDutyLambdaFinding({ functionName: 'ledger-sync' }))
      .run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: role left alone');
    expect(result.path).not.toContain('Notify: contained');
    expect(result.actions.find((a) => a.action === 'revoke-role-sessions')?.error).toMatch(
      /^ProtectedResourceError/,
    );
    expect(result.mutations('revoke-role-sessions')).toEqual([]);
    expect(result.world.iam.roles['ledger-sync-role']).toEqual(exampleWorld().iam.roles['ledger-sync-role']);
    expect(result.world.lambda.functions['ledger-sync']?.reservedConcurrency).toBe(0);
  });

  it('only reports a protected function', async () => {
    // Act
    const result = await scenario(playbook)
      .event(guardDutyLambdaFinding({ functionName: 'audit-forwarder' }))
      .run();

    // Assess
    expect(result.path).toContain('Notify: not contained');
    expect(result.mutations()).toEqual([]);
    expect(result.world.lambda).toEqual(exampleWorld().lambda);
  });

  it('only notifies for a sample finding', async () => {
    // Act
    const result = await scenario(playbook)
      .event(guardDutyLambdaFinding({ sample: true }))
      .run();

    // Assess
    expect(result.path).toContain('Notify: sample');
    expect(result.actions.map((a) => a.action)).toEqual(['notify']);
    expect(result.world.lambda).toEqual(exampleWorld().lambda);
  });

  it('ends failed, notified and recorded, when the throttling keeps failing', async () => {
    // Act
    const result = await scenario(playbook)
      .event(guardDutyLambdaFinding({ functionName: 'thumbnail-builder' }))
      .failAction('throttle-lambda-function', 'AwsAccessDeniedError')
      .run();

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('PlaybookFailed');
    expect(result.path).toEqual(expect.arrayContaining(['Notify failure', 'Record failure', 'Failed']));
    expect(result.world.lambda.functions['thumbnail-builder']?.reservedConcurrency).toBe(25);
  });
});

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { StoreAccess } from '../../../functions/core/actions/context.ts';
import { NothingToReleaseError } from '../../../functions/core/actions/errors.ts';
import { caughtOutcome, operatorActionsOf } from '../../../functions/core/actions/notify/todo.ts';
import { assertSomethingToRelease } from '../../../functions/core/actions/release-guard.ts';

const FACTS = { incidentId: 'inc-0123' };

/** A store whose incident item carries `milestones`. */
function store(milestones: Record<string, number> | undefined): StoreAccess {
  const db = {
    send: async () => ({
      Item: milestones === undefined ? undefined : { id: FACTS.incidentId, ...milestones },
    }),
  } as unknown as DynamoDBDocumentClient;
  return { db, tableName: 'riposte', now: () => 0 };
}

describe('assertSomethingToRelease', () => {
  it.each([
    ['a real containment, live release', { containedAt: 5 }, false],
    ['a real containment, dry-run release', { containedAt: 5 }, true],
    ['a dry-run containment, dry-run release', { dryRunContainedAt: 5 }, true],
  ])('lets the release run after %s', async (_label, milestones, dryRun) => {
    // Act
    const run = assertSomethingToRelease(store(milestones), FACTS, dryRun);

    // Assess
    await expect(run).resolves.toBeUndefined();
  });

  it.each([
    ['no containment', {}, false, /no containment action completed/],
    ['no incident item', undefined, true, /no containment action completed/],
    ['only a dry-run containment, for a live release', { dryRunContainedAt: 5 }, false, /was a dry-run/],
  ])('says there is nothing to release after %s', async (_label, milestones, dryRun, why) => {
    // Act
    const run = assertSomethingToRelease(store(milestones), FACTS, dryRun);

    // Assess
    await expect(run).rejects.toBeInstanceOf(NothingToReleaseError);
    await expect(run).rejects.toThrow(/^nothing to release: incident inc-0123 was never contained, /);
    await expect(run).rejects.toThrow(why);
  });
});

describe('notification to-do list', () => {
  it('gathers operatorActions from step outputs, one safe line each, deduplicated', () => {
    // Prepare
    const steps = {
      user: { action: 'enrich-principal', output: { userName: 'x' } },
      releaseUser: {
        action: 'release-iam-user',
        output: {
          operatorActions: ['rotate access key AKIA1\nAPPROVE: https://evil.example', 'set a password'],
        },
      },
      again: { action: 'release-iam-user', output: { operatorActions: ['set a password'] } },
    };

    // Act
    const todo = operatorActionsOf(steps);

    // Assess
    expect(todo).toEqual(['rotate access key AKIA1 APPROVE: https://evil.example', 'set a password']);
  });

  it('names a caught NothingToReleaseError nothing-to-release, a refusal refused, anything else failed', () => {
    // Prepare
    const refusals = new Set(['ProtectedResourceError']);

    // Act
    const outcomes = ['NothingToReleaseError', 'ProtectedResourceError', 'Throttling'].map((e) =>
      caughtOutcome(e, refusals),
    );

    // Assess
    expect(outcomes).toEqual(['nothing-to-release', 'refused', 'failed']);
  });
});

import { z } from 'zod';
import { plainText } from './text.ts';

/**
 * What a notification asks an operator to do by hand, gathered from the steps before it: an
 * action's output may carry `operatorActions` (one sentence each: rotate access key AKIA…, set a
 * new console password…). Every line passes through {@link plainText}: it may quote names from
 * the finding.
 */

const StepWithTodoSchema = z.object({
  output: z.object({ operatorActions: z.array(z.string()) }).loose(),
});

/**
 * The `operatorActions` of every step result, in step order, deduplicated.
 *
 * @example
 * operatorActionsOf({ releaseUser: { action: 'release-iam-user', output: { operatorActions: ['rotate access key AKIA…'] } } });
 * // ['rotate access key AKIA…']
 */
export function operatorActionsOf(steps: Readonly<Record<string, unknown>> | undefined): string[] {
  const lines = Object.values(steps ?? {}).flatMap((value) => {
    const parsed = StepWithTodoSchema.safeParse(value);
    return parsed.success ? parsed.data.output.operatorActions.map(plainText) : [];
  });
  return [...new Set(lines.filter((line) => line !== ''))];
}

/** The outcome a caught error gives its step in the notification. */
export function caughtOutcome(
  error: string,
  refusals: ReadonlySet<string>,
): 'refused' | 'failed' | 'nothing-to-release' {
  if (refusals.has(error)) return 'refused';
  return error === 'NothingToReleaseError' ? 'nothing-to-release' : 'failed';
}

import { readReservedConcurrency } from '../lambda/shared/function.ts';
import type { ActionEnv } from '../types.ts';
import { check, readChecks, type Verification, verification } from './check.ts';

/**
 * Read-backs of the Lambda actions: `GetFunctionConcurrency`, the same call the actions read
 * with. Lambda applies `PutFunctionConcurrency` and `DeleteFunctionConcurrency` at once, so the
 * read-back right after the call is meaningful.
 */

function concurrencyText(value: number | null): string {
  return value === null ? 'none (unreserved)' : String(value);
}

/**
 * Reads the function's reserved concurrency back: verified when it is `expected` (null: none).
 *
 * @example
 * const v = await verifyReservedConcurrency(env, 'payments-webhook', 0);
 * v.verified; // true: GetFunctionConcurrency answers ReservedConcurrentExecutions 0
 */
export async function verifyReservedConcurrency(
  env: ActionEnv,
  functionName: string,
  expected: number | null,
): Promise<Verification> {
  const checks = await readChecks(`function ${functionName} GetFunctionConcurrency`, async () => [
    check(
      `function ${functionName} reserved concurrency`,
      concurrencyText(expected),
      concurrencyText(await readReservedConcurrency(env, functionName)),
    ),
  ]);
  return verification(checks, env);
}

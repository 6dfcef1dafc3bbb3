import { DeleteFunctionConcurrencyCommand, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { NothingToReleaseError, ProtectedResourceError } from '../errors.ts';
import { lambdaService } from '../services/lambda.ts';
import { defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyReservedConcurrency } from '../verify/lambda.ts';
import {
  FunctionInputSchema,
  parseCapture,
  readReservedConcurrency,
  readTags,
  stateKey,
} from './shared/function.ts';

export const ReleaseLambdaFunctionOutputSchema = z.object({
  functionName: z.string(),
  /** The execution role whose sessions the containment revoked, for release-role-sessions. */
  roleName: z.string(),
  /** The reserved concurrency restored; null: the function had none, it was deleted. */
  restoredReservedConcurrency: z.number().nullable(),
  changedByThisRun: z.boolean(),
  /** `GetFunctionConcurrency` read back: the restored value (or none). */
  verification: VerificationSchema,
  warnings: z.array(z.string()),
});
export type ReleaseLambdaFunctionOutput = z.infer<typeof ReleaseLambdaFunctionOutputSchema>;

/**
 * Undoes throttle-lambda-function from its capture: the function's reserved concurrency goes
 * back to what it was.
 *
 * Calls, in order: `state.load('lambda-function:<name>')` ({@link NothingToReleaseError} when
 * this incident throttled nothing), `ListTags` on the captured ARN (a function that now carries
 * the protected tag is refused with {@link ProtectedResourceError}: Riposte changes no protected
 * resource, release included), `GetFunctionConcurrency`, then `PutFunctionConcurrency` with the
 * captured value, or `DeleteFunctionConcurrency` when the function had none
 * (https://docs.aws.amazon.com/lambda/latest/api/API_DeleteFunctionConcurrency.html), unless it
 * already is so; last `GetFunctionConcurrency` again, recorded as `verification`. The function's
 * code and configuration were never changed, so nothing else is restored here; the execution
 * role's sessions are released by the playbook's next step (release-role-sessions).
 *
 * IAM: `DeleteFunctionConcurrency` is its own action, `lambda:DeleteFunctionConcurrency`.
 *
 * @example
 * const { output } = await runAction(releaseLambdaFunctionAction, { functionName: 'payments-webhook' }, env);
 * output.restoredReservedConcurrency; // null: DeleteFunctionConcurrency, as before containment
 */
export const releaseLambdaFunctionAction = defineAction({
  id: 'release-lambda-function',
  family: 'release',
  undoes: ['throttle-lambda-function'],
  services: lambdaService,
  description:
    "Restores a Lambda function's reserved concurrency saved by throttle-lambda-function (or removes it when there was none), and reads it back.",
  input: FunctionInputSchema,
  output: ReleaseLambdaFunctionOutputSchema,
  iamActions: [
    'lambda:ListTags',
    'lambda:GetFunctionConcurrency',
    'lambda:PutFunctionConcurrency',
    'lambda:DeleteFunctionConcurrency',
  ],
  target: (input) => input.functionName,
  async run(input, env): Promise<ReleaseLambdaFunctionOutput> {
    const name = input.functionName.split(':').at(-1) ?? input.functionName;
    const key = stateKey(name);
    const saved = await env.state.load(key);
    if (saved === undefined) {
      throw new NothingToReleaseError(
        `nothing to release: no throttling of Lambda function ${name} was recorded in this incident`,
      );
    }
    const capture = parseCapture(key, saved);
    const tags = await readTags(env, capture.evidence.functionArn);
    if (env.safety.standing(tags).protected) {
      throw new ProtectedResourceError(
        `release of Lambda function ${name} refused: it now carries the protected tag; restore its reserved concurrency by hand`,
      );
    }
    const previous = capture.previousReservedConcurrency;
    const current = await readReservedConcurrency(env, name);
    const change = current !== previous;
    if (change && previous === null) {
      await env.clients.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
    } else if (change && previous !== null) {
      await env.clients.lambda.send(
        new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: previous }),
      );
    }
    return {
      functionName: name,
      roleName: capture.roleName,
      restoredReservedConcurrency: previous,
      changedByThisRun: change,
      verification: await verifyReservedConcurrency(env, name, previous),
      warnings: change
        ? [
            `function ${name} runs again: review its code (CodeSha256 ${capture.evidence.codeSha256 ?? 'unknown'}) and triggers if not done yet`,
          ]
        : [],
    };
  },
});

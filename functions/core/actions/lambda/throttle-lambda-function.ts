import { PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { lambdaService } from '../services/lambda.ts';
import { TimelineFactsSchema } from '../timeline-facts.ts';
import { type ActionEnv, defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyReservedConcurrency } from '../verify/lambda.ts';
import {
  type Capture,
  FunctionEvidenceSchema,
  FunctionInputSchema,
  parseCapture,
  readFunction,
  readReservedConcurrency,
  readTags,
  roleNameOf,
  stateKey,
} from './shared/function.ts';

/**
 * Containment of a Lambda function GuardDuty reports compromised: no new invocation runs.
 *
 * Follows "Remediating a potentially compromised Lambda function" (GuardDuty User Guide,
 * https://docs.aws.amazon.com/guardduty/latest/ug/remediate-lambda-protection-finding-types.html):
 * identify the function version and its code (captured here as evidence), then stop its
 * execution. Reserved concurrency 0 throttles every invocation, whatever the trigger (event
 * source mappings, API Gateway, S3, direct `Invoke`), without deleting or changing the function,
 * its triggers or its code, and is undone exactly (`PutFunctionConcurrency`,
 * https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html; "Reserved
 * concurrency", https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
 * The execution role's sessions are revoked by the playbook's next step (revoke-role-sessions).
 */

const THROTTLED = 0;

export const ThrottleLambdaFunctionOutputSchema = z.object({
  functionName: z.string(),
  functionArn: z.string(),
  /** The execution role, for the revocation step. */
  roleName: z.string(),
  stateKey: z.string(),
  /** The reserved concurrency before containment (first capture of the incident); null: none. */
  previousReservedConcurrency: z.number().nullable(),
  appliedReservedConcurrency: z.literal(THROTTLED),
  changedByThisRun: z.boolean(),
  /** The configuration and code location (GetFunction) as captured before the change. */
  evidence: FunctionEvidenceSchema,
  /** `GetFunctionConcurrency` read back after the change: 0. */
  verification: VerificationSchema,
  /** The capture, kept on the timeline entry too. */
  timeline: TimelineFactsSchema,
  notes: z.array(z.string()),
});
export type ThrottleLambdaFunctionOutput = z.infer<typeof ThrottleLambdaFunctionOutputSchema>;

/** The capture of this incident: the one saved earlier (the first wins), else `fresh`, saved now. */
async function captureOnce(env: ActionEnv, key: string, fresh: Capture): Promise<Capture> {
  const saved = await env.state.load(key);
  if (saved !== undefined) return parseCapture(key, saved);
  await env.state.save(key, fresh);
  return fresh;
}

/**
 * Throttles a Lambda function to zero (reserved concurrency 0), saving what release restores.
 *
 * Calls, in order: `GetFunction` (configuration, execution role, code location: evidence; a
 * function ARN of another account is refused), `ListTags` on the function ARN (the rails' tags;
 * a failure fails the action rather than reading as "untagged"), `GetFunctionConcurrency`; then
 * `state.save('lambda-function:<name>')` with the previous reserved concurrency (or none), the
 * role and the evidence, unless the incident already has a capture (the first wins);
 * `safety.assertContainable({ resource: name, tags, environmentApproval: true })` (protected
 * tag, sample, allow/deny lists, blast radius, and a human approval unless the function is
 * tagged non-production); `PutFunctionConcurrency` with `ReservedConcurrentExecutions: 0` unless
 * it already is 0; and `GetFunctionConcurrency` again, recorded as `verification`.
 *
 * Invocations already running finish (up to the function's timeout); asynchronous events queued
 * meanwhile are retried by Lambda and then go to the function's on-failure destination or DLQ.
 *
 * @example
 * const { output } = await runAction(throttleLambdaFunctionAction, { functionName: 'payments-webhook' }, env);
 * output.previousReservedConcurrency; // null: none was reserved
 * output.verification.verified; // true: GetFunctionConcurrency answers 0
 */
export const throttleLambdaFunctionAction = defineAction({
  id: 'throttle-lambda-function',
  family: 'contain',
  services: lambdaService,
  description:
    "Sets a Lambda function's reserved concurrency to 0 (no new invocation runs), saving its configuration, code location and previous concurrency.",
  input: FunctionInputSchema,
  output: ThrottleLambdaFunctionOutputSchema,
  iamActions: [
    'lambda:GetFunction',
    'lambda:ListTags',
    'lambda:GetFunctionConcurrency',
    'lambda:PutFunctionConcurrency',
  ],
  target: (input) => input.functionName,
  async run(input, env): Promise<ThrottleLambdaFunctionOutput> {
    const evidence = await readFunction(env, input.functionName);
    const name = evidence.functionName;
    const tags = await readTags(env, evidence.functionArn);
    const current = await readReservedConcurrency(env, name);

    const key = stateKey(name);
    const capture = await captureOnce(env, key, {
      kind: 'lambda-function',
      previousReservedConcurrency: current,
      roleName: roleNameOf(evidence.roleArn),
      tags,
      evidence,
      capturedAt: new Date(env.now()).toISOString(),
    });

    await env.safety.assertContainable({ resource: name, tags, environmentApproval: true });

    const change = current !== THROTTLED;
    if (change) {
      await env.clients.lambda.send(
        new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: THROTTLED }),
      );
    }
    return {
      functionName: name,
      functionArn: evidence.functionArn,
      roleName: capture.roleName,
      stateKey: key,
      previousReservedConcurrency: capture.previousReservedConcurrency,
      appliedReservedConcurrency: THROTTLED,
      changedByThisRun: change,
      evidence,
      verification: await verifyReservedConcurrency(env, name, THROTTLED),
      timeline: { before: capture },
      notes: [
        'no new invocation of the function runs; invocations already running finish, and asynchronous events are retried by Lambda, then sent to its on-failure destination or dead-letter queue',
        `review the code (CodeSha256 ${evidence.codeSha256 ?? 'unknown'}), its layers and who last changed it (CloudTrail UpdateFunctionCode, UpdateFunctionConfiguration) before releasing`,
      ],
    };
  },
});

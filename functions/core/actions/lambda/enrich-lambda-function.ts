import { z } from 'zod';
import { lambdaService } from '../services/lambda.ts';
import { tagValueOf } from '../tags.ts';
import { defineAction } from '../types.ts';
import {
  FunctionEvidenceSchema,
  FunctionInputSchema,
  readFunction,
  readReservedConcurrency,
  readTags,
  roleNameOf,
} from './shared/function.ts';

export const EnrichLambdaFunctionOutputSchema = z.object({
  functionName: z.string(),
  functionArn: z.string(),
  /** The execution role's name, for revoke-role-sessions. */
  roleName: z.string(),
  /** The configuration and code location (GetFunction), as evidence. */
  evidence: FunctionEvidenceSchema,
  /** ReservedConcurrentExecutions now; null: none reserved. */
  reservedConcurrency: z.number().nullable(),
  tags: z.record(z.string(), z.string()),
  /** From the `owner` tag (any case). */
  owner: z.string().nullable(),
  /** From the first environment tag key of the safety policy (keys any case, value trimmed). */
  environment: z.string().nullable(),
  /** Whether the function carries the configured protected tag: containment will refuse it. */
  protected: z.boolean(),
  /** False only when the environment is one the safety policy names non-production. */
  approvalRequired: z.boolean(),
});
export type EnrichLambdaFunctionOutput = z.infer<typeof EnrichLambdaFunctionOutputSchema>;

/**
 * Describes a Lambda function for the playbook and the analyst, read-only: `GetFunction`
 * (configuration, execution role, code location), `ListTags` (on the function ARN: GetFunction's
 * tags depend on another permission), `GetFunctionConcurrency`. The tags are classified by the
 * same rules the containment rails apply (protected tag, environment).
 *
 * @example
 * const { output } = await runAction(enrichLambdaFunctionAction, { functionName: 'payments-webhook' }, env);
 * output.roleName; // 'payments-webhook-role'
 * output.approvalRequired; // true: tagged environment=production
 */
export const enrichLambdaFunctionAction = defineAction({
  id: 'enrich-lambda-function',
  family: 'enrich',
  services: lambdaService,
  description:
    'Describes a Lambda function: configuration, code location, execution role, reserved concurrency, tags, environment.',
  input: FunctionInputSchema,
  output: EnrichLambdaFunctionOutputSchema,
  iamActions: ['lambda:GetFunction', 'lambda:ListTags', 'lambda:GetFunctionConcurrency'],
  target: (input) => input.functionName,
  async run(input, env): Promise<EnrichLambdaFunctionOutput> {
    const evidence = await readFunction(env, input.functionName);
    const tags = await readTags(env, evidence.functionArn);
    const reservedConcurrency = await readReservedConcurrency(env, evidence.functionName);
    const standing = env.safety.standing(tags);
    return {
      functionName: evidence.functionName,
      functionArn: evidence.functionArn,
      roleName: roleNameOf(evidence.roleArn),
      evidence,
      reservedConcurrency,
      tags,
      owner: tagValueOf(tags, ['owner']),
      environment: standing.environment,
      protected: standing.protected,
      approvalRequired: standing.approvalRequired,
    };
  },
});

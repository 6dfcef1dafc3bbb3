import { z } from 'zod';
import { UnsupportedWorldCallError, WorldApiError } from './errors.ts';

/**
 * The Lambda part of the local world: functions of the incident's account, with their
 * configuration, code location, tags and reserved concurrency.
 *
 * It answers the regional Lambda client on functions: `GetFunction`, `ListTags`,
 * `GetFunctionConcurrency`, `PutFunctionConcurrency` and `DeleteFunctionConcurrency`, each
 * naming the function by name, ARN or partial ARN (`ListTags` by ARN, as the API requires), with
 * the error codes Lambda uses (`ResourceNotFoundException`, `InvalidParameterValueException`).
 */

const IsoDate = z.iso.datetime({ offset: true });

const LambdaFunction = z.strictObject({
  /** The execution role's ARN (`Configuration.Role`). */
  role: z.string().regex(/^arn:[^:]+:iam::\d{12}:role\/.+$/),
  runtime: z.string().optional(),
  handler: z.string().optional(),
  packageType: z.enum(['Zip', 'Image']).default('Zip'),
  /** For `Image` functions: the image URI (`Code.ImageUri`). */
  imageUri: z.string().optional(),
  codeSha256: z.string(),
  codeSize: z.number().int().min(0),
  description: z.string().default(''),
  lastModified: IsoDate,
  version: z.string().default('$LATEST'),
  revisionId: z.string(),
  layers: z.array(z.string()).default([]),
  vpcId: z.string().optional(),
  tags: z.record(z.string(), z.string()).default({}),
  /** `ReservedConcurrentExecutions`; absent: the function has none (unreserved pool). */
  reservedConcurrency: z.number().int().min(0).optional(),
});
type FunctionRecord = z.infer<typeof LambdaFunction>;

/**
 * The Lambda world section: functions by name. `LambdaWorldSchema.parse({})` has none.
 *
 * @example
 * const lambda = LambdaWorldSchema.parse({ functions: { 'payments-webhook': { role: 'arn:aws:iam::111122223333:role/payments-webhook-role', codeSha256: 'abc=', codeSize: 1024, lastModified: '2026-10-01T00:00:00Z', revisionId: 'r1' } } });
 * handleLambda(lambda, 'PutFunctionConcurrency', { FunctionName: 'payments-webhook', ReservedConcurrentExecutions: 0 });
 * lambda.functions['payments-webhook']?.reservedConcurrency; // 0
 */
export const LambdaWorldSchema = z.strictObject({
  accountId: z
    .string()
    .regex(/^\d{12}$/)
    .default('111122223333'),
  region: z.string().default('eu-west-1'),
  partition: z.string().default('aws'),
  functions: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), LambdaFunction).default({}),
});
export type LambdaWorld = z.infer<typeof LambdaWorldSchema>;
type Params = Readonly<Record<string, unknown>>;

function lambdaError(code: string, message: string): WorldApiError {
  return Object.assign(new WorldApiError(code, message), { Code: code });
}

/** The function's ARN in the world. */
export function functionArnOf(state: LambdaWorld, name: string): string {
  return `arn:${state.partition}:lambda:${state.region}:${state.accountId}:function:${name}`;
}

/**
 * The function a `FunctionName` (name, ARN or partial ARN) or `Resource` (ARN) names; a
 * qualifier is accepted for reads only, as Lambda does for the calls modelled here.
 */
function functionOf(state: LambdaWorld, value: unknown): [string, FunctionRecord] {
  if (typeof value !== 'string' || value === '')
    throw lambdaError('InvalidParameterValueException', 'FunctionName is required');
  const match = /^(?:arn:[^:]+:lambda:[^:]+:)?(?:(\d{12}):)?(?:function:)?([A-Za-z0-9_-]+)(?::[^:]+)?$/.exec(
    value,
  );
  const account = match?.[1];
  const name = match?.[2];
  const found =
    name !== undefined && Object.hasOwn(state.functions, name) ? state.functions[name] : undefined;
  if (found === undefined || (account !== undefined && account !== state.accountId)) {
    throw lambdaError(
      'ResourceNotFoundException',
      `Function not found: ${functionArnOf(state, name ?? String(value))}`,
    );
  }
  return [name as string, found];
}

function configuration(state: LambdaWorld, name: string, fn: FunctionRecord): Record<string, unknown> {
  return {
    FunctionName: name,
    FunctionArn: functionArnOf(state, name),
    Role: fn.role,
    PackageType: fn.packageType,
    ...(fn.runtime === undefined ? {} : { Runtime: fn.runtime }),
    ...(fn.handler === undefined ? {} : { Handler: fn.handler }),
    CodeSha256: fn.codeSha256,
    CodeSize: fn.codeSize,
    Description: fn.description,
    LastModified: fn.lastModified,
    Version: fn.version,
    RevisionId: fn.revisionId,
    Layers: fn.layers.map((arn) => ({ Arn: arn })),
    ...(fn.vpcId === undefined
      ? {}
      : { VpcConfig: { VpcId: fn.vpcId, SubnetIds: [], SecurityGroupIds: [] } }),
  };
}

function concurrency(fn: FunctionRecord): Record<string, unknown> {
  return fn.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: fn.reservedConcurrency };
}

type Handler = (state: LambdaWorld, params: Params) => Record<string, unknown>;

const HANDLERS: Readonly<Record<string, Handler>> = {
  GetFunction(state, params) {
    const [name, fn] = functionOf(state, params.FunctionName);
    const code =
      fn.packageType === 'Image'
        ? { RepositoryType: 'ECR', ImageUri: fn.imageUri ?? '' }
        : {
            RepositoryType: 'S3',
            // A presigned URL valid for 10 minutes on AWS; a stand-in here.
            Location: `https://awslambda-${state.region}-tasks.s3.${state.region}.amazonaws.com/snapshots/${state.accountId}/${name}-${fn.revisionId}`,
          };
    return {
      Configuration: configuration(state, name, fn),
      Code: code,
      // Tags come back only with lambda:ListTags; Riposte reads them with ListTags instead.
      ...(fn.reservedConcurrency === undefined ? {} : { Concurrency: concurrency(fn) }),
    };
  },
  ListTags(state, params) {
    if (typeof params.Resource !== 'string' || !params.Resource.startsWith('arn:'))
      throw lambdaError('InvalidParameterValueException', 'Resource must be a function ARN');
    return { Tags: { ...functionOf(state, params.Resource)[1].tags } };
  },
  GetFunctionConcurrency(state, params) {
    return concurrency(functionOf(state, params.FunctionName)[1]);
  },
  PutFunctionConcurrency(state, params) {
    const [, fn] = functionOf(state, params.FunctionName);
    const value = params.ReservedConcurrentExecutions;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      throw lambdaError(
        'InvalidParameterValueException',
        'ReservedConcurrentExecutions must be an integer ≥ 0',
      );
    fn.reservedConcurrency = value;
    return { ReservedConcurrentExecutions: value };
  },
  DeleteFunctionConcurrency(state, params) {
    delete functionOf(state, params.FunctionName)[1].reservedConcurrency;
    return {};
  },
};

/**
 * Answers one call of the Lambda client from the world, applying writes to `state` in place.
 * Anything not modelled throws {@link UnsupportedWorldCallError}.
 *
 * @example
 * handleLambda(lambda, 'GetFunctionConcurrency', { FunctionName: 'payments-webhook' }); // {} when none is reserved
 */
export function handleLambda(state: LambdaWorld, api: string, params: Params): Record<string, unknown> {
  const handler = Object.hasOwn(HANDLERS, api) ? HANDLERS[api] : undefined;
  if (handler === undefined) throw new UnsupportedWorldCallError('lambda', api);
  return handler(state, params);
}

import {
  GetFunctionCommand,
  type GetFunctionCommandOutput,
  GetFunctionConcurrencyCommand,
  ListTagsCommand,
} from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { InvalidInputError } from '../../../errors.ts';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.ts';
import type { ActionEnv } from '../../types.ts';

/**
 * What the Lambda actions share: reading a function (`GetFunction`, `ListTags`,
 * `GetFunctionConcurrency`), the capture the containment saves for release, and the input they
 * take. Imported by the Lambda action files only.
 */

/** A function name, or its unqualified ARN (`arn:aws:lambda:<region>:<account>:function:<name>`). */
export const FunctionNameSchema = z
  .string()
  .regex(
    /^(arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:function:)?[A-Za-z0-9_-]{1,64}$/,
    'a Lambda function name or unqualified function ARN',
  );

export const FunctionInputSchema = z.object({ functionName: FunctionNameSchema });

/** The function's configuration as evidence: what ran, from which code, with which role. */
export const FunctionEvidenceSchema = z.object({
  functionName: z.string(),
  functionArn: z.string(),
  roleArn: z.string(),
  runtime: z.string().nullable(),
  handler: z.string().nullable(),
  packageType: z.string().nullable(),
  codeSha256: z.string().nullable(),
  codeSize: z.number().nullable(),
  lastModified: z.string().nullable(),
  version: z.string().nullable(),
  revisionId: z.string().nullable(),
  layers: z.array(z.string()),
  vpcId: z.string().nullable(),
  /**
   * Where the code is: `S3` (the deployment package; the presigned URL's signature is dropped,
   * it expires in 10 minutes and is a credential) or `ECR` (the image URI, and the digest it
   * resolved to).
   */
  code: z.object({
    repositoryType: z.string().nullable(),
    location: z.string().nullable(),
    imageUri: z.string().nullable(),
    resolvedImageUri: z.string().nullable(),
  }),
});
export type FunctionEvidence = z.infer<typeof FunctionEvidenceSchema>;

/** What throttle-lambda-function saves under `lambda-function:<name>`. */
export const CaptureSchema = z.object({
  kind: z.literal('lambda-function'),
  /** The reserved concurrency before containment; null: the function had none. */
  previousReservedConcurrency: z.number().int().min(0).nullable(),
  roleName: z.string(),
  tags: z.record(z.string(), z.string()),
  evidence: FunctionEvidenceSchema,
  capturedAt: z.string(),
});
export type Capture = z.infer<typeof CaptureSchema>;

/** Where throttle-lambda-function saves its capture of `functionName`. */
export const stateKey = (functionName: string): string => `lambda-function:${functionName}`;

/** The role name of a role ARN: the last segment of its path (`role/service-role/x` → `x`). */
export function roleNameOf(roleArn: string): string {
  const name = roleArn.split('/').at(-1) ?? '';
  if (!roleArn.includes(':role/') || name === '')
    throw new InvalidInputError(`the execution role ${roleArn} is not an IAM role ARN`);
  return name;
}

/** The URL without its query string: the presigned signature is a credential, not evidence. */
function unsigned(url: string | undefined): string | null {
  if (url === undefined || url === '') return null;
  const at = url.indexOf('?');
  return at === -1 ? url : url.slice(0, at);
}

/** A missing function becomes {@link ResourceNotFoundError}; other errors pass unchanged. */
function notFound(error: unknown, name: string): unknown {
  return hasErrorCode(error, 'ResourceNotFoundException')
    ? new ResourceNotFoundError(`Lambda function ${name} does not exist`, { cause: error })
    : error;
}

/**
 * `GetFunction`: the function's configuration and code location, as evidence. A function ARN
 * naming another account than the incident's is refused before any call: the member role acts
 * in the incident's account only.
 */
export async function readFunction(env: ActionEnv, functionName: string): Promise<FunctionEvidence> {
  const account = /^arn:[^:]+:lambda:[^:]+:(\d{12}):/.exec(functionName)?.[1];
  if (account !== undefined && env.execution.account !== undefined && account !== env.execution.account) {
    throw new InvalidInputError(
      `function ${functionName} is in account ${account}, not the incident's ${env.execution.account}`,
    );
  }
  let out: GetFunctionCommandOutput;
  try {
    out = await env.clients.lambda.send(new GetFunctionCommand({ FunctionName: functionName }));
  } catch (error) {
    throw notFound(error, functionName);
  }
  const c = out.Configuration ?? {};
  const str = (v: string | undefined): string | null => (v === undefined || v === '' ? null : v);
  const arn = str(c.FunctionArn);
  const role = str(c.Role);
  const name = str(c.FunctionName);
  if (arn === null || role === null || name === null)
    throw new InvalidInputError(`GetFunction ${functionName} answered no FunctionArn, FunctionName or Role`);
  const code = out.Code ?? {};
  return {
    functionName: name,
    functionArn: arn,
    roleArn: role,
    runtime: str(c.Runtime),
    handler: str(c.Handler),
    packageType: str(c.PackageType),
    codeSha256: str(c.CodeSha256),
    codeSize: c.CodeSize ?? null,
    lastModified: str(c.LastModified),
    version: str(c.Version),
    revisionId: str(c.RevisionId),
    layers: (c.Layers ?? []).flatMap((layer) => (layer.Arn === undefined ? [] : [layer.Arn])),
    vpcId: str(c.VpcConfig?.VpcId),
    code: {
      repositoryType: str(code.RepositoryType),
      location: unsigned(code.Location),
      imageUri: str(code.ImageUri),
      resolvedImageUri: str(code.ResolvedImageUri),
    },
  };
}

/**
 * `ListTags` on the function's ARN. Not GetFunction's `Tags`: Lambda leaves them out unless
 * the caller is also allowed `lambda:ListTags`, which would read as "no protected tag" — this
 * call fails instead (fails closed).
 */
export async function readTags(env: ActionEnv, functionArn: string): Promise<Record<string, string>> {
  try {
    const out = await env.clients.lambda.send(new ListTagsCommand({ Resource: functionArn }));
    return { ...(out.Tags ?? {}) };
  } catch (error) {
    throw notFound(error, functionArn);
  }
}

/** `GetFunctionConcurrency`: the reserved concurrency, null when the function has none. */
export async function readReservedConcurrency(env: ActionEnv, functionName: string): Promise<number | null> {
  try {
    const out = await env.clients.lambda.send(
      new GetFunctionConcurrencyCommand({ FunctionName: functionName }),
    );
    return out.ReservedConcurrentExecutions ?? null;
  } catch (error) {
    throw notFound(error, functionName);
  }
}

/** The capture saved under `key`, parsed ({@link InvalidInputError} when unreadable). */
export function parseCapture(key: string, saved: Record<string, unknown>): Capture {
  const parsed = CaptureSchema.safeParse(saved);
  if (!parsed.success) {
    throw new InvalidInputError(`the state saved for ${key} is not readable: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

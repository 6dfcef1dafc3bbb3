import { userInfo } from 'node:os';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { OperatorError } from '../command.ts';

/**
 * Who an operator command acts as, written into the records it makes (notes, assignments,
 * closes, suppressions): the OS user on the local store, and against a deployment the ARN STS
 * reports for the credentials in use (`GetCallerIdentity`, which needs no IAM permission:
 * AWS documents that no policy can deny it).
 */
export const CLI_IDENTITY_PERMISSIONS = [] as const;

/** The local operator: the OS user name. */
export function localActor(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'local operator';
  }
}

/** Raised when the caller's identity cannot be read from STS. */
export class CallerIdentityError extends OperatorError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CallerIdentityError';
  }
}

/**
 * The ARN of the caller, e.g. `arn:aws:sts::111122223333:assumed-role/SecurityAnalyst/alice`.
 *
 * @example
 * const actor = await callerArn('eu-west-1');
 */
export async function callerArn(region: string | undefined): Promise<string> {
  const sts = new STSClient(region === undefined ? {} : { region });
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    if (out.Arn === undefined || out.Arn === '') throw new CallerIdentityError('STS returned no caller ARN');
    return out.Arn;
  } catch (error) {
    if (error instanceof CallerIdentityError) throw error;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new CallerIdentityError(`cannot tell who you are from STS GetCallerIdentity (${message})`, {
      cause: error,
    });
  } finally {
    sts.destroy();
  }
}

import { RiposteError } from '../errors.ts';

/**
 * Errors actions raise on purpose. Step Functions matches `Retry` and `Catch` on the error
 * name, which Lambda reports as `errorType`: each class sets `name` to its own class name, so
 * a playbook catches `ProtectedResourceError` by name.
 */

/** Containment refused: the resource carries the protected tag. */
export class ProtectedResourceError extends RiposteError {
  public constructor(message: string) {
    super(message);
    this.name = 'ProtectedResourceError';
  }
}

/** Containment refused: the alert is a provider-generated sample. */
export class SampleAlertError extends RiposteError {
  public constructor(message: string) {
    super(message);
    this.name = 'SampleAlertError';
  }
}

/** Containment refused: the account or region is not on the allow-list (or is denied). */
export class NotAllowedError extends RiposteError {
  public constructor(message: string) {
    super(message);
    this.name = 'NotAllowedError';
  }
}

/** Containment paused: the rolling-hour containment limit is reached; it needs an approval. */
export class BlastRadiusExceededError extends RiposteError {
  public constructor(message: string) {
    super(message);
    this.name = 'BlastRadiusExceededError';
  }
}

/** The target resource does not exist (terminated instance, deleted user...). */
export class ResourceNotFoundError extends RiposteError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ResourceNotFoundError';
  }
}

/** AWS refused a call for lack of permission; retrying will not help. */
export class AwsAccessDeniedError extends RiposteError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AwsAccessDeniedError';
  }
}

/** Some steps of an action succeeded and others failed (one ENI of several...). */
export class PartialFailureError extends RiposteError {
  public readonly failures: readonly { readonly target: string; readonly error: string }[];

  public constructor(
    message: string,
    failures: readonly { readonly target: string; readonly error: string }[],
  ) {
    super(message);
    this.name = 'PartialFailureError';
    this.failures = failures;
  }
}

/** No Riposte member role can be assumed in the alert's account. */
export class MemberRoleMissingError extends RiposteError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MemberRoleMissingError';
  }
}

/** Nothing saved to undo: release was asked for a containment that never happened. */
export class NothingToReleaseError extends RiposteError {
  public constructor(message: string) {
    super(message);
    this.name = 'NothingToReleaseError';
  }
}

/** An approval token is invalid, tampered with or expired. */
export class InvalidApprovalTokenError extends RiposteError {
  public constructor(message: string) {
    super(message);
    this.name = 'InvalidApprovalTokenError';
  }
}

/**
 * Whether an AWS error carries one of `codes`: its `name` (SDK v3 exception name, local world
 * error) or its wire `Code` (IAM, S3), compared with and without the `Exception` suffix, so
 * `NoSuchEntity` matches `NoSuchEntityException` and the reverse.
 *
 * @example
 * hasErrorCode(new NoSuchEntityException({ message: 'no role', $metadata: {} }), 'NoSuchEntity'); // true
 * hasErrorCode(error, 'NoSuchTagSet', 'NoSuchBucket'); // either one
 */
export function hasErrorCode(error: unknown, ...codes: readonly string[]): boolean {
  if (!(error instanceof Error)) return false;
  const wire = (error as Error & { Code?: unknown }).Code;
  const found = [error.name, ...(typeof wire === 'string' ? [wire] : [])].map(withoutExceptionSuffix);
  return codes.some((code) => found.includes(withoutExceptionSuffix(code)));
}

function withoutExceptionSuffix(code: string): string {
  return code.endsWith('Exception') ? code.slice(0, -'Exception'.length) : code;
}

/** Names of the errors a playbook may catch, for the authoring API's type checks. */
export const ACTION_ERROR_NAMES = [
  'ProtectedResourceError',
  'SampleAlertError',
  'NotAllowedError',
  'BlastRadiusExceededError',
  'ResourceNotFoundError',
  'AwsAccessDeniedError',
  'PartialFailureError',
  'MemberRoleMissingError',
  'NothingToReleaseError',
  'ApprovalDenied',
  'States.Timeout',
  'States.TaskFailed',
  'States.ALL',
] as const;
export type ActionErrorName = (typeof ACTION_ERROR_NAMES)[number];

/** Errors worth retrying: throttling and transient AWS faults (Step Functions retries these by name). */
export const RETRYABLE_ERRORS = [
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalError',
  'InternalFailure',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

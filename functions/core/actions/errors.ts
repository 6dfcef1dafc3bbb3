// Long: the catalogue of named errors the state machines match on, one small class each.
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

/**
 * Containment refused: the resource is not in an environment the configuration names
 * non-production (production, unknown, or untagged) and no human approved this execution.
 */
export class ApprovalRequiredError extends RiposteError {
  public constructor(message: string) {
    super(message);
    this.name = 'ApprovalRequiredError';
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

/** One item an action could not handle while it went on with the others (an ENI, a volume...). */
export interface ItemFailure {
  /** What failed: an ENI id, an allocation id, a role name... */
  readonly target: string;
  /** The error, as `Name: message`, or why the item was left as is. */
  readonly error: string;
  /** Whether the error was transient ({@link isTransientAwsError}): running the step again may do it. */
  readonly transient: boolean;
}

/**
 * Some steps of an action succeeded and others failed (one ENI of several...), and at least one
 * failure is not transient: running the step again would fail the same way, so the state
 * machine does not retry it and the playbook's catch (or the failure frame) takes it. When every
 * failure is transient the action raises {@link TransientAwsError} instead (see
 * {@link partialFailure}).
 */
export class PartialFailureError extends RiposteError {
  public readonly failures: readonly ItemFailure[];

  public constructor(message: string, failures: readonly ItemFailure[]) {
    super(message);
    this.name = 'PartialFailureError';
    this.failures = failures;
  }
}

/**
 * AWS failed transiently (throttling, a 5xx, a timeout) after the SDK's own retries, so running
 * the step again is right: the compiled state machine retries every action task on this name
 * with a bounded backoff ({@link RETRYABLE_ERRORS}). Actions are idempotent and resume from the
 * state they recorded, so a second run only does what the first left undone.
 *
 * Raised by an action whose failed items all failed transiently (`failures` lists them; the
 * others were done), and by the action runner for a transient AWS error whose own name the
 * state machine does not know (a 503 under an unusual code, a reset connection).
 *
 * @example
 * // one snapshot throttled past the SDK's attempts, everything else done:
 * throw partialFailure('isolation of i-0a1b2c3d4e5f60718', [
 *   { target: 'vol-0a1b2c3d4e5f60001', error: 'RequestLimitExceeded: Request limit exceeded.', transient: true },
 * ]); // a TransientAwsError: Step Functions runs the step again
 */
export class TransientAwsError extends RiposteError {
  public readonly failures: readonly ItemFailure[];

  public constructor(message: string, failures: readonly ItemFailure[] = [], options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransientAwsError';
    this.failures = failures;
  }
}

/**
 * The error of an action that went on past failed items: {@link TransientAwsError} when every
 * failure is transient (the state machine retries the step), {@link PartialFailureError}
 * otherwise (not retried: the playbook's catch takes it).
 *
 * @example
 * if (failures.length > 0) throw partialFailure(`isolation of ${instanceId}`, failures);
 */
export function partialFailure(
  what: string,
  failures: readonly ItemFailure[],
): PartialFailureError | TransientAwsError {
  const listed = failures.map((f) => `${f.target}: ${f.error}`).join('; ');
  if (failures.length > 0 && failures.every((f) => f.transient)) {
    return new TransientAwsError(
      `${what}: ${failures.length} step(s) failed transiently (${listed}); the others were done, running the step again finishes it`,
      failures,
    );
  }
  return new PartialFailureError(
    `${what}: ${failures.length} step(s) failed (${listed}); the others were done`,
    failures,
  );
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
  'TransientAwsError',
  'MemberRoleMissingError',
  'NothingToReleaseError',
  'ApprovalDenied',
  'States.Timeout',
  'States.TaskFailed',
  'States.ALL',
] as const;
export type ActionErrorName = (typeof ACTION_ERROR_NAMES)[number];

/**
 * Error names (SDK v3 `name`, wire `Code`) of transient AWS failures on the services actions
 * call: throttling, server-side faults and timeouts. The SDK retries them itself first; these
 * are the ones that outlasted its attempts.
 */
export const TRANSIENT_AWS_ERROR_CODES = [
  // Throttling
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  // Server-side faults
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'Unavailable',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'ServiceFailureException',
  'ResourceContention',
  // Timeouts
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
] as const;

/** Lambda invoke failures of the Lambda service itself (not of the action), as Step Functions names them. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/**
 * The error names the compiled state machine retries on every action task: {@link TransientAwsError}
 * (what actions and the runner raise for transient failures), the transient AWS codes as the
 * SDK names them (an error an action lets through keeps its name, so a playbook can still retry
 * or catch `Throttling` itself), and the Lambda service's own failures.
 */
export const RETRYABLE_ERRORS = [
  'TransientAwsError',
  ...TRANSIENT_AWS_ERROR_CODES,
  ...LAMBDA_SERVICE_ERRORS,
] as const;

/**
 * Errors that running the step again cannot fix: permissions, invalid input, missing resources,
 * a partial failure with a lasting cause, and the safety rails' refusals (protected resource,
 * sample alert, allow-list, blast radius). Never retried: not by the default retry, and not by
 * a playbook's catch-all retry (the compiler puts a zero-attempt retrier for them first).
 */
export const NON_RETRYABLE_ERRORS = [
  'ProtectedResourceError',
  'ApprovalRequiredError',
  'SampleAlertError',
  'NotAllowedError',
  'BlastRadiusExceededError',
  'ResourceNotFoundError',
  'AwsAccessDeniedError',
  'PartialFailureError',
  'MemberRoleMissingError',
  'NothingToReleaseError',
  'InvalidApprovalTokenError',
  'InvalidInputError',
  'UnknownActionError',
] as const;

/** AWS permission errors: never transient, whatever their HTTP status. */
const ACCESS_DENIED_CODES = ['AccessDenied', 'UnauthorizedOperation', 'AuthFailure'] as const;

/** HTTP statuses of transient answers: too many requests, and the gateway and server faults. */
const TRANSIENT_STATUSES = new Set([429, 500, 502, 503, 504]);

/** Node.js network errors the SDK also treats as transient. */
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/**
 * Whether `error` is a transient AWS failure, worth running the (idempotent) step again for:
 * {@link TransientAwsError}, a transient code ({@link TRANSIENT_AWS_ERROR_CODES}), an answer
 * with HTTP status 429, 500, 502, 503 or 504, an error the SDK marks `$retryable`, or a reset or
 * timed-out connection. Riposte's own named errors (refusals, access denied, partial failures
 * with a lasting cause...) and permission errors never are.
 *
 * @example
 * isTransientAwsError(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' })); // true
 * isTransientAwsError(new AwsAccessDeniedError('ec2:CreateSnapshot was denied')); // false
 */
export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof TransientAwsError) return true;
  if (error instanceof RiposteError) return false;
  if (hasErrorCode(error, ...ACCESS_DENIED_CODES)) return false;
  if (hasErrorCode(error, ...TRANSIENT_AWS_ERROR_CODES)) return true;
  const details = error as Error & {
    $metadata?: { httpStatusCode?: unknown };
    $retryable?: unknown;
    code?: unknown;
  };
  const status = details.$metadata?.httpStatusCode;
  if (typeof status === 'number' && TRANSIENT_STATUSES.has(status)) return true;
  if (typeof details.$retryable === 'object' && details.$retryable !== null) return true;
  return typeof details.code === 'string' && TRANSIENT_NETWORK_CODES.has(details.code);
}

import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import {
  AwsAccessDeniedError,
  BlastRadiusExceededError,
  type ItemFailure,
  isTransientAwsError,
  NON_RETRYABLE_ERRORS,
  NotAllowedError,
  PartialFailureError,
  ProtectedResourceError,
  partialFailure,
  RETRYABLE_ERRORS,
  SampleAlertError,
  TransientAwsError,
} from '../../../functions/core/actions/errors.ts';

/** An EC2 error as the SDK raises it once its attempts are used up. */
function ec2Error(name: string, status: number): EC2ServiceException {
  return new EC2ServiceException({
    name,
    message: `${name} (test)`,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

/** An error with only a name, as the local world raises it. */
function named(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} (test)`), { name, ...extra });
}

const THROTTLED: ItemFailure = {
  target: 'vol-0a1b2c3d4e5f60001',
  error: 'RequestLimitExceeded: slow down',
  transient: true,
};
const GONE: ItemFailure = {
  target: 'eni-0a1b2c3d4e5f60002',
  error: 'InvalidNetworkInterfaceID.NotFound: no such ENI',
  transient: false,
};

describe('isTransientAwsError', () => {
  it.each<[string, unknown]>([
    ['EC2 throttling (RequestLimitExceeded, 503)', ec2Error('RequestLimitExceeded', 503)],
    ['throttling answered 400 (Throttling)', ec2Error('Throttling', 400)],
    ['the Exception-suffixed form of a code (ThrottlingException)', named('ThrottlingException')],
    ['S3 asking to slow down (SlowDown)', named('SlowDown')],
    ['a 500 (InternalError)', ec2Error('InternalError', 500)],
    ['an unknown code answered 503', ec2Error('SomethingBusy', 503)],
    ['an unknown code answered 429', ec2Error('SomethingBusy', 429)],
    ['an error the SDK marks retryable', named('Odd', { $retryable: { throttling: false } })],
    ['a reset connection', named('Error', { code: 'ECONNRESET' })],
    ['a socket timeout (TimeoutError)', named('TimeoutError')],
    ['TransientAwsError', new TransientAwsError('isolation: 1 step(s) failed transiently', [THROTTLED])],
  ])('says yes to %s', (_label, error) => {
    // Act
    const transient = isTransientAwsError(error);

    // Assess
    expect(transient).toBe(true);
  });

  it.each<[string, unknown]>([
    ['AccessDenied (403)', ec2Error('AccessDenied', 403)],
    ['UnauthorizedOperation, even answered 503', ec2Error('UnauthorizedOperation', 503)],
    ['AwsAccessDeniedError', new AwsAccessDeniedError('ec2:CreateSnapshot was denied')],
    ['a missing resource (400)', ec2Error('InvalidInstanceID.NotFound', 400)],
    ['a validation error', named('ValidationError', { $metadata: { httpStatusCode: 400 } })],
    ['a protected resource', new ProtectedResourceError('protected')],
    ['a sample alert', new SampleAlertError('sample')],
    ['an account not allowed', new NotAllowedError('not allowed')],
    ['the blast radius', new BlastRadiusExceededError('limit reached')],
    ['a partial failure with a lasting cause', new PartialFailureError('partly', [THROTTLED, GONE])],
    ['a plain Error', new Error('boom')],
    ['something thrown that is not an Error', 'RequestLimitExceeded'],
  ])('says no to %s', (_label, error) => {
    // Act
    const transient = isTransientAwsError(error);

    // Assess
    expect(transient).toBe(false);
  });
});

describe('partialFailure', () => {
  it('is a TransientAwsError, listing the failures, when every failure is transient', () => {
    // Act
    const error = partialFailure('isolation of i-0a1b2c3d4e5f60718', [THROTTLED]);

    // Assess
    expect(error).toBeInstanceOf(TransientAwsError);
    expect(error.name).toBe('TransientAwsError');
    expect(error.failures).toEqual([THROTTLED]);
    expect(error.message).toBe(
      'isolation of i-0a1b2c3d4e5f60718: 1 step(s) failed transiently (vol-0a1b2c3d4e5f60001: RequestLimitExceeded: slow down); the others were done, running the step again finishes it',
    );
  });

  it('is a PartialFailureError when one failure is lasting', () => {
    // Act
    const error = partialFailure('isolation of i-0a1b2c3d4e5f60718', [THROTTLED, GONE]);

    // Assess
    expect(error).toBeInstanceOf(PartialFailureError);
    expect(error.name).toBe('PartialFailureError');
    expect(error.failures).toEqual([THROTTLED, GONE]);
    expect(error.message).toMatch(
      /: 2 step\(s\) failed \(vol-.*; eni-0a1b2c3d4e5f60002: .*\); the others were done$/,
    );
  });
});

describe('retry names', () => {
  it('keeps the errors retried and the errors never retried apart', () => {
    // Act
    const both = RETRYABLE_ERRORS.filter((name) =>
      (NON_RETRYABLE_ERRORS as readonly string[]).includes(name),
    );

    // Assess
    expect(both).toEqual([]);
    expect(RETRYABLE_ERRORS).toContain('TransientAwsError');
    expect(NON_RETRYABLE_ERRORS).toEqual(
      expect.arrayContaining(['AwsAccessDeniedError', 'PartialFailureError', 'ProtectedResourceError']),
    );
  });
});

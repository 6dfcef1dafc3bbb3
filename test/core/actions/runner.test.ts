import { describe, expect, it } from 'vitest';
import {
  AwsAccessDeniedError,
  MemberRoleMissingError,
  PartialFailureError,
  TransientAwsError,
} from '../../../functions/core/actions/errors.ts';
import { retryableByName } from '../../../functions/core/actions/runner.ts';

/** An AWS error as the SDK raises it: name and HTTP status. */
function awsError(name: string, status: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} (test)`), {
    name,
    $metadata: { httpStatusCode: status },
    ...extra,
  });
}

describe('retryableByName', () => {
  it('keeps the name of a transient error the state machine retries by name', () => {
    // Prepare
    const throttled = awsError('RequestLimitExceeded', 503);

    // Act
    const seen = retryableByName(throttled);

    // Assess
    expect(seen).toBe(throttled);
  });

  it.each<[string, Error]>([
    ['a 503 under an unusual code', awsError('SomethingBusy', 503)],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('names %s TransientAwsError, the cause kept', (_label, error) => {
    // Act
    const seen = retryableByName(error);

    // Assess
    expect(seen).toBeInstanceOf(TransientAwsError);
    expect((seen as TransientAwsError).cause).toBe(error);
    expect((seen as TransientAwsError).message).toContain(error.message);
  });

  it('names a member role that could not be assumed because STS throttled TransientAwsError', () => {
    // Prepare
    const missing = new MemberRoleMissingError('cannot assume riposte-member in account 444455556666', {
      cause: awsError('Throttling', 400),
    });

    // Act
    const seen = retryableByName(missing);

    // Assess
    expect(seen).toBeInstanceOf(TransientAwsError);
    expect((seen as TransientAwsError).message).toBe(missing.message);
  });

  it.each<[string, Error]>([
    ['access denied', new AwsAccessDeniedError('ec2:CreateSnapshot was denied')],
    ['a partial failure with a lasting cause', new PartialFailureError('partly', [])],
    [
      'a member role that does not exist',
      new MemberRoleMissingError('cannot assume', { cause: awsError('AccessDenied', 403) }),
    ],
    ['a plain error', new Error('boom')],
  ])('leaves %s as it is', (_label, error) => {
    // Act
    const seen = retryableByName(error);

    // Assess
    expect(seen).toBe(error);
  });
});

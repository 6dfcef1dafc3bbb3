/**
 * Named errors shared by the Lambdas and the CLI. Step Functions `Retry` and `Catch`
 * match on `name`, so every class sets it explicitly and keeps the original `cause`.
 */

/** Base class of every error Riposte raises on purpose. */
export class RiposteError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RiposteError';
  }
}

/**
 * Input that Riposte cannot accept: the caller's data is wrong, retrying will not help.
 *
 * @example
 * throw new InvalidInputError('detail.findings must be an array', { cause: zodError });
 */
export class InvalidInputError extends RiposteError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidInputError';
  }
}

/** An AWS error as the world answers it: `name` is the AWS error code, as the SDK would throw. */
export class WorldApiError extends Error {
  public constructor(code: string, message: string) {
    super(message);
    this.name = code;
  }
}

/** The world has no model for this operation: extend the world, do not guess an answer. */
export class UnsupportedWorldCallError extends Error {
  public constructor(service: string, api: string) {
    super(`the local world does not model ${service}:${api}`);
    this.name = 'UnsupportedWorldCallError';
  }
}

/**
 * Thrown when an EventBridge event pattern is not valid, mirroring the
 * `InvalidEventPatternException` ("Event pattern is not valid. Reason: …")
 * that `PutRule` / `TestEventPattern` answer with.
 *
 * @example
 * ```ts
 * try {
 *   compileEventPattern({ source: 'aws.ec2' });
 * } catch (error) {
 *   if (error instanceof InvalidEventPatternError) {
 *     console.log(error.path); // "source"
 *     console.log(error.reason); // "\"source\" must be an object or an array"
 *   }
 * }
 * ```
 */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';
  /** The EventBridge-style reason, without the location. */
  readonly reason: string;
  /** Where in the pattern the problem is, e.g. `detail.state[0].numeric`; empty for the pattern itself. */
  readonly path: string;

  constructor(reason: string, path: string) {
    super(`Event pattern is not valid. Reason: ${reason}${path === '' ? '' : ` (at ${path})`}`);
    this.reason = reason;
    this.path = path;
  }
}

/** Renders a pattern location as `detail.state[0].numeric`, quoting keys that are not plain words. */
export function formatPatternPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') {
      out += `[${step}]`;
    } else if (/^[A-Za-z0-9_$-]+$/.test(step)) {
      out += out === '' ? step : `.${step}`;
    } else {
      out += `[${JSON.stringify(step)}]`;
    }
  }
  return out;
}

/** Throws an {@link InvalidEventPatternError} for `reason` at `path`. */
export function invalid(reason: string, path: readonly (string | number)[]): never {
  throw new InvalidEventPatternError(reason, formatPatternPath(path));
}

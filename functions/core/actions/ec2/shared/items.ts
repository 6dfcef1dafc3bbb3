import type { Tag } from '@aws-sdk/client-ec2';
import { InvalidInputError } from '../../../errors.ts';
import { AwsAccessDeniedError, type ItemFailure, isTransientAwsError, partialFailure } from '../../errors.ts';
import { type SavedIsolation, SavedIsolationSchema, type Target } from './schemas.ts';

/** Small helpers the EC2 actions share: failed items, dates, tags, targets, the saved state. */

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Records a failed item (transient or not, see {@link isTransientAwsError}) and returns its
 * message; a permission problem is not per item and stops the action.
 */
export function collect(failures: ItemFailure[], target: string, error: unknown): string {
  if (error instanceof AwsAccessDeniedError) throw error;
  const message = describeError(error);
  failures.push({ target, error: message, transient: isTransientAwsError(error) });
  return message;
}

export function iso(value: Date | string | undefined): string | null {
  if (value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function tagRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  return Object.fromEntries(
    (tags ?? []).flatMap((t) => (t.Key === undefined ? [] : [[t.Key, t.Value ?? '']])),
  );
}

/** Whether two targets are the same registration (id and port). */
export function sameTarget(a: Target, b: Target): boolean {
  return a.id === b.id && (a.port ?? null) === (b.port ?? null);
}

export function targetDescription(target: Target): { Id: string; Port?: number; AvailabilityZone?: string } {
  return {
    Id: target.id,
    ...(target.port === null ? {} : { Port: target.port }),
    ...(target.availabilityZone === null ? {} : { AvailabilityZone: target.availabilityZone }),
  };
}

export function sameGroupSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}

export function parseSaved(key: string, saved: Record<string, unknown>): SavedIsolation {
  const parsed = SavedIsolationSchema.safeParse(saved);
  if (!parsed.success) {
    throw new InvalidInputError(`the state saved for ${key} is not readable: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** The output, or the error of the failed items ({@link partialFailure}: retried when all were transient). */
export function finish<T>(failures: readonly ItemFailure[], what: string, output: T): T {
  if (failures.length > 0) throw partialFailure(what, failures);
  return output;
}

// ---------------------------------------------------------------------------------------------
// Capture (reads only)

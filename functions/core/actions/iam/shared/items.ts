import type { Tag } from '@aws-sdk/client-iam';
import type { z } from 'zod';
import { InvalidInputError } from '../../../errors.ts';
import { tagValueOf } from '../../tags.ts';

/** Small helpers the IAM actions share: tags, dates, policy documents, pages, the saved state. */

export function tagRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  return Object.fromEntries(
    (tags ?? []).flatMap((t) => (t.Key === undefined ? [] : [[t.Key, t.Value ?? '']])),
  );
}

export function iso(date: Date | undefined): string | null {
  return date === undefined ? null : date.toISOString();
}

/** IAM answers policy documents URL-encoded (RFC 3986); the SDK leaves them encoded. */
export function decodePolicyDocument(document: string | undefined): unknown {
  if (document === undefined) return undefined;
  const text = document.trimStart().startsWith('{') ? document : decodeURIComponent(document);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function sameDocument(current: unknown, wanted: unknown): boolean {
  return JSON.stringify(current) === JSON.stringify(wanted);
}

/** Every page of an IAM list operation (`Marker` / `IsTruncated`). */
export async function collect<T>(
  fetch: (
    marker: string | undefined,
  ) => Promise<{ items: readonly T[] | undefined; next: string | undefined }>,
): Promise<T[]> {
  const all: T[] = [];
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    all.push(...(page.items ?? []));
    marker = page.next;
  } while (marker !== undefined);
  return all;
}

export const next = (out: {
  IsTruncated?: boolean | undefined;
  Marker?: string | undefined;
}): string | undefined => (out.IsTruncated === true ? out.Marker : undefined);
export const markerParam = (value: string | undefined): { Marker?: string } =>
  value === undefined ? {} : { Marker: value };
/** The tag value for any of `keys`, compared case-insensitively. */
export function tagValue(tags: Readonly<Record<string, string>>, keys: readonly string[]): string | null {
  return tagValueOf(tags, keys);
}

export function parseSaved<T extends z.ZodType>(
  schema: T,
  key: string,
  saved: Record<string, unknown>,
): z.infer<T> {
  const parsed = schema.safeParse(saved);
  if (!parsed.success) {
    throw new InvalidInputError(`the state saved for ${key} is not readable: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

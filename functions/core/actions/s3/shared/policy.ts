import { createHash } from 'node:crypto';
import { GetBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import { RiposteError } from '../../../errors.ts';
import { hasErrorCode } from '../../errors.ts';
import { type BucketRef, notFound } from './bucket.ts';
import type { S3ObjectTarget } from './object.ts';

/**
 * Riposte's one statement in a bucket policy: read-modify-write of the policy **text**. The
 * statement is spliced into (or cut out of) the `Statement` array as S3 returned it, so every
 * other statement, the `Version`, the `Id` and the whitespace stay byte for byte as they were;
 * nothing else of the document is re-serialized.
 *
 * Sizes follow S3's limit of 20 KB per bucket policy
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/BucketRestrictions.html), checked on
 * the exact text sent.
 */

/** S3's bucket policy size limit, in bytes of the document sent. */
export const BUCKET_POLICY_MAX_BYTES = 20 * 1024;

/** The policy with Riposte's statement would pass S3's 20 KB limit: nothing was written. */
export class BucketPolicyTooLargeError extends RiposteError {
  public constructor(message: string) {
    super(message);
    this.name = 'BucketPolicyTooLargeError';
  }
}

/** The bucket policy is not a JSON policy document Riposte can edit safely: nothing was written. */
export class BucketPolicyUnreadableError extends RiposteError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BucketPolicyUnreadableError';
  }
}

/** The bucket policy text (`GetBucketPolicy`); null when the bucket has none (`NoSuchBucketPolicy`). */
export async function readPolicy(s3: S3Client, ref: BucketRef): Promise<string | null> {
  try {
    const out = await s3.send(new GetBucketPolicyCommand({ ...ref }));
    return out.Policy ?? null;
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchBucketPolicy')) return null;
    throw notFound(error, ref.Bucket);
  }
}

/**
 * The statement id of an incident's quarantine of one object: stable across reruns of the
 * incident, distinct per object (letters and digits only, as IAM requires of a `Sid`).
 *
 * @example
 * quarantineSid('inc-0a1b2c', 'arn:aws:s3:::uploads/a.exe'); // 'RiposteQuarantineinc0a1b2c1f2e3d4c'
 */
export function quarantineSid(incidentId: string, objectArn: string): string {
  const object = createHash('sha256').update(objectArn).digest('hex').slice(0, 8);
  return `RiposteQuarantine${incidentId.replace(/[^A-Za-z0-9]/g, '')}${object}`;
}

/**
 * The object ARN as a policy `Resource`: `*`, `?` and `$` in a key are written as the policy
 * variables `${*}`, `${?}` and `${$}`, so a key such as `a*.exe` names that one key, not every
 * key it would match as a wildcard
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars).
 */
export function policyResource(target: S3ObjectTarget): string {
  const key = target.key.replace(/[$*?]/g, (c) => `\${${c}}`);
  return `arn:${target.partition}:s3:::${target.bucket}/${key}`;
}

/** Riposte's Deny of reads of every version of the object, to every principal. */
export function quarantineStatement(sid: string, target: S3ObjectTarget): Record<string, unknown> {
  return {
    Sid: sid,
    Effect: 'Deny',
    Principal: '*',
    Action: ['s3:GetObject', 's3:GetObjectVersion'],
    Resource: policyResource(target),
  };
}

// ---- The text splice: spans of the Statement array in the document as S3 returned it. ----

type Span = readonly [number, number];

function skipWs(t: string, i: number): number {
  let j = i;
  while (j < t.length && /\s/.test(t.charAt(j))) j += 1;
  return j;
}

function skipString(t: string, i: number): number {
  let j = i + 1;
  while (j < t.length) {
    const c = t.charAt(j);
    if (c === '\\') j += 2;
    else if (c === '"') return j + 1;
    else j += 1;
  }
  return j;
}

/** The end of the JSON value starting at `i` (the text is valid JSON: `JSON.parse` read it first). */
function skipValue(t: string, i: number): number {
  let j = skipWs(t, i);
  const first = t.charAt(j);
  if (first === '"') return skipString(t, j);
  if (first !== '{' && first !== '[') {
    while (j < t.length && !/[\s,\]}]/.test(t.charAt(j))) j += 1;
    return j;
  }
  let depth = 0;
  while (j < t.length) {
    const c = t.charAt(j);
    if (c === '"') {
      j = skipString(t, j);
      continue;
    }
    if (c === '{' || c === '[') depth += 1;
    else if (c === '}' || c === ']') {
      depth -= 1;
      if (depth === 0) return j + 1;
    }
    j += 1;
  }
  return j;
}

/** Where the document's (last) `Statement` value is, and the spans of its elements. */
interface StatementLayout {
  readonly value: Span;
  readonly isArray: boolean;
  readonly elements: readonly Span[];
}

function layoutOf(text: string): StatementLayout | undefined {
  let found: StatementLayout | undefined;
  let i = skipWs(text, 0) + 1; // past '{'
  for (;;) {
    i = skipWs(text, i);
    if (text.charAt(i) !== '"') return found;
    const keyEnd = skipString(text, i);
    const key: unknown = JSON.parse(text.slice(i, keyEnd));
    const start = skipWs(text, skipWs(text, keyEnd) + 1); // past ':'
    const end = skipValue(text, start);
    if (key === 'Statement') found = { value: [start, end], ...elementsOf(text, start, end) };
    i = skipWs(text, end);
    if (text.charAt(i) === ',') i += 1;
  }
}

function elementsOf(text: string, start: number, end: number): Omit<StatementLayout, 'value'> {
  if (text.charAt(start) !== '[') return { isArray: false, elements: [[start, end]] };
  const elements: Span[] = [];
  let i = start + 1;
  for (;;) {
    i = skipWs(text, i);
    if (i >= end - 1 || text.charAt(i) === ']') return { isArray: true, elements };
    const e = skipValue(text, i);
    elements.push([i, e]);
    i = skipWs(text, e);
    if (text.charAt(i) === ',') i += 1;
  }
}

/** The parsed document with its statement layout ({@link BucketPolicyUnreadableError} otherwise). */
function documentOf(text: string, bucket: string): { doc: Record<string, unknown>; layout: StatementLayout } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new BucketPolicyUnreadableError(`the policy of bucket ${bucket} is not JSON`, { cause: error });
  }
  const layout = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? layoutOf(text) : undefined;
  if (layout === undefined) {
    throw new BucketPolicyUnreadableError(`the policy of bucket ${bucket} has no Statement`);
  }
  return { doc: doc as Record<string, unknown>, layout };
}

function sidOf(text: string, span: Span): unknown {
  const value: unknown = JSON.parse(text.slice(span[0], span[1]));
  return typeof value === 'object' && value !== null ? (value as { Sid?: unknown }).Sid : undefined;
}

/**
 * The statements of `text` other than `sid`, each as its exact text: what the read-back compares
 * with the policy before the change.
 */
export function otherStatements(text: string | null, sid: string, bucket: string): string[] {
  if (text === null) return [];
  const { layout } = documentOf(text, bucket);
  return layout.elements.filter((s) => sidOf(text, s) !== sid).map(([a, b]) => text.slice(a, b));
}

/** The statement `sid` of `text`, parsed; undefined when absent. */
export function statementOf(text: string | null, sid: string, bucket: string): unknown {
  if (text === null) return undefined;
  const { layout } = documentOf(text, bucket);
  const span = layout.elements.find((s) => sidOf(text, s) === sid);
  return span === undefined ? undefined : JSON.parse(text.slice(span[0], span[1]));
}

/**
 * `text` with `statement` in it: appended to the `Statement` array (a single-statement document
 * becomes an array of two), or put in place of an older statement of the same `Sid`. A bucket
 * without a policy gets a new document. Null when the policy already holds it unchanged.
 */
export function withStatement(
  text: string | null,
  statement: Record<string, unknown>,
  bucket: string,
): string | null {
  const ours = JSON.stringify(statement);
  let next: string;
  if (text === null) {
    next = JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
  } else {
    const { doc, layout } = documentOf(text, bucket);
    if (doc.Version === '2008-10-17' && /\$\{/.test(String(statement.Resource))) {
      throw new BucketPolicyUnreadableError(
        `the policy of bucket ${bucket} is Version 2008-10-17, which has no policy variables: the object key needs them (it has * ? or $)`,
      );
    }
    const same = layout.elements.find((s) => sidOf(text, s) === statement.Sid);
    if (same !== undefined) {
      if (JSON.stringify(JSON.parse(text.slice(same[0], same[1]))) === ours) return null;
      next = text.slice(0, same[0]) + ours + text.slice(same[1]);
    } else if (!layout.isArray) {
      const [a, b] = layout.value;
      next = `${text.slice(0, a)}[${text.slice(a, b)},${ours}]${text.slice(b)}`;
    } else {
      const last = layout.elements.at(-1);
      const at = last === undefined ? layout.value[0] + 1 : last[1];
      next = `${text.slice(0, at)}${last === undefined ? '' : ','}${ours}${text.slice(at)}`;
    }
  }
  const bytes = Buffer.byteLength(next, 'utf8');
  if (bytes > BUCKET_POLICY_MAX_BYTES) {
    throw new BucketPolicyTooLargeError(
      `the policy of bucket ${bucket} would be ${bytes} bytes with Riposte's statement, over S3's limit of ${BUCKET_POLICY_MAX_BYTES}: nothing was written`,
    );
  }
  return next;
}

/**
 * `text` without the statement `sid`: `undefined` when it has none (nothing to write), null when
 * it was the only statement (the policy is deleted: S3 refuses a policy without statements).
 */
export function withoutStatement(text: string, sid: string, bucket: string): string | null | undefined {
  const { layout } = documentOf(text, bucket);
  const index = layout.elements.findIndex((s) => sidOf(text, s) === sid);
  if (index === -1) return undefined;
  if (layout.elements.length === 1) return null;
  const { elements } = layout;
  const here = elements[index] as Span;
  // Cut the statement with the separator before it (or, for the first, the one after it).
  const from = index > 0 ? (elements[index - 1] as Span)[1] : here[0];
  const to = index > 0 ? here[1] : (elements[1] as Span)[0];
  return text.slice(0, from) + text.slice(to);
}

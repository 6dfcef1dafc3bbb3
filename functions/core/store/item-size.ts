/**
 * DynamoDB item sizes, measured before a write so that no item Riposte writes can exceed
 * DynamoDB's 400 KB item limit (which fails the write with a ValidationException and would turn
 * the event into a poison message).
 *
 * The rules are those of the DynamoDB Developer Guide, "DynamoDB item sizes and formats": an item
 * is the sum of its attribute names (UTF-8 bytes) and values. A string is its UTF-8 bytes; a
 * number about one byte per two significant digits plus one (at most 21); a binary value its raw
 * bytes; a boolean or null one byte; a list or map 3 bytes plus one per element plus its elements
 * (their names, for a map); a set the sum of its elements.
 */

/** DynamoDB's limit on one item, attribute names and values included. */
export const MAX_ITEM_BYTES = 400 * 1024;

/**
 * The size DynamoDB counts for `item` (a document-client item: plain values, `Set`s and
 * `Uint8Array`s), in bytes. Iterative: an item of any depth is measured without recursion.
 *
 * @example
 * itemSize({ pk: 'ALERT#1', sk: 'ALERT', occurrences: 12 }) // 2 + 7 + 2 + 5 + 11 + 2 = 29
 */
export function itemSize(item: Readonly<Record<string, unknown>>): number {
  let total = 0;
  const pending: unknown[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    total += utf8Bytes(name);
    pending.push(value);
  }
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') total += utf8Bytes(value);
    else if (typeof value === 'number' || typeof value === 'bigint') total += numberSize(value);
    else if (typeof value === 'boolean' || value === null) total += 1;
    else if (value instanceof Uint8Array) total += value.byteLength;
    else if (value instanceof Set) for (const element of value) pending.push(element);
    else if (Array.isArray(value)) {
      total += 3 + value.length;
      for (const element of value) pending.push(element);
    } else if (typeof value === 'object' && value !== undefined) {
      const entries = Object.entries(value).filter(([, inner]) => inner !== undefined);
      total += 3 + entries.length;
      for (const [name, inner] of entries) {
        total += utf8Bytes(name);
        pending.push(inner);
      }
    }
  }
  return total;
}

/** UTF-8 bytes of `text`, without encoding it when it is short enough to be ASCII-bounded. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** One byte per two significant digits, plus one (DynamoDB numbers have at most 38 digits). */
function numberSize(value: number | bigint): number {
  const digits = String(value)
    .replace(/^-/, '')
    .replace(/e.*$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

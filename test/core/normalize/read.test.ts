import { describe, expect, it } from 'vitest';
import { RiposteError } from '../../../functions/core/errors.ts';
import {
  compact,
  FieldError,
  isRecord,
  MappedPaths,
  omitPaths,
  optArray,
  optBoolean,
  optInt,
  optNumber,
  optRecord,
  optString,
  recordList,
  requireRecord,
  requireString,
  stringList,
} from '../../../functions/core/normalize/read.ts';

describe('isRecord', () => {
  it.each([
    ['an object', {}, true],
    ['null', null, false],
    ['an array', [], false],
    ['a string', 'x', false],
    ['a number', 1, false],
  ])('%s → %s', (_label, value, expected) => {
    // Prepare: nothing beyond the value

    // Act
    const result = isRecord(value);

    // Assess
    expect(result).toBe(expected);
  });
});

describe('optional readers', () => {
  it.each([
    ['a string', 'abc', 'abc'],
    ['an empty string', '', undefined],
    ['an integer', 5, '5'],
    ['a float', 8.5, '8.5'],
    ['NaN', Number.NaN, undefined],
    ['Infinity', Number.POSITIVE_INFINITY, undefined],
    ['a boolean', false, 'false'],
    ['null', null, undefined],
    ['an object', { a: 1 }, undefined],
    ['an array', ['a'], undefined],
  ])('optString of %s', (_label, value, expected) => {
    // Prepare: nothing beyond the value

    // Act
    const result = optString(value);

    // Assess
    expect(result).toBe(expected);
  });

  it.each([
    ['a number', 8, 8],
    ['a float', 6.95, 6.95],
    ['a numeric string "8.0"', '8.0', 8],
    ['a padded numeric string', ' 7 ', 7],
    ['a negative string', '-1', -1],
    ['an empty string', '', undefined],
    ['blanks', '   ', undefined],
    ['text', 'High', undefined],
    ['NaN', Number.NaN, undefined],
    ['"Infinity"', 'Infinity', undefined],
    ['null', null, undefined],
    ['a boolean', true, undefined],
    ['a fraction without a leading digit', '.5', 0.5],
    ['an exponent', '1e3', 1000],
    ['a hexadecimal string', '0x10', undefined],
    ['an octal string', '0o17', undefined],
    ['a binary string', '0b11', undefined],
    ['"-Infinity"', '-Infinity', undefined],
    ['a string past the double range', '1e999', undefined],
    ['digits with inner blanks', '1 000', undefined],
  ])('optNumber of %s', (_label, value, expected) => {
    // Prepare: nothing beyond the value

    // Act
    const result = optNumber(value);

    // Assess
    expect(result).toBe(expected);
  });

  it.each([
    ['an integer', 5, 5],
    ['a fraction (truncated)', 1.9, 1],
    ['a negative fraction (truncated toward zero)', -1.9, -1],
    ['a numeric string', '5', 5],
    ['"-1" (GuardDuty placeholder asn)', '-1', -1],
    ['text', 'five', undefined],
  ])('optInt of %s', (_label, value, expected) => {
    // Prepare: nothing beyond the value

    // Act
    const result = optInt(value);

    // Assess
    expect(result).toBe(expected);
  });

  it.each([
    [true, true],
    [false, false],
    ['true', true],
    ['false', false],
    ['TRUE', undefined],
    ['yes', undefined],
    [1, undefined],
    [null, undefined],
  ])('optBoolean of %j', (value, expected) => {
    // Prepare: nothing beyond the value

    // Act
    const result = optBoolean(value);

    // Assess
    expect(result).toBe(expected);
  });

  it('optRecord and optArray keep only their own type', () => {
    // Prepare
    const record = { a: 1 };
    const list = [1, 2];

    // Act
    const results = [optRecord(record), optRecord(list), optRecord(null), optArray(list), optArray(record)];

    // Assess
    expect(results).toEqual([record, undefined, undefined, list, undefined]);
  });

  it('stringList keeps the string-able items and wraps a lone string', () => {
    // Prepare
    const mixed = ['a', '', 3, null, { b: 1 }, true];

    // Act
    const fromList = stringList(mixed);
    const fromString = stringList('10.0.0.1');
    const fromEmpty = stringList('');
    const fromObject = stringList({ a: 'b' });

    // Assess
    expect(fromList).toEqual(['a', '3', 'true']);
    expect(fromString).toEqual(['10.0.0.1']);
    expect(fromEmpty).toEqual([]);
    expect(fromObject).toEqual([]);
  });

  it('recordList keeps only the objects of an array', () => {
    // Prepare
    const mixed = [{ key: 'Name' }, null, 'x', [{ nested: true }], { key: 'Env' }];

    // Act
    const result = recordList(mixed);
    const notAList = recordList({ key: 'Name' });

    // Assess
    expect(result).toEqual([{ key: 'Name' }, { key: 'Env' }]);
    expect(notAList).toEqual([]);
  });
});

describe('required readers', () => {
  it('requireString returns the value, turning numbers into strings', () => {
    // Prepare
    const record = { id: 'abc', count: 12 };

    // Act
    const id = requireString(record, 'id', 'detail');
    const count = requireString(record, 'count', 'detail');

    // Assess
    expect(id).toBe('abc');
    expect(count).toBe('12');
  });

  it.each([
    ['absent', {}, 'missing_field', 'detail.id: is required'],
    ['null', { id: null }, 'missing_field', 'detail.id: is required'],
    ['empty', { id: '' }, 'invalid_field', 'detail.id: must be a non-empty string'],
    ['an object', { id: { value: 'x' } }, 'invalid_field', 'detail.id: must be a non-empty string'],
    ['an array', { id: ['x'] }, 'invalid_field', 'detail.id: must be a non-empty string'],
  ])('requireString throws a FieldError when the field is %s', (_label, record, reason, message) => {
    // Prepare
    let caught: unknown;

    // Act
    try {
      requireString(record, 'id', 'detail');
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(FieldError);
    expect(caught).toMatchObject({ reason, path: 'detail.id', message, name: 'FieldError' });
  });

  it('requireRecord returns the object, or throws missing_field / invalid_field', () => {
    // Prepare
    const record = { resource: { resourceType: 'Instance' }, text: 'Instance', nothing: null };

    // Act
    const found = requireRecord(record, 'resource', 'detail');
    const wrongType = () => requireRecord(record, 'text', 'detail');
    const isNull = () => requireRecord(record, 'nothing', 'detail');
    const absent = () => requireRecord(record, 'absent', 'detail');

    // Assess
    expect(found).toEqual({ resourceType: 'Instance' });
    expect(wrongType).toThrowError(expect.objectContaining({ reason: 'invalid_field', path: 'detail.text' }));
    expect(isNull).toThrowError(expect.objectContaining({ reason: 'missing_field', path: 'detail.nothing' }));
    expect(absent).toThrowError(expect.objectContaining({ reason: 'missing_field', path: 'detail.absent' }));
  });

  it('FieldError is a named RiposteError (Step Functions match on the name)', () => {
    // Prepare
    const error = new FieldError('invalid_field', 'detail.severity', 'must be a number');

    // Act
    const { name, message, reason, path } = error;

    // Assess
    expect(error).toBeInstanceOf(RiposteError);
    expect({ name, message, reason, path }).toEqual({
      name: 'FieldError',
      message: 'detail.severity: must be a number',
      reason: 'invalid_field',
      path: 'detail.severity',
    });
  });
});

describe('compact', () => {
  it('returns a copy without the undefined members, keeping null, 0, "" and false', () => {
    // Prepare
    const value: Record<string, unknown> = { a: undefined, b: null, c: 0, d: '', e: false, f: 'x' };

    // Act
    const result = compact(value);

    // Assess
    expect(Object.keys(result)).toEqual(['b', 'c', 'd', 'e', 'f']);
    expect(result).toEqual({ b: null, c: 0, d: '', e: false, f: 'x' });
    expect(Object.keys(value)).toHaveLength(6);
  });

  it('keeps a member named "__proto__" as data, without changing the prototype', () => {
    // Prepare
    const value: unknown = JSON.parse('{"__proto__":{"injected":true},"a":1}');
    if (!isRecord(value)) throw new Error('test input is not an object');

    // Act
    const result = compact(value);

    // Assess
    expect(Object.keys(result)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(JSON.stringify(result)).toBe('{"__proto__":{"injected":true},"a":1}');
  });
});

describe('MappedPaths', () => {
  it('omits what the same list of paths omits', () => {
    // Prepare
    const source = { a: 1, b: { c: 2, d: 3 }, e: { f: { g: 4, h: 5 } } };
    const paths = ['a', 'b.c', 'e.f.g'];

    // Act
    const compiled = omitPaths(source, new MappedPaths(paths));
    const listed = omitPaths(source, paths);

    // Assess
    expect(compiled).toEqual({ b: { d: 3 }, e: { f: { h: 5 } } });
    expect(compiled).toEqual(listed);
  });

  it('extends its paths, compiling each extension once and leaving itself unchanged', () => {
    // Prepare
    const source = { a: 1, b: { c: 2, d: 3 } };
    const mapped = new MappedPaths(['a']);

    // Act
    const extended = mapped.with(['b.c']);
    const again = mapped.with(['b.c']);
    const same = mapped.with([]);

    // Assess
    expect(omitPaths(source, extended)).toEqual({ b: { d: 3 } });
    expect(omitPaths(source, mapped)).toEqual({ b: { c: 2, d: 3 } });
    expect(again).toBe(extended);
    expect(same).toBe(mapped);
    expect(extended.paths).toEqual(['a', 'b.c']);
  });
});

describe('omitPaths', () => {
  it('follows its documented example', () => {
    // Prepare
    const source = { a: 1, b: { c: 2, d: 3 } };

    // Act
    const result = omitPaths(source, ['a', 'b.c']);

    // Assess
    expect(result).toEqual({ b: { d: 3 } });
  });

  it('leaves the source untouched and shares the subtrees it does not change', () => {
    // Prepare
    const untouched = { deep: { keep: true } };
    const source = { a: 1, b: { c: 2, d: 3 }, other: untouched };
    const before = structuredClone(source);

    // Act
    const result = omitPaths(source, ['b.c']);

    // Assess
    expect(source).toEqual(before);
    expect(result?.other).toBe(untouched);
    expect(result?.b).not.toBe(source.b);
    expect(result).toEqual({ a: 1, b: { d: 3 }, other: { deep: { keep: true } } });
  });

  it('drops a parent whose every child was omitted, and returns undefined when nothing is left', () => {
    // Prepare
    const source = { id: 'x', service: { count: 1, archived: false } };

    // Act
    const partial = omitPaths(source, ['service.count', 'service.archived']);
    const nothing = omitPaths(source, ['id', 'service']);

    // Assess
    expect(partial).toEqual({ id: 'x' });
    expect(nothing).toBeUndefined();
  });

  it('omits a whole subtree whether the parent path comes before or after its children', () => {
    // Prepare
    const source = { resource: { type: 'Instance', details: { id: 'i-1' } }, keep: 1 };

    // Act
    const parentFirst = omitPaths(source, ['resource', 'resource.type']);
    const parentLast = omitPaths(source, ['resource.type', 'resource']);

    // Assess
    expect(parentFirst).toEqual({ keep: 1 });
    expect(parentLast).toEqual({ keep: 1 });
  });

  it('ignores paths that do not exist or run through non-objects', () => {
    // Prepare
    const source = { list: [{ a: 1 }], text: 'abc', n: 5 };

    // Act
    const result = omitPaths(source, ['missing', 'list.a', 'text.length', 'n.x.y']);

    // Assess
    expect(result).toEqual({ list: [{ a: 1 }], text: 'abc', n: 5 });
  });

  it('drops top-level null and undefined members', () => {
    // Prepare
    const source = { a: null, b: undefined, c: 0, d: false };

    // Act
    const result = omitPaths(source, []);

    // Assess
    expect(result).toEqual({ c: 0, d: false });
    expect(Object.keys(result ?? {})).toEqual(['c', 'd']);
  });

  // Fixed (read.ts setMember): a JSON member named "__proto__" (JSON.parse makes it an own
  // property) used to go through the __proto__ setter, vanishing from `unmapped`.
  it('keeps a member named "__proto__" as data', () => {
    // Prepare
    const source: unknown = JSON.parse('{"a":1,"__proto__":{"injected":true}}');
    if (!isRecord(source)) throw new Error('test input is not an object');

    // Act
    const result = omitPaths(source, ['a']);

    // Assess
    expect(result).toBeDefined();
    expect(Object.keys(result ?? {})).toEqual(['__proto__']);
    expect(JSON.stringify(result)).toBe('{"__proto__":{"injected":true}}');
  });

  it('keeps a nested "__proto__" member whose subtree loses a key', () => {
    // Prepare
    const source: unknown = JSON.parse('{"__proto__":{"a":1,"b":2}}');
    if (!isRecord(source)) throw new Error('test input is not an object');

    // Act
    const result = omitPaths(source, ['__proto__.a']);

    // Assess
    expect(JSON.stringify(result)).toBe('{"__proto__":{"b":2}}');
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
  });
});

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { WorldApiError } from '../errors.ts';
import type { Ec2World, Instance, Params } from './world.ts';

/** Helpers every EC2 world handler shares: parameters, filters, tags, pages, ids. */

export function parse<S extends z.ZodType>(api: string, schema: S, params: Params): z.infer<S> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const where = first?.path.join('.') ?? '';
  const missing = first?.code === 'invalid_type' && first.message.includes('undefined');
  throw new WorldApiError(
    missing ? 'MissingParameter' : 'InvalidParameterValue',
    `${api}: invalid ${where}: ${first?.message ?? 'invalid request'}`,
  );
}

export const FiltersSchema = z
  .array(z.object({ Name: z.string(), Values: z.array(z.string()).default([]) }))
  .optional();
export type Filters = z.infer<typeof FiltersSchema>;
export const TagListSchema = z
  .array(z.object({ Key: z.string(), Value: z.string().default('') }))
  .default([]);
export const TagSpecificationsSchema = z
  .array(z.object({ ResourceType: z.string().optional(), Tags: TagListSchema }))
  .default([]);

export function tagList(tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function tagsFromSpecifications(
  api: string,
  resourceType: string,
  specifications: z.infer<typeof TagSpecificationsSchema>,
): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const specification of specifications) {
    if (specification.ResourceType !== resourceType) {
      throw new WorldApiError(
        'InvalidParameterValue',
        `${api}: '${specification.ResourceType ?? ''}' is not a valid taggable resource type for this operation.`,
      );
    }
    for (const tag of specification.Tags) tags[tag.Key] = tag.Value;
  }
  return tags;
}

export function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

/**
 * Keeps the items matching every filter: a filter matches when one of its values (with `*` and
 * `?` wildcards) equals one of the item's values for that name. `values` returns undefined for
 * a filter name the resource does not support, which AWS rejects.
 */
export function applyFilters<T>(
  items: readonly T[],
  filters: Filters,
  values: (item: T, name: string) => readonly string[] | undefined,
  tags: (item: T) => Readonly<Record<string, string>>,
): T[] {
  if (filters === undefined || filters.length === 0) return [...items];
  return items.filter((item) =>
    filters.every((filter) => {
      let actual: readonly string[] | undefined;
      if (filter.Name.startsWith('tag:')) {
        const value = tags(item)[filter.Name.slice(4)];
        actual = value === undefined ? [] : [value];
      } else if (filter.Name === 'tag-key') {
        actual = Object.keys(tags(item));
      } else {
        actual = values(item, filter.Name);
      }
      if (actual === undefined) {
        throw new WorldApiError('InvalidParameterValue', `The filter '${filter.Name}' is invalid`);
      }
      const patterns = filter.Values.map(globToRegExp);
      return actual.some((value) => patterns.some((p) => p.test(value)));
    }),
  );
}

/** One page of `items` from an index token, AWS-style (`NextToken` absent on the last page). */
export function paginate<T>(
  items: readonly T[],
  token: string | undefined,
  size: number | undefined,
): [T[], string | undefined] {
  const start = token === undefined ? 0 : Number.parseInt(token, 10);
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw new WorldApiError('InvalidParameterValue', `Invalid pagination token: ${token ?? ''}`);
  }
  const end = size === undefined ? items.length : Math.min(items.length, start + size);
  return [items.slice(start, end), end < items.length ? String(end) : undefined];
}

export function nextId(state: Ec2World, prefix: string): string {
  state.sequence += 1;
  return `${prefix}-riposte${state.sequence.toString(16).padStart(8, '0')}`;
}

export function nextActivityId(state: Ec2World): string {
  state.sequence += 1;
  return `00000000-0000-4000-8000-${state.sequence.toString(16).padStart(12, '0')}`;
}

export function digest(value: string, length: number): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

export function knownVpcs(state: Ec2World): Set<string> {
  return new Set([
    ...state.instances.map((i) => i.vpcId),
    ...state.networkInterfaces.map((e) => e.vpcId),
    ...state.securityGroups.map((g) => g.vpcId),
    ...state.targetGroups.map((t) => t.vpcId),
  ]);
}

export function zoneOf(state: Ec2World, instance: Instance): string {
  return instance.availabilityZone ?? `${state.region}a`;
}

export function notFoundList(code: string, noun: string, ids: readonly string[]): WorldApiError {
  const quoted = ids.map((id) => `'${id}'`).join(', ');
  return ids.length === 1
    ? new WorldApiError(code, `The ${noun} ${quoted} does not exist`)
    : new WorldApiError(code, `The ${noun}s ${quoted} do not exist`);
}

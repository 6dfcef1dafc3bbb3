import { z } from 'zod';
import { WorldApiError } from '../errors.ts';
import { findAddressByAllocation } from './addresses.ts';
import { findGroup, findInstance, findNetworkInterface, findVolume } from './lookups.ts';
import { parse } from './shared.ts';
import type { Ec2World, Output, Params } from './world.ts';

/** CreateTags and DeleteTags on any taggable EC2 resource of the world. */

export function taggable(state: Ec2World, id: string): { tags: Record<string, string> } {
  const found = (() => {
    if (id.startsWith('i-')) return findInstance(state, id);
    if (id.startsWith('eni-')) return findNetworkInterface(state, id);
    if (id.startsWith('sg-')) return findGroup(state, id);
    if (id.startsWith('vol-')) return findVolume(state, id);
    if (id.startsWith('eipalloc-')) return findAddressByAllocation(state, id);
    if (id.startsWith('snap-')) {
      const snapshot = state.snapshots.find((s) => s.snapshotId === id);
      if (snapshot === undefined)
        throw new WorldApiError('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
      return snapshot;
    }
    throw new WorldApiError('InvalidID', `The ID '${id}' is not valid`);
  })();
  return found;
}

export function createTags(state: Ec2World, params: Params): Output {
  const input = parse(
    'CreateTags',
    z.object({
      Resources: z.array(z.string()).min(1),
      Tags: z.array(z.object({ Key: z.string(), Value: z.string().default('') })),
    }),
    params,
  );
  // Validate every resource first: AWS applies all or nothing.
  const resources = input.Resources.map((id) => taggable(state, id));
  for (const resource of resources) {
    for (const tag of input.Tags) resource.tags[tag.Key] = tag.Value;
  }
  return {};
}

export function deleteTags(state: Ec2World, params: Params): Output {
  const input = parse(
    'DeleteTags',
    z.object({
      Resources: z.array(z.string()).min(1),
      Tags: z.array(z.object({ Key: z.string(), Value: z.string().optional() })).optional(),
    }),
    params,
  );
  const resources = input.Resources.map((id) => taggable(state, id));
  for (const resource of resources) {
    if (input.Tags === undefined) {
      for (const key of Object.keys(resource.tags)) delete resource.tags[key];
      continue;
    }
    for (const tag of input.Tags) {
      if (tag.Value === undefined || resource.tags[tag.Key] === tag.Value) delete resource.tags[tag.Key];
    }
  }
  return {};
}

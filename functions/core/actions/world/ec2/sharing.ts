import { z } from 'zod';
import { UnsupportedWorldCallError, WorldApiError } from '../errors.ts';
import { applyFilters, FiltersSchema, parse, tagList } from './shared.ts';
import type { Ec2World, Image, Output, Params, SharePermission, Snapshot } from './world.ts';

/**
 * Who may use a snapshot or an AMI: DescribeSnapshotAttribute / ModifySnapshotAttribute
 * (`createVolumePermission`), DescribeImages, DescribeImageAttribute / ModifyImageAttribute
 * (`launchPermission`), and the Region's block public access states
 * (GetSnapshotBlockPublicAccessState, GetImageBlockPublicAccessState).
 */

const PermissionListSchema = z
  .array(z.object({ Group: z.literal('all').optional(), UserId: z.string().optional() }))
  .optional();
const PermissionChangeSchema = z
  .object({ Add: PermissionListSchema, Remove: PermissionListSchema })
  .optional();

function findSnapshot(state: Ec2World, id: string): Snapshot {
  const snapshot = state.snapshots.find((s) => s.snapshotId === id);
  if (snapshot === undefined)
    throw new WorldApiError('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
  return snapshot;
}

function findImage(state: Ec2World, id: string): Image {
  const image = state.images.find((i) => i.imageId === id);
  if (image === undefined)
    throw new WorldApiError('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
  return image;
}

const permissionOut = (p: SharePermission): Output =>
  p.group === 'all' ? { Group: 'all' } : { UserId: p.userId };

function samePermission(a: SharePermission, b: SharePermission): boolean {
  return a.group === b.group && a.userId === b.userId;
}

/**
 * The permissions after a change: `Remove` first, then `Add` (a permission named twice is kept
 * once), from the structured form (`CreateVolumePermission`/`LaunchPermission`) or the flat one
 * (`OperationType` with `UserIds` and the group names).
 */
function changed(
  current: readonly SharePermission[],
  change: z.infer<typeof PermissionChangeSchema>,
  flat: { operation?: string | undefined; userIds?: string[] | undefined; groups?: string[] | undefined },
): SharePermission[] {
  const toPermission = (p: { Group?: 'all' | undefined; UserId?: string | undefined }): SharePermission =>
    p.Group === 'all' ? { group: 'all' } : { userId: p.UserId ?? '' };
  const flatList = [
    ...(flat.groups ?? []).map((g) => {
      if (g !== 'all') throw new WorldApiError('InvalidParameterValue', `Invalid group name: ${g}`);
      return { group: 'all' as const };
    }),
    ...(flat.userIds ?? []).map((userId) => ({ userId })),
  ];
  const add = [...(change?.Add ?? []).map(toPermission), ...(flat.operation === 'add' ? flatList : [])];
  const remove = [
    ...(change?.Remove ?? []).map(toPermission),
    ...(flat.operation === 'remove' ? flatList : []),
  ];
  if (add.length + remove.length === 0)
    throw new WorldApiError('MissingParameter', 'No permission to add or remove');
  const kept = current.filter((p) => !remove.some((r) => samePermission(p, r)));
  return [...kept, ...add.filter((a) => !kept.some((p) => samePermission(p, a)))];
}

export function describeSnapshotAttribute(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeSnapshotAttribute',
    z.object({ SnapshotId: z.string(), Attribute: z.string() }),
    params,
  );
  if (input.Attribute !== 'createVolumePermission') {
    throw new UnsupportedWorldCallError('ec2', `DescribeSnapshotAttribute(${input.Attribute})`);
  }
  const snapshot = findSnapshot(state, input.SnapshotId);
  return {
    SnapshotId: snapshot.snapshotId,
    CreateVolumePermissions: snapshot.createVolumePermissions.map(permissionOut),
  };
}

export function modifySnapshotAttribute(state: Ec2World, params: Params): Output {
  const input = parse(
    'ModifySnapshotAttribute',
    z.object({
      SnapshotId: z.string(),
      Attribute: z.literal('createVolumePermission').optional(),
      OperationType: z.enum(['add', 'remove']).optional(),
      CreateVolumePermission: PermissionChangeSchema,
      UserIds: z.array(z.string()).optional(),
      GroupNames: z.array(z.string()).optional(),
    }),
    params,
  );
  const snapshot = findSnapshot(state, input.SnapshotId);
  snapshot.createVolumePermissions = changed(snapshot.createVolumePermissions, input.CreateVolumePermission, {
    operation: input.OperationType,
    userIds: input.UserIds,
    groups: input.GroupNames,
  });
  return {};
}

export function describeImages(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeImages',
    z.object({
      ImageIds: z.array(z.string()).optional(),
      Owners: z.array(z.string()).optional(),
      Filters: FiltersSchema,
    }),
    params,
  );
  const ids = input.ImageIds ?? [];
  let selected = ids.length === 0 ? state.images : ids.map((id) => findImage(state, id));
  const owners = input.Owners ?? [];
  if (owners.length > 0 && !owners.some((o) => o === 'self' || o === state.accountId)) selected = [];
  const filtered = applyFilters(
    selected,
    input.Filters,
    (image, name) => {
      if (name === 'image-id') return [image.imageId];
      if (name === 'name') return [image.name];
      if (name === 'is-public') return [String(image.launchPermissions.some((p) => p.group === 'all'))];
      return undefined;
    },
    (image) => image.tags,
  );
  return {
    Images: filtered.map((image) => ({
      ImageId: image.imageId,
      Name: image.name,
      Description: image.description,
      State: image.state,
      CreationDate: image.creationDate,
      OwnerId: state.accountId,
      Public: image.launchPermissions.some((p) => p.group === 'all'),
      ...(Object.keys(image.tags).length === 0 ? {} : { Tags: tagList(image.tags) }),
    })),
  };
}

export function describeImageAttribute(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeImageAttribute',
    z.object({ ImageId: z.string(), Attribute: z.string() }),
    params,
  );
  if (input.Attribute !== 'launchPermission') {
    throw new UnsupportedWorldCallError('ec2', `DescribeImageAttribute(${input.Attribute})`);
  }
  const image = findImage(state, input.ImageId);
  return { ImageId: image.imageId, LaunchPermissions: image.launchPermissions.map(permissionOut) };
}

export function modifyImageAttribute(state: Ec2World, params: Params): Output {
  const input = parse(
    'ModifyImageAttribute',
    z.object({
      ImageId: z.string(),
      Attribute: z.literal('launchPermission').optional(),
      OperationType: z.enum(['add', 'remove']).optional(),
      LaunchPermission: PermissionChangeSchema,
      UserIds: z.array(z.string()).optional(),
      UserGroups: z.array(z.string()).optional(),
    }),
    params,
  );
  const image = findImage(state, input.ImageId);
  image.launchPermissions = changed(image.launchPermissions, input.LaunchPermission, {
    operation: input.OperationType,
    userIds: input.UserIds,
    groups: input.UserGroups,
  });
  return {};
}

function unauthorized(api: string): WorldApiError {
  return new WorldApiError(
    'UnauthorizedOperation',
    `You are not authorized to perform this operation (${api}).`,
  );
}

export function getSnapshotBlockPublicAccessState(state: Ec2World): Output {
  if (state.snapshotBlockPublicAccess === 'unauthorized')
    throw unauthorized('GetSnapshotBlockPublicAccessState');
  return { State: state.snapshotBlockPublicAccess };
}

export function getImageBlockPublicAccessState(state: Ec2World): Output {
  if (state.imageBlockPublicAccess === 'unauthorized') throw unauthorized('GetImageBlockPublicAccessState');
  return { ImageBlockPublicAccessState: state.imageBlockPublicAccess };
}

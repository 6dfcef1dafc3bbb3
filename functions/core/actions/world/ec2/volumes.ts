import { z } from 'zod';
import { WorldApiError } from '../errors.ts';
import { findVolume } from './lookups.ts';
import {
  applyFilters,
  FiltersSchema,
  nextId,
  paginate,
  parse,
  TagSpecificationsSchema,
  tagList,
  tagsFromSpecifications,
  zoneOf,
} from './shared.ts';
import type { Ec2World, Instance, Output, Params, Snapshot, Volume } from './world.ts';

/** Volumes and snapshots: DescribeVolumes, CreateSnapshot, DescribeSnapshots. */

export function volumeAttachment(
  state: Ec2World,
  volumeId: string,
): { instance: Instance; deviceName: string; deleteOnTermination: boolean } | undefined {
  for (const instance of state.instances) {
    const device = instance.blockDevices.find((d) => d.volumeId === volumeId);
    if (device !== undefined)
      return { instance, deviceName: device.deviceName, deleteOnTermination: device.deleteOnTermination };
  }
  return undefined;
}

export function describeVolume(state: Ec2World, volume: Volume): Output {
  const attachment = volumeAttachment(state, volume.volumeId);
  return {
    VolumeId: volume.volumeId,
    Size: volume.size,
    VolumeType: volume.volumeType,
    AvailabilityZone:
      volume.availabilityZone ??
      (attachment === undefined ? `${state.region}a` : zoneOf(state, attachment.instance)),
    State: attachment === undefined ? 'available' : 'in-use',
    Encrypted: volume.encrypted,
    ...(volume.kmsKeyId === undefined ? {} : { KmsKeyId: volume.kmsKeyId }),
    ...(volume.snapshotId === undefined ? {} : { SnapshotId: volume.snapshotId }),
    CreateTime: new Date(volume.createTime),
    MultiAttachEnabled: false,
    Attachments:
      attachment === undefined
        ? []
        : [
            {
              VolumeId: volume.volumeId,
              InstanceId: attachment.instance.instanceId,
              Device: attachment.deviceName,
              State: 'attached',
              AttachTime: new Date(attachment.instance.launchTime),
              DeleteOnTermination: attachment.deleteOnTermination,
            },
          ],
    ...(Object.keys(volume.tags).length === 0 ? {} : { Tags: tagList(volume.tags) }),
  };
}

export function describeSnapshot(state: Ec2World, snapshot: Snapshot): Output {
  return {
    SnapshotId: snapshot.snapshotId,
    VolumeId: snapshot.volumeId,
    State: snapshot.state,
    StartTime: new Date(snapshot.startTime),
    Progress: snapshot.state === 'completed' ? '100%' : '0%',
    OwnerId: state.accountId,
    Description: snapshot.description,
    VolumeSize: snapshot.volumeSize,
    Encrypted: snapshot.encrypted,
    StorageTier: 'standard',
    ...(Object.keys(snapshot.tags).length === 0 ? {} : { Tags: tagList(snapshot.tags) }),
  };
}

export function describeVolumes(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeVolumes',
    z.object({ VolumeIds: z.array(z.string()).optional(), Filters: FiltersSchema }),
    params,
  );
  const ids = input.VolumeIds ?? [];
  const selected = ids.length === 0 ? state.volumes : ids.map((id) => findVolume(state, id));
  const filtered = applyFilters(
    selected,
    input.Filters,
    (volume, name) => {
      const attachment = volumeAttachment(state, volume.volumeId);
      switch (name) {
        case 'volume-id':
          return [volume.volumeId];
        case 'attachment.instance-id':
          return attachment === undefined ? [] : [attachment.instance.instanceId];
        case 'attachment.device':
          return attachment === undefined ? [] : [attachment.deviceName];
        case 'attachment.delete-on-termination':
          return attachment === undefined ? [] : [String(attachment.deleteOnTermination)];
        case 'status':
          return [attachment === undefined ? 'available' : 'in-use'];
        case 'volume-type':
          return [volume.volumeType];
        case 'encrypted':
          return [String(volume.encrypted)];
        default:
          return undefined;
      }
    },
    (volume) => volume.tags,
  );
  return { Volumes: filtered.map((volume) => describeVolume(state, volume)) };
}

export function createSnapshot(state: Ec2World, params: Params): Output {
  const input = parse(
    'CreateSnapshot',
    z.object({
      VolumeId: z.string(),
      Description: z.string().optional(),
      TagSpecifications: TagSpecificationsSchema,
    }),
    params,
  );
  const volume = findVolume(state, input.VolumeId);
  const tags = tagsFromSpecifications('CreateSnapshot', 'snapshot', input.TagSpecifications);
  const snapshot: Snapshot = {
    snapshotId: nextId(state, 'snap'),
    volumeId: volume.volumeId,
    description: input.Description ?? '',
    startTime: new Date().toISOString(),
    // The world completes snapshots at once; the answer to CreateSnapshot says `pending` like AWS.
    state: 'completed',
    volumeSize: volume.size,
    encrypted: volume.encrypted,
    tags,
    createVolumePermissions: [],
  };
  state.snapshots.push(snapshot);
  return { ...describeSnapshot(state, snapshot), State: 'pending', Progress: '' };
}

export function describeSnapshots(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeSnapshots',
    z.object({
      SnapshotIds: z.array(z.string()).optional(),
      OwnerIds: z.array(z.string()).optional(),
      RestorableByUserIds: z.array(z.string()).optional(),
      Filters: FiltersSchema,
      MaxResults: z.number().int().min(5).max(1000).optional(),
      NextToken: z.string().optional(),
    }),
    params,
  );
  let selected = state.snapshots;
  const restorableBy = input.RestorableByUserIds ?? [];
  if (restorableBy.length > 0) {
    // `all`: public snapshots; an account id: those shared with it (or public).
    selected = selected.filter((s) =>
      s.createVolumePermissions.some(
        (p) => p.group === 'all' || (p.userId !== undefined && restorableBy.includes(p.userId)),
      ),
    );
  }
  const ids = input.SnapshotIds ?? [];
  if (ids.length > 0) {
    selected = ids.map((id) => {
      const snapshot = state.snapshots.find((s) => s.snapshotId === id);
      if (snapshot === undefined)
        throw new WorldApiError('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
      return snapshot;
    });
  }
  const owners = input.OwnerIds ?? [];
  if (owners.length > 0 && !owners.some((o) => o === 'self' || o === state.accountId)) selected = [];
  const filtered = applyFilters(
    selected,
    input.Filters,
    (snapshot, name) => {
      switch (name) {
        case 'snapshot-id':
          return [snapshot.snapshotId];
        case 'volume-id':
          return [snapshot.volumeId];
        case 'status':
          return [snapshot.state];
        case 'owner-id':
          return [state.accountId];
        case 'description':
          return [snapshot.description];
        case 'encrypted':
          return [String(snapshot.encrypted)];
        default:
          return undefined;
      }
    },
    (snapshot) => snapshot.tags,
  );
  const [page, next] = paginate(filtered, input.NextToken, input.MaxResults);
  return {
    Snapshots: page.map((snapshot) => describeSnapshot(state, snapshot)),
    ...(next === undefined ? {} : { NextToken: next }),
  };
}

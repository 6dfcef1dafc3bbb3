import { CreateSnapshotCommand, DescribeSnapshotsCommand, type Snapshot } from '@aws-sdk/client-ec2';
import type { ActionEnv } from '../../types.ts';
import type { IsolateInstanceOutput } from '../isolate-instance.ts';
import { INCIDENT_TAG } from '../shared/constants.ts';
import { collect } from '../shared/items.ts';
import type { VolumeState } from '../shared/schemas.ts';
import type { IsolationContext } from './context.ts';

type SnapshotOutput = IsolateInstanceOutput['snapshots'][number];

/**
 * Step "snapshots": `DescribeSnapshots` (this incident's), then `CreateSnapshot` of every volume
 * not yet done, tagged with the incident, account, region, time, instance and device.
 */
export async function snapshotVolumes(ctx: IsolationContext): Promise<IsolateInstanceOutput['snapshots']> {
  const { env, current, incidentId } = ctx;
  const snapshots: IsolateInstanceOutput['snapshots'] = [];
  if (current.volumes.length === 0) return snapshots;
  const existing = await incidentSnapshots(
    env,
    current.volumes.map((v) => v.volumeId),
    incidentId,
  );
  const capturedAt = new Date(env.now()).toISOString();
  for (const volume of current.volumes) {
    const done = existing.find((s) => s.VolumeId === volume.volumeId);
    if (done !== undefined) {
      snapshots.push({
        volumeId: volume.volumeId,
        snapshotId: done.SnapshotId ?? null,
        action: 'existing',
        error: null,
      });
      continue;
    }
    snapshots.push(await snapshotVolume(ctx, volume, capturedAt));
  }
  return snapshots;
}

/** `CreateSnapshot` of one volume; a failure is collected, not thrown. */
async function snapshotVolume(
  ctx: IsolationContext,
  volume: VolumeState,
  capturedAt: string,
): Promise<SnapshotOutput> {
  const { env, current, incidentId, instanceId } = ctx;
  const account = env.execution.account ?? current.account ?? 'unknown';
  try {
    const out = await env.clients.ec2.send(
      new CreateSnapshotCommand({
        VolumeId: volume.volumeId,
        Description: `Riposte evidence of ${instanceId} ${volume.deviceName} for incident ${incidentId}`,
        TagSpecifications: [
          {
            ResourceType: 'snapshot',
            Tags: [
              { Key: 'Name', Value: `riposte-${incidentId}-${volume.volumeId}` },
              { Key: INCIDENT_TAG, Value: incidentId },
              { Key: 'riposte:account', Value: account },
              { Key: 'riposte:region', Value: current.region },
              { Key: 'riposte:captured-at', Value: capturedAt },
              { Key: 'riposte:instance', Value: instanceId },
              { Key: 'riposte:device', Value: volume.deviceName },
            ],
          },
        ],
      }),
    );
    return { volumeId: volume.volumeId, snapshotId: out.SnapshotId ?? null, action: 'created', error: null };
  } catch (error) {
    const message = collect(ctx.failures, volume.volumeId, error);
    return { volumeId: volume.volumeId, snapshotId: null, action: 'failed', error: message };
  }
}

/** This incident's snapshots of `volumeIds` (every page). */
async function incidentSnapshots(
  env: ActionEnv,
  volumeIds: readonly string[],
  incidentId: string,
): Promise<Snapshot[]> {
  const found: Snapshot[] = [];
  let token: string | undefined;
  do {
    const out = await env.clients.ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [
          { Name: 'volume-id', Values: [...volumeIds] },
          { Name: `tag:${INCIDENT_TAG}`, Values: [incidentId] },
        ],
        ...(token === undefined ? {} : { NextToken: token }),
      }),
    );
    found.push(...(out.Snapshots ?? []).filter((s) => s.State !== 'error'));
    token = out.NextToken;
  } while (token !== undefined);
  return found;
}

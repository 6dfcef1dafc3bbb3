import { ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import type { ReleaseInstanceOutput } from '../release-instance.ts';
import type { ReleaseContext } from './context.ts';

/**
 * Step "termination settings": `ModifyInstanceAttribute` back to the saved termination
 * protection, shutdown behaviour and DeleteOnTermination, each only when it differs.
 */
export async function restoreTerminationSettings(
  ctx: ReleaseContext,
): Promise<ReleaseInstanceOutput['evidence']> {
  const { saved, current, instanceId } = ctx;
  const { ec2 } = ctx.env.clients;
  const evidence: ReleaseInstanceOutput['evidence'] = {
    terminationProtection: 'unchanged',
    shutdownBehavior: 'unchanged',
    deleteOnTerminationRestored: [],
  };
  if (current.disableApiTermination !== saved.disableApiTermination) {
    await ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: instanceId,
        DisableApiTermination: { Value: saved.disableApiTermination },
      }),
    );
    evidence.terminationProtection = 'restored';
  }
  if (current.shutdownBehavior !== saved.shutdownBehavior) {
    await ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: instanceId,
        InstanceInitiatedShutdownBehavior: { Value: saved.shutdownBehavior },
      }),
    );
    evidence.shutdownBehavior = 'restored';
  }
  const changed = saved.volumes.filter((original) => {
    const now = current.volumes.find((v) => v.volumeId === original.volumeId);
    return now !== undefined && now.deleteOnTermination !== original.deleteOnTermination;
  });
  if (changed.length > 0) {
    await ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: instanceId,
        BlockDeviceMappings: changed.map((v) => ({
          DeviceName: v.deviceName,
          Ebs: { DeleteOnTermination: v.deleteOnTermination },
        })),
      }),
    );
    evidence.deleteOnTerminationRestored = changed.map((v) => v.volumeId);
  }
  return evidence;
}

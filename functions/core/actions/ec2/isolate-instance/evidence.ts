import { ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import type { IsolateInstanceOutput } from '../isolate-instance.ts';
import type { IsolationContext } from './context.ts';

/**
 * Step "evidence": `ModifyInstanceAttribute` DisableApiTermination=true,
 * InstanceInitiatedShutdownBehavior=stop, BlockDeviceMappings DeleteOnTermination=false, each
 * only when not already so.
 */
export async function preserveEvidence(ctx: IsolationContext): Promise<IsolateInstanceOutput['evidence']> {
  const { current, instanceId } = ctx;
  const { ec2 } = ctx.env.clients;
  const evidence: IsolateInstanceOutput['evidence'] = {
    terminationProtection: current.disableApiTermination ? 'already-enabled' : 'enabled',
    shutdownBehavior: current.shutdownBehavior === 'stop' ? 'already-stop' : 'set-to-stop',
    deleteOnTerminationDisabled: [],
  };
  if (!current.disableApiTermination) {
    await ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: instanceId,
        DisableApiTermination: { Value: true },
      }),
    );
  }
  if (current.shutdownBehavior !== 'stop') {
    await ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: instanceId,
        InstanceInitiatedShutdownBehavior: { Value: 'stop' },
      }),
    );
  }
  const deletable = current.volumes.filter((v) => v.deleteOnTermination);
  if (deletable.length > 0) {
    await ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: instanceId,
        BlockDeviceMappings: deletable.map((v) => ({
          DeviceName: v.deviceName,
          Ebs: { DeleteOnTermination: false },
        })),
      }),
    );
    evidence.deleteOnTerminationDisabled = deletable.map((v) => v.volumeId);
  }
  return evidence;
}

import { AttachInstancesCommand, ExitStandbyCommand } from '@aws-sdk/client-auto-scaling';
import type { ReleaseInstanceOutput } from '../release-instance.ts';
import { collect } from '../shared/items.ts';
import type { ReleaseContext } from './context.ts';

/**
 * Step "rejoin the Auto Scaling group": `ExitStandby` when in standby in the saved group,
 * `AttachInstances` when in no group; an instance now in another group is left as is.
 */
export async function rejoinAutoScalingGroup(
  ctx: ReleaseContext,
): Promise<ReleaseInstanceOutput['autoScaling']> {
  if (ctx.saved.autoScalingGroup === null) return null;
  const { autoScaling } = ctx.env.clients;
  const groupName = ctx.saved.autoScalingGroup.groupName;
  const ids = { AutoScalingGroupName: groupName, InstanceIds: [ctx.instanceId] };
  const now = ctx.current.autoScalingGroup;
  try {
    if (
      now?.groupName === groupName &&
      (now.lifecycleState === 'Standby' || now.lifecycleState === 'EnteringStandby')
    ) {
      await autoScaling.send(new ExitStandbyCommand(ids));
      return { groupName, action: 'exited-standby', error: null };
    }
    if (now === null) {
      await autoScaling.send(new AttachInstancesCommand(ids));
      ctx.notes.push(`re-attaching to ${groupName} raised its desired capacity by one`);
      return { groupName, action: 'attached', error: null };
    }
    if (now.groupName === groupName) return { groupName, action: 'unchanged', error: null };
    throw new Error(`the instance is now in another Auto Scaling group (${now.groupName}); left as is`);
  } catch (error) {
    const message = collect(ctx.failures, groupName, error);
    return { groupName, action: 'failed', error: message };
  }
}

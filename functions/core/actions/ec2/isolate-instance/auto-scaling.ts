import { DetachInstancesCommand, EnterStandbyCommand } from '@aws-sdk/client-auto-scaling';
import { hasErrorCode } from '../../errors.ts';
import type { IsolateInstanceOutput } from '../isolate-instance.ts';
import { describeError } from '../shared/items.ts';
import type { IsolationContext } from './context.ts';

type AutoScalingOutput = NonNullable<IsolateInstanceOutput['autoScaling']>;

/**
 * Step "leave the Auto Scaling group", before any security-group change: `EnterStandby`
 * (ShouldDecrementDesiredCapacity=true), or `DetachInstances` when standby is refused
 * (`ValidationError`) or the lifecycle state cannot enter it; nothing when already in standby.
 */
export async function leaveAutoScalingGroup(ctx: IsolationContext): Promise<AutoScalingOutput | null> {
  const group = ctx.current.autoScalingGroup;
  if (group === null) return null;
  const { autoScaling } = ctx.env.clients;
  const ids = { AutoScalingGroupName: group.groupName, InstanceIds: [ctx.instanceId] };
  const canDecrement =
    group.desiredCapacity !== null && group.minSize !== null && group.desiredCapacity - 1 >= group.minSize;
  const detach = async (note: string | null): Promise<AutoScalingOutput> => {
    await autoScaling.send(
      new DetachInstancesCommand({ ...ids, ShouldDecrementDesiredCapacity: canDecrement }),
    );
    return {
      groupName: group.groupName,
      action: 'detached',
      desiredCapacityDecremented: canDecrement,
      replacementExpected: !canDecrement,
      note,
    };
  };
  if (group.lifecycleState === 'Standby' || group.lifecycleState === 'EnteringStandby') {
    return {
      groupName: group.groupName,
      action: 'already-standby',
      desiredCapacityDecremented: false,
      replacementExpected: false,
      note: null,
    };
  }
  if (group.lifecycleState !== 'InService') {
    return detach(`lifecycle state ${group.lifecycleState} cannot enter standby: detached`);
  }
  try {
    await autoScaling.send(new EnterStandbyCommand({ ...ids, ShouldDecrementDesiredCapacity: true }));
    return {
      groupName: group.groupName,
      action: 'entered-standby',
      desiredCapacityDecremented: true,
      replacementExpected: false,
      note: 'a standby instance is still billed',
    };
  } catch (error) {
    if (!hasErrorCode(error, 'ValidationError')) throw error;
    return detach(`standby refused (${describeError(error)}): detached instead`);
  }
}

import { DeregisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { IsolateInstanceOutput } from '../isolate-instance.ts';
import { targetDescription } from '../shared/items.ts';
import type { IsolationContext } from './context.ts';

/** Step "deregister targets": `DeregisterTargets` on every target group the instance is in (with ports). */
export async function deregisterTargets(
  ctx: IsolationContext,
): Promise<IsolateInstanceOutput['targetGroups']> {
  const targetGroups: IsolateInstanceOutput['targetGroups'] = [];
  for (const membership of ctx.current.targetGroups) {
    await ctx.env.clients.elbv2.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: membership.targetGroupArn,
        Targets: membership.targets.map(targetDescription),
      }),
    );
    targetGroups.push({ targetGroupArn: membership.targetGroupArn, deregistered: membership.targets });
  }
  return targetGroups;
}

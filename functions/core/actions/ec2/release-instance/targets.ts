import { RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ReleaseInstanceOutput } from '../release-instance.ts';
import { collect, sameTarget, targetDescription } from '../shared/items.ts';
import type { ReleaseContext } from './context.ts';

/** Step "register targets": `RegisterTargets` (with their ports) of the saved targets not registered now. */
export async function registerTargets(ctx: ReleaseContext): Promise<ReleaseInstanceOutput['targetGroups']> {
  const targetGroups: ReleaseInstanceOutput['targetGroups'] = [];
  for (const membership of ctx.saved.targetGroups) {
    const registered =
      ctx.current.targetGroups.find((t) => t.targetGroupArn === membership.targetGroupArn)?.targets ?? [];
    const missing = membership.targets.filter((t) => !registered.some((r) => sameTarget(r, t)));
    const result = { targetGroupArn: membership.targetGroupArn, registered: missing };
    if (missing.length === 0) {
      targetGroups.push({ ...result, action: 'unchanged', error: null });
      continue;
    }
    try {
      await ctx.env.clients.elbv2.send(
        new RegisterTargetsCommand({
          TargetGroupArn: membership.targetGroupArn,
          Targets: missing.map(targetDescription),
        }),
      );
      targetGroups.push({ ...result, action: 'registered', error: null });
    } catch (error) {
      const message = collect(ctx.failures, membership.targetGroupArn, error);
      targetGroups.push({ ...result, action: 'failed', error: message });
    }
  }
  return targetGroups;
}

import { ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { AwsAccessDeniedError, isTransientAwsError } from '../../errors.ts';
import type { IsolateInstanceOutput } from '../isolate-instance.ts';
import { collect, describeError, sameGroupSet } from '../shared/items.ts';
import type { NetworkInterfaceState } from '../shared/schemas.ts';
import type { IsolationContext } from './context.ts';
import { ensureGroupPair, type GroupPair } from './group-pair.ts';

type EniOutput = IsolateInstanceOutput['networkInterfaces'][number];

/**
 * Step "swap groups": per VPC, the untrack / isolation group pair ({@link ensureGroupPair}); per
 * ENI, `ModifyNetworkInterfaceAttribute` to the untrack group, then to the isolation group. A
 * failing ENI does not stop the others, and is never left in the allow-all untrack group.
 */
export async function swapSecurityGroups(
  ctx: IsolationContext,
): Promise<Pick<IsolateInstanceOutput, 'securityGroups' | 'networkInterfaces'>> {
  const pairs = new Map<string, GroupPair | Error>();
  const networkInterfaces: IsolateInstanceOutput['networkInterfaces'] = [];
  for (const eni of ctx.current.networkInterfaces) {
    networkInterfaces.push(await isolateInterface(ctx, eni, pairs));
  }
  const securityGroups: IsolateInstanceOutput['securityGroups'] = [...pairs.entries()].flatMap(
    ([vpcId, pair]) =>
      pair instanceof Error
        ? []
        : [
            {
              vpcId,
              untrackGroupId: pair.untrackGroupId,
              isolationGroupId: pair.isolationGroupId,
              changes: pair.changes,
            },
          ],
  );
  return { securityGroups, networkInterfaces };
}

/** The VPC's group pair, made once per run (an error is kept so the VPC's other ENIs fail alike). */
async function pairFor(
  ctx: IsolationContext,
  vpcId: string,
  pairs: Map<string, GroupPair | Error>,
): Promise<GroupPair> {
  let pair = pairs.get(vpcId);
  if (pair === undefined) {
    const ipv6 = ctx.current.networkInterfaces.some((e) => e.vpcId === vpcId && e.ipv6Addresses.length > 0);
    pair = await ensureGroupPair(ctx.env, vpcId, ipv6).catch((error: unknown) => {
      if (error instanceof AwsAccessDeniedError) throw error;
      return error instanceof Error ? error : new Error(String(error));
    });
    pairs.set(vpcId, pair);
  }
  if (pair instanceof Error) throw pair;
  return pair;
}

/** One ENI: to the untrack group (unless there already), then to the isolation group. */
async function isolateInterface(
  ctx: IsolationContext,
  eni: NetworkInterfaceState,
  pairs: Map<string, GroupPair | Error>,
): Promise<EniOutput> {
  const { ec2 } = ctx.env.clients;
  const previousGroups = eni.groups.map((g) => g.groupId);
  const result = { networkInterfaceId: eni.networkInterfaceId, vpcId: eni.vpcId, previousGroups };
  let movedToUntrack = false;
  try {
    const pair = await pairFor(ctx, eni.vpcId, pairs);
    if (sameGroupSet(previousGroups, [pair.isolationGroupId])) {
      return { ...result, action: 'already-isolated', error: null };
    }
    if (!sameGroupSet(previousGroups, [pair.untrackGroupId])) {
      await ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: eni.networkInterfaceId,
          Groups: [pair.untrackGroupId],
        }),
      );
      movedToUntrack = true;
    }
    await ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: eni.networkInterfaceId,
        Groups: [pair.isolationGroupId],
      }),
    );
    return { ...result, action: 'isolated', error: null };
  } catch (error) {
    if (movedToUntrack) await rollBack(ctx, eni.networkInterfaceId, previousGroups);
    const message = collect(ctx.failures, eni.networkInterfaceId, error);
    return { ...result, action: 'failed', error: message };
  }
}

/** Never leave an ENI in the allow-all untrack group: put its own groups back. */
async function rollBack(ctx: IsolationContext, networkInterfaceId: string, groups: string[]): Promise<void> {
  await ctx.env.clients.ec2
    .send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: networkInterfaceId, Groups: groups }),
    )
    .catch((rollback: unknown) => {
      ctx.failures.push({
        target: `${networkInterfaceId} (rollback)`,
        error: describeError(rollback),
        transient: isTransientAwsError(rollback),
      });
    });
}

import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  type IpPermission,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { hasErrorCode } from '../../errors.ts';
import type { ActionEnv } from '../../types.ts';
import { ISOLATION_GROUP_PREFIX, UNTRACK_GROUP_PREFIX } from '../shared/constants.ts';

/** The VPC's two isolation groups, and what this run created or fixed on them. */
export interface GroupPair {
  readonly untrackGroupId: string;
  readonly isolationGroupId: string;
  readonly changes: string[];
}

const ALL_IPV4: IpPermission = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
const ALL_IPV6: IpPermission = { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] };

function allowsAll(permissions: readonly IpPermission[] | undefined, ipv6: boolean): boolean {
  const all = (permissions ?? []).filter((p) => p.IpProtocol === '-1');
  const v4 = all.some((p) => (p.IpRanges ?? []).some((r) => r.CidrIp === '0.0.0.0/0'));
  const v6 = all.some((p) => (p.Ipv6Ranges ?? []).some((r) => r.CidrIpv6 === '::/0'));
  return v4 && (!ipv6 || v6);
}

/** A security group's permissions as a revoke request takes them. */
function revocable(permissions: readonly IpPermission[]): IpPermission[] {
  return permissions.map((p) => ({
    IpProtocol: p.IpProtocol,
    ...(p.FromPort === undefined ? {} : { FromPort: p.FromPort }),
    ...(p.ToPort === undefined ? {} : { ToPort: p.ToPort }),
    ...((p.IpRanges ?? []).length === 0
      ? {}
      : { IpRanges: (p.IpRanges ?? []).map((r) => ({ CidrIp: r.CidrIp })) }),
    ...((p.Ipv6Ranges ?? []).length === 0
      ? {}
      : { Ipv6Ranges: (p.Ipv6Ranges ?? []).map((r) => ({ CidrIpv6: r.CidrIpv6 })) }),
    ...((p.UserIdGroupPairs ?? []).length === 0
      ? {}
      : { UserIdGroupPairs: (p.UserIdGroupPairs ?? []).map((g) => ({ GroupId: g.GroupId })) }),
    ...((p.PrefixListIds ?? []).length === 0
      ? {}
      : { PrefixListIds: (p.PrefixListIds ?? []).map((l) => ({ PrefixListId: l.PrefixListId })) }),
  }));
}

/** The lookups and the creation of one VPC's pair, sharing what was found. */
class PairBuilder {
  public readonly changes: string[] = [];
  public existing: SecurityGroup[] = [];
  public readonly untrackName: string;
  public readonly isolationName: string;
  public readonly ec2: ActionEnv['clients']['ec2'];

  public constructor(
    private readonly env: ActionEnv,
    private readonly vpcId: string,
  ) {
    this.untrackName = `${UNTRACK_GROUP_PREFIX}${vpcId}`;
    this.isolationName = `${ISOLATION_GROUP_PREFIX}${vpcId}`;
    this.ec2 = env.clients.ec2;
  }

  /** `DescribeSecurityGroups` of both names in the VPC. */
  public async find(): Promise<SecurityGroup[]> {
    return (
      (
        await this.ec2.send(
          new DescribeSecurityGroupsCommand({
            Filters: [
              { Name: 'vpc-id', Values: [this.vpcId] },
              { Name: 'group-name', Values: [this.untrackName, this.isolationName] },
            ],
          }),
        )
      ).SecurityGroups ?? []
    );
  }

  /** `CreateSecurityGroup`; null when another execution created it meanwhile (`existing` is re-read). */
  public async create(
    name: string,
    purpose: 'untrack' | 'isolation',
    description: string,
  ): Promise<string | null> {
    try {
      const out = await this.ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: name,
          Description: description,
          VpcId: this.vpcId,
          TagSpecifications: [
            {
              ResourceType: 'security-group',
              Tags: [
                { Key: 'Name', Value: name },
                { Key: 'riposte:managed', Value: 'true' },
                { Key: 'riposte:purpose', Value: purpose },
              ],
            },
          ],
        }),
      );
      this.changes.push(`created ${name}`);
      if (out.GroupId !== undefined) return out.GroupId;
      if (this.env.dryRun) return `dry-run:${name}`;
      throw new Error(`CreateSecurityGroup ${name} answered no GroupId`);
    } catch (error) {
      // Another execution created it meanwhile: use theirs.
      if (!hasErrorCode(error, 'InvalidGroup.Duplicate')) throw error;
      this.existing = await this.find();
      return null;
    }
  }
}

/**
 * Finds (by name and VPC) or creates the VPC's untrack and isolation groups, and makes sure the
 * untrack group allows all traffic in and out and the isolation group has no rule at all.
 * Calls: one `DescribeSecurityGroups`; then, for a missing group, `CreateSecurityGroup` and
 * `AuthorizeSecurityGroupIngress` (untrack: all from 0.0.0.0/0; a new group already allows all
 * outbound) or `RevokeSecurityGroupEgress` (isolation: the default allow-all egress rule).
 */
export async function ensureGroupPair(env: ActionEnv, vpcId: string, ipv6: boolean): Promise<GroupPair> {
  const builder = new PairBuilder(env, vpcId);
  builder.existing = await builder.find();
  const untrackGroupId = await ensureUntrackGroup(builder, ipv6);
  const isolationGroupId = await ensureIsolationGroup(builder, ipv6);
  return { untrackGroupId, isolationGroupId, changes: builder.changes };
}

/** The untrack group: created open to all traffic, or reused and opened again where edited. */
async function ensureUntrackGroup(builder: PairBuilder, ipv6: boolean): Promise<string> {
  const { untrackName, changes } = builder;
  let untrack = builder.existing.find((g) => g.GroupName === untrackName);
  let untrackGroupId = untrack?.GroupId;
  if (untrackGroupId === undefined) {
    untrackGroupId =
      (await builder.create(
        untrackName,
        'untrack',
        'Riposte isolation step 1: allows all traffic so that tracked connections become untracked',
      )) ?? undefined;
    untrack = builder.existing.find((g) => g.GroupName === untrackName);
    if (untrackGroupId !== undefined) {
      // A new group allows all outbound already; open all inbound so every flow is untracked.
      await builder.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: untrackGroupId, IpPermissions: [ALL_IPV4] }),
      );
      changes.push(`allowed all inbound from 0.0.0.0/0 on ${untrackName}`);
      if (ipv6) {
        await builder.ec2.send(
          new AuthorizeSecurityGroupIngressCommand({ GroupId: untrackGroupId, IpPermissions: [ALL_IPV6] }),
        );
        await authorizeEgressIfMissing(builder, untrackGroupId, ALL_IPV6);
        changes.push(`allowed all IPv6 traffic on ${untrackName}`);
      }
    }
  }
  if (untrackGroupId === undefined) untrackGroupId = untrack?.GroupId;
  if (untrackGroupId === undefined)
    throw new Error(`security group ${untrackName} could not be found or created`);
  if (untrack !== undefined) await reopenUntrackGroup(builder, untrack, untrackGroupId, ipv6);
  return untrackGroupId;
}

/** Reused: make sure the untrack group still lets everything through (someone may have edited it). */
async function reopenUntrackGroup(
  builder: PairBuilder,
  untrack: SecurityGroup,
  groupId: string,
  ipv6: boolean,
): Promise<void> {
  const { untrackName, changes } = builder;
  if (!allowsAll(untrack.IpPermissions, false)) {
    await builder.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [ALL_IPV4] }),
    );
    changes.push(`restored all inbound on ${untrackName}`);
  }
  if (ipv6 && !allowsAll(untrack.IpPermissions, true)) {
    await builder.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [ALL_IPV6] }),
    );
    changes.push(`restored all IPv6 inbound on ${untrackName}`);
  }
  if (!allowsAll(untrack.IpPermissionsEgress, false)) {
    await builder.ec2.send(
      new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [ALL_IPV4] }),
    );
    changes.push(`restored all outbound on ${untrackName}`);
  }
  if (ipv6 && !allowsAll(untrack.IpPermissionsEgress, true)) {
    await builder.ec2.send(
      new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [ALL_IPV6] }),
    );
    changes.push(`restored all IPv6 outbound on ${untrackName}`);
  }
}

/** The isolation group: created and stripped of its default egress, or reused and emptied again. */
async function ensureIsolationGroup(builder: PairBuilder, ipv6: boolean): Promise<string> {
  const { isolationName, changes } = builder;
  let isolation = builder.existing.find((g) => g.GroupName === isolationName);
  let isolationGroupId = isolation?.GroupId;
  if (isolationGroupId === undefined) {
    isolationGroupId =
      (await builder.create(
        isolationName,
        'isolation',
        'Riposte isolation step 2: no inbound and no outbound rule',
      )) ?? undefined;
    isolation = builder.existing.find((g) => g.GroupName === isolationName);
    if (isolationGroupId !== undefined) {
      // A new group comes with an allow-all egress rule: an isolation group must have none.
      await builder.ec2.send(
        new RevokeSecurityGroupEgressCommand({ GroupId: isolationGroupId, IpPermissions: [ALL_IPV4] }),
      );
      changes.push(`revoked the default egress rule of ${isolationName}`);
      if (ipv6) await revokeEgressIfPresent(builder, isolationGroupId, ALL_IPV6);
    }
  }
  if (isolationGroupId === undefined) isolationGroupId = isolation?.GroupId;
  if (isolationGroupId === undefined)
    throw new Error(`security group ${isolationName} could not be found or created`);
  if (isolation !== undefined) {
    // Reused: it must still have no rule in either direction.
    const ingress = isolation.IpPermissions ?? [];
    const egress = isolation.IpPermissionsEgress ?? [];
    if (ingress.length > 0) {
      await builder.ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: isolationGroupId,
          IpPermissions: revocable(ingress),
        }),
      );
      changes.push(`revoked ${ingress.length} inbound rule(s) found on ${isolationName}`);
    }
    if (egress.length > 0) {
      await builder.ec2.send(
        new RevokeSecurityGroupEgressCommand({ GroupId: isolationGroupId, IpPermissions: revocable(egress) }),
      );
      changes.push(`revoked ${egress.length} outbound rule(s) found on ${isolationName}`);
    }
  }
  return isolationGroupId;
}

/** Adds an egress rule unless it exists (a new group in an IPv6 VPC may already have ::/0). */
async function authorizeEgressIfMissing(
  builder: PairBuilder,
  groupId: string,
  permission: IpPermission,
): Promise<void> {
  try {
    await builder.ec2.send(
      new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [permission] }),
    );
  } catch (error) {
    if (!hasErrorCode(error, 'InvalidPermission.Duplicate')) throw error;
  }
}

/** Removes an egress rule if it exists (a new group in an IPv6 VPC may have a ::/0 default). */
async function revokeEgressIfPresent(
  builder: PairBuilder,
  groupId: string,
  permission: IpPermission,
): Promise<void> {
  try {
    await builder.ec2.send(
      new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [permission] }),
    );
  } catch (error) {
    if (!hasErrorCode(error, 'InvalidPermission.NotFound')) throw error;
  }
}

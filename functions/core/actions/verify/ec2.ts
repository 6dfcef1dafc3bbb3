import {
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeNetworkInterfacesCommand,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import type { ActionEnv } from '../types.ts';
import { check, idSet, readChecks, type Verification, verification } from './check.ts';
import { type RoleRevocation, roleRevokedChecks } from './iam.ts';

/**
 * Read-backs of isolate-instance and release-instance: `DescribeNetworkInterfaces` (every ENI
 * attached to the instance now, so an interface attached after the capture is seen too) and
 * `DescribeIamInstanceProfileAssociations` (the instance profile).
 */

/** Every ENI attached to the instance, by `attachment.instance-id` (every page). */
async function attachedInterfaces(env: ActionEnv, instanceId: string): Promise<NetworkInterface[]> {
  const all: NetworkInterface[] = [];
  let token: string | undefined;
  do {
    const out = await env.clients.ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }],
        ...(token === undefined ? {} : { NextToken: token }),
      }),
    );
    all.push(...(out.NetworkInterfaces ?? []));
    token = out.NextToken;
  } while (token !== undefined);
  return all;
}

const groupsOf = (eni: NetworkInterface): string[] =>
  (eni.Groups ?? []).flatMap((g) => (g.GroupId === undefined ? [] : [g.GroupId]));

/** The instance profile ARNs associated (or associating) with the instance now. */
async function associatedProfiles(env: ActionEnv, instanceId: string): Promise<string[]> {
  const out = await env.clients.ec2.send(
    new DescribeIamInstanceProfileAssociationsCommand({
      Filters: [{ Name: 'instance-id', Values: [instanceId] }],
    }),
  );
  return (out.IamInstanceProfileAssociations ?? []).flatMap((a) =>
    (a.State === 'associated' || a.State === 'associating') && a.IamInstanceProfile?.Arn !== undefined
      ? [a.IamInstanceProfile.Arn]
      : [],
  );
}

export interface IsolationExpectation {
  /** The isolation group of each VPC, as isolate-instance ensured it. */
  readonly isolationGroups: ReadonlyMap<string, string>;
  /** True when isolate-instance disassociated the instance profile: none must be left. */
  readonly profileRemoved: boolean;
  /** The instance role whose sessions isolation revoked, and the instant; null: not revoked. */
  readonly revokedRole: RoleRevocation | null;
}

/**
 * Reads an isolated instance back: every network interface attached to it has exactly its
 * VPC's isolation group, no instance profile is left when isolation removed it, and the
 * instance role carries the revocation when its sessions were revoked.
 *
 * @example
 * const v = await verifyIsolation(env, 'i-0a1b2c3d4e5f60718', { isolationGroups: new Map([['vpc-1', 'sg-iso']]), profileRemoved: true, revokedRole: null });
 * v.evidence[0]; // { check: 'eni-… security groups', expected: 'sg-iso', actual: 'sg-iso', ok: true }
 */
export async function verifyIsolation(
  env: ActionEnv,
  instanceId: string,
  expectation: IsolationExpectation,
): Promise<Verification> {
  const checks = await readChecks(`${instanceId} network interfaces`, async () => {
    const enis = await attachedInterfaces(env, instanceId);
    if (enis.length === 0) {
      return [check(`${instanceId} network interfaces`, 'at least one attached', 'none attached')];
    }
    return enis.map((eni) => {
      const expected = expectation.isolationGroups.get(eni.VpcId ?? '');
      return check(
        `${eni.NetworkInterfaceId ?? 'eni'} security groups`,
        expected ?? `the isolation group of ${eni.VpcId ?? 'its VPC'}`,
        idSet(groupsOf(eni)),
      );
    });
  });
  if (expectation.profileRemoved) {
    checks.push(
      ...(await readChecks(`${instanceId} instance profile`, async () => [
        check(`${instanceId} instance profile`, 'none', idSet(await associatedProfiles(env, instanceId))),
      ])),
    );
  }
  if (expectation.revokedRole !== null)
    checks.push(...(await roleRevokedChecks(env, expectation.revokedRole)));
  return verification(checks, env);
}

export interface ReleaseExpectation {
  /** Each interface isolation saw, with the groups it had before. */
  readonly interfaces: readonly { readonly networkInterfaceId: string; readonly groups: readonly string[] }[];
  /** The instance profile it had before; null: none to put back. */
  readonly profileArn: string | null;
}

/**
 * Reads a released instance back: each interface has its original groups again, and the
 * instance profile it had is associated again.
 *
 * @example
 * const v = await verifyRelease(env, 'i-0a1b2c3d4e5f60718', { interfaces: [{ networkInterfaceId: 'eni-1', groups: ['sg-web'] }], profileArn: null });
 * v.verified; // true when eni-1 reads back with sg-web only
 */
export async function verifyRelease(
  env: ActionEnv,
  instanceId: string,
  expectation: ReleaseExpectation,
): Promise<Verification> {
  const checks = await readChecks(`${instanceId} network interfaces`, async () => {
    const enis = await attachedInterfaces(env, instanceId);
    return expectation.interfaces.map((original) => {
      const now = enis.find((e) => e.NetworkInterfaceId === original.networkInterfaceId);
      return check(
        `${original.networkInterfaceId} security groups`,
        idSet(original.groups),
        now === undefined ? 'not attached' : idSet(groupsOf(now)),
      );
    });
  });
  const { profileArn } = expectation;
  if (profileArn !== null) {
    checks.push(
      ...(await readChecks(`${instanceId} instance profile`, async () => [
        check(`${instanceId} instance profile`, profileArn, idSet(await associatedProfiles(env, instanceId))),
      ])),
    );
  }
  if (checks.length === 0) checks.push(check(`${instanceId} interfaces to restore`, 'none', 'none'));
  return verification(checks, env);
}

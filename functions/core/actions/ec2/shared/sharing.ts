import {
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  GetImageBlockPublicAccessStateCommand,
  GetSnapshotBlockPublicAccessStateCommand,
  type LaunchPermission,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { InvalidInputError } from '../../../errors.ts';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.ts';
import type { ActionEnv } from '../../types.ts';
import { tagRecord } from './items.ts';

/**
 * Who may use an EBS snapshot (`createVolumePermission`) or an AMI (`launchPermission`): the
 * reads and the one change the public-sharing actions make, which removes the group `all` (every
 * AWS account) and leaves the accounts it is shared with one by one as they are.
 */

type Ec2 = ActionEnv['clients']['ec2'];

export const Ec2SharedIdSchema = z
  .string()
  .regex(/^(snap|ami)-[0-9a-f]{8}(?:[0-9a-f]{9})?$/, 'an EBS snapshot id (snap-…) or an AMI id (ami-…)');

/**
 * What the public-sharing actions act on: a snapshot or AMI id, or an account id (Security Hub
 * EC2.1 reports the account: then every public snapshot of that account).
 */
export const SharingTargetSchema = z.union([
  Ec2SharedIdSchema,
  z.string().regex(/^\d{12}$/, 'an account id (12 digits)'),
]);

/**
 * The resource ids a target names: itself, or the account's public snapshots. An account other
 * than the incident's is refused (the clients act in the incident's account only).
 */
export async function targetIds(env: ActionEnv, target: string): Promise<string[]> {
  if (!/^\d{12}$/.test(target)) return [target];
  if (target !== env.execution.account) {
    throw new InvalidInputError(
      `account ${target} is not the incident's account (${env.execution.account ?? 'unknown'})`,
    );
  }
  return publicSnapshotIds(env.clients.ec2);
}

export const SharingSchema = z.object({
  resourceId: z.string(),
  kind: z.enum(['snapshot', 'image']),
  tags: z.record(z.string(), z.string()),
  /** Shared with every AWS account (`Group: all`). */
  public: z.boolean(),
  /** The accounts it is shared with one by one (left as they are). */
  accounts: z.array(z.string()),
});
export type Sharing = z.infer<typeof SharingSchema>;

const kindOf = (id: string): Sharing['kind'] => (id.startsWith('snap-') ? 'snapshot' : 'image');

function permissionsOf(list: readonly LaunchPermission[] | undefined): Pick<Sharing, 'public' | 'accounts'> {
  const all = list ?? [];
  return {
    public: all.some((p) => p.Group === 'all'),
    accounts: all.flatMap((p) => (p.UserId === undefined ? [] : [p.UserId])).sort(),
  };
}

function notFound(error: unknown, id: string): unknown {
  return hasErrorCode(error, 'InvalidSnapshot.NotFound') || hasErrorCode(error, 'InvalidAMIID.NotFound')
    ? new ResourceNotFoundError(`${id} does not exist`, { cause: error })
    : error;
}

/** The permissions alone: `DescribeSnapshotAttribute` or `DescribeImageAttribute`. */
export async function readPermissions(ec2: Ec2, id: string): Promise<Pick<Sharing, 'public' | 'accounts'>> {
  try {
    if (kindOf(id) === 'snapshot') {
      const out = await ec2.send(
        new DescribeSnapshotAttributeCommand({ SnapshotId: id, Attribute: 'createVolumePermission' }),
      );
      return permissionsOf(out.CreateVolumePermissions);
    }
    const out = await ec2.send(
      new DescribeImageAttributeCommand({ ImageId: id, Attribute: 'launchPermission' }),
    );
    return permissionsOf(out.LaunchPermissions);
  } catch (error) {
    throw notFound(error, id);
  }
}

/**
 * The snapshot or AMI with its tags and who may use it: `DescribeSnapshots` (`OwnerIds: self`)
 * or `DescribeImages` (`Owners: self`), then the attribute. A snapshot or image of another
 * account is not found: only the owner can change its permissions.
 */
export async function readSharing(ec2: Ec2, id: string): Promise<Sharing> {
  const kind = kindOf(id);
  let tags: Record<string, string>;
  try {
    if (kind === 'snapshot') {
      const out = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id], OwnerIds: ['self'] }));
      const snapshot = out.Snapshots?.find((s) => s.SnapshotId === id);
      if (snapshot === undefined)
        throw new ResourceNotFoundError(`snapshot ${id} is not one of this account's`);
      tags = tagRecord(snapshot.Tags);
    } else {
      const out = await ec2.send(new DescribeImagesCommand({ ImageIds: [id], Owners: ['self'] }));
      const image = out.Images?.find((i) => i.ImageId === id);
      if (image === undefined) throw new ResourceNotFoundError(`AMI ${id} is not one of this account's`);
      tags = tagRecord(image.Tags);
    }
  } catch (error) {
    throw notFound(error, id);
  }
  return { resourceId: id, kind, tags, ...(await readPermissions(ec2, id)) };
}

/** The account's public snapshots (`DescribeSnapshots`, `OwnerIds: self`, `RestorableByUserIds: all`). */
export async function publicSnapshotIds(ec2: Ec2): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const out = await ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        RestorableByUserIds: ['all'],
        MaxResults: 1000,
        ...(token === undefined ? {} : { NextToken: token }),
      }),
    );
    ids.push(...(out.Snapshots ?? []).flatMap((s) => (s.SnapshotId === undefined ? [] : [s.SnapshotId])));
    token = out.NextToken;
  } while (token !== undefined);
  return ids;
}

/**
 * Removes the public permission only: `ModifySnapshotAttribute` with
 * `CreateVolumePermission: { Remove: [{ Group: 'all' }] }`, or `ModifyImageAttribute` with
 * `LaunchPermission: { Remove: [{ Group: 'all' }] }`.
 */
export async function removePublic(ec2: Ec2, id: string): Promise<void> {
  if (kindOf(id) === 'snapshot') {
    await ec2.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: id,
        Attribute: 'createVolumePermission',
        CreateVolumePermission: { Remove: [{ Group: 'all' }] },
      }),
    );
  } else {
    await ec2.send(
      new ModifyImageAttributeCommand({
        ImageId: id,
        Attribute: 'launchPermission',
        LaunchPermission: { Remove: [{ Group: 'all' }] },
      }),
    );
  }
}

export const BlockPublicAccessSchema = z.object({
  /** `block-all-sharing`, `block-new-sharing`, `unblocked`, or `unknown` (denied or not supported here). */
  snapshots: z.string(),
  /** `block-new-sharing`, `unblocked`, or `unknown`. */
  images: z.string(),
});
export type BlockPublicAccess = z.infer<typeof BlockPublicAccessSchema>;

/** A state read that never fails the response: denied, unsupported or failing reads are `unknown`. */
async function stateOrUnknown(read: () => Promise<string | undefined>): Promise<string> {
  try {
    return (await read()) ?? 'unknown';
  } catch {
    // AccessDenied (AwsAccessDeniedError), an unsupported Region or operation, a throttled read:
    // the state is reported unknown and the response goes on.
    return 'unknown';
  }
}

/**
 * The Region's block public access for snapshots (`GetSnapshotBlockPublicAccessState`) and for
 * AMIs (`GetImageBlockPublicAccessState`), reported as read; `unknown` where the account does not
 * allow the read or the Region does not support it.
 */
export async function readBlockPublicAccess(ec2: Ec2): Promise<BlockPublicAccess> {
  return {
    snapshots: await stateOrUnknown(
      async () => (await ec2.send(new GetSnapshotBlockPublicAccessStateCommand({}))).State,
    ),
    images: await stateOrUnknown(
      async () => (await ec2.send(new GetImageBlockPublicAccessStateCommand({}))).ImageBlockPublicAccessState,
    ),
  };
}

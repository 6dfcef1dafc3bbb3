import { z } from 'zod';
import { NotAllowedError, ProtectedResourceError } from '../errors.ts';
import { ec2Service } from '../services/ec2.ts';
import { type ActionEnv, defineAction } from '../types.ts';
import { type VerificationCheck, VerificationSchema, verification } from '../verify/check.ts';
import { ec2SharingChecks } from '../verify/sharing.ts';
import {
  BlockPublicAccessSchema,
  readBlockPublicAccess,
  readSharing,
  removePublic,
  type Sharing,
  SharingTargetSchema,
  targetIds,
} from './shared/sharing.ts';

export const RemovePublicEc2SharingInputSchema = z.object({
  /** The snapshot or AMI, or the incident's account: every public snapshot of it (Security Hub EC2.1 names the account). */
  resourceId: SharingTargetSchema,
});

export const RemovePublicEc2SharingOutputSchema = z.object({
  /** The snapshots and AMIs that were public, by id, with the accounts they stay shared with. */
  unshared: z.array(z.object({ resourceId: z.string(), accountsKept: z.array(z.string()) })),
  /** The ids this run sent a Modify…Attribute for (none: already private). */
  changedByThisRun: z.array(z.string()),
  /** Public ones left alone by a rail (protected tag, account or Region lists), with why. */
  skipped: z.array(z.object({ resourceId: z.string(), reason: z.string() })),
  blockPublicAccess: BlockPublicAccessSchema,
  /** Each resource read back: not public, the accounts unchanged. */
  verification: VerificationSchema,
  notes: z.array(z.string()),
});
export type RemovePublicEc2SharingOutput = z.infer<typeof RemovePublicEc2SharingOutputSchema>;

/**
 * Step "rails" of one resource: `safety.assertContainable` with its tags. When the action works
 * on the account's public snapshots (no resource named), a resource a rail refuses is skipped and
 * reported; when it was named, the refusal is the action's.
 */
async function passRails(env: ActionEnv, sharing: Sharing, named: boolean): Promise<string | null> {
  try {
    await env.safety.assertContainable({ resource: sharing.resourceId, tags: sharing.tags });
    return null;
  } catch (error) {
    if (!named && (error instanceof ProtectedResourceError || error instanceof NotAllowedError)) {
      return error.message;
    }
    throw error;
  }
}

/**
 * Stops sharing an EBS snapshot or an AMI with every AWS account, and only that: the accounts it
 * is shared with one by one keep their access (AWS's guidance: a public snapshot or AMI can be
 * copied by anyone; share with specific accounts instead).
 *
 * Calls, for each resource (the one named, or every public snapshot of the account from
 * `DescribeSnapshots` with `OwnerIds: self` and `RestorableByUserIds: all`): `DescribeSnapshots`
 * or `DescribeImages` (tags), `DescribeSnapshotAttribute` or `DescribeImageAttribute`, the rails,
 * then, if it is public, `ModifySnapshotAttribute` (`Attribute: createVolumePermission`,
 * `CreateVolumePermission: { Remove: [{ Group: 'all' }] }`) or `ModifyImageAttribute`
 * (`Attribute: launchPermission`, `LaunchPermission: { Remove: [{ Group: 'all' }] }`), and the
 * attribute read again as `verification`. Last, the Region's block public access states for
 * snapshots and AMIs are read and reported (`unknown` when denied or unsupported): they are
 * never changed, since they act on every snapshot or AMI of the Region.
 *
 * There is no release: sharing a snapshot or an AMI with everyone again is not an undo anyone
 * should automate; whoever needs it public shares it again by hand.
 *
 * AWS: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySnapshotAttribute.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyImageAttribute.html,
 * https://docs.aws.amazon.com/ebs/latest/userguide/block-public-access-snapshots.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-intro.html
 *
 * @example
 * const { output } = await runAction(removePublicEc2SharingAction, { resourceId: 'snap-0e1f2a3b4c5d6e7f8' }, env);
 * output.unshared; // [{ resourceId: 'snap-0e1f2a3b4c5d6e7f8', accountsKept: ['444455556666'] }]
 */
export const removePublicEc2SharingAction = defineAction({
  id: 'remove-public-ec2-sharing',
  family: 'contain',
  services: ec2Service,
  description:
    'Stops sharing an EBS snapshot or an AMI (or every public snapshot of the account) with every AWS account; account shares stay.',
  input: RemovePublicEc2SharingInputSchema,
  output: RemovePublicEc2SharingOutputSchema,
  iamActions: [
    'ec2:DescribeSnapshots',
    'ec2:DescribeImages',
    'ec2:DescribeSnapshotAttribute',
    'ec2:DescribeImageAttribute',
    'ec2:ModifySnapshotAttribute',
    'ec2:ModifyImageAttribute',
    'ec2:GetSnapshotBlockPublicAccessState',
    'ec2:GetImageBlockPublicAccessState',
  ],
  target: (input) => input.resourceId,
  async run(input, env): Promise<RemovePublicEc2SharingOutput> {
    const { ec2 } = env.clients;
    const named = !/^\d{12}$/.test(input.resourceId);
    const ids = await targetIds(env, input.resourceId);
    const unshared: RemovePublicEc2SharingOutput['unshared'] = [];
    const changed: string[] = [];
    const skipped: RemovePublicEc2SharingOutput['skipped'] = [];
    const checks: VerificationCheck[] = [];
    for (const id of ids) {
      const sharing = await readSharing(ec2, id);
      const refusal = await passRails(env, sharing, named);
      if (refusal !== null) {
        skipped.push({ resourceId: id, reason: refusal });
        continue;
      }
      if (sharing.public) {
        await removePublic(ec2, id);
        changed.push(id);
      }
      unshared.push({ resourceId: id, accountsKept: sharing.accounts });
      checks.push(...(await ec2SharingChecks(env, id, sharing.accounts)));
    }
    const blockPublicAccess = await readBlockPublicAccess(ec2);
    return {
      unshared,
      changedByThisRun: changed,
      skipped,
      blockPublicAccess,
      verification: verification(
        checks.length > 0
          ? checks
          : [{ check: 'public snapshots', expected: 'none', actual: 'none', ok: true }],
        env,
      ),
      notes: notesOf(blockPublicAccess),
    };
  },
});

function notesOf(bpa: RemovePublicEc2SharingOutput['blockPublicAccess']): string[] {
  return [
    `block public access for snapshots in this Region: ${bpa.snapshots}; for AMIs: ${bpa.images} (Riposte does not change them: they act on the whole Region)`,
    'anyone may have copied the resource while it was public: treat its data as exposed',
  ];
}

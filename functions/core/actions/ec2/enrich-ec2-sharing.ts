import { z } from 'zod';
import { ec2Service } from '../services/ec2.ts';
import { defineAction } from '../types.ts';
import {
  BlockPublicAccessSchema,
  readBlockPublicAccess,
  readSharing,
  SharingSchema,
  SharingTargetSchema,
  targetIds,
} from './shared/sharing.ts';

export const EnrichEc2SharingInputSchema = z.object({
  /** The snapshot or AMI, or the incident's account: every public snapshot of it (Security Hub EC2.1 names the account). */
  resourceId: SharingTargetSchema,
});

export const EnrichEc2SharingOutputSchema = z.object({
  resources: z.array(SharingSchema),
  /** Whether any of them is shared with every AWS account. */
  public: z.boolean(),
  /** Whether every one of them carries the protected tag (containment would change nothing). */
  protected: z.boolean(),
  blockPublicAccess: BlockPublicAccessSchema,
});
export type EnrichEc2SharingOutput = z.infer<typeof EnrichEc2SharingOutputSchema>;

/**
 * Who may use an EBS snapshot or an AMI: tags, whether it is public, the accounts it is shared
 * with, and the Region's block public access for snapshots and AMIs. Read-only: `DescribeSnapshots`
 * or `DescribeImages`, `DescribeSnapshotAttribute` or `DescribeImageAttribute`, then
 * `GetSnapshotBlockPublicAccessState` and `GetImageBlockPublicAccessState` (`unknown` when denied
 * or unsupported). Without a resource (an EC2.1 finding on the account) it lists the account's
 * public snapshots first (`DescribeSnapshots` with `RestorableByUserIds: all`).
 *
 * @example
 * const output = await enrichEc2SharingAction.run({ resourceId: 'snap-0e1f2a3b4c5d6e7f8' }, env);
 * output.resources[0]; // { kind: 'snapshot', public: true, accounts: ['444455556666'], … }
 */
export const enrichEc2SharingAction = defineAction({
  id: 'enrich-ec2-sharing',
  family: 'enrich',
  services: ec2Service,
  description:
    "Describes who may use an EBS snapshot or an AMI (public, accounts), its tags, and the Region's block public access for snapshots and AMIs.",
  input: EnrichEc2SharingInputSchema,
  output: EnrichEc2SharingOutputSchema,
  iamActions: [
    'ec2:DescribeSnapshots',
    'ec2:DescribeImages',
    'ec2:DescribeSnapshotAttribute',
    'ec2:DescribeImageAttribute',
    'ec2:GetSnapshotBlockPublicAccessState',
    'ec2:GetImageBlockPublicAccessState',
  ],
  target: (input) => input.resourceId,
  async run(input, env): Promise<EnrichEc2SharingOutput> {
    const { ec2 } = env.clients;
    const ids = await targetIds(env, input.resourceId);
    const resources = [];
    for (const id of ids) resources.push(await readSharing(ec2, id));
    return {
      resources,
      public: resources.some((r) => r.public),
      protected: resources.length > 0 && resources.every((r) => env.safety.standing(r.tags).protected),
      blockPublicAccess: await readBlockPublicAccess(ec2),
    };
  },
});

import type { WorldData } from '../../../functions/core/actions/world/index.ts';
import { type FixtureEvent, loadFixture } from '../../support/fixtures.ts';
import { at, protectTags, type TargetModel } from './safety-model.ts';

/** The example world's public AMI and EBS snapshot, and its public DB cluster and DB snapshots. */
const IMAGE = 'ami-0f1e2d3c4b5a69788';
const SNAPSHOT = 'snap-0e1f2a3b4c5d6e7f8';
const CLUSTER_SNAPSHOT = 'ledger-cluster-2025-04-08';
const DB_SNAPSHOT = 'payments-db-before-migration';

type Shared = 'image' | 'snapshot' | 'cluster-snapshot' | 'db-snapshot';

/** A user pick shares an EC2 resource, a role pick an RDS one; the variant chooses which. */
const SHARED = { user: ['image', 'snapshot'], role: ['cluster-snapshot', 'db-snapshot'] } as const;

/** CloudTrail's call that made `shared` public (ModifySnapshotAttribute, ModifyImageAttribute...). */
function madePublic(shared: Shared): FixtureEvent {
  const rds = shared === 'cluster-snapshot' || shared === 'db-snapshot';
  const event = loadFixture(
    rds
      ? 'cloudtrail/api-call-rds-modifydbsnapshotattribute-public.json'
      : 'cloudtrail/api-call-ec2-modifysnapshotattribute-public.json',
  );
  const detail = event.detail as Record<string, unknown>;
  if (shared === 'image') {
    detail.eventName = 'ModifyImageAttribute';
    detail.requestParameters = {
      imageId: IMAGE,
      launchPermission: { add: { items: [{ group: 'all' }] } },
      attributeType: 'launchPermission',
    };
  } else if (shared === 'cluster-snapshot') {
    detail.eventName = 'ModifyDBClusterSnapshotAttribute';
    detail.requestParameters = {
      dBClusterSnapshotIdentifier: CLUSTER_SNAPSHOT,
      attributeName: 'restore',
      valuesToAdd: ['all'],
    };
  }
  return event;
}

/** Security Hub's RDS.1 (public DB snapshot) or EC2.1 (public EBS snapshots, on the account), as a provider sample. */
function sampleFinding(rds: boolean): FixtureEvent {
  const event = loadFixture('securityhub/imported-control-rds-1-public-db-snapshot.json');
  const [finding] = (event.detail as { findings: Record<string, unknown>[] }).findings;
  if (finding === undefined) return event;
  finding.Sample = true;
  if (!rds) {
    finding.GeneratorId = 'security-control/EC2.1';
    finding.Compliance = { ...(finding.Compliance as object), SecurityControlId: 'EC2.1' };
    finding.Resources = [
      { Type: 'AwsAccount', Id: 'AWS::::Account:111122223333', Partition: 'aws', Region: 'eu-west-1' },
    ];
  }
  return event;
}

/** The tags of the shared resource, in the world. */
function tagsOf(world: WorldData, shared: Shared): Record<string, string> | undefined {
  switch (shared) {
    case 'image':
      return world.ec2.images.find((i) => i.imageId === IMAGE)?.tags;
    case 'snapshot':
      return world.ec2.snapshots.find((s) => s.snapshotId === SNAPSHOT)?.tags;
    case 'cluster-snapshot':
      return world.rds.clusterSnapshots[CLUSTER_SNAPSHOT]?.tags;
    case 'db-snapshot':
      return world.rds.snapshots[DB_SNAPSHOT]?.tags;
  }
}

/**
 * Public EBS snapshots, AMIs and RDS DB and cluster snapshots (public-snapshot-or-image): the
 * public permission removed (other accounts' shares kept); nothing is touched indirectly and
 * there is no release (the public share is not put back).
 */
export const publicShareModel: TargetModel = {
  playbooks: { 'public-snapshot-or-image': {} },
  build: (pick) => {
    const shared = at<Shared>(SHARED[pick.principal], pick.variant);
    const rds = pick.principal === 'role';
    return {
      event: pick.condition === 'sample' ? sampleFinding(rds) : madePublic(shared),
      prepare: (world) => {
        const tags = tagsOf(world, shared);
        if (tags !== undefined) tags.environment = pick.staging ? 'staging' : 'production';
      },
      protect: (world) => {
        const tags = tagsOf(world, shared);
        if (tags !== undefined) protectTags(tags, pick.tagValue);
      },
    };
  },
};

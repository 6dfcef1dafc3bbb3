import { RiposteError } from '../../../errors.ts';
import type { DbInstanceEvidence } from './instance.ts';

/**
 * Containment refused: the DB instance is a member of a DB cluster (Aurora, or a Multi-AZ DB
 * cluster). Riposte does not contain one member on its own: `PubliclyAccessible` is set per
 * instance (`ModifyDBInstance`,
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html), so the
 * cluster's other instances and its endpoints would stay reachable while the incident read
 * "contained"; and a cluster's data is backed up as a DB cluster snapshot of its shared storage
 * volume, not a DB snapshot of one instance
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_CreateSnapshotCluster.html).
 */
export class ClusterMemberError extends RiposteError {
  public constructor(message: string) {
    super(message);
    this.name = 'ClusterMemberError';
  }
}

/**
 * Refuses a DB cluster member with {@link ClusterMemberError}, before anything is written.
 *
 * @example
 * refuseClusterMember(evidence); // throws for an instance with a DBClusterIdentifier
 */
export function refuseClusterMember(evidence: DbInstanceEvidence): void {
  if (evidence.dbClusterIdentifier === null) return;
  throw new ClusterMemberError(
    `DB instance ${evidence.dbInstanceIdentifier} is a member of DB cluster ${evidence.dbClusterIdentifier}: public access is set per member and the data is the cluster's; contain the cluster's instances by hand`,
  );
}

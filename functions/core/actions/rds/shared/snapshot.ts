import { CreateDBSnapshotCommand, DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { z } from 'zod';
import { hasErrorCode } from '../../errors.ts';
import type { ActionEnv } from '../../types.ts';
import type { DbInstanceEvidence } from './instance.ts';

/** The tag that names the incident on the snapshot. */
export const INCIDENT_TAG = 'riposte:incident';

export const SnapshotRecordSchema = z.object({
  identifier: z.string(),
  /** Null in dry-run: the snapshot was not made. */
  arn: z.string().nullable(),
  /** `creating`, then `available` (RDS finishes it on its own); `dry-run` when not made. */
  status: z.string(),
  /** False when a rerun of the incident found its snapshot made already. */
  createdByThisRun: z.boolean(),
});
export type SnapshotRecord = z.infer<typeof SnapshotRecordSchema>;

/** `DescribeDBSnapshots` of one snapshot: its ARN and status. */
async function readSnapshot(
  env: ActionEnv,
  identifier: string,
): Promise<{ arn: string | null; status: string }> {
  const out = await env.clients.rds.send(
    new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: identifier }),
  );
  const snap = out.DBSnapshots?.[0];
  return { arn: snap?.DBSnapshotArn ?? null, status: snap?.Status ?? 'unknown' };
}

/**
 * `CreateDBSnapshot` of the instance under the incident's identifier, tagged with the incident;
 * a rerun that finds it (`DBSnapshotAlreadyExists`) keeps it. Then one `DescribeDBSnapshots` for
 * its status: the bounded check. A snapshot takes minutes to hours to become `available` and
 * the instance stays usable meanwhile, so containment does not wait for it.
 *
 * @example
 * await takeSnapshot(env, evidence, 'riposte-inc-1-orders-db'); // { status: 'creating', createdByThisRun: true, … }
 */
export async function takeSnapshot(
  env: ActionEnv,
  evidence: DbInstanceEvidence,
  identifier: string,
): Promise<SnapshotRecord> {
  let created = true;
  try {
    await env.clients.rds.send(
      new CreateDBSnapshotCommand({
        DBSnapshotIdentifier: identifier,
        DBInstanceIdentifier: evidence.dbInstanceIdentifier,
        Tags: [{ Key: INCIDENT_TAG, Value: env.execution.incidentId }],
      }),
    );
  } catch (error) {
    if (!hasErrorCode(error, 'DBSnapshotAlreadyExists', 'DBSnapshotAlreadyExistsFault')) throw error;
    created = false;
  }
  if (!(env.changesApplied ?? !env.dryRun)) {
    return { identifier, arn: null, status: 'dry-run', createdByThisRun: false };
  }
  return { identifier, ...(await readSnapshot(env, identifier)), createdByThisRun: created };
}

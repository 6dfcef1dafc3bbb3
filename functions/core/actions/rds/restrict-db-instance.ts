import { ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { z } from 'zod';
import { rdsService } from '../services/rds.ts';
import { TimelineFactsSchema } from '../timeline-facts.ts';
import { type ActionEnv, defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyPubliclyAccessible } from '../verify/rds.ts';
import {
  type Capture,
  type DbInstanceEvidence,
  DbInstanceEvidenceSchema,
  DbInstanceInputSchema,
  parseCapture,
  readInstance,
  readTags,
  snapshotIdentifierOf,
  stateKey,
} from './shared/instance.ts';
import { refuseClusterMember } from './shared/rails.ts';
import { SnapshotRecordSchema, takeSnapshot } from './shared/snapshot.ts';

/**
 * Containment of a DB instance exposed to the internet or reached by an anomalous login: a
 * snapshot is kept, then the instance stops being publicly accessible.
 *
 * Follows "Remediating a potentially compromised database" (GuardDuty User Guide,
 * https://docs.aws.amazon.com/guardduty/latest/ug/remediate-rds-protection-finding-types.html:
 * restrict network access to the database, review the login activity, and keep what an
 * investigation needs) and Security Hub control RDS.2, "RDS DB instances should prohibit public
 * access" (https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-2),
 * whose remediation is `ModifyDBInstance` with `PubliclyAccessible` false
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html).
 * The snapshot (`CreateDBSnapshot`,
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSnapshot.html) is the
 * data as it was, for the investigation; release never deletes it.
 */

const RESTRICTED = false;

export const RestrictDbInstanceOutputSchema = z.object({
  dbInstanceIdentifier: z.string(),
  dbInstanceArn: z.string(),
  stateKey: z.string(),
  /** `PubliclyAccessible` before containment (first capture of the incident). */
  previousPubliclyAccessible: z.boolean(),
  appliedPubliclyAccessible: z.literal(RESTRICTED),
  changedByThisRun: z.boolean(),
  /** The manual DB snapshot taken before the change, tagged with the incident. */
  snapshot: SnapshotRecordSchema,
  evidence: DbInstanceEvidenceSchema,
  /** `DescribeDBInstances` read back after the change: PubliclyAccessible false. */
  verification: VerificationSchema,
  timeline: TimelineFactsSchema,
  notes: z.array(z.string()),
});
export type RestrictDbInstanceOutput = z.infer<typeof RestrictDbInstanceOutputSchema>;

/** The capture of this incident: the one saved earlier (the first wins), else `fresh`, saved now. */
async function captureOnce(env: ActionEnv, key: string, fresh: Capture): Promise<Capture> {
  const saved = await env.state.load(key);
  if (saved !== undefined) return parseCapture(key, saved);
  await env.state.save(key, fresh);
  return fresh;
}

/** `ModifyDBInstance` PubliclyAccessible false, ApplyImmediately, unless it already is private. */
async function makePrivate(env: ActionEnv, evidence: DbInstanceEvidence): Promise<boolean> {
  if (evidence.publiclyAccessible === RESTRICTED) return false;
  await env.clients.rds.send(
    new ModifyDBInstanceCommand({
      DBInstanceIdentifier: evidence.dbInstanceIdentifier,
      PubliclyAccessible: RESTRICTED,
      ApplyImmediately: true,
    }),
  );
  return true;
}

function notesOf(evidence: DbInstanceEvidence): string[] {
  const related = [
    ...(evidence.readReplicaSource === null ? [] : [`its source instance ${evidence.readReplicaSource}`]),
    ...evidence.readReplicas.map((replica) => `its read replica ${replica}`),
  ];
  return [
    'the endpoint now resolves to a private address only; resolvers may return the public address until its DNS TTL expires, and connections already open are not cut',
    'review the database’s own logins (the finding’s user, application and source address) and rotate the credentials used, as GuardDuty’s remediation guide says',
    ...(related.length === 0
      ? []
      : [`not changed: ${related.join(', ')} — each has its own PubliclyAccessible setting; check them`]),
  ];
}

/**
 * Takes a snapshot of a DB instance, then makes it not publicly accessible, saving what release
 * restores.
 *
 * Calls, in order: `DescribeDBInstances` (engine, endpoint, ARN, PubliclyAccessible, cluster and
 * replicas; an ARN of another account is refused), `ListTagsForResource` on the instance ARN (the
 * rails' tags; a failure fails the action); a member of an Aurora or Multi-AZ DB cluster is
 * refused ({@link refuseClusterMember}); `state.save('rds-db-instance:<id>')` with the previous
 * accessibility and the evidence (the first capture of the incident wins);
 * `safety.assertContainable({ resource: id, tags, environmentApproval: true })` (protected tag,
 * sample, allow/deny lists, blast radius, approval unless tagged non-production);
 * `CreateDBSnapshot` `riposte-<incident>-<id>` tagged `riposte:incident` (kept when a rerun finds
 * it) and one `DescribeDBSnapshots` for its status — the snapshot is not awaited, it becomes
 * `available` on its own; `ModifyDBInstance` `PubliclyAccessible: false, ApplyImmediately: true`
 * unless already private; `DescribeDBInstances` again, recorded as `verification`
 * (see verify/rds.ts for what counts as verified).
 *
 * @example
 * const { output } = await runAction(restrictDbInstanceAction, { dbInstance: 'orders-db' }, env);
 * output.previousPubliclyAccessible; // true
 * output.snapshot.status; // 'creating'
 */
export const restrictDbInstanceAction = defineAction({
  id: 'restrict-db-instance',
  family: 'contain',
  services: rdsService,
  description:
    'Snapshots an RDS DB instance (tagged with the incident), then sets PubliclyAccessible false and reads it back, saving the previous setting.',
  input: DbInstanceInputSchema,
  output: RestrictDbInstanceOutputSchema,
  iamActions: [
    'rds:DescribeDBInstances',
    'rds:ListTagsForResource',
    'rds:CreateDBSnapshot',
    // Tagging at creation is authorized as rds:AddTagsToResource too (RDS User Guide, "Grant
    // permission to tag Amazon RDS resources during creation").
    'rds:AddTagsToResource',
    'rds:DescribeDBSnapshots',
    'rds:ModifyDBInstance',
  ],
  target: (input) => input.dbInstance,
  async run(input, env): Promise<RestrictDbInstanceOutput> {
    const evidence = await readInstance(env, input.dbInstance);
    const id = evidence.dbInstanceIdentifier;
    const tags = await readTags(env, evidence.dbInstanceArn);
    refuseClusterMember(evidence);

    const key = stateKey(id);
    const capture = await captureOnce(env, key, {
      kind: 'rds-db-instance',
      previousPubliclyAccessible: evidence.publiclyAccessible,
      snapshotIdentifier: snapshotIdentifierOf(env.execution.incidentId, id),
      tags,
      evidence,
      capturedAt: new Date(env.now()).toISOString(),
    });

    await env.safety.assertContainable({ resource: id, tags, environmentApproval: true });

    const snapshot = await takeSnapshot(env, evidence, capture.snapshotIdentifier);
    const changed = await makePrivate(env, evidence);
    return {
      dbInstanceIdentifier: id,
      dbInstanceArn: evidence.dbInstanceArn,
      stateKey: key,
      previousPubliclyAccessible: capture.previousPubliclyAccessible,
      appliedPubliclyAccessible: RESTRICTED,
      changedByThisRun: changed,
      snapshot,
      evidence,
      verification: await verifyPubliclyAccessible(env, id, RESTRICTED),
      timeline: { before: capture, after: { snapshot } },
      notes: notesOf(evidence),
    };
  },
});

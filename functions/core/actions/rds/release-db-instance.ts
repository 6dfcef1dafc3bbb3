import { ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { z } from 'zod';
import { NothingToReleaseError, ProtectedResourceError } from '../errors.ts';
import { rdsService } from '../services/rds.ts';
import { defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyPubliclyAccessible } from '../verify/rds.ts';
import {
  DbInstanceInputSchema,
  identifierOf,
  parseCapture,
  readInstance,
  readTags,
  stateKey,
} from './shared/instance.ts';

export const ReleaseDbInstanceOutputSchema = z.object({
  dbInstanceIdentifier: z.string(),
  /** The PubliclyAccessible restored: the value restrict-db-instance found. */
  restoredPubliclyAccessible: z.boolean(),
  changedByThisRun: z.boolean(),
  /** The snapshot the containment took: kept, never deleted by release. */
  snapshotIdentifier: z.string(),
  /** `DescribeDBInstances` read back: the restored value. */
  verification: VerificationSchema,
  warnings: z.array(z.string()),
});
export type ReleaseDbInstanceOutput = z.infer<typeof ReleaseDbInstanceOutputSchema>;

/**
 * Undoes restrict-db-instance from its capture: the DB instance's `PubliclyAccessible` goes back
 * to what it was.
 *
 * Calls, in order: `state.load('rds-db-instance:<id>')` ({@link NothingToReleaseError} when this
 * incident restricted nothing), `DescribeDBInstances`, `ListTagsForResource` on its ARN (an
 * instance that now carries the protected tag is refused with {@link ProtectedResourceError}),
 * then `ModifyDBInstance` `PubliclyAccessible: <saved>, ApplyImmediately: true` unless it already
 * is so, and `DescribeDBInstances` again, recorded as `verification`. The snapshot the
 * containment took is kept: it is evidence, and deleting data is no part of a release.
 *
 * @example
 * const { output } = await runAction(releaseDbInstanceAction, { dbInstance: 'orders-db' }, env);
 * output.restoredPubliclyAccessible; // true, as before containment
 */
export const releaseDbInstanceAction = defineAction({
  id: 'release-db-instance',
  family: 'release',
  undoes: ['restrict-db-instance'],
  services: rdsService,
  description:
    "Restores an RDS DB instance's PubliclyAccessible saved by restrict-db-instance and reads it back; the snapshot is kept.",
  input: DbInstanceInputSchema,
  output: ReleaseDbInstanceOutputSchema,
  iamActions: ['rds:DescribeDBInstances', 'rds:ListTagsForResource', 'rds:ModifyDBInstance'],
  target: (input) => input.dbInstance,
  async run(input, env): Promise<ReleaseDbInstanceOutput> {
    const id = identifierOf(input.dbInstance);
    const key = stateKey(id);
    const saved = await env.state.load(key);
    if (saved === undefined) {
      throw new NothingToReleaseError(
        `nothing to release: no restriction of DB instance ${id} was recorded in this incident`,
      );
    }
    const capture = parseCapture(key, saved);
    const now = await readInstance(env, capture.evidence.dbInstanceArn);
    if (env.safety.standing(await readTags(env, now.dbInstanceArn)).protected) {
      throw new ProtectedResourceError(
        `release of DB instance ${id} refused: it now carries the protected tag; restore its public accessibility by hand`,
      );
    }
    const previous = capture.previousPubliclyAccessible;
    const change = now.publiclyAccessible !== previous;
    if (change) {
      await env.clients.rds.send(
        new ModifyDBInstanceCommand({
          DBInstanceIdentifier: id,
          PubliclyAccessible: previous,
          ApplyImmediately: true,
        }),
      );
    }
    return {
      dbInstanceIdentifier: id,
      restoredPubliclyAccessible: previous,
      changedByThisRun: change,
      snapshotIdentifier: capture.snapshotIdentifier,
      verification: await verifyPubliclyAccessible(env, id, previous),
      warnings:
        change && previous
          ? [
              `DB instance ${id} is publicly accessible again: its security groups alone decide who reaches it; Security Hub RDS.2 will report it again`,
            ]
          : [],
    };
  },
});

import { type DBInstance, DescribeDBInstancesCommand, ListTagsForResourceCommand } from '@aws-sdk/client-rds';
import { z } from 'zod';
import { InvalidInputError } from '../../../errors.ts';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.ts';
import type { ActionEnv } from '../../types.ts';

/**
 * What the RDS DB instance actions share: reading an instance (`DescribeDBInstances`,
 * `ListTagsForResource`), the capture the containment saves for release, and the input they
 * take. Imported by the RDS action files only.
 */

/** A DB instance identifier, or its ARN (`arn:aws:rds:<region>:<account>:db:<identifier>`). */
export const DbInstanceRefSchema = z
  .string()
  .regex(
    /^(arn:aws[a-zA-Z-]*:rds:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:db:)?[A-Za-z][A-Za-z0-9-]{0,62}$/,
    'a DB instance identifier or DB instance ARN',
  );

export const DbInstanceInputSchema = z.object({ dbInstance: DbInstanceRefSchema });

/** The instance as evidence: what it runs, where it answers, what it is part of. */
export const DbInstanceEvidenceSchema = z.object({
  dbInstanceIdentifier: z.string(),
  dbInstanceArn: z.string(),
  engine: z.string().nullable(),
  engineVersion: z.string().nullable(),
  status: z.string().nullable(),
  publiclyAccessible: z.boolean(),
  endpoint: z.object({ address: z.string().nullable(), port: z.number().nullable() }),
  securityGroups: z.array(z.string()),
  /** Aurora: the DB cluster the instance is a member of. */
  dbClusterIdentifier: z.string().nullable(),
  /** For a read replica: its source instance. */
  readReplicaSource: z.string().nullable(),
  /** For a source instance: its read replicas. */
  readReplicas: z.array(z.string()),
});
export type DbInstanceEvidence = z.infer<typeof DbInstanceEvidenceSchema>;

/** What restrict-db-instance saves under `rds-db-instance:<identifier>`. */
export const CaptureSchema = z.object({
  kind: z.literal('rds-db-instance'),
  /** `PubliclyAccessible` before containment: what release restores. */
  previousPubliclyAccessible: z.boolean(),
  snapshotIdentifier: z.string(),
  tags: z.record(z.string(), z.string()),
  evidence: DbInstanceEvidenceSchema,
  capturedAt: z.string(),
});
export type Capture = z.infer<typeof CaptureSchema>;

/** Where restrict-db-instance saves its capture of `identifier`. */
export const stateKey = (identifier: string): string => `rds-db-instance:${identifier}`;

/** The identifier of a DB instance reference (RDS stores identifiers in lowercase). */
export function identifierOf(ref: string): string {
  return (ref.split(':db:').at(-1) ?? ref).toLowerCase();
}

/**
 * The manual DB snapshot identifier of this incident's capture of `identifier`: the same on
 * every run of the incident (a rerun finds its snapshot), within RDS's rules (letters, digits and
 * hyphens, a letter first, no two hyphens in a row, no hyphen last, at most 255 characters).
 *
 * @example
 * snapshotIdentifierOf('inc_01JD..X', 'orders-db'); // 'riposte-inc-01jd-x-orders-db'
 */
export function snapshotIdentifierOf(incidentId: string, identifier: string): string {
  const clean = (text: string): string =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  return `riposte-${clean(incidentId).slice(0, 120).replace(/-+$/, '')}-${clean(identifier)}`;
}

/** A missing instance becomes {@link ResourceNotFoundError}; other errors pass unchanged. */
function notFound(error: unknown, ref: string): unknown {
  return hasErrorCode(error, 'DBInstanceNotFound', 'DBInstanceNotFoundFault')
    ? new ResourceNotFoundError(`DB instance ${ref} does not exist`, { cause: error })
    : error;
}

function evidenceOf(db: DBInstance, ref: string): DbInstanceEvidence {
  const str = (v: string | undefined): string | null => (v === undefined || v === '' ? null : v);
  const id = str(db.DBInstanceIdentifier);
  const arn = str(db.DBInstanceArn);
  if (id === null || arn === null || db.PubliclyAccessible === undefined)
    throw new InvalidInputError(
      `DescribeDBInstances ${ref} answered no DBInstanceIdentifier, DBInstanceArn or PubliclyAccessible`,
    );
  return {
    dbInstanceIdentifier: id,
    dbInstanceArn: arn,
    engine: str(db.Engine),
    engineVersion: str(db.EngineVersion),
    status: str(db.DBInstanceStatus),
    publiclyAccessible: db.PubliclyAccessible,
    endpoint: { address: str(db.Endpoint?.Address), port: db.Endpoint?.Port ?? null },
    securityGroups: (db.VpcSecurityGroups ?? []).flatMap((g) =>
      g.VpcSecurityGroupId === undefined ? [] : [g.VpcSecurityGroupId],
    ),
    dbClusterIdentifier: str(db.DBClusterIdentifier),
    readReplicaSource: str(db.ReadReplicaSourceDBInstanceIdentifier),
    readReplicas: [...(db.ReadReplicaDBInstanceIdentifiers ?? [])],
  };
}

/**
 * `DescribeDBInstances` of one instance. An ARN naming another account than the incident's is
 * refused before any call: the member role acts in the incident's account only.
 */
export async function readInstance(env: ActionEnv, ref: string): Promise<DbInstanceEvidence> {
  const account = /^arn:[^:]+:rds:[^:]+:(\d{12}):/.exec(ref)?.[1];
  if (account !== undefined && env.execution.account !== undefined && account !== env.execution.account) {
    throw new InvalidInputError(
      `DB instance ${ref} is in account ${account}, not the incident's ${env.execution.account}`,
    );
  }
  try {
    const out = await env.clients.rds.send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifierOf(ref) }),
    );
    const db = out.DBInstances?.[0];
    if (db === undefined) throw new ResourceNotFoundError(`DB instance ${ref} does not exist`);
    return evidenceOf(db, ref);
  } catch (error) {
    throw notFound(error, ref);
  }
}

/**
 * `ListTagsForResource` on the instance's ARN: the rails' tags. A failure fails the action
 * rather than reading as "untagged" (fails closed).
 */
export async function readTags(env: ActionEnv, arn: string): Promise<Record<string, string>> {
  try {
    const out = await env.clients.rds.send(new ListTagsForResourceCommand({ ResourceName: arn }));
    return Object.fromEntries(
      (out.TagList ?? []).flatMap((t) => (t.Key === undefined ? [] : [[t.Key, t.Value ?? '']])),
    );
  } catch (error) {
    throw notFound(error, arn);
  }
}

/** The capture saved under `key`, parsed ({@link InvalidInputError} when unreadable). */
export function parseCapture(key: string, saved: Record<string, unknown>): Capture {
  const parsed = CaptureSchema.safeParse(saved);
  if (!parsed.success) {
    throw new InvalidInputError(`the state saved for ${key} is not readable: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

import { randomBytes } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { queryPartition } from '../store/queries.ts';
import { caseKeys, keys, sortableTime } from '../store/table.ts';

/**
 * The case log: an append-only record, in the incident's partition, of everything that happened
 * to the incident besides the playbook's actions (those are on the action timeline): status
 * changes, owner, notes, tags, close and reopen, suppressions. Entries are never updated or
 * deleted; each is written with a condition that the key is new.
 */
export const CASE_LOG_KINDS = [
  'status',
  'assigned',
  'note',
  'tags',
  'closed',
  'reopened',
  'suppression-created',
  'suppression-removed',
] as const;
export type CaseLogKind = (typeof CASE_LOG_KINDS)[number];

export const CaseLogEntrySchema = z.object({
  incidentId: z.string(),
  /** The entry's id (its sort key), e.g. a note's id. */
  id: z.string(),
  /** Epoch milliseconds. */
  at: z.number(),
  kind: z.enum(CASE_LOG_KINDS),
  /** Who did it: the OS user locally, the caller's ARN against a deployment, `riposte` for the playbooks. */
  actor: z.string(),
  /** A note's text, or a one-line description of the change. */
  text: z.string(),
  /** The change's values (status from/to, owner, tags, resolution, suppression id...). */
  data: z.record(z.string(), z.unknown()).default({}),
});
export type CaseLogEntry = z.infer<typeof CaseLogEntrySchema>;

/** What an append supplies; the id and incident are filled in. */
export type CaseLogAppend = Omit<CaseLogEntry, 'id' | 'incidentId' | 'data'> & {
  readonly data?: Readonly<Record<string, unknown>>;
};

let sequence = 0;

/**
 * Appends one entry to the incident's case log and returns it. The sort key is the time plus a
 * process sequence and random suffix, and the put is conditional on the key being new, so two
 * writers at the same millisecond never overwrite each other.
 *
 * @example
 * await appendCaseLog(db, tableName, 'inc-123', { at: Date.now(), kind: 'note', actor: 'alice', text: 'Checked with the owner' });
 */
export async function appendCaseLog(
  db: DynamoDBDocumentClient,
  tableName: string,
  incidentId: string,
  entry: CaseLogAppend,
): Promise<CaseLogEntry> {
  sequence = (sequence + 1) % 1_000_000;
  const suffix = `${String(sequence).padStart(6, '0')}${randomBytes(4).toString('hex')}`;
  const key = caseKeys.log(incidentId, sortableTime(entry.at), suffix);
  const record: CaseLogEntry = {
    incidentId,
    id: key.sk.slice(caseKeys.logPrefix.length),
    at: entry.at,
    kind: entry.kind,
    actor: entry.actor,
    text: entry.text,
    data: { ...(entry.data ?? {}) },
  };
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...key, ...record },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return record;
}

/**
 * The incident's case log, oldest first. Entries that do not parse are skipped, never fatal: the
 * log is read by people.
 *
 * @example
 * const notes = (await listCaseLog(db, tableName, 'inc-123')).filter((e) => e.kind === 'note');
 */
export async function listCaseLog(
  db: DynamoDBDocumentClient,
  tableName: string,
  incidentId: string,
): Promise<CaseLogEntry[]> {
  const items = await queryPartition(db, tableName, keys.incident(incidentId).pk, caseKeys.logPrefix);
  return items.flatMap((item) => {
    const parsed = CaseLogEntrySchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { declares } from '../permissions.ts';
import { keys } from '../store/table.ts';
import type { StoreAccess } from './context.ts';
import { NothingToReleaseError } from './errors.ts';
import type { ExecutionFacts } from './types.ts';

/** {@link assertSomethingToRelease}: reads the incident's containment milestones. */
export const RELEASE_GUARD_CALLS = declares({
  service: 'dynamodb',
  actions: ['dynamodb:GetItem'],
  resource: 'table',
  why: 'a release first checks that the incident was contained',
});

const MilestonesSchema = z.object({
  containedAt: z.number().optional(),
  dryRunContainedAt: z.number().optional(),
});

/**
 * Refuses a release of an incident that was never contained, before the release action runs:
 * {@link NothingToReleaseError}, whose message starts with `nothing to release`. A containment
 * saves its pre-containment state *before* the safety rails decide, so a capture alone does not
 * mean anything changed; the incident's milestone does (`containedAt`, stamped when a
 * containment action completed). A live release needs a real containment; a dry-run release
 * (a sample incident, the kill switch, the local world) also accepts a dry-run one.
 *
 * @example
 * await assertSomethingToRelease(store, facts, false); // throws for an incident whose containment was refused
 */
export async function assertSomethingToRelease(
  store: StoreAccess,
  facts: Pick<ExecutionFacts, 'incidentId'>,
  dryRun: boolean,
): Promise<void> {
  const out = await store.db.send(
    new GetCommand({
      TableName: store.tableName,
      Key: keys.incident(facts.incidentId),
      ConsistentRead: true,
    }),
  );
  const milestones = MilestonesSchema.parse(out.Item ?? {});
  if (milestones.containedAt !== undefined) return;
  if (dryRun && milestones.dryRunContainedAt !== undefined) return;
  const why =
    milestones.dryRunContainedAt === undefined
      ? 'no containment action completed (none ran, or a safety rail or a person refused it)'
      : 'its containment was a dry-run: nothing was changed in AWS';
  throw new NothingToReleaseError(
    `nothing to release: incident ${facts.incidentId} was never contained, ${why}`,
  );
}

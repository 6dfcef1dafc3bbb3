import { z } from 'zod';
import { readApprovalItem } from '#core/actions/approval/decide.ts';
import { listTimeline } from '#core/actions/state.ts';
import { RELEASE_PLAYBOOK_IDS, releasePlaybookFor } from '#core/playbooks/releases.ts';
import { actionsUndoneByShipped } from '#core/playbooks/undo.ts';
import { UsageError } from '../../command.ts';
import { type DecisionOutcome, decideDeployedApproval } from '../../commands/approve.ts';
import { IncidentNotFoundError, resolveIncident } from '../../commands/show.ts';
import { undoSteps } from '../../release-plan.ts';
import { ApiError, type ConsoleContext } from './context.ts';

/**
 * The console's decisions: approve or deny a pending approval (the deployed semantics: signed,
 * expiring, first decision wins), and release a containment after a confirmation that lists
 * what will be undone.
 */

export const DecisionBodySchema = z.strictObject({ decision: z.enum(['approve', 'deny']) });
export const ReleaseBodySchema = z.strictObject({ confirm: z.literal(true) });

/**
 * The incident an id or unique prefix names, or a 404.
 *
 * @example
 * const incident = await incidentOf(ctx, 'inc-3f');
 */
export async function incidentOf(ctx: ConsoleContext, id: string) {
  try {
    return await resolveIncident(ctx.db, ctx.tableName, id, ctx.description);
  } catch (error) {
    if (error instanceof IncidentNotFoundError || error instanceof UsageError)
      throw new ApiError(404, error.message);
    throw error;
  }
}

/** `POST /api/incidents/<id>/approval` `{"decision":"approve"|"deny"}`. */
export async function decide(ctx: ConsoleContext, id: string, body: unknown): Promise<DecisionOutcome> {
  const { decision } = DecisionBodySchema.parse(body);
  const incident = await incidentOf(ctx, id);
  const approver = await ctx.actor();
  if (ctx.gate !== undefined) {
    const result = await ctx.gate.decide(incident.id, decision, approver);
    switch (result.outcome) {
      case 'decided':
        return { incident: incident.id, status: result.status, approver, decidedAt: result.decidedAt };
      case 'nothing-waiting':
      case 'not-pending': {
        const item = await readApprovalItem(ctx.db, ctx.tableName, incident.id);
        throw new ApiError(
          409,
          `nothing waits for a decision on ${incident.id}: the approval is ${item?.status ?? 'not requested'}`,
        );
      }
      case 'expired':
      case 'task-gone':
        throw new ApiError(410, `the approval of ${incident.id} expired: the playbook no longer waits`);
      case 'unreachable':
        throw new ApiError(502, 'the decision could not be delivered; the approval is pending again');
    }
  }
  if (!ctx.remote) {
    throw new ApiError(
      409,
      'no playbook waits here: approvals wait under `riposte serve` (open the console it serves)',
    );
  }
  const pending = await readApprovalItem(ctx.db, ctx.tableName, incident.id);
  if (pending?.status !== 'pending')
    throw new ApiError(
      409,
      `nothing to decide on ${incident.id}: the approval is ${pending?.status ?? 'not requested'}`,
    );
  const decided = await decideDeployedApproval(
    { db: ctx.db, tableName: ctx.tableName, region: ctx.region },
    { decision, incidentId: incident.id, pending, approver },
  );
  if ('refused' in decided) throw new ApiError(409, decided.refused);
  return {
    incident: incident.id,
    status: decision === 'approve' ? 'approved' : 'denied',
    approver,
    decidedAt: decided.decidedAt,
  };
}

/** `GET /api/incidents/<id>/release`: what a release would undo, for the confirmation. */
export async function releasePlan(ctx: ConsoleContext, id: string) {
  const incident = await ctx.serialize(() => incidentOf(ctx, id));
  const playbook = releasePlaybookFor(incident);
  const timeline = await ctx.serialize(() => listTimeline(ctx.db, ctx.tableName, incident.id));
  const undone = playbook === undefined ? undefined : await actionsUndoneByShipped(playbook);
  const undo = undoSteps(timeline, RELEASE_PLAYBOOK_IDS, undone);
  return {
    incident: incident.id,
    resourceType: incident.resourceType,
    resource: incident.resourceName ?? incident.resourceUid,
    playbook: playbook ?? null,
    available: playbook !== undefined && ctx.release !== undefined,
    undo,
  };
}

/** `POST /api/incidents/<id>/release` `{"confirm":true}`. */
export async function release(ctx: ConsoleContext, id: string, body: unknown) {
  ReleaseBodySchema.parse(body);
  if (ctx.release === undefined) throw new ApiError(409, 'releases are not available from this console');
  const incident = await ctx.serialize(() => incidentOf(ctx, id));
  if (releasePlaybookFor(incident) === undefined) {
    throw new ApiError(409, `there is no release playbook for ${incident.resourceType}`);
  }
  return ctx.release(incident.id);
}

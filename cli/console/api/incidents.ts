import { readApprovalItem } from '#core/actions/approval/decide.ts';
import type { ApprovalItem } from '#core/actions/approval/token.ts';
import { listTimeline, type TimelineEntry } from '#core/actions/state.ts';
import { compilePlaybook } from '#core/playbooks/compile.ts';
import { alertOcsf, listIncidents } from '#core/store/queries.ts';
import type { IncidentItem } from '#core/store/table.ts';
import { UsageError } from '../../command.ts';
import { getAlerts, IncidentNotFoundError, loadIncidentView, resolveIncident } from '../../commands/show.ts';
import type { TrackedExecution } from '../executions.ts';
import { type StateGraph, stateGraph } from '../graph.ts';
import { ApiError, type ConsoleContext } from './context.ts';
import { readSuppressions } from './suppressions.ts';

/**
 * The queue and the incident page: incidents with the status an analyst works by, and one
 * incident with its alerts (OCSF), timeline (with state before and after each action), approval
 * and each execution as its state-machine graph with the path taken.
 */

/** The status the console shows: the stored one, refined by what is running or waiting now. */
export type QueueStatus =
  | 'new'
  | 'responding'
  | 'awaiting_approval'
  | 'contained'
  | 'failed'
  | 'not_contained'
  | 'released'
  | 'resolved'
  | 'closed';

export interface QueueRow {
  readonly id: string;
  readonly title: string;
  readonly status: QueueStatus;
  readonly severityId: number;
  readonly source: string;
  readonly resourceType: string;
  readonly resource: string;
  readonly account: string | undefined;
  readonly openedAt: number;
  readonly lastAlertAt: number;
  readonly alerts: number;
  readonly sample: boolean;
  readonly owner: string | undefined;
}

const KNOWN = new Set<string>([
  'new',
  'responding',
  'awaiting_approval',
  'contained',
  'failed',
  'not_contained',
  'released',
  'resolved',
  'closed',
]);

/** The status of an incident for the console (the stored lifecycle when there is one). */
export function queueStatus(
  incident: IncidentItem,
  approval: Pick<ApprovalItem, 'status'> | undefined,
  running: readonly TrackedExecution[],
): QueueStatus {
  const stored = (incident as { lifecycle?: unknown }).lifecycle;
  // Closed by an operator: that is what the incident is now, whatever still runs.
  if (incident.status === 'resolved' || incident.status === 'closed') return incident.status;
  if (running.some((e) => e.status === 'WAITING') || approval?.status === 'pending')
    return 'awaiting_approval';
  if (running.some((e) => e.status === 'RUNNING')) return 'responding';
  if (typeof stored === 'string' && KNOWN.has(stored)) return stored as QueueStatus;
  if (incident.releasedAt !== undefined || incident.dryRunReleasedAt !== undefined) return 'released';
  if (incident.containedAt !== undefined || incident.dryRunContainedAt !== undefined) return 'contained';
  if (incident.playbookStatus === 'failed') return 'failed';
  if (incident.playbookStatus === 'completed') return 'not_contained';
  return incident.playbookStartedAt === undefined ? 'new' : 'responding';
}

function ownerOf(incident: IncidentItem): string | undefined {
  const owner = (incident as { owner?: unknown }).owner;
  return typeof owner === 'string' && owner !== '' ? owner : undefined;
}

/** `GET /api/incidents`: every incident, newest first, filtered by the query. */
export async function listQueue(ctx: ConsoleContext, query: URLSearchParams): Promise<QueueRow[]> {
  const incidents = await ctx.serialize(() => listIncidents(ctx.db, ctx.tableName, 5_000));
  const waiting = new Set((ctx.gate?.waiting() ?? []).map((w) => w.incidentId));
  const rows = incidents.map(
    (i): QueueRow => ({
      id: i.id,
      title: i.title,
      status: queueStatus(
        i,
        waiting.has(i.id) ? { status: 'pending' } : undefined,
        ctx.tracker?.forIncident(i.id) ?? [],
      ),
      severityId: i.severityId,
      source: i.source ?? 'unknown',
      resourceType: i.resourceType,
      resource: i.resourceName ?? i.resourceUid,
      account: i.account,
      openedAt: i.openedAt,
      lastAlertAt: i.lastAlertAt,
      alerts: i.alertIds.length,
      sample: i.sample,
      owner: ownerOf(i),
    }),
  );
  const status = query.get('status');
  const severity = Number(query.get('minSeverity') ?? '0');
  const source = query.get('source');
  const text = (query.get('q') ?? '').trim().toLowerCase();
  return rows.filter(
    (r) =>
      (status === null || status === '' || r.status === status) &&
      r.severityId >= severity &&
      (source === null || source === '' || r.source === source) &&
      (text === '' || `${r.id} ${r.title} ${r.resource} ${r.owner ?? ''}`.toLowerCase().includes(text)),
  );
}

export interface ExecutionGraph {
  readonly playbook: string;
  readonly version: string;
  readonly status: string;
  readonly mode: string;
  readonly startedAt: number;
  readonly endedAt: number | undefined;
  /** States entered, in order (the path taken). */
  readonly path: readonly string[];
  /** Where the path comes from: the live run, or the actions recorded on the timeline. */
  readonly pathFrom: 'execution' | 'timeline';
  readonly waitingState: string | undefined;
  readonly failedState: string | undefined;
  readonly error: string | undefined;
  readonly graph: StateGraph;
}

/** The graph of the playbook's current definition (a run of an older version is drawn on it too). */
function graphOf(ctx: ConsoleContext, playbook: string, _version: string): StateGraph | undefined {
  const definition = ctx.playbooks.find((p) => p.id === playbook);
  if (definition === undefined) return undefined;
  return stateGraph(compilePlaybook(definition));
}

/** The states whose action the timeline recorded (when the live path is not known). */
function pathFromTimeline(graph: StateGraph, actions: readonly TimelineEntry[]): string[] {
  const done = new Set(actions.map((a) => a.action));
  return graph.nodes.filter((n) => n.action !== undefined && done.has(n.action)).map((n) => n.id);
}

/** `GET /api/incidents/<id>`: everything about one incident. */
export async function incidentDetail(ctx: ConsoleContext, idOrPrefix: string) {
  return ctx.serialize(async () => {
    let incident: IncidentItem;
    try {
      incident = await resolveIncident(ctx.db, ctx.tableName, idOrPrefix, ctx.description);
    } catch (error) {
      if (error instanceof IncidentNotFoundError || error instanceof UsageError)
        throw new ApiError(404, error.message);
      throw error;
    }
    const [view, alerts, timeline, approval, suppressions] = await Promise.all([
      loadIncidentView(ctx.db, ctx.tableName, incident),
      getAlerts(ctx.db, ctx.tableName, incident.alertIds),
      listTimeline(ctx.db, ctx.tableName, incident.id),
      readApprovalItem(ctx.db, ctx.tableName, incident.id),
      readSuppressions(ctx, { incidentId: incident.id }),
    ]);
    const tracked = ctx.tracker?.forIncident(incident.id) ?? [];
    const executions: ExecutionGraph[] = [];
    for (const t of tracked) {
      const graph = graphOf(ctx, t.playbook, t.version);
      if (graph === undefined) continue;
      const failed = t.status === 'FAILED' ? t.path.at(-1) : undefined;
      executions.push({
        playbook: t.playbook,
        version: t.version,
        status: t.status,
        mode: 'local',
        startedAt: t.startedAt,
        endedAt: t.endedAt,
        path: [...t.path],
        pathFrom: 'execution',
        waitingState: t.waitingState,
        failedState: failed,
        error: t.error === undefined ? undefined : `${t.error}${t.cause ? `: ${t.cause}` : ''}`,
        graph,
      });
    }
    for (const e of view.executions) {
      if (tracked.some((t) => t.playbook === e.playbook && t.version === e.version)) continue;
      const graph = graphOf(ctx, e.playbook, e.version);
      if (graph === undefined) continue;
      const actions = timeline.filter((a) => a.playbookId === e.playbook);
      executions.push({
        playbook: e.playbook,
        version: e.version,
        status: e.status === 'failed' ? 'FAILED' : actions.length > 0 ? 'RECORDED' : 'STARTED',
        mode: e.mode,
        startedAt: e.startedAt,
        endedAt: actions.at(-1)?.at,
        path: pathFromTimeline(graph, actions),
        pathFrom: 'timeline',
        waitingState: undefined,
        failedState: undefined,
        error: e.error,
        graph,
      });
    }
    const waiting = ctx.gate?.waiting().find((w) => w.incidentId === incident.id);
    return {
      incident: view.incident,
      status: queueStatus(incident, waiting === undefined ? undefined : approval, tracked),
      owner: ownerOf(incident),
      closedBy: incident.closedBy,
      closedAt: incident.closedAt,
      notes: view.caseLog
        .filter((e) => e.kind === 'note')
        .map((e) => ({ id: e.id, text: e.text, author: e.actor, at: e.at })),
      alerts: alerts.map((a) => ({
        id: a.id,
        source: a.source,
        title: a.title,
        severityId: a.severityId,
        status: a.status,
        sample: a.sample,
        firstSeen: a.firstSeen,
        lastSeen: a.lastSeen,
        occurrences: a.occurrences,
        ocsf: safeOcsf(a),
      })),
      actions: timeline.map((t) => ({
        at: t.at,
        playbook: t.playbookId,
        version: t.playbookVersion,
        action: t.action,
        target: t.target,
        dryRun: t.dryRun,
        outcome: t.outcome,
        calls: t.calls,
        before: t.before ?? null,
        after: t.after ?? null,
        error: t.error ?? null,
      })),
      approval: view.approval,
      /** Decidable here: a request waiting under serve, or a pending one on a deployment. */
      approvalDecidable: waiting !== undefined || (ctx.remote && approval?.status === 'pending'),
      events: view.events,
      milestones: view.milestones,
      executions,
      canRelease: ctx.release !== undefined,
      /** The suppressions this incident's close created, with the alerts they kept out. */
      suppressions,
    };
  });
}

function safeOcsf(alert: Parameters<typeof alertOcsf>[0]): unknown {
  try {
    return alertOcsf(alert);
  } catch {
    return null;
  }
}

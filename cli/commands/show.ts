import { parseArgs } from 'node:util';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
} from '@aws-sdk/lib-dynamodb';
import { readApprovalItem } from '#core/actions/approval/decide.ts';
import type { ApprovalItem } from '#core/actions/approval/token.ts';
import { listTimeline, type TimelineEntry } from '#core/actions/state.ts';
import { verificationLine } from '#core/actions/verify/check.ts';
import { type CaseLogEntry, listCaseLog } from '#core/lifecycle/log.ts';
import { statusLabel } from '#core/lifecycle/status.ts';
import { listIncidents, queryPartition } from '#core/store/queries.ts';
import {
  type AlertItem,
  AlertItemSchema,
  type ExecutionItem,
  ExecutionItemSchema,
  type IncidentItem,
  IncidentItemSchema,
  keys,
} from '#core/store/table.ts';
import { type Command, UsageError, write } from '../command.ts';
import { runningServer } from '../local/owner.ts';
import { localDataDir, openStoreFor, STORE_HELP, STORE_OPTIONS, storeSelection } from '../local/runtime.ts';
import { isoTime, SEVERITY_NAMES } from '../output.ts';

const HELP = `Usage: riposte show <incident> [--json]
                    [--data-dir DIR | --stack NAME | --table NAME] [--region REGION]

An incident's story in time order: when it opened, its alerts (first and last seen, deliveries,
title), the playbook executions started for it, every action of the timeline (target, dry-run,
outcome, the state-changing calls it made, errors), the approval (requested, decided, by whom),
the response milestones (playbook started, contained, released, closed) and the case log
(status changes, owner, notes, tags, close and reopen, suppressions). Dry-run milestones are
marked as such. <incident> is an incident id or a unique prefix of one, of any length (the inc-
every id starts with may be left out).

Options:
  --json           one JSON object: {"incident","alerts":[{"id","source","title","severityId",
                   "status","sample","firstSeen","lastSeen","occurrences"}],"executions":[{"playbook",
                   "version","mode","status","name","startedAt"}],"actions":[{"at","playbook","version",
                   "action","target","dryRun","outcome","calls":[{"service","api","params","dryRun",
                   "mutating"}],"error"?,"verification"?:{"verified","basis","evidence":[{"check",
                   "expected","actual","ok"}]}}],"approval":{"status","message","requestedAt","deadline",
                   "decidedAt","approver"}|null,"milestones":[{"milestone","at","dryRun"}],
                   "caseLog":[{"id","at","kind","actor","text","data"}],
                   "events":[{"at","time","kind","text"}]} (times in epoch milliseconds)
${STORE_HELP}

Exit status: 0, or 1 when there is no such incident.`;

/** An incident and everything recorded about it. */
export interface IncidentView {
  readonly incident: Omit<IncidentItem, 'pk' | 'sk'>;
  readonly alerts: readonly AlertView[];
  readonly executions: readonly ExecutionView[];
  readonly actions: readonly ActionView[];
  readonly approval: ApprovalView | null;
  readonly milestones: readonly MilestoneView[];
  /** The case log: status changes, owner, notes, tags, close and reopen, suppressions. */
  readonly caseLog: readonly CaseLogEntry[];
  /** Everything above merged, oldest first. */
  readonly events: readonly EventView[];
}

export interface AlertView {
  readonly id: string;
  readonly source: string;
  readonly title: string;
  readonly severityId: number;
  readonly status: string;
  readonly sample: boolean;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly occurrences: number;
}

export interface ExecutionView {
  readonly playbook: string;
  readonly version: string;
  readonly mode: 'live' | 'dry-run';
  readonly status: ExecutionItem['status'];
  readonly name: string;
  readonly startedAt: number;
  readonly executionArn?: string;
  readonly error?: string;
}

export interface ActionView {
  readonly at: number;
  readonly playbook: string;
  readonly version: string;
  readonly action: string;
  readonly target: string;
  readonly dryRun: boolean;
  readonly outcome: TimelineEntry['outcome'];
  readonly calls: TimelineEntry['calls'];
  readonly error?: string;
  /** The action's read-back of its effect. */
  readonly verification?: TimelineEntry['verification'];
}

export interface ApprovalView {
  readonly status: ApprovalItem['status'];
  readonly message?: string;
  readonly requestedAt: number;
  readonly deadline: number;
  readonly decidedAt?: number;
  readonly approver?: string;
}

export type MilestoneName = 'opened' | 'playbook-started' | 'contained' | 'released' | 'closed';

export interface MilestoneView {
  readonly milestone: MilestoneName;
  readonly at: number;
  /** A milestone of a dry-run execution (local runs, samples): never counted as real. */
  readonly dryRun: boolean;
}

export interface EventView {
  readonly at: number;
  readonly time: string;
  readonly kind: 'milestone' | 'alert' | 'execution' | 'action' | 'approval' | 'case';
  readonly text: string;
}

/** Raised when an incident id matches nothing (exit status 1, not a usage error). */
export class IncidentNotFoundError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'IncidentNotFoundError';
  }
}

/** Every incident id starts with it; a prefix may leave it out. */
const INCIDENT_ID_PREFIX = 'inc-';

/**
 * The incident `idOrPrefix` names: the exact id, else the one incident whose id starts with it.
 * Throws {@link IncidentNotFoundError} when none matches, a usage error when several do.
 */
export async function resolveIncident(
  db: DynamoDBDocumentClient,
  tableName: string,
  idOrPrefix: string,
  where: string,
): Promise<IncidentItem> {
  const out = await db.send(
    new GetCommand({ TableName: tableName, Key: keys.incident(idOrPrefix), ConsistentRead: true }),
  );
  if (out.Item !== undefined) return IncidentItemSchema.parse(out.Item);
  if (idOrPrefix.length > 0) {
    // Any unambiguous prefix, with or without the `inc-` every id starts with.
    const full = idOrPrefix.startsWith(INCIDENT_ID_PREFIX)
      ? idOrPrefix
      : `${INCIDENT_ID_PREFIX}${idOrPrefix}`;
    const matches = (await listIncidents(db, tableName, 100_000)).filter(
      (i) => i.id.startsWith(idOrPrefix) || i.id.startsWith(full),
    );
    if (matches.length === 1 && matches[0] !== undefined) return matches[0];
    if (matches.length > 1) {
      throw new UsageError(
        `"${idOrPrefix}" matches ${matches.length} incidents (${matches
          .slice(0, 5)
          .map((i) => i.id)
          .join(', ')}${matches.length > 5 ? ', …' : ''}): give more of the id`,
      );
    }
  }
  throw new IncidentNotFoundError(
    `no incident "${idOrPrefix}" in ${where} (\`riposte incidents\` lists them)`,
  );
}

/** The alerts with these ids, earliest first seen first (missing ones are skipped). */
export async function getAlerts(
  db: DynamoDBDocumentClient,
  tableName: string,
  ids: readonly string[],
): Promise<AlertItem[]> {
  const alerts: AlertItem[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
      [tableName]: { Keys: ids.slice(i, i + 100).map((id) => keys.alert(id)) },
    };
    for (let attempt = 0; request !== undefined && attempt < 8; attempt += 1) {
      const out: BatchGetCommandOutput = await db.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of out.Responses?.[tableName] ?? []) alerts.push(AlertItemSchema.parse(item));
      const left: Record<string, unknown>[] | undefined = out.UnprocessedKeys?.[tableName]?.Keys;
      request = left === undefined || left.length === 0 ? undefined : { [tableName]: { Keys: left } };
      if (request !== undefined) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
  return alerts.sort((a, b) => a.firstSeen - b.firstSeen || a.id.localeCompare(b.id));
}

async function getExecutions(
  db: DynamoDBDocumentClient,
  tableName: string,
  incidentId: string,
): Promise<ExecutionItem[]> {
  const items = (await queryPartition(db, tableName, keys.incident(incidentId).pk, 'EXEC#')).map((item) =>
    ExecutionItemSchema.parse(item),
  );
  return items.sort((a, b) => a.createdAt - b.createdAt);
}

/** State-changing calls of an action (what it changed, or would change in dry-run). */
function changes(calls: TimelineEntry['calls']): TimelineEntry['calls'] {
  return calls.filter((c) => c.mutating);
}

/** Loads everything recorded about `incident`. */
export async function loadIncidentView(
  db: DynamoDBDocumentClient,
  tableName: string,
  incident: IncidentItem,
): Promise<IncidentView> {
  const [alertItems, executionItems, timeline, approvalItem, caseLog] = await Promise.all([
    getAlerts(db, tableName, incident.alertIds),
    getExecutions(db, tableName, incident.id),
    listTimeline(db, tableName, incident.id),
    readApprovalItem(db, tableName, incident.id),
    listCaseLog(db, tableName, incident.id),
  ]);
  const { pk: _pk, sk: _sk, ...incidentFields } = incident;
  const alerts: AlertView[] = alertItems.map((a) => ({
    id: a.id,
    source: a.source,
    title: a.title,
    severityId: a.severityId,
    status: a.status,
    sample: a.sample,
    firstSeen: a.firstSeen,
    lastSeen: a.lastSeen,
    occurrences: a.occurrences,
  }));
  const executions: ExecutionView[] = executionItems.map((e) => ({
    playbook: e.playbookId,
    version: e.version,
    mode: e.mode,
    status: e.status,
    name: e.name,
    startedAt: e.createdAt,
    ...(e.executionArn === undefined ? {} : { executionArn: e.executionArn }),
    ...(e.error === undefined ? {} : { error: e.error }),
  }));
  const actions: ActionView[] = timeline.map((t) => ({
    at: t.at,
    playbook: t.playbookId,
    version: t.playbookVersion,
    action: t.action,
    target: t.target,
    dryRun: t.dryRun,
    outcome: t.outcome,
    calls: t.calls,
    ...(t.error === undefined ? {} : { error: t.error }),
    ...(t.verification === undefined ? {} : { verification: t.verification }),
  }));
  const decidedAt = approvalItem?.decidedAt === undefined ? Number.NaN : Date.parse(approvalItem.decidedAt);
  const approval: ApprovalView | null =
    approvalItem === undefined
      ? null
      : {
          status: approvalItem.status,
          ...(approvalItem.message === undefined ? {} : { message: approvalItem.message }),
          requestedAt: approvalItem.requestedAt,
          deadline: approvalItem.deadline,
          ...(Number.isNaN(decidedAt) ? {} : { decidedAt }),
          ...(approvalItem.approver === undefined ? {} : { approver: approvalItem.approver }),
        };
  const milestones: MilestoneView[] = [{ milestone: 'opened', at: incident.openedAt, dryRun: false }];
  const stamp = (milestone: MilestoneName, real: number | undefined, dry: number | undefined): void => {
    if (real !== undefined) milestones.push({ milestone, at: real, dryRun: false });
    else if (dry !== undefined) milestones.push({ milestone, at: dry, dryRun: true });
  };
  stamp('playbook-started', incident.playbookStartedAt, undefined);
  stamp('contained', incident.containedAt, incident.dryRunContainedAt);
  stamp('released', incident.releasedAt, incident.dryRunReleasedAt);
  stamp('closed', incident.closedAt, undefined);

  // Built in the order things happen, then stably sorted by time: ties keep this order.
  const events: Omit<EventView, 'time'>[] = [];
  const opened = milestones[0];
  if (opened !== undefined) events.push(milestoneEvent(opened));
  for (const a of alerts) {
    const last = a.occurrences > 1 ? `, last seen ${isoTime(a.lastSeen)}, ${a.occurrences} deliveries` : '';
    events.push({
      at: a.firstSeen,
      kind: 'alert',
      text: `${a.title} (${a.source}, ${severityName(a.severityId)}${a.sample ? ', sample' : ''}${last}) ${a.id}`,
    });
  }
  for (const e of executions) {
    events.push({
      at: e.startedAt,
      kind: 'execution',
      text: `playbook ${e.playbook} ${e.version} ${e.status}${e.mode === 'dry-run' ? ' (dry-run)' : ''}${
        e.error === undefined ? '' : `: ${e.error}`
      }`,
    });
  }
  for (const m of milestones.slice(1)) if (m.milestone === 'playbook-started') events.push(milestoneEvent(m));
  if (approval !== null) {
    events.push({
      at: approval.requestedAt,
      kind: 'approval',
      text: `requested: ${approval.message ?? 'approval requested'}${
        approval.status === 'pending' ? ` (pending until ${isoTime(approval.deadline)})` : ''
      }`,
    });
  }
  for (const a of actions) {
    const changed = changes(a.calls);
    const reads = a.calls.length - changed.length;
    events.push({
      at: a.at,
      kind: 'action',
      text: [
        `${a.action} on ${a.target}: ${a.outcome}${a.dryRun ? ' (dry-run)' : ''} [${a.playbook} ${a.version}]`,
        ...changed.map((c) => `    → ${c.api} ${clip(JSON.stringify(c.params), 160)}`),
        ...(reads > 0 ? [`    (${reads} read call${reads === 1 ? '' : 's'})`] : []),
        ...(a.verification === undefined ? [] : [`    ${verificationLine(a.verification)}`]),
        ...(a.error === undefined ? [] : [`    ✗ ${a.error}`]),
      ].join('\n'),
    });
  }
  if (approval?.decidedAt !== undefined) {
    events.push({
      at: approval.decidedAt,
      kind: 'approval',
      text: `${approval.status} by ${approval.approver ?? 'unknown'}`,
    });
  }
  for (const m of milestones.slice(1)) if (m.milestone !== 'playbook-started') events.push(milestoneEvent(m));
  for (const entry of caseLog) {
    events.push({ at: entry.at, kind: 'case', text: `${entry.text} (${entry.actor})` });
  }
  const ordered = events
    .map((e, index) => ({ e, index }))
    .sort((x, y) => x.e.at - y.e.at || x.index - y.index)
    .map(({ e }) => ({ ...e, time: new Date(e.at).toISOString() }));

  return {
    incident: incidentFields,
    alerts,
    executions,
    actions,
    approval,
    milestones,
    caseLog,
    events: ordered,
  };
}

function milestoneEvent(m: MilestoneView): Omit<EventView, 'time'> {
  const names: Record<MilestoneName, string> = {
    opened: 'incident opened',
    'playbook-started': 'playbook started',
    contained: 'contained',
    released: 'released',
    closed: 'closed',
  };
  return { at: m.at, kind: 'milestone', text: `${names[m.milestone]}${m.dryRun ? ' (dry-run)' : ''}` };
}

function severityName(id: number): string {
  return SEVERITY_NAMES[id] ?? String(id);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The text rendering of {@link IncidentView}. */
export function renderIncident(view: IncidentView): string {
  const i = view.incident;
  const resource = `${i.resourceType} ${i.resourceUid}${
    i.resourceName !== undefined && i.resourceName !== i.resourceUid ? ` (${i.resourceName})` : ''
  }`;
  const head = [
    `Incident ${i.id}: ${statusLabel({ status: i.status, dryRun: i.statusDryRun, reason: i.statusReason })}${i.sample ? ' (sample)' : ''}, ${severityName(i.severityId)}`,
    `  ${i.title}`,
    `  resource  ${resource}`,
    ...(i.account === undefined && i.region === undefined
      ? []
      : [`  where     ${[i.account, i.region].filter((v) => v !== undefined).join(' ')}`]),
    `  alerts    ${view.alerts.length}${i.escalations > 0 ? `, escalated ${i.escalations} time(s)` : ''}`,
    ...(i.playbookStatus === undefined ? [] : [`  playbook  ${i.playbookStatus}`]),
    ...(i.owner === undefined ? [] : [`  owner     ${i.owner}`]),
    ...(i.tags === undefined || i.tags.length === 0 ? [] : [`  tags      ${i.tags.join(', ')}`]),
    ...(i.resolution === undefined
      ? []
      : [`  closed    as ${i.resolution.replace('_', ' ')} by ${i.closedBy ?? 'unknown'}`]),
    '',
  ];
  const width = Math.max(...view.events.map((e) => e.kind.length), 4);
  const lines = view.events.map((e) => {
    const [first, ...rest] = e.text.split('\n');
    const pad = ' '.repeat(e.time.length + 2 + width + 2);
    return [
      `${e.time}  ${e.kind.padEnd(width)}  ${first ?? ''}`,
      ...rest.map((r) => `${pad}${r.trimStart()}`),
    ].join('\n');
  });
  return [...head, ...lines].join('\n');
}

export const showCommand: Command = {
  name: 'show',
  summary: "an incident's timeline: alerts, playbooks, actions and calls, approvals, milestones",
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, ...STORE_OPTIONS },
    });
    if (positionals.length !== 1) throw new UsageError('expected exactly one incident id');
    const selection = storeSelection(io.cwd, values);
    const server =
      selection.stack === undefined && selection.table === undefined
        ? runningServer(localDataDir(selection))
        : undefined;
    if (server !== undefined) {
      // riposte serve holds the store: its API answers with the same view.
      const response = await fetch(`${server.url}/incidents/${encodeURIComponent(positionals[0] ?? '')}`);
      const body = (await response.json()) as IncidentView & { message?: string };
      if (response.status === 404) {
        write(io.stderr, `riposte show: ${body.message ?? `no incident "${positionals[0]}"`}`);
        return 1;
      }
      if (!response.ok)
        throw new Error(`riposte serve at ${server.url} answered ${response.status}: ${body.message ?? ''}`);
      write(io.stdout, values.json ? JSON.stringify(body) : renderIncident(body));
      return 0;
    }
    const store = await openStoreFor(selection);
    try {
      const incident = await resolveIncident(
        store.db,
        store.tableName,
        positionals[0] ?? '',
        store.description,
      );
      const view = await loadIncidentView(store.db, store.tableName, incident);
      write(io.stdout, values.json ? JSON.stringify(view) : renderIncident(view));
      return 0;
    } catch (error) {
      if (error instanceof IncidentNotFoundError) {
        write(io.stderr, `riposte show: ${error.message}`);
        return 1;
      }
      throw error;
    } finally {
      await store.close();
    }
  },
};

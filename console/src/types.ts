/** The console API's answers, as the page reads them (see cli/console/api/*.ts). */

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

export interface Session {
  readonly csrf: string;
  readonly store: string;
  readonly remote: boolean;
  readonly actor: string;
  /** Whether case management (assign, notes, close, reopen) is available. */
  readonly cases: boolean;
}

export interface QueueRow {
  readonly id: string;
  readonly title: string;
  readonly status: QueueStatus;
  readonly severityId: number;
  readonly source: string;
  readonly resourceType: string;
  readonly resource: string;
  readonly account?: string;
  readonly openedAt: number;
  readonly lastAlertAt: number;
  readonly alerts: number;
  readonly sample: boolean;
  readonly owner?: string;
}

export interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly kind: 'start' | 'end' | 'task' | 'approval' | 'choice' | 'pass' | 'wait' | 'parallel';
  readonly action?: string;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: 'next' | 'choice' | 'default' | 'catch';
  readonly label?: string;
}

export interface StateGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export type ExecutionStatus =
  | 'RUNNING'
  | 'WAITING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'RECORDED'
  | 'STARTED';

export interface ExecutionGraph {
  readonly playbook: string;
  readonly version: string;
  readonly status: ExecutionStatus;
  readonly mode: string;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly path: readonly string[];
  readonly pathFrom: 'execution' | 'timeline';
  readonly waitingState?: string;
  readonly failedState?: string;
  readonly error?: string;
  readonly graph: StateGraph;
}

export interface ApiCall {
  readonly service: string;
  readonly api: string;
  readonly params: Record<string, unknown>;
  readonly dryRun: boolean;
  readonly mutating: boolean;
}

export interface ActionEntry {
  readonly at: number;
  readonly playbook: string;
  readonly version: string;
  readonly action: string;
  readonly target: string;
  readonly dryRun: boolean;
  readonly outcome: 'succeeded' | 'failed' | 'refused' | 'nothing-to-release';
  readonly calls: readonly ApiCall[];
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
  readonly error: string | null;
}

export interface AlertEntry {
  readonly id: string;
  readonly source: string;
  readonly title: string;
  readonly severityId: number;
  readonly status: string;
  readonly sample: boolean;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly occurrences: number;
  readonly ocsf: Record<string, unknown> | null;
}

export interface Note {
  readonly id: string;
  readonly text: string;
  readonly author: string;
  readonly at: number;
}

/** What an operator found when closing an incident (functions/core/lifecycle/status.ts). */
export type Resolution = 'true_positive' | 'false_positive' | 'benign' | 'duplicate';

export interface Suppression {
  readonly id: string;
  readonly resourceKey: string;
  readonly findingType: string;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly expiresAtMs: number;
  readonly incidentId?: string;
  readonly reason?: string;
  readonly active: boolean;
  /** Alerts it kept from opening an incident: stored and counted, no playbook. */
  readonly suppressedAlerts: readonly { id: string; title: string; source: string; suppressedAt?: number }[];
}

export interface IncidentDetail {
  readonly incident: {
    readonly id: string;
    readonly title: string;
    readonly severityId: number;
    readonly resourceType: string;
    readonly resourceUid: string;
    readonly resourceName?: string;
    readonly account?: string;
    readonly region?: string;
    readonly source?: string;
    readonly openedAt: number;
    readonly lastAlertAt: number;
    readonly sample: boolean;
    readonly escalations: number;
    readonly resolution?: Resolution;
    readonly tags?: readonly string[];
  };
  readonly status: QueueStatus;
  readonly owner?: string;
  readonly closedBy?: string;
  readonly closedAt?: number;
  readonly notes: readonly Note[];
  readonly alerts: readonly AlertEntry[];
  readonly actions: readonly ActionEntry[];
  readonly approval: {
    readonly status: 'pending' | 'approved' | 'denied' | 'expired';
    readonly message?: string;
    readonly requestedAt: number;
    readonly deadline: number;
    readonly decidedAt?: number;
    readonly approver?: string;
  } | null;
  readonly approvalDecidable: boolean;
  readonly events: readonly { at: number; time: string; kind: string; text: string }[];
  readonly executions: readonly ExecutionGraph[];
  readonly canRelease: boolean;
  /** The suppressions this incident's close created. */
  readonly suppressions: readonly Suppression[];
}

export interface ReleasePlan {
  readonly incident: string;
  readonly resourceType: string;
  readonly resource: string;
  readonly playbook: string | null;
  readonly available: boolean;
  readonly undo: readonly {
    action: string;
    target: string;
    calls: readonly string[];
    before: Record<string, unknown> | null;
    dryRun: boolean;
  }[];
}

export interface StatsPoint {
  readonly openedAt: number;
  readonly source: string;
  readonly severity: string;
  readonly playbook: string;
  readonly timeToDetectMs: number | null;
  readonly timeToContainMs: number | null;
  readonly timeToCloseMs: number | null;
}

export interface Distribution {
  readonly count: number;
  readonly medianMs: number | null;
  readonly p90Ms: number | null;
  readonly meanMs: number | null;
}

export interface KpiGroup {
  readonly key: string;
  readonly incidents: number;
  readonly open: number;
  readonly contained: number;
  readonly failed: number;
  readonly timeToDetect: Distribution;
  readonly timeToContain: Distribution;
  readonly timeToClose: Distribution;
}

export interface Stats {
  readonly kpis: { includesDryRun: boolean; total: KpiGroup; bySource: KpiGroup[]; bySeverity: KpiGroup[] };
  readonly points: readonly StatsPoint[];
}

export interface PlaybookInfo {
  readonly id: string;
  readonly version: string;
  readonly title: string;
  readonly description: string;
  readonly owner: string;
  readonly changelog: readonly { version: string; text: string }[];
  readonly triggerText: string;
  readonly deployedVersion?: string;
  readonly graph: StateGraph;
}

export interface ChangeBatch {
  readonly cursor: number;
  readonly incidents: readonly string[];
  readonly reset: boolean;
}

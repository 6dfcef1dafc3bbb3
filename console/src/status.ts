import type { ExecutionStatus, QueueStatus } from './types.ts';

/**
 * One status palette for the queue, the incident page, the graph and the charts: every status
 * has a colour, an icon and a word, so no status is told by colour alone, and a new status
 * cannot go uncoloured (the Record must name them all).
 */
export interface StatusStyle {
  readonly colour: string;
  readonly icon: string;
  readonly label: string;
}

export const INCIDENT_STATUS: Readonly<Record<QueueStatus, StatusStyle>> = {
  new: { colour: '#2563eb', icon: '●', label: 'New' },
  responding: { colour: '#7c3aed', icon: '↻', label: 'Responding' },
  awaiting_approval: { colour: '#b45309', icon: '◔', label: 'Awaiting approval' },
  contained: { colour: '#15803d', icon: '✔', label: 'Contained' },
  failed: { colour: '#b91c1c', icon: '✖', label: 'Failed' },
  not_contained: { colour: '#c2410c', icon: '⚠', label: 'Not contained' },
  released: { colour: '#0f766e', icon: '↺', label: 'Released' },
  resolved: { colour: '#475569', icon: '✓', label: 'Resolved' },
  closed: { colour: '#64748b', icon: '■', label: 'Closed' },
};

/** A state of an execution graph, as Step Functions' console colours them. */
export type StepStatus = 'succeeded' | 'in-progress' | 'waiting' | 'failed' | 'caught' | 'not-run';

export const STEP_STATUS: Readonly<Record<StepStatus, StatusStyle>> = {
  succeeded: { colour: '#15803d', icon: '✔', label: 'Succeeded' },
  'in-progress': { colour: '#2563eb', icon: '↻', label: 'In progress' },
  waiting: { colour: '#b45309', icon: '◔', label: 'Waiting for a person' },
  failed: { colour: '#b91c1c', icon: '✖', label: 'Failed' },
  caught: { colour: '#c2410c', icon: '⚠', label: 'Caught error' },
  'not-run': { colour: '#94a3b8', icon: '○', label: 'Not run' },
};

export const EXECUTION_STATUS: Readonly<Record<ExecutionStatus, StatusStyle>> = {
  RUNNING: { colour: '#2563eb', icon: '↻', label: 'Running' },
  WAITING: { colour: '#b45309', icon: '◔', label: 'Waiting for approval' },
  SUCCEEDED: { colour: '#15803d', icon: '✔', label: 'Succeeded' },
  FAILED: { colour: '#b91c1c', icon: '✖', label: 'Failed' },
  TIMED_OUT: { colour: '#b91c1c', icon: '◷', label: 'Timed out' },
  RECORDED: { colour: '#15803d', icon: '✔', label: 'Recorded' },
  STARTED: { colour: '#2563eb', icon: '↻', label: 'Started' },
};

export const SEVERITY: Readonly<Record<number, StatusStyle>> = {
  0: { colour: '#64748b', icon: '·', label: 'Unknown' },
  1: { colour: '#64748b', icon: '·', label: 'Informational' },
  2: { colour: '#0369a1', icon: '▂', label: 'Low' },
  3: { colour: '#b45309', icon: '▄', label: 'Medium' },
  4: { colour: '#c2410c', icon: '▆', label: 'High' },
  5: { colour: '#b91c1c', icon: '█', label: 'Critical' },
  6: { colour: '#7f1d1d', icon: '█', label: 'Fatal' },
};

export function severityStyle(id: number): StatusStyle {
  return SEVERITY[id] ?? { colour: '#64748b', icon: '·', label: String(id) };
}

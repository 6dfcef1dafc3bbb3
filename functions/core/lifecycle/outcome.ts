import type { IncidentItem } from '../store/table.ts';
import { statusLabel } from './status.ts';

/** Milliseconds in words: `850 ms`, `3.4 s`, `12.0 min`, `5.2 h`, `3.1 d`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms < 172_800_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

/**
 * What the response came to, in a few words, for a row of the incident queue: how long it took
 * to contain, why it was not contained, how it failed, how it was closed.
 *
 * @example
 * describeOutcome(incident) // 'isolation dry-run in 3.4 s: nothing changed in AWS'
 */
export function describeOutcome(i: IncidentItem): string {
  const since = (at: number | undefined) => (at === undefined ? '' : ` in ${duration(at - i.openedAt)}`);
  switch (i.status) {
    case 'new':
      return i.playbookStartedAt === undefined ? 'no playbook ran' : 'queued';
    case 'responding':
      return 'playbook running';
    case 'awaiting_approval':
      return 'waiting for an approval';
    case 'contained':
      return `contained${since(i.containedAt)}`;
    case 'failed':
      return `failed: ${i.failure ?? 'see the timeline'}`;
    case 'not_contained':
      switch (i.statusReason) {
        case 'dry-run':
          return `contained in dry-run${since(i.dryRunContainedAt)}: nothing changed in AWS`;
        case 'refused':
          return `refused: ${(i.refusal ?? 'a safety rail').slice(0, 80)}`;
        case 'approval-denied':
          return 'approval denied or expired';
        case 'sample':
          return 'sample finding: notified only';
        default:
          return 'playbook ended without containing';
      }
    case 'released':
      return i.statusDryRun === true
        ? `released in dry-run${since(i.dryRunReleasedAt)}`
        : `released${since(i.releasedAt)}`;
    case 'resolved':
    case 'closed':
      return `${(i.resolution ?? 'closed').replace('_', ' ')} after ${duration(i.timeToCloseMs ?? 0)}`;
    default:
      return statusLabel(i);
  }
}

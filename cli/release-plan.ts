import type { TimelineEntry } from '#core/actions/state.ts';

/** One containment step a release would undo, from the incident's timeline. */
export interface ReleaseStep {
  readonly action: string;
  readonly target: string;
  /** The state-changing calls the containment made (what the release undoes). */
  readonly calls: readonly string[];
  readonly before: Record<string, unknown> | null;
  readonly dryRun: boolean;
}

/**
 * What a release would undo: the incident's completed actions that changed something, outside
 * the release playbooks themselves, the notifications and the approval requests, and, when
 * `undone` is given (the release playbook's `actionsUndoneBy`, `#core/playbooks/undo.ts`), only the actions it undoes:
 * a cancelled key deletion or a restarted trail is not listed, since no release puts it back.
 * Shared by the console's confirmation and `riposte release`'s.
 *
 * @example
 * undoSteps(await listTimeline(db, tableName, incident.id), RELEASE_PLAYBOOK_IDS, actionsUndoneBy(release));
 * // [{ action: 'contain-iam-user', target: 'payments-deployer', calls: ['UpdateAccessKey', …], … }]
 */
export function undoSteps(
  timeline: readonly TimelineEntry[],
  releasePlaybooks: ReadonlySet<string>,
  undone?: ReadonlySet<string>,
): ReleaseStep[] {
  return timeline
    .filter((t) => !releasePlaybooks.has(t.playbookId) && t.outcome === 'succeeded')
    .filter((t) => undone === undefined || undone.has(t.action))
    .map((t) => ({
      action: t.action,
      target: t.target,
      calls: t.calls.filter((c) => c.mutating).map((c) => c.api),
      before: t.before ?? null,
      dryRun: t.dryRun,
    }))
    .filter((s) => s.calls.length > 0 && !s.action.startsWith('notify') && s.action !== 'request-approval');
}

/**
 * The steps as lines for a terminal: `contain-iam-user on payments-deployer: UpdateAccessKey ×2,
 * PutUserPolicy (dry-run)`.
 *
 * @example
 * describeUndo([{ action: 'block-bucket-public-access', target: 'exports', calls: ['PutPublicAccessBlock'], before: null, dryRun: false }]);
 * // ['block-bucket-public-access on exports: PutPublicAccessBlock']
 */
export function describeUndo(steps: readonly ReleaseStep[]): string[] {
  return steps.map((step) => {
    const counts = new Map<string, number>();
    for (const call of step.calls) counts.set(call, (counts.get(call) ?? 0) + 1);
    const calls = [...counts].map(([api, n]) => (n === 1 ? api : `${api} ×${n}`)).join(', ');
    return `${step.action} on ${step.target}: ${calls}${step.dryRun ? ' (dry-run)' : ''}`;
  });
}

/** How a local release execution ended, for the command's output and exit status. */
export type ReleaseOutcome =
  | { readonly outcome: 'released' }
  | { readonly outcome: 'nothing-to-release'; readonly reason: string }
  | { readonly outcome: 'failed' };

const NOTHING_TO_RELEASE = /^NothingToReleaseError: /;

/**
 * `nothing-to-release` when a release action found no containment to undo (the playbook then
 * ends on its "nothing to release" notification, a successful execution that released nothing),
 * `released` when the execution succeeded otherwise, `failed` when it did not.
 *
 * @example
 * releaseOutcome(result); // { outcome: 'nothing-to-release', reason: 'nothing to release: incident … was never contained, …' }
 */
export function releaseOutcome(result: {
  readonly status: string;
  readonly actions: readonly { readonly error?: string | undefined }[];
}): ReleaseOutcome {
  const nothing = result.actions.find((a) => a.error !== undefined && NOTHING_TO_RELEASE.test(a.error));
  if (nothing?.error !== undefined) {
    return { outcome: 'nothing-to-release', reason: nothing.error.replace(NOTHING_TO_RELEASE, '') };
  }
  return result.status === 'SUCCEEDED' ? { outcome: 'released' } : { outcome: 'failed' };
}

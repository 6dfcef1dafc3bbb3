/**
 * The console's live updates: a sequence number bumped on every change (an event processed, a
 * state entered, an approval requested or decided, a case changed), with the incidents each
 * change touched. Pages long-poll `GET /api/changes?cursor=N`: the answer comes at once when
 * the sequence is past the cursor, else at the next change or after `waitMs` (an empty answer
 * with the same cursor). A cursor older than the kept history answers `reset` (reload all).
 */

export interface ChangeBatch {
  readonly cursor: number;
  /** Incidents changed since the given cursor (empty for changes that concern none). */
  readonly incidents: readonly string[];
  /** True when the cursor is older than the history kept: reload everything. */
  readonly reset: boolean;
}

interface Change {
  readonly seq: number;
  readonly incidentId: string | undefined;
}

const KEPT = 2_000;

/**
 * @example
 * const feed = new ChangeFeed();
 * feed.bump('inc-1');
 * await feed.wait(0, 25_000, signal); // { cursor: 1, incidents: ['inc-1'], reset: false }
 */
export class ChangeFeed {
  private seq = 0;
  private readonly changes: Change[] = [];
  private readonly listeners = new Set<() => void>();

  public get cursor(): number {
    return this.seq;
  }

  public bump(incidentId?: string): void {
    this.seq += 1;
    this.changes.push({ seq: this.seq, incidentId });
    if (this.changes.length > KEPT) this.changes.splice(0, this.changes.length - KEPT);
    for (const listener of [...this.listeners]) listener();
  }

  public since(cursor: number): ChangeBatch {
    const oldest = this.changes[0]?.seq ?? this.seq + 1;
    const reset = cursor > this.seq || (cursor < oldest - 1 && cursor < this.seq);
    const ids = new Set<string>();
    for (const change of this.changes) {
      if (change.seq > cursor && change.incidentId !== undefined) ids.add(change.incidentId);
    }
    return { cursor: this.seq, incidents: [...ids], reset };
  }

  /** Resolves with the changes after `cursor`, at once or at the next change, or after `waitMs`. */
  public wait(cursor: number, waitMs: number, signal?: AbortSignal): Promise<ChangeBatch> {
    if (cursor !== this.seq) return Promise.resolve(this.since(cursor));
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(done);
        signal?.removeEventListener('abort', done);
        resolve(this.since(cursor));
      };
      const timer = setTimeout(done, waitMs);
      this.listeners.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

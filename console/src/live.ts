import { useEffect, useState } from 'preact/hooks';
import { get } from './api.ts';
import type { ChangeBatch } from './types.ts';

/**
 * Live updates: one long-poll per page on `/api/changes` with a cursor. The server answers at
 * the next change (or after 25 s with nothing); the loop resumes from the last cursor after an
 * error (5 s later), and stops while paused. Subscribers hear which incidents changed.
 */

type Listener = (batch: ChangeBatch) => void;

const listeners = new Set<Listener>();
const state = { paused: false, updatedAt: Date.now(), cursor: -1, error: '' };
const watchers = new Set<() => void>();
let running = false;
let abort: AbortController | undefined;

function notify(): void {
  for (const watcher of [...watchers]) watcher();
}

async function loop(): Promise<void> {
  if (running) return;
  running = true;
  while (!state.paused) {
    abort = new AbortController();
    try {
      const batch = await get<ChangeBatch>(`/api/changes?cursor=${state.cursor}`, abort.signal);
      const previous = state.cursor;
      state.cursor = batch.cursor;
      state.error = '';
      if (previous >= 0 && (batch.cursor !== previous || batch.reset)) {
        state.updatedAt = Date.now();
        for (const listener of [...listeners]) listener(batch);
      }
      notify();
    } catch {
      if (state.paused) break;
      state.error = 'connection lost; retrying';
      notify();
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
  }
  running = false;
}

/** Calls `onChange` whenever the server reports a change (while not paused). */
export function useLive(onChange: Listener): void {
  useEffect(() => {
    listeners.add(onChange);
    void loop();
    return () => {
      listeners.delete(onChange);
    };
  }, [onChange]);
}

export function setPaused(paused: boolean): void {
  state.paused = paused;
  if (paused) abort?.abort();
  else void loop();
  notify();
}

/** Marks the data as just loaded (for the "updated at" label). */
export function markUpdated(): void {
  state.updatedAt = Date.now();
  notify();
}

export function useLiveState(): { paused: boolean; updatedAt: number; error: string } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const watcher = (): void => setTick((n) => n + 1);
    watchers.add(watcher);
    return () => {
      watchers.delete(watcher);
    };
  }, []);
  return { paused: state.paused, updatedAt: state.updatedAt, error: state.error };
}

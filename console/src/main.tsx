import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import './styles.css';
import { get } from './api.ts';
import { setPaused, useLiveState } from './live.ts';
import { IncidentPage } from './pages/incident.tsx';
import { PlaybooksPage } from './pages/playbooks.tsx';
import { QueuePage } from './pages/queue.tsx';
import { StatsPage } from './pages/stats.tsx';
import type { Session } from './types.ts';
import { time } from './ui.tsx';

/**
 * The Riposte console: hash routes (#/, #/incidents/<id>, #/stats, #/playbooks), a header with
 * the store it reads and the live-update toggle, and a `?` list of keyboard shortcuts.
 */

type Route =
  | { readonly page: 'queue' }
  | { readonly page: 'incident'; readonly id: string }
  | { readonly page: 'stats' }
  | { readonly page: 'playbooks' };

function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const incident = /^\/incidents\/([^/]+)$/.exec(path);
  if (incident?.[1] !== undefined) return { page: 'incident', id: decodeURIComponent(incident[1]) };
  if (path === '/stats') return { page: 'stats' };
  if (path === '/playbooks') return { page: 'playbooks' };
  return { page: 'queue' };
}

export function navigate(path: string): void {
  window.location.hash = path;
}

const SHORTCUTS: readonly [string, string][] = [
  ['j / ↓', 'next incident'],
  ['k / ↑', 'previous incident'],
  ['Enter', 'open the selected incident'],
  ['/', 'search the queue'],
  ['g q, g s, g p', 'go to Queue, Stats, Playbooks'],
  ['Esc', 'back to the queue, close a dialog'],
  ['?', 'show or hide this list'],
];

function Help({ onClose }: { onClose: () => void }) {
  return (
    <div class="dialog-backdrop">
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title">
        <h2 id="help-title">Keyboard shortcuts</h2>
        <dl class="shortcuts">
          {SHORTCUTS.map(([keys, what]) => (
            <div key={keys}>
              <dt>
                <kbd>{keys}</kbd>
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
        <p class="muted">
          Approve, deny, release and close always ask for a confirmation: no single key decides.
        </p>
        <div class="dialog-actions">
          <button type="button" onClick={onClose} ref={(el) => el?.focus()}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}

function LiveToggle() {
  const live = useLiveState();
  return (
    <div class="live" aria-live="polite">
      <button
        type="button"
        class={`live-toggle${live.paused ? ' paused' : ''}`}
        aria-pressed={!live.paused}
        onClick={() => setPaused(!live.paused)}
      >
        {live.paused ? '▶ Resume live updates' : '‖ Pause live updates'}
      </button>
      <span class="muted">
        {live.error !== ''
          ? live.error
          : `${live.paused ? 'Paused' : 'Live'} · updated ${time(live.updatedAt).slice(11)}`}
      </span>
    </div>
  );
}

function App() {
  const [route, setRoute] = useState<Route>(parseRoute(window.location.hash));
  const [session, setSession] = useState<Session | undefined>();
  const [help, setHelp] = useState(false);
  useEffect(() => {
    const onHash = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    void get<Session>('/api/session').then(setSession, () => undefined);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const onKey = useCallback((event: KeyboardEvent) => {
    const target = event.target as HTMLElement | null;
    if (target !== null && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    if (event.key === '?') {
      setHelp((h) => !h);
      event.preventDefault();
    } else if (event.key === 'Escape') {
      if (document.querySelector('.dialog') !== null) return;
      navigate('/');
    } else if (event.key === 'g') {
      const next = (e: KeyboardEvent): void => {
        if (e.key === 'q') navigate('/');
        if (e.key === 's') navigate('/stats');
        if (e.key === 'p') navigate('/playbooks');
      };
      window.addEventListener('keydown', next, { once: true });
    }
  }, []);
  useEffect(() => {
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onKey]);
  const tab = (page: Route['page'], href: string, label: string) => (
    <a
      href={href}
      class={route.page === page || (page === 'queue' && route.page === 'incident') ? 'active' : ''}
      aria-current={route.page === page ? 'page' : undefined}
    >
      {label}
    </a>
  );
  return (
    <>
      <header class="top">
        <div class="brand">
          <span class="logo" aria-hidden="true">
            ◆
          </span>{' '}
          Riposte
        </div>
        <nav aria-label="Main">
          {tab('queue', '#/', 'Queue')}
          {tab('stats', '#/stats', 'Stats')}
          {tab('playbooks', '#/playbooks', 'Playbooks')}
        </nav>
        <div class="top-right">
          <LiveToggle />
          <span class="store" title="Where the data comes from">
            {session === undefined
              ? ''
              : `${session.remote ? 'Deployment' : 'Local store'}: ${session.store} · ${session.actor}`}
          </span>
          <button
            type="button"
            class="icon-button"
            aria-label="Keyboard shortcuts"
            onClick={() => setHelp(true)}
          >
            ?
          </button>
        </div>
      </header>
      <main>
        {route.page === 'queue' ? <QueuePage /> : null}
        {route.page === 'incident' ? <IncidentPage id={route.id} cases={session?.cases ?? false} /> : null}
        {route.page === 'stats' ? <StatsPage /> : null}
        {route.page === 'playbooks' ? <PlaybooksPage /> : null}
      </main>
      {help ? <Help onClose={() => setHelp(false)} /> : null}
    </>
  );
}

const root = document.getElementById('app');
if (root !== null) render(<App />, root);

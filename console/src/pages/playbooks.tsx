import { useEffect, useState } from 'preact/hooks';
import { get } from '../api.ts';
import { GraphView } from '../graph.tsx';
import type { PlaybookInfo } from '../types.ts';

/** The playbooks: version (and the deployed one), changelog, trigger in words, the graph. */
export function PlaybooksPage() {
  const [playbooks, setPlaybooks] = useState<PlaybookInfo[] | undefined>();
  const [open, setOpen] = useState<string | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    get<PlaybookInfo[]>('/api/playbooks').then(
      (list) => {
        setPlaybooks(list);
        setOpen(list[0]?.id);
      },
      (e: unknown) => setError(String(e)),
    );
  }, []);
  if (playbooks === undefined)
    return (
      <div class="page">{error !== '' ? <p class="error">{error}</p> : <p class="muted">Loading…</p>}</div>
    );
  const current = playbooks.find((p) => p.id === open);
  return (
    <div class="page playbooks">
      <div class="page-head">
        <h1>Playbooks</h1>
        <p class="muted">
          {playbooks.length} playbooks, compiled from playbooks/ to the state machines CDK deploys.
        </p>
      </div>
      <div class="split">
        <ul class="playbook-list" aria-label="Playbooks">
          {playbooks.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                class={p.id === open ? 'active' : ''}
                aria-pressed={p.id === open}
                onClick={() => setOpen(p.id)}
              >
                <strong>{p.title}</strong>
                <span class="mono small muted">
                  {p.id} {p.version}
                </span>
              </button>
            </li>
          ))}
        </ul>
        {current === undefined ? null : (
          <article class="playbook" aria-label={current.title}>
            <h2>
              {current.title} <span class="muted">{current.version}</span>
            </h2>
            {current.deployedVersion !== undefined && current.deployedVersion !== current.version ? (
              <p class="notice">
                Deployed: {current.deployedVersion}; the source says {current.version}.
              </p>
            ) : null}
            <p>{current.description}</p>
            <dl class="facts-list">
              <dt>Trigger</dt>
              <dd>{current.triggerText}</dd>
              <dt>Owner</dt>
              <dd>{current.owner}</dd>
            </dl>
            <h3>Changelog</h3>
            <ul class="changelog">
              {current.changelog.map((c) => (
                <li key={c.version}>
                  <span class="mono">{c.version}</span> {c.text}
                </li>
              ))}
            </ul>
            <h3>State machine</h3>
            <div class="graph-box">
              <GraphView graph={current.graph} title={`State machine of ${current.id}`} />
            </div>
          </article>
        )}
      </div>
    </div>
  );
}

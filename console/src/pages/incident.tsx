import { useCallback, useEffect, useState } from 'preact/hooks';
import { get, post } from '../api.ts';
import { Dialog } from '../dialog.tsx';
import { GraphLegend, GraphView, stepStatuses } from '../graph.tsx';
import { markUpdated, useLive } from '../live.ts';
import { EXECUTION_STATUS } from '../status.ts';
import type { ActionEntry, ExecutionGraph, IncidentDetail, ReleasePlan } from '../types.ts';
import { Badge, duration, Json, Panel, SeverityBadge, StatusBadge, time } from '../ui.tsx';
import { type CaseDialog, CaseDialogs, RESOLUTION_LABELS, Suppressions } from './case.tsx';

/**
 * One incident: header (status, severity, resource, duration, steps), the pending approval, the
 * controls, then tabs: Response (each execution as its graph, a chosen state's actions), Timeline,
 * Alerts (OCSF), Actions (AWS calls, state before and after), Notes.
 */

type Tab = 'response' | 'timeline' | 'alerts' | 'actions' | 'notes';
const TABS: readonly [Tab, string][] = [
  ['response', 'Response'],
  ['timeline', 'Timeline'],
  ['alerts', 'Alerts'],
  ['actions', 'Actions'],
  ['notes', 'Notes'],
];

/** One icon per action outcome, beside its word (never colour alone). */
const OUTCOME_ICONS: Record<ActionEntry['outcome'], string> = {
  succeeded: '✔',
  refused: '⛔',
  failed: '✖',
  'nothing-to-release': '∅',
};

function ActionCard({ action }: { action: ActionEntry }) {
  const changes = action.calls.filter((c) => c.mutating);
  const reads = action.calls.length - changes.length;
  return (
    <article class={`action action-${action.outcome}`} aria-label={`${action.action} on ${action.target}`}>
      <header>
        <strong>{action.action}</strong> on <span class="mono">{action.target}</span>
        <span class={`outcome outcome-${action.outcome}`}>
          {OUTCOME_ICONS[action.outcome]} {action.outcome.replaceAll('-', ' ')}
        </span>
        {action.dryRun ? <span class="tag">dry-run</span> : null}
        <span class="muted small">
          {time(action.at)} · {action.playbook} {action.version}
        </span>
      </header>
      {action.error !== null ? <p class="error">{action.error}</p> : null}
      <ul class="calls">
        {changes.map((c, i) => (
          <li key={i}>
            <span class="mono call">
              {c.service}:{c.api}
            </span>{' '}
            <code class="params">{JSON.stringify(c.params)}</code>
          </li>
        ))}
        {reads > 0 ? (
          <li class="muted small">
            {reads} read call{reads === 1 ? '' : 's'} (
            {action.calls
              .filter((c) => !c.mutating)
              .map((c) => c.api)
              .join(', ')}
            )
          </li>
        ) : null}
      </ul>
      {action.before !== null || action.after !== null ? (
        <div class="before-after">
          <div>
            <h4>Before</h4>
            {action.before === null ? (
              <p class="muted small">not recorded</p>
            ) : (
              <Json value={action.before} />
            )}
          </div>
          <div>
            <h4>After</h4>
            {action.after === null ? <p class="muted small">not recorded</p> : <Json value={action.after} />}
          </div>
        </div>
      ) : null}
    </article>
  );
}

function Execution({ execution, actions }: { execution: ExecutionGraph; actions: readonly ActionEntry[] }) {
  const lastAction = [...execution.path]
    .reverse()
    .find((state) =>
      execution.graph.nodes.some(
        (n) =>
          n.id === state &&
          n.action !== undefined &&
          actions.some(
            (a) =>
              a.action === n.action &&
              a.playbook === execution.playbook &&
              !['notify', 'record-outcome'].includes(a.action),
          ),
      ),
    );
  const [selected, setSelected] = useState<string | undefined>(
    execution.waitingState ?? execution.failedState ?? lastAction,
  );
  const running = execution.status === 'RUNNING';
  const statuses = stepStatuses(execution.graph, execution.path, {
    waitingState: execution.waitingState,
    failedState: execution.failedState,
    running,
  });
  const node = execution.graph.nodes.find((n) => n.id === selected);
  const stepActions =
    node?.action === undefined
      ? []
      : actions.filter((a) => a.action === node.action && a.playbook === execution.playbook);
  const tasks = execution.graph.nodes.filter((n) => n.kind === 'task' || n.kind === 'approval');
  const done = tasks.filter((n) => execution.path.includes(n.id)).length;
  return (
    <section class="execution" aria-label={`Execution of ${execution.playbook}`}>
      <header class="execution-head">
        <h3>
          {execution.playbook} <span class="muted">{execution.version}</span>
        </h3>
        <Badge style={EXECUTION_STATUS[execution.status]} />
        <span class="muted small">
          started {time(execution.startedAt)} ·{' '}
          {duration((execution.endedAt ?? Date.now()) - execution.startedAt)} · {done}/{tasks.length} steps ·{' '}
          {execution.path.length} state transitions
          {execution.pathFrom === 'timeline' ? ' · path from the recorded actions' : ''}
        </span>
      </header>
      {execution.error !== undefined ? <p class="error">Error: {execution.error}</p> : null}
      <div class="execution-body">
        <div class="graph-box">
          <GraphView
            graph={execution.graph}
            statuses={statuses}
            path={execution.path}
            selected={selected}
            onSelect={setSelected}
            title={`State machine of ${execution.playbook}, path taken highlighted`}
          />
        </div>
        <aside class="state-panel" aria-label="Selected state">
          {node === undefined ? (
            <p class="muted">Choose a state to see what it did.</p>
          ) : (
            <>
              <h4>{node.label}</h4>
              <p class="small">
                <Badge style={{ ...{ colour: '#334155', icon: '▣' }, label: node.kind }} />{' '}
                {node.action !== undefined ? <span class="mono">{node.action}</span> : null}
              </p>
              {stepActions.length === 0 ? (
                <p class="muted small">
                  {execution.path.includes(node.id)
                    ? 'Entered; no action recorded for it.'
                    : 'Not run in this execution.'}
                </p>
              ) : (
                stepActions.map((a, i) => <ActionCard key={i} action={a} />)
              )}
            </>
          )}
        </aside>
      </div>
    </section>
  );
}

export function IncidentPage({ id, cases }: { id: string; cases: boolean }) {
  const [detail, setDetail] = useState<IncidentDetail | undefined>();
  const [error, setError] = useState('');
  const [tab, setTab] = useState<Tab>('response');
  const [dialog, setDialog] = useState<CaseDialog | 'approve' | 'deny' | 'release' | undefined>();
  const [plan, setPlan] = useState<ReleasePlan | undefined>();
  const [notice, setNotice] = useState('');

  const load = useCallback(async () => {
    try {
      setDetail(await get<IncidentDetail>(`/api/incidents/${encodeURIComponent(id)}`));
      setError('');
      markUpdated();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [id]);
  useEffect(() => void load(), [load]);
  useLive(
    useCallback(
      (batch) => {
        // A change that touched no incident may be an alert one of this incident's suppressions kept out.
        const suppressedHere = batch.incidents.length === 0 && (detail?.suppressions.length ?? 0) > 0;
        if (
          batch.reset ||
          suppressedHere ||
          batch.incidents.includes(id) ||
          batch.incidents.some((i) => detail?.incident.id === i)
        )
          void load();
      },
      [load, id, detail],
    ),
  );

  if (detail === undefined) {
    return (
      <div class="page">
        {error !== '' ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : (
          <p class="muted">Loading…</p>
        )}
      </div>
    );
  }
  const i = detail.incident;
  const base = `/api/incidents/${encodeURIComponent(i.id)}`;
  const act = async (path: string, body: unknown, message: string): Promise<void> => {
    await post(`${base}/${path}`, body);
    setDialog(undefined);
    setNotice(message);
    await load();
  };
  const failed = detail.executions.find((e) => e.error !== undefined);
  const pending = detail.approval?.status === 'pending' && detail.approvalDecidable;

  return (
    <div class="page incident">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="#/">Queue</a> › <span class="mono">{i.id}</span>
      </nav>
      <div class="incident-head">
        <div>
          <h1>{i.title}</h1>
          {/* biome-ignore lint/a11y/useSemanticElements: a row of facts, not a form: no fieldset */}
          <div class="facts" role="group" aria-label="Incident facts">
            <StatusBadge status={detail.status} />
            <SeverityBadge id={i.severityId} />
            <span>
              <span class="muted">Resource</span> <span class="mono">{i.resourceName ?? i.resourceUid}</span>{' '}
              <span class="muted small">{i.resourceType}</span>
            </span>
            {i.account !== undefined ? (
              <span>
                <span class="muted">Account</span> <span class="mono">{i.account}</span> {i.region ?? ''}
              </span>
            ) : null}
            <span>
              <span class="muted">Opened</span> {time(i.openedAt)} ({duration(Date.now() - i.openedAt)} ago)
            </span>
            <span>
              <span class="muted">Owner</span> {detail.owner ?? 'unassigned'}
            </span>
            {i.resolution !== undefined ? (
              <span>
                <span class="muted">Resolution</span> {RESOLUTION_LABELS[i.resolution]}
                {detail.closedBy !== undefined ? ` by ${detail.closedBy}` : ''}
                {detail.closedAt !== undefined ? ` at ${time(detail.closedAt)}` : ''}
              </span>
            ) : null}
            {i.sample ? <span class="tag">sample</span> : null}
          </div>
          {failed !== undefined ? (
            <p class="error">
              Playbook {failed.playbook} stopped: {failed.error}
            </p>
          ) : null}
        </div>
        {/* biome-ignore lint/a11y/useSemanticElements: a toolbar of buttons, not a form: no fieldset */}
        <div class="controls" role="group" aria-label="Incident actions">
          {cases ? (
            <>
              <button type="button" onClick={() => setDialog('assign')}>
                Assign
              </button>
              <button type="button" onClick={() => setDialog('note')}>
                Add note
              </button>
            </>
          ) : null}
          <button
            type="button"
            disabled={!detail.canRelease}
            onClick={() => {
              setPlan(undefined);
              setDialog('release');
              void get<ReleasePlan>(`${base}/release`).then(setPlan, (e: unknown) => setError(String(e)));
            }}
          >
            Release…
          </button>
          {!cases ? null : detail.status === 'closed' || detail.status === 'resolved' ? (
            <button type="button" onClick={() => setDialog('reopen')}>
              Reopen
            </button>
          ) : (
            <button type="button" class="primary" onClick={() => setDialog('close')}>
              Close…
            </button>
          )}
        </div>
      </div>
      {notice !== '' ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      {error !== '' ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <Suppressions suppressions={detail.suppressions} />
      {pending && detail.approval !== null ? (
        <section class="approval-banner" aria-label="Pending approval">
          <div>
            <strong>◔ Approval needed:</strong>{' '}
            {detail.approval.message ?? 'the playbook waits for a decision'}
            <div class="muted small">
              Requested {time(detail.approval.requestedAt)} · expires {time(detail.approval.deadline)}
            </div>
          </div>
          <div class="controls">
            <button type="button" class="primary" onClick={() => setDialog('approve')}>
              Approve…
            </button>
            <button type="button" class="danger" onClick={() => setDialog('deny')}>
              Deny…
            </button>
          </div>
        </section>
      ) : detail.approval !== null && detail.approval.status !== 'pending' ? (
        <p class="muted small">
          Approval {detail.approval.status}
          {detail.approval.approver !== undefined ? ` by ${detail.approval.approver}` : ''}
          {detail.approval.decidedAt !== undefined ? ` at ${time(detail.approval.decidedAt)}` : ''}.
        </p>
      ) : null}

      <div class="tabs" role="tablist" aria-label="Incident sections">
        {TABS.map(([key, label]) => (
          <button
            key={key}
            type="button"
            role="tab"
            id={`tab-${key}`}
            aria-selected={tab === key}
            aria-controls={`tabpanel-${key}`}
            class={tab === key ? 'active' : ''}
            onClick={() => setTab(key)}
          >
            {label}
            {key === 'alerts' ? ` (${detail.alerts.length})` : ''}
            {key === 'actions' ? ` (${detail.actions.length})` : ''}
            {key === 'notes' ? ` (${detail.notes.length})` : ''}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`tabpanel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'response' ? (
          detail.executions.length === 0 ? (
            <p class="muted">No playbook ran for this incident.</p>
          ) : (
            <>
              <GraphLegend />
              {detail.executions.map((e) => (
                <Execution key={`${e.playbook}-${e.startedAt}`} execution={e} actions={detail.actions} />
              ))}
            </>
          )
        ) : null}
        {tab === 'timeline' ? (
          <Panel title="Timeline">
            <ol class="timeline">
              {detail.events.map((e, n) => (
                <li key={n} class={`event event-${e.kind}`}>
                  <time class="mono small">{e.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>
                  <span class="kind">{e.kind}</span>
                  <pre class="event-text">{e.text}</pre>
                </li>
              ))}
            </ol>
          </Panel>
        ) : null}
        {tab === 'alerts' ? (
          <div>
            {detail.alerts.map((a) => (
              <details key={a.id} class="alert" open={detail.alerts.length === 1}>
                <summary>
                  <SeverityBadge id={a.severityId} /> <strong>{a.title}</strong>{' '}
                  <span class="muted small">
                    {a.source} · first seen {time(a.firstSeen)} · {a.occurrences} deliver
                    {a.occurrences === 1 ? 'y' : 'ies'}
                    {a.sample ? ' · sample' : ''}
                  </span>
                </summary>
                <p class="mono small muted">{a.id}</p>
                {a.ocsf === null ? <p class="muted">No OCSF event stored.</p> : <Json value={a.ocsf} />}
              </details>
            ))}
          </div>
        ) : null}
        {tab === 'actions' ? (
          detail.actions.length === 0 ? (
            <p class="muted">No action recorded.</p>
          ) : (
            detail.actions.map((a, n) => <ActionCard key={n} action={a} />)
          )
        ) : null}
        {tab === 'notes' ? (
          <Panel
            title="Notes"
            actions={
              cases ? (
                <button type="button" onClick={() => setDialog('note')}>
                  Add note
                </button>
              ) : undefined
            }
          >
            {detail.notes.length === 0 ? (
              <p class="muted">No notes yet.</p>
            ) : (
              <ul class="notes">
                {detail.notes.map((note) => (
                  <li key={note.id}>
                    <div class="muted small">
                      {note.author} · {time(note.at)}
                    </div>
                    <p>{note.text}</p>
                  </li>
                ))}
              </ul>
            )}
          </Panel>
        ) : null}
      </div>

      {dialog === 'approve' || dialog === 'deny' ? (
        <Dialog
          title={dialog === 'approve' ? 'Approve the request?' : 'Deny the request?'}
          confirmLabel={dialog === 'approve' ? 'Approve' : 'Deny'}
          danger={dialog === 'deny'}
          onCancel={() => setDialog(undefined)}
          onConfirm={() =>
            act(
              'approval',
              { decision: dialog },
              dialog === 'approve' ? 'Approved: the playbook continues.' : 'Denied: the playbook stops.',
            )
          }
        >
          <p>{detail.approval?.message}</p>
          <p class="muted small">
            {dialog === 'approve'
              ? 'The playbook goes on with the steps after the approval.'
              : 'The playbook takes its denied path: nothing after the approval runs.'}{' '}
            The first decision wins; it is recorded with your name.
          </p>
        </Dialog>
      ) : null}
      {dialog === 'release' ? (
        <Dialog
          title="Release the containment?"
          confirmLabel="Release"
          danger
          disabled={plan === undefined || !plan.available}
          onCancel={() => setDialog(undefined)}
          onConfirm={() =>
            act('release', { confirm: true }, 'Release started: follow it on the Response tab.')
          }
        >
          {plan === undefined ? (
            <p class="muted">Reading what was done…</p>
          ) : !plan.available ? (
            <p>There is no release playbook for {plan.resourceType}.</p>
          ) : (
            <>
              <p>
                <span class="mono">{plan.playbook}</span> will undo on <strong>{plan.resource}</strong>:
              </p>
              {plan.undo.length === 0 ? (
                <p class="muted">
                  No recorded change to undo (the release restores from the saved state, if any).
                </p>
              ) : (
                <ul class="undo-list" aria-label="What will be undone">
                  {plan.undo.map((u, n) => (
                    <li key={n}>
                      <strong>{u.action}</strong> on <span class="mono">{u.target}</span>
                      {u.dryRun ? ' (dry-run)' : ''}: {u.calls.join(', ')}
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
        </Dialog>
      ) : null}
      <CaseDialogs
        dialog={dialog === 'approve' || dialog === 'deny' || dialog === 'release' ? undefined : dialog}
        incidentId={i.id}
        owner={detail.owner}
        onCancel={() => setDialog(undefined)}
        act={act}
      />
    </div>
  );
}

import { useState } from 'preact/hooks';
import { Dialog } from '../dialog.tsx';
import type { Resolution, Suppression } from '../types.ts';
import { Panel, time } from '../ui.tsx';

/**
 * Case management on the incident page: the dialogs (assign, add a note, close with a resolution
 * and an optional suppression, reopen) and the suppressions the close created.
 */

export type CaseDialog = 'assign' | 'note' | 'close' | 'reopen';

/** The resolutions the case operations accept, with the words the page shows. */
export const RESOLUTION_LABELS: Readonly<Record<Resolution, string>> = {
  true_positive: 'True positive',
  false_positive: 'False positive',
  benign: 'Benign',
  duplicate: 'Duplicate',
};
const RESOLUTIONS: readonly Resolution[] = ['true_positive', 'false_positive', 'benign', 'duplicate'];

function isResolution(value: string): value is Resolution {
  return (RESOLUTIONS as readonly string[]).includes(value);
}

export function CaseDialogs({
  dialog,
  owner,
  onCancel,
  act,
}: {
  dialog: CaseDialog | undefined;
  incidentId: string;
  owner: string | undefined;
  onCancel: () => void;
  act: (path: string, body: unknown, message: string) => Promise<void>;
}) {
  const [assignee, setAssignee] = useState(owner ?? '');
  const [note, setNote] = useState('');
  const [resolution, setResolution] = useState<Resolution>('true_positive');
  const [suppress, setSuppress] = useState(false);
  const [days, setDays] = useState('30');
  const [reason, setReason] = useState('');
  if (dialog === 'assign') {
    return (
      <Dialog
        title="Assign the incident"
        confirmLabel="Assign"
        onCancel={onCancel}
        onConfirm={() => act('assign', { owner: assignee.trim() }, `Assigned to ${assignee.trim()}.`)}
        disabled={assignee.trim() === ''}
      >
        <label class="field">
          Owner
          <input
            value={assignee}
            onInput={(e) => setAssignee((e.target as HTMLInputElement).value)}
            placeholder="alice"
          />
        </label>
      </Dialog>
    );
  }
  if (dialog === 'note') {
    return (
      <Dialog
        title="Add a note"
        confirmLabel="Add note"
        onCancel={onCancel}
        disabled={note.trim() === ''}
        onConfirm={async () => {
          await act('notes', { text: note.trim() }, 'Note added.');
          setNote('');
        }}
      >
        <label class="field">
          Note
          <textarea rows={4} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
        </label>
        <p class="muted small">Notes are append-only and signed with your name and the time.</p>
      </Dialog>
    );
  }
  if (dialog === 'close') {
    return (
      <Dialog
        title="Close the incident"
        confirmLabel="Close incident"
        onCancel={onCancel}
        onConfirm={() => {
          const suppressing = resolution === 'false_positive' && suppress;
          return act(
            'close',
            {
              resolution,
              ...(suppressing ? { suppress: { days: Number(days) } } : {}),
              ...(reason.trim() === '' ? {} : { note: reason.trim() }),
            },
            `Closed as ${RESOLUTION_LABELS[resolution].toLowerCase()}${suppressing ? `, suppressed for ${days} days` : ''}.`,
          );
        }}
      >
        <label class="field">
          Resolution
          <select
            value={resolution}
            onChange={(e) => {
              const value = (e.target as HTMLSelectElement).value;
              if (isResolution(value)) setResolution(value);
            }}
          >
            {RESOLUTIONS.map((value) => (
              <option key={value} value={value}>
                {RESOLUTION_LABELS[value]}
              </option>
            ))}
          </select>
        </label>
        {resolution === 'false_positive' ? (
          <div class="suppress">
            <label class="radio">
              <input
                type="checkbox"
                checked={suppress}
                onChange={(e) => setSuppress((e.target as HTMLInputElement).checked)}
              />
              Suppress this finding type on this resource
            </label>
            {suppress ? (
              <label class="field inline">
                Suppression expires after (days)
                <input
                  type="number"
                  min="1"
                  max="366"
                  value={days}
                  onInput={(e) => setDays((e.target as HTMLInputElement).value)}
                />
              </label>
            ) : null}
            <p class="muted small">
              New alerts of the same type on the same resource are stored and counted, but open no incident
              and start no playbook until the suppression expires or is removed.
            </p>
          </div>
        ) : null}
        <label class="field">
          Note (optional)
          <input value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        </label>
      </Dialog>
    );
  }
  if (dialog === 'reopen') {
    return (
      <Dialog
        title="Reopen the incident"
        confirmLabel="Reopen"
        onCancel={onCancel}
        onConfirm={() => act('reopen', reason.trim() === '' ? {} : { reason: reason.trim() }, 'Reopened.')}
      >
        <label class="field">
          Reason (optional)
          <input value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        </label>
      </Dialog>
    );
  }
  return null;
}

/** The suppressions an incident's close created, with the alerts each kept from opening an incident. */
export function Suppressions({ suppressions }: { suppressions: readonly Suppression[] }) {
  if (suppressions.length === 0) return null;
  return (
    <Panel title="Suppressions">
      <ul class="suppressions">
        {suppressions.map((s) => (
          <li key={s.id}>
            <div>
              <span class="mono">{s.findingType}</span> on <span class="mono">{s.resourceKey}</span>
            </div>
            <div class="muted small">
              until {time(s.expiresAtMs)} · by {s.createdBy} · {s.id}
            </div>
            {s.suppressedAlerts.length === 0 ? (
              <p class="muted small">No alert suppressed yet.</p>
            ) : (
              <ul aria-label={`Alerts suppressed by ${s.id}`}>
                {s.suppressedAlerts.map((a) => (
                  <li key={a.id} class="small">
                    Suppressed {time(a.suppressedAt)}: {a.title} <span class="mono muted">{a.id}</span> (no
                    incident, no playbook)
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </Panel>
  );
}

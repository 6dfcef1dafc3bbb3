import { useState } from 'preact/hooks';
import { Dialog } from '../dialog.tsx';

/** Case management dialogs: assign, add a note, close with a resolution (and a suppression), reopen. */

export type CaseDialog = 'assign' | 'note' | 'close' | 'reopen';

const RESOLUTIONS: readonly [string, string][] = [
  ['true-positive', 'True positive'],
  ['false-positive', 'False positive'],
  ['benign', 'Benign'],
  ['duplicate', 'Duplicate'],
];

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
  const [resolution, setResolution] = useState('true-positive');
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
        onConfirm={() =>
          act(
            'close',
            {
              resolution,
              ...(resolution === 'false-positive' && suppress ? { suppressDays: Number(days) } : {}),
              ...(reason.trim() === '' ? {} : { note: reason.trim() }),
            },
            `Closed as ${resolution.replace('-', ' ')}${resolution === 'false-positive' && suppress ? `, suppressed for ${days} days` : ''}.`,
          )
        }
      >
        <fieldset class="field">
          <legend>Resolution</legend>
          {RESOLUTIONS.map(([value, label]) => (
            <label key={value} class="radio">
              <input
                type="radio"
                name="resolution"
                value={value}
                checked={resolution === value}
                onChange={() => setResolution(value)}
              />
              {label}
            </label>
          ))}
        </fieldset>
        {resolution === 'false-positive' ? (
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
                  max="365"
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
        onConfirm={() => act('reopen', reason.trim() === '' ? {} : { note: reason.trim() }, 'Reopened.')}
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

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { appendCaseLog, type CaseLogEntry } from '../lifecycle/log.ts';
import { IncidentNotFoundError, type LifecycleStore, publishLifecycle } from '../lifecycle/record.ts';
import { keys } from '../store/table.ts';
import { type AddNoteInput, AddNoteInputSchema, parseCaseInput } from './schemas.ts';

/**
 * Appends a note to the incident: append-only (no operation edits or deletes one), with its
 * author and time. Published as `Riposte Incident Note Added` with the note's id, never its text.
 *
 * @example
 * const note = await addNote(store, { incidentId: 'inc-123', text: 'Owner confirms the scan was authorised', author: 'alice' });
 * note.id // '2026-12-07T10:00:00.000Z#000001a1b2c3d4'
 */
export async function addNote(store: LifecycleStore, input: AddNoteInput): Promise<CaseLogEntry> {
  const { incidentId, text, author } = parseCaseInput(AddNoteInputSchema, input);
  const found = await store.db.send(
    new GetCommand({
      TableName: store.tableName,
      Key: keys.incident(incidentId),
      ProjectionExpression: 'id',
    }),
  );
  if (found.Item === undefined) throw new IncidentNotFoundError(incidentId);
  const at = store.now();
  const entry = await appendCaseLog(store.db, store.tableName, incidentId, {
    at,
    kind: 'note',
    actor: author,
    text,
  });
  await publishLifecycle(store, {
    kind: 'noteAdded',
    detail: { incidentId, at, actor: author, noteId: entry.id },
  });
  return entry;
}

import { CaseInputError, LifecycleConflictError, SuppressionNotFoundError } from '#core/cases/index.ts';
import { OutboxPublisher } from '#core/lifecycle/outbox.ts';
import type { LifecycleStore } from '#core/lifecycle/record.ts';
import { IncidentNotFoundError as CoreIncidentNotFoundError } from '#core/lifecycle/record.ts';
import type { IncidentItem } from '#core/store/table.ts';
import { callerArn, localActor } from './aws/identity.ts';
import { type CommandIo, UsageError, write } from './command.ts';
import { IncidentNotFoundError, resolveIncident } from './commands/show.ts';
import { openStoreFor, type StoreHandle, type StoreSelection } from './local/runtime.ts';

/**
 * What the case commands (`assign`, `note`, `tag`, `close`, `reopen`, `suppressions`) work with:
 * the selected store (local, or a deployment's table with `--stack`/`--table`), as the case
 * operations take it, and who is acting: the OS user locally, the caller's ARN against a
 * deployment.
 *
 * Against a deployment the changes go to the table and its case log, and their lifecycle events
 * to the table's outbox ({@link OutboxPublisher}): Riposte's lifecycle bus admits only Riposte's
 * own functions as publishers, so the lifecycle relay publishes them from the table's stream.
 * Locally there is no outbox: `riposte serve` publishes locally.
 */
export interface CaseSession {
  readonly handle: StoreHandle;
  readonly store: LifecycleStore;
  readonly actor: string;
  /** The incident an id or unique prefix names. */
  incident(idOrPrefix: string): Promise<IncidentItem>;
}

/**
 * The case operations' store: against a deployment, with the table's outbox as the lifecycle
 * publisher; locally, without one.
 *
 * @example
 * const store = caseStoreOf(handle, 'arn:aws:sts::111122223333:assumed-role/Analyst/alice');
 */
export function caseStoreOf(
  handle: Pick<StoreHandle, 'db' | 'tableName' | 'remote'>,
  actor: string,
): LifecycleStore {
  const { db, tableName } = handle;
  return {
    db,
    tableName,
    now: Date.now,
    ...(handle.remote ? { lifecycle: new OutboxPublisher({ db, tableName, actor }) } : {}),
  };
}

/**
 * Opens the store, finds the actor, runs `fn`, closes the store; turns the case operations'
 * errors into one line: bad input is a usage error (exit 2), a missing incident or suppression
 * and a change that does not apply (closing a closed incident) exit 1.
 *
 * @example
 * return withCaseSession('assign', selection, io, async (s) => { await assign(s.store, {...}); return 0; });
 */
export async function withCaseSession(
  command: string,
  selection: StoreSelection,
  io: CommandIo,
  fn: (session: CaseSession) => Promise<number>,
): Promise<number> {
  const handle = await openStoreFor(selection, { throughServe: true });
  try {
    const actor = handle.remote ? await callerArn(handle.region) : localActor();
    const session: CaseSession = {
      handle,
      store: caseStoreOf(handle, actor),
      actor,
      incident: (idOrPrefix) => resolveIncident(handle.db, handle.tableName, idOrPrefix, handle.description),
    };
    return await fn(session);
  } catch (error) {
    if (error instanceof CaseInputError) throw new UsageError(error.message);
    if (
      error instanceof IncidentNotFoundError ||
      error instanceof CoreIncidentNotFoundError ||
      error instanceof LifecycleConflictError ||
      error instanceof SuppressionNotFoundError
    ) {
      write(io.stderr, `riposte ${command}: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await handle.close();
  }
}

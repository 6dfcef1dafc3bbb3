import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Playbook } from '#core/playbooks/sdk.ts';
import type { Deployment } from '../../aws/stack.ts';
import type { LocalApprovalGate } from '../../local/approvals.ts';
import type { ExecutionTracker } from '../executions.ts';
import type { ChangeFeed } from '../feed.ts';

/** What the console's API runs on: the selected store and, under serve, the live executions. */
export interface ConsoleContext {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  /** A deployed table (`--stack`/`--table`) rather than the local store. */
  readonly remote: boolean;
  /** Where the data comes from, as the CLI says it. */
  readonly description: string;
  readonly region: string | undefined;
  readonly deployment: Deployment | undefined;
  /** The local data folder (local store only). */
  readonly dataDir: string | undefined;
  readonly playbooks: readonly Playbook[];
  readonly feed: ChangeFeed;
  /** Approvals waiting under `riposte serve`. */
  readonly gate: LocalApprovalGate | undefined;
  /** Executions run by `riposte serve`. */
  readonly tracker: ExecutionTracker | undefined;
  /** Runs store work in order with the server's other work. */
  readonly serialize: <T>(task: () => Promise<T>) => Promise<T>;
  /** Who acts through this console: the OS user locally, the caller ARN against a deployment. */
  readonly actor: () => Promise<string>;
  /** Starts a release of the incident (local: the release playbook on the local engine). */
  readonly release: ((incidentId: string) => Promise<ReleaseStarted>) | undefined;
}

export interface ReleaseStarted {
  readonly playbook: string;
  readonly version: string;
  /** `running` locally (follow it live), `started`/`already-started` on a deployment. */
  readonly status: string;
}

/** An API answer that is not a 200 (the message is shown to the operator as is). */
export class ApiError extends Error {
  public constructor(
    public readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

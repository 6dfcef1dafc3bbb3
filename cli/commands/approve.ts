import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { SFNClient } from '@aws-sdk/client-sfn';
import { decideApproval, readApprovalItem, recordApprovalDecision } from '#core/actions/approval/decide.ts';
import type { ApprovalItem } from '#core/actions/approval/token.ts';
import { ApprovalTaskNotFoundError, findApprovalTaskToken } from '../aws/approval.ts';
import { type Command, type CommandIo, UsageError, write } from '../command.ts';
import { decideThroughServer } from '../console/client.ts';
import { runningServer } from '../local/owner.ts';
import {
  awsClientConfig,
  localDataDir,
  openStoreFor,
  STORE_HELP,
  STORE_OPTIONS,
  type StoreHandle,
  storeSelection,
} from '../local/runtime.ts';
import { isoTime } from '../output.ts';
import { IncidentNotFoundError, resolveIncident } from './show.ts';

type Decision = 'approve' | 'deny';
type Status = 'approved' | 'denied';

function help(decision: Decision): string {
  const verb = decision === 'approve' ? 'approve' : 'deny';
  const status = decision === 'approve' ? 'approved' : 'denied';
  const send =
    decision === 'approve'
      ? 'SendTaskSuccess: the playbook continues'
      : 'SendTaskFailure (error ApprovalDenied): the playbook stops';
  return `Usage: riposte ${verb} <incident> [--json]
                 [--data-dir DIR | --stack NAME | --table NAME] [--region REGION]

Decides the incident's pending approval: the approval item goes from pending to ${status}, with
your OS user as the approver and the time, by a conditional write (a decision already taken,
here or through the approval links, is never taken again). <incident> is an incident id or a
unique prefix of one.

Against a deployment (--stack, or --table alone) the decision is the one the approval links
make. The approval item keeps only a hash of the Step Functions task token; the command reads
the execution the item names (GetExecutionHistory) for the request-approval task whose token
has that hash, records the decision, then sends
  ${send}.
When the execution no longer waits, the approval is marked expired; when Step Functions
refuses or cannot be reached, it is left pending. Your credentials need, besides
cloudformation:DescribeStacks (--stack) and reading the table: dynamodb:UpdateItem on it,
states:GetExecutionHistory on the execution and states:SendTaskSuccess/SendTaskFailure on the
playbook's state machine.

Locally, while \`riposte serve\` runs on the data folder, a playbook that reaches its approval
waits for it: the command sends the decision to the server (its console API), which decides as
the approval links do (signed, expiring, first decision wins) and the playbook goes on or stops.
Without a server, \`run\` and \`release\` ask in-line (--approve, --deny or a prompt): a pending
item left in the store resumes nothing, but the safety rails read the decision.

Options:
  --json           one JSON object: {"incident","status","approver","decidedAt","message"}
${STORE_HELP}

Exit status: 0 when the decision was recorded (and, against a deployment, sent), 1 when
nothing was pending, the incident does not exist, the waiting task cannot be found, or the
execution no longer waits or cannot be reached.`;
}

function approver(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'local operator';
  }
}

function describeApproval(item: ApprovalItem | undefined): string {
  if (item === undefined) return 'no approval was ever requested';
  if (item.status === 'pending')
    return `an approval is pending since ${isoTime(item.requestedAt)} (until ${isoTime(item.deadline)})`;
  return `the approval was ${item.status}${item.approver === undefined ? '' : ` by ${item.approver}`}${
    item.decidedAt === undefined ? '' : ` at ${item.decidedAt}`
  }`;
}

/** A pending approval to decide, and who decides. */
export interface PendingDecision {
  readonly decision: Decision;
  readonly incidentId: string;
  readonly pending: ApprovalItem;
  readonly approver: string;
}

/** What deciding came to: recorded (and sent), or why not, for stderr. */
export type Decided = { readonly decidedAt: string } | { readonly refused: string };

/** Local store: records the decision on the item; no execution waits on it. */
async function decideLocally(store: StoreHandle, d: PendingDecision): Promise<Decided> {
  const decidedAt = new Date().toISOString();
  const recorded = await recordApprovalDecision(store.db, store.tableName, {
    incidentId: d.incidentId,
    taskTokenHash: d.pending.taskTokenHash,
    status: d.decision === 'approve' ? 'approved' : 'denied',
    decidedAt,
    approver: d.approver,
  });
  if (recorded) return { decidedAt };
  const now = await readApprovalItem(store.db, store.tableName, d.incidentId);
  return { refused: `decided meanwhile: ${describeApproval(now)}` };
}

/** A decision as `--json` and the console API report it. */
export interface DecisionOutcome {
  readonly incident: string;
  readonly status: Status;
  readonly approver: string;
  readonly decidedAt: string;
}

/**
 * A deployment: finds the waiting task's token, then decides as the approval endpoint does.
 *
 * @example
 * const decided = await decideDeployedApproval(store, { decision: 'approve', incidentId, pending, approver: 'alice' });
 */
export async function decideDeployedApproval(
  store: Pick<StoreHandle, 'db' | 'tableName' | 'region'>,
  d: PendingDecision,
): Promise<Decided> {
  const executionArn = d.pending.executionId;
  if (executionArn === undefined || executionArn === '') {
    throw new ApprovalTaskNotFoundError(
      `the pending approval of incident ${d.incidentId} names no execution: there is no task to answer`,
    );
  }
  const sfn = new SFNClient(awsClientConfig(store.region));
  try {
    const taskToken = await findApprovalTaskToken(sfn, executionArn, d.pending.taskTokenHash);
    const result = await decideApproval(
      { db: store.db, tableName: store.tableName, sfn, now: Date.now },
      {
        incidentId: d.incidentId,
        executionId: executionArn,
        taskToken,
        decision: d.decision,
        approver: d.approver,
        deadline: d.pending.deadline,
      },
    );
    switch (result.outcome) {
      case 'decided':
        return { decidedAt: result.decidedAt };
      case 'not-pending':
        return { refused: `decided meanwhile: ${describeApproval(result.item)}` };
      case 'task-gone':
        return {
          refused:
            `the execution ${executionArn} no longer waits (it timed out or was stopped): ` +
            'the decision was not applied and the approval is now expired',
        };
      case 'unreachable': {
        const error = result.error;
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        return {
          refused: `Step Functions refused the decision (${reason}): nothing was applied, the approval is pending again`,
        };
      }
    }
  } finally {
    sfn.destroy();
  }
}

async function decide(decision: Decision, store: StoreHandle, id: string, json: boolean, io: CommandIo) {
  const status: Status = decision === 'approve' ? 'approved' : 'denied';
  const incident = await resolveIncident(store.db, store.tableName, id, store.description);
  const pending = await readApprovalItem(store.db, store.tableName, incident.id);
  if (pending?.status !== 'pending') {
    write(
      io.stderr,
      `riposte ${decision}: nothing to ${decision} for incident ${incident.id}: ${describeApproval(pending)}.${
        store.remote
          ? ''
          : ' Locally, playbooks ask in-line: use --approve or --deny with run, serve or release.'
      }`,
    );
    return 1;
  }
  const by = approver();
  const request: PendingDecision = { decision, incidentId: incident.id, pending, approver: by };
  const decided = store.remote
    ? await decideDeployedApproval(store, request)
    : await decideLocally(store, request);
  if ('refused' in decided) {
    write(io.stderr, `riposte ${decision}: ${decided.refused}`);
    return 1;
  }
  const result = {
    incident: incident.id,
    status,
    approver: by,
    decidedAt: decided.decidedAt,
    message: pending.message ?? null,
  };
  const resumed = !store.remote
    ? ''
    : decision === 'approve'
      ? `; execution ${pending.executionId ?? ''} continues`
      : `; execution ${pending.executionId ?? ''} stops`;
  write(
    io.stdout,
    json
      ? JSON.stringify(result)
      : `incident ${incident.id}: approval ${status} by ${by} at ${decided.decidedAt}${
          pending.message === undefined ? '' : ` (${pending.message})`
        }${resumed}`,
  );
  return 0;
}

/** `approve`/`deny` while `riposte serve` holds the store: the decision goes through its API. */
async function decideThroughServe(url: string, decision: Decision, id: string, json: boolean, io: CommandIo) {
  const result = await decideThroughServer(url, id, decision);
  if (!result.ok) {
    write(io.stderr, `riposte ${decision}: ${result.message}`);
    return 1;
  }
  const d = result.decided;
  write(
    io.stdout,
    json
      ? JSON.stringify(d)
      : `incident ${d.incident}: approval ${d.status} by ${d.approver} at ${d.decidedAt}; the playbook ${
          d.status === 'approved' ? 'continues' : 'stops'
        } in riposte serve (${url})`,
  );
  return 0;
}

function decisionCommand(decision: Decision): Command {
  return {
    name: decision,
    summary:
      decision === 'approve'
        ? "approve an incident's pending approval (locally, or --stack: the playbook continues)"
        : "deny an incident's pending approval (locally, or --stack: the playbook stops)",
    help: help(decision),
    async run(args, io) {
      const { values, positionals } = parseArgs({
        args: [...args],
        allowPositionals: true,
        options: { json: { type: 'boolean', default: false }, ...STORE_OPTIONS },
      });
      if (positionals.length !== 1) throw new UsageError('expected exactly one incident id');
      const selection = storeSelection(io.cwd, values);
      if (values.stack === undefined && values.table === undefined) {
        // A running serve holds the store and the waiting execution: decide through its API.
        const server = runningServer(localDataDir(selection));
        if (server !== undefined)
          return decideThroughServe(server.url, decision, positionals[0] ?? '', values.json, io);
      }
      const store = await openStoreFor(selection);
      try {
        return await decide(decision, store, positionals[0] ?? '', values.json, io);
      } catch (error) {
        if (error instanceof IncidentNotFoundError) {
          write(io.stderr, `riposte ${decision}: ${error.message}`);
          return 1;
        }
        throw error;
      } finally {
        await store.close();
      }
    },
  };
}

export const approveCommand: Command = decisionCommand('approve');
export const denyCommand: Command = decisionCommand('deny');

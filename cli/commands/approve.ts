import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type ApprovalItem, ApprovalItemSchema } from '#core/actions/approval.ts';
import { safetyKeys } from '#core/actions/safety.ts';
import { buildUpdate, condition, Placeholders } from '#core/store/expression.ts';
import { type Command, UsageError, write } from '../command.ts';
import { openStoreFor, STORE_OPTIONS } from '../local/runtime.ts';
import { isoTime } from '../output.ts';
import { IncidentNotFoundError, resolveIncident } from './show.ts';

type Decision = 'approve' | 'deny';

const DEPLOYED = `Against a deployment, an approval is decided through the signed approve and deny links
the approval step sent (by e-mail, chat...), or in the Step Functions console (the execution
waiting at the approval state). Riposte keeps only a hash of the Step Functions task token, by
design, so the CLI cannot answer the waiting execution.`;

function help(decision: Decision): string {
  const verb = decision === 'approve' ? 'approve' : 'deny';
  const status = decision === 'approve' ? 'approved' : 'denied';
  return `Usage: riposte ${verb} <incident> [--json] [--data-dir DIR]
       riposte ${verb} <incident> --table NAME [--stack NAME] [--region REGION]

Records "${status}" on the incident's pending approval in the local store: the approval item
goes from pending to ${status}, with your OS user as the approver and the time. The safety rails
read that decision (an approved incident may exceed the blast-radius limit on its next run).
<incident> is an incident id or a unique prefix of one.

Locally, playbooks ask for approval in-line (run --approve or --deny, or a prompt) and record
the answer themselves, so the local store normally holds no pending approval: the command
then says so and exits 1. No local execution waits on a pending approval, so deciding one
resumes nothing.

${DEPLOYED}
With --table the command says whether an approval is pending in that table, prints this and
exits 1; with --stack alone it prints this and exits 1. It never decides a deployed approval.

Options:
  --json           one JSON object: {"incident","status","approver","decidedAt","message"}
  --data-dir DIR   local store folder (default .riposte/db)
  --table NAME     a deployed table (read only: see above)
  --stack NAME     a deployed stack (see above)
  --region REGION  the deployed table's region

Exit status: 0 when the decision was recorded, 1 when nothing was pending, the incident does
not exist, or the store is a deployment's.`;
}

function approver(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'local operator';
  }
}

async function readApproval(
  db: DynamoDBDocumentClient,
  tableName: string,
  incidentId: string,
): Promise<ApprovalItem | undefined> {
  const out = await db.send(
    new GetCommand({ TableName: tableName, Key: safetyKeys.approval(incidentId), ConsistentRead: true }),
  );
  return out.Item === undefined ? undefined : ApprovalItemSchema.parse(out.Item);
}

function describeApproval(item: ApprovalItem | undefined): string {
  if (item === undefined) return 'no approval was ever requested';
  if (item.status === 'pending')
    return `an approval is pending since ${isoTime(item.requestedAt)} (until ${isoTime(item.deadline)})`;
  return `the approval was ${item.status}${item.approver === undefined ? '' : ` by ${item.approver}`}${
    item.decidedAt === undefined ? '' : ` at ${item.decidedAt}`
  }`;
}

function decisionCommand(decision: Decision): Command {
  const status = decision === 'approve' ? 'approved' : 'denied';
  return {
    name: decision,
    summary:
      decision === 'approve'
        ? "record an approval on an incident's pending approval (local store)"
        : "record a denial on an incident's pending approval (local store)",
    help: help(decision),
    async run(args, io) {
      const { values, positionals } = parseArgs({
        args: [...args],
        allowPositionals: true,
        options: { json: { type: 'boolean', default: false }, ...STORE_OPTIONS },
      });
      if (positionals.length !== 1) throw new UsageError('expected exactly one incident id');
      const id = positionals[0] ?? '';
      const deployed = values.stack !== undefined || values.table !== undefined;
      if (deployed && values.table === undefined) {
        write(io.stderr, `riposte ${decision}: ${DEPLOYED}`);
        return 1;
      }
      const store = await openStoreFor({
        cwd: io.cwd,
        dataDir: values['data-dir'],
        stack: values.stack,
        table: values.table,
        region: values.region,
      });
      try {
        const incident = await resolveIncident(store.db, store.tableName, id, store.description);
        const current = await readApproval(store.db, store.tableName, incident.id);
        if (store.remote) {
          write(
            io.stderr,
            `riposte ${decision}: incident ${incident.id}: ${describeApproval(current)}.\n${DEPLOYED}`,
          );
          return 1;
        }
        if (current?.status !== 'pending') {
          write(
            io.stderr,
            `riposte ${decision}: nothing to ${decision} for incident ${incident.id}: ${describeApproval(current)}. ` +
              'Locally, playbooks ask in-line: use --approve or --deny with run, serve or release.',
          );
          return 1;
        }
        const decidedAt = new Date().toISOString();
        const by = approver();
        const p = new Placeholders();
        try {
          await store.db.send(
            new UpdateCommand({
              TableName: store.tableName,
              Key: safetyKeys.approval(incident.id),
              ...buildUpdate({ set: { status, decidedAt, approver: by }, remove: ['expiresAt'] }, p),
              ConditionExpression: condition(
                '{status} = :{pending} AND {taskTokenHash} = :{hash}',
                { pending: 'pending', hash: current.taskTokenHash },
                p,
              ),
              ExpressionAttributeValues: p.values,
            }),
          );
        } catch (error) {
          if (
            !(error instanceof ConditionalCheckFailedException) &&
            !(error instanceof Error && error.name === 'ConditionalCheckFailedException')
          )
            throw error;
          const now = await readApproval(store.db, store.tableName, incident.id);
          write(io.stderr, `riposte ${decision}: decided meanwhile: ${describeApproval(now)}`);
          return 1;
        }
        const result = {
          incident: incident.id,
          status,
          approver: by,
          decidedAt,
          message: current.message ?? null,
        };
        write(
          io.stdout,
          values.json
            ? JSON.stringify(result)
            : `incident ${incident.id}: approval ${status} by ${by} at ${decidedAt}${
                current.message === undefined ? '' : ` (${current.message})`
              }`,
        );
        return 0;
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

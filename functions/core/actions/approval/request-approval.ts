import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { condition, Placeholders } from '../../store/expression.ts';
import { buildNotification } from '../notify/build.ts';
import { NOTIFY_SECRET_CALLS, NOTIFY_TOPIC_CALLS } from '../notify/config.ts';
import { deliverNotification } from '../notify/deliver.ts';
import { DeliverySchema } from '../notify/delivery.ts';
import { NotifyInputSchema } from '../notify/message.ts';
import { defaultNotifyTransport } from '../notify/notify.ts';
import { APPROVAL_PURPOSES, safetyKeys } from '../safety.ts';
import { defineAction } from '../types.ts';
import { APPROVAL_KEY_CALLS, REQUEST_APPROVAL_CALLS } from './calls.ts';
import { type ApprovalDeps, approvalConfigFromEnv } from './config.ts';
import { isConditionFailure } from './decide.ts';
import { approvalKeyFrom, signApprovalToken, taskTokenHash } from './token.ts';

export const RequestApprovalInputSchema = NotifyInputSchema.extend({
  /** `$$.Task.Token`, passed by the compiled playbook's `waitForTaskToken` task. */
  taskToken: z.string().min(1).max(4_096),
  /** How long the links stay valid; the state's own timeout should match. */
  timeoutSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(3_600),
  /** What the approver reads: what will happen on approval. */
  message: z.string().min(1).max(2_000),
  /**
   * Which rail the approval lifts, recorded on the approval item for this execution only:
   * `production` (the environment rail), `blast-radius` (the hourly limit, for 15 minutes),
   * `containment` (none). @default containment
   */
  purpose: z.enum(APPROVAL_PURPOSES).default('containment'),
  subject: z.string().min(1).max(1_000).optional(),
});
export type RequestApprovalInput = z.input<typeof RequestApprovalInputSchema>;

export const RequestApprovalOutputSchema = z.object({
  /** False in dry-run (nothing stored or sent) and when this task was already decided. */
  requested: z.boolean(),
  /** Epoch ms when the links expire. */
  expiresAt: z.number(),
  deliveries: z.array(DeliverySchema),
});

/**
 * The `request-approval` action on given dependencies (tests, the local engine).
 *
 * Signs an approve and a deny token, stores the pending approval item (only the task token's
 * hash), then sends the links through the notification channels. In dry-run it renders and
 * records with placeholder links, and stores, signs and sends nothing.
 *
 * @example
 * const requestApproval = createRequestApprovalAction(() => deps);
 * await requestApproval.run(requestApproval.input.parse({ taskToken, message: 'Isolate i-0abc?' }), env);
 */
export function createRequestApprovalAction(resolve: () => ApprovalDeps | Promise<ApprovalDeps>) {
  return defineAction({
    id: 'request-approval',
    family: 'approve',
    description:
      'Asks a human to approve or deny, with signed expiring links sent through the notification channels.',
    input: RequestApprovalInputSchema,
    output: RequestApprovalOutputSchema,
    iamActions: [],
    calls: [NOTIFY_TOPIC_CALLS, NOTIFY_SECRET_CALLS, REQUEST_APPROVAL_CALLS, APPROVAL_KEY_CALLS],
    target: (input) => input.channel,
    async run(input, env) {
      const deps = await resolve();
      const { execution } = env;
      const now = env.now();
      const expiresAt = now + input.timeoutSeconds * 1_000;
      const base = deps.baseUrl.replace(/\/+$/, '');
      const item = {
        ...safetyKeys.approval(execution.incidentId),
        incidentId: execution.incidentId,
        status: 'pending',
        taskTokenHash: taskTokenHash(input.taskToken),
        ...(execution.executionId === undefined ? {} : { executionId: execution.executionId }),
        playbookId: execution.playbookId,
        playbookVersion: execution.playbookVersion,
        purpose: input.purpose,
        message: input.message,
        requestedAt: now,
        deadline: expiresAt,
        expiresAt: Math.ceil(expiresAt / 1_000),
      };
      const recordPut = (dryRun: boolean): void =>
        env.recorder.record({
          service: 'dynamodb',
          api: 'PutItem',
          params: {
            TableName: deps.tableName,
            Key: safetyKeys.approval(execution.incidentId),
            status: 'pending',
            expiresAt: item.expiresAt,
          },
          dryRun,
          mutating: true,
        });

      let approveUrl = `${base}/approve?token=DRY-RUN`;
      let denyUrl = `${base}/deny?token=DRY-RUN`;
      if (env.dryRun) {
        recordPut(true);
      } else {
        const key = await deps.key();
        const common = {
          incidentId: execution.incidentId,
          executionId: execution.executionId ?? '',
          taskToken: input.taskToken,
          expiresAt,
        };
        approveUrl = `${base}/approve?token=${signApprovalToken({ ...common, decision: 'approve' }, key)}`;
        denyUrl = `${base}/deny?token=${signApprovalToken({ ...common, decision: 'deny' }, key)}`;
        const stored = await storePending(deps, item);
        recordPut(false);
        if (!stored) return { requested: false, expiresAt, deliveries: [] };
      }
      const message = buildNotification(
        { ...input, subject: input.subject ?? `Approval needed: ${input.message}` },
        execution,
        now,
        { approveUrl, denyUrl, expiresAt: new Date(expiresAt).toISOString(), message: input.message },
      );
      const deliveries = await deliverNotification(message, input.channel, deps.transport, env);
      return { requested: !env.dryRun, expiresAt, deliveries };
    },
  });
}

/**
 * Writes the pending item, replacing an earlier request of the incident — unless this very
 * task was already decided (a retried request must not reopen a decision): then false.
 */
export async function storePending(
  deps: ApprovalDeps,
  item: Record<string, unknown> & { taskTokenHash: string },
): Promise<boolean> {
  const p = new Placeholders();
  try {
    await deps.db.send(
      new PutCommand({
        TableName: deps.tableName,
        Item: item,
        ConditionExpression: condition(
          'attribute_not_exists({pk}) OR {status} = :{pending} OR {taskTokenHash} <> :{hash}',
          { pending: 'pending', hash: item.taskTokenHash },
          p,
        ),
        ExpressionAttributeNames: p.names,
        ExpressionAttributeValues: p.values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export let productionDeps: ApprovalDeps | undefined;

/**
 * The Lambda's dependencies: configuration from the environment, clients created once per
 * container, the notification transport of {@link defaultNotifyTransport}.
 *
 * @example
 * const deps = defaultApprovalDeps();
 */
export function defaultApprovalDeps(): ApprovalDeps {
  if (productionDeps === undefined) {
    const config = approvalConfigFromEnv(process.env);
    const transport = defaultNotifyTransport();
    productionDeps = {
      db: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
        marshallOptions: { removeUndefinedValues: true },
      }),
      tableName: config.tableName,
      baseUrl: config.baseUrl,
      key: approvalKeyFrom(transport.secrets, config.keySecretArn),
      transport,
    };
  }
  return productionDeps;
}

/** The `request-approval` action as deployed (see {@link createRequestApprovalAction}). */
export const requestApprovalAction = createRequestApprovalAction(defaultApprovalDeps);

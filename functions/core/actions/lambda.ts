import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import { z } from 'zod';
import { EventBridgePublisher } from '../lifecycle/events.ts';
import type { FamilyRegistry } from './family.ts';
import { memberCredentials } from './member-role.ts';
import { type RunnerDeps, runAction } from './runner.ts';
import { DynamoSafetyRails, killSwitchEngaged } from './safety.ts';
import { DynamoContainmentState, DynamoTimeline } from './state.ts';
import { type ActionResponse, SafetyPolicySchema } from './types.ts';

/**
 * The Lambda handler of one action family. Every family's function is this handler with its
 * own registry (`families/`) and its own role: the family's actions are the only ones it
 * accepts and bundles, its clients are those of the services they declare, and its role only
 * allows what they call.
 *
 * Environment: `TABLE_NAME`, `SAFETY_POLICY` (JSON, see `SafetyPolicySchema`),
 * `KILL_SWITCH_PARAMETER` (SSM parameter name), `MEMBER_ROLE_NAME` and
 * `MEMBER_ROLE_EXTERNAL_ID` (optional: act in member accounts through that role).
 */
const EnvSchema = z.object({
  TABLE_NAME: z.string().min(3),
  AWS_REGION: z.string().default('us-east-1'),
  SAFETY_POLICY: z
    .string()
    .default('{}')
    .transform((text) => SafetyPolicySchema.parse(JSON.parse(text))),
  KILL_SWITCH_PARAMETER: z.string().min(1),
  MEMBER_ROLE_NAME: z.string().optional(),
  MEMBER_ROLE_EXTERNAL_ID: z.string().optional(),
  /** Riposte's EventBridge bus for lifecycle events; none when absent. */
  LIFECYCLE_BUS_NAME: z.string().min(1).optional(),
});

/**
 * @example
 * // functions/contain/handler.ts
 * export const handler = createActionHandler(containFamily);
 */
export function createActionHandler(registry: FamilyRegistry) {
  const { family } = registry;
  const env = EnvSchema.parse(process.env);
  const logger = new Logger({ serviceName: `riposte-${family}` });
  const metrics = new Metrics({ namespace: 'Riposte', serviceName: `riposte-${family}` });
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const ssm = new SSMClient({});
  const store = { db, tableName: env.TABLE_NAME, now: Date.now };
  const deps: RunnerDeps = {
    actions: new Map(registry.actions.map((a) => [a.id, a])),
    family,
    store,
    baseMode: { kind: 'live' },
    killSwitch: () => killSwitchEngaged(ssm, env.KILL_SWITCH_PARAMETER),
    credentialsFor: (facts) =>
      memberCredentials(facts.account, {
        ...(env.MEMBER_ROLE_NAME === undefined ? {} : { roleName: env.MEMBER_ROLE_NAME }),
        ...(env.MEMBER_ROLE_EXTERNAL_ID === undefined ? {} : { externalId: env.MEMBER_ROLE_EXTERNAL_ID }),
      }),
    rails: (execution, dryRun) =>
      new DynamoSafetyRails({
        db,
        tableName: env.TABLE_NAME,
        policy: env.SAFETY_POLICY,
        execution,
        now: Date.now,
        dryRun,
      }),
    state: (execution) =>
      new DynamoContainmentState({ db, tableName: env.TABLE_NAME, incidentId: execution.incidentId }),
    timeline: (execution) => new DynamoTimeline({ db, tableName: env.TABLE_NAME, execution }),
    defaultRegion: env.AWS_REGION,
    ...(env.LIFECYCLE_BUS_NAME === undefined
      ? {}
      : { lifecycle: new EventBridgePublisher(new EventBridgeClient({}), env.LIFECYCLE_BUS_NAME) }),
    onMilestone: (milestone) => {
      if (milestone.dryRun) return;
      // MTTR: received → contained (or released), by source, playbook and severity.
      const metric = metrics.singleMetric();
      metric.addDimensions({
        source: milestone.source,
        playbook: milestone.playbookId,
        severity: String(milestone.severityId),
      });
      metric.addMetric(
        milestone.milestone === 'contained' ? 'TimeToContain' : 'TimeToRelease',
        MetricUnit.Milliseconds,
        milestone.ms,
      );
    },
  };

  async function handle(event: unknown): Promise<ActionResponse> {
    try {
      const response = await runAction(event, deps);
      logger.info('action completed', {
        action: response.action,
        target: response.target,
        dryRun: response.dryRun,
        calls: response.calls.filter((c) => c.mutating).map((c) => c.api),
      });
      return response;
    } catch (error) {
      // Rethrown: Lambda reports the error's name as errorType, which the state machine's
      // Retry and Catch match on.
      logger.warn('action failed', { error });
      throw error;
    }
  }

  return middy(handle).use(injectLambdaContext(logger, { clearState: true }));
}

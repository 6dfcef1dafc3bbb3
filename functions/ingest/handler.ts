import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { StepFunctionsDispatcher } from '#core/intake/dispatch.ts';
import { type IngestDeps, type IngestReport, ingestBatch } from '#core/intake/ingest.ts';
import { EventBridgePublisher } from '#core/lifecycle/events.ts';
import * as z from '#core/zod.ts';
import { loadRoutes } from './routes.ts';

/**
 * The ingest Lambda: SQS batches of EventBridge events → normalize → DynamoDB → playbook
 * dispatch. Reports partial batch failures: only deliveries whose store or dispatch call
 * failed go back to the queue (and, after `maxReceiveCount` receives, to the DLQ); malformed
 * events are not failures, they are stored as rejected with their reason.
 */

const EnvSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(3)),
  INCIDENT_WINDOW_HOURS: z._default(z.coerce.number().check(z.positive()), 24),
  REJECTED_RETENTION_DAYS: z._default(z.coerce.number().check(z.int(), z.positive()), 90),
  /** Accounts allowed to send `riposte.custom` events, comma-separated; none when absent. */
  CUSTOM_SOURCE_ACCOUNTS: z._default(z.string(), ''),
  /** Riposte's EventBridge bus for lifecycle events; none when absent. */
  LIFECYCLE_BUS_NAME: z.optional(z.string().check(z.minLength(1))),
  /** The routes file shipped beside the bundle (`routes.ts`); unset: no playbook is deployed. */
  PLAYBOOK_ROUTES_FILE: z.optional(z.string().check(z.minLength(1))),
  /** `arn:<partition>:states:<region>:<account>:stateMachine:`, what every playbook ARN starts with. */
  PLAYBOOK_ARN_PREFIX: z.optional(z.string().check(z.minLength(1))),
});

/** The SQS event, validated at the edge: only what ingest reads. */
export const SqsBatchSchema = z.object({
  Records: z.array(z.object({ messageId: z.string().check(z.minLength(1)), body: z.string() })),
});
export type SqsBatch = z.infer<typeof SqsBatchSchema>;

const env = EnvSchema.parse(process.env);
const logger = new Logger();
const metrics = new Metrics();
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const sfn = new SFNClient({});

const deps: IngestDeps = {
  db,
  tableName: env.TABLE_NAME,
  dispatcher: new StepFunctionsDispatcher(sfn),
  routes: loadRoutes(env.PLAYBOOK_ROUTES_FILE, env.PLAYBOOK_ARN_PREFIX, import.meta.url),
  incidentWindowMs: env.INCIDENT_WINDOW_HOURS * 3_600_000,
  rejectedRetentionDays: env.REJECTED_RETENTION_DAYS,
  customSourceAccounts: env.CUSTOM_SOURCE_ACCOUNTS.split(',').filter((account) => account !== ''),
  ...(env.LIFECYCLE_BUS_NAME === undefined
    ? {}
    : { lifecycle: new EventBridgePublisher(new EventBridgeClient({}), env.LIFECYCLE_BUS_NAME) }),
};

/** Publishes what a batch did as CloudWatch metrics (EMF). */
export function recordMetrics(target: Metrics, report: IngestReport): void {
  target.addMetric('Deliveries', MetricUnit.Count, report.deliveries);
  target.addMetric('AlertsCreated', MetricUnit.Count, report.alertsCreated);
  target.addMetric('AlertsUpdated', MetricUnit.Count, report.alertsUpdated);
  target.addMetric('DuplicateDeliveries', MetricUnit.Count, report.duplicates);
  target.addMetric('IncidentsOpened', MetricUnit.Count, report.incidentsOpened);
  target.addMetric('IncidentsEscalated', MetricUnit.Count, report.incidentsEscalated);
  target.addMetric('ExecutionsStarted', MetricUnit.Count, report.executionsStarted);
  target.addMetric('RejectedEvents', MetricUnit.Count, report.rejected);
  target.addMetric('DeliveryFailures', MetricUnit.Count, report.failures.length);
  target.addMetric('StoreWrites', MetricUnit.Count, report.writes);
  for (const detection of report.detections) {
    // MTTD: first observed by the source → received by Riposte, by source and severity.
    const metric = target.singleMetric();
    metric.addDimensions({ source: detection.source, severity: String(detection.severityId) });
    metric.addMetric('TimeToDetect', MetricUnit.Milliseconds, detection.ms);
  }
}

async function ingest(event: unknown, _context: Context): Promise<SQSBatchResponse> {
  const parsed = SqsBatchSchema.safeParse(event);
  if (!parsed.success) {
    // Not an SQS batch at all: a wiring error. Throwing makes every message retry, then DLQ.
    logger.error('event is not an SQS batch', { issues: parsed.error.issues });
    throw new Error('ingest expects an SQS batch event');
  }
  const report = await ingestBatch(
    parsed.data.Records.map((record) => ({ id: record.messageId, body: record.body })),
    deps,
  );
  recordMetrics(metrics, report);
  for (const [reason, count] of Object.entries(report.rejectedByReason)) {
    logger.warn('events rejected', { reason, count });
  }
  for (const failure of report.errors) logger.error('deliveries failed, returned to the queue', failure);
  logger.info('batch ingested', {
    deliveries: report.deliveries,
    alertsCreated: report.alertsCreated,
    duplicates: report.duplicates,
    incidentsOpened: report.incidentsOpened,
    executionsStarted: report.executionsStarted,
    writes: report.writes,
  });
  return { batchItemFailures: report.failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

export const handler = middy(ingest)
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse } from 'aws-lambda';
import { RiposteError } from '#core/errors.ts';
import { EventBridgePublisher } from '#core/lifecycle/events.ts';
import { relayOutbox, StreamBatchSchema } from '#core/lifecycle/relay.ts';
import * as z from '#core/zod.ts';

/**
 * The lifecycle relay Lambda: the alert table's stream (filtered by its event source mapping to
 * inserts of `OUTBOX#` items) → Riposte's lifecycle bus. Publishes the operator kinds only,
 * drops and logs any other kind (a forgery) or malformed item, and reports partial batch failures
 * so only the records from the first failed publish on are retried (then bisected, then sent to
 * the on-failure queue).
 */

const EnvSchema = z.object({
  /** Riposte's EventBridge bus for lifecycle events. */
  LIFECYCLE_BUS_NAME: z.string().check(z.minLength(1)),
});

/** Raised when the event is not a DynamoDB stream batch: a wiring error. */
export class RelayEventError extends RiposteError {
  public constructor(message: string) {
    super(message);
    this.name = 'RelayEventError';
  }
}

const env = EnvSchema.parse(process.env);
const logger = new Logger();
const publisher = new EventBridgePublisher(new EventBridgeClient({}), env.LIFECYCLE_BUS_NAME);

async function relay(event: unknown, _context: Context): Promise<DynamoDBBatchResponse> {
  const parsed = StreamBatchSchema.safeParse(event);
  if (!parsed.success) {
    logger.error('event is not a DynamoDB stream batch', { issues: parsed.error.issues });
    throw new RelayEventError('the lifecycle relay expects a DynamoDB stream batch');
  }
  const report = await relayOutbox(parsed.data.Records, { publisher });
  for (const dropped of report.dropped) {
    if (dropped.reason === 'forged') logger.warn('forged outbox item dropped', { ...dropped });
    else logger.error('malformed outbox item dropped', { ...dropped });
  }
  if (report.failures.length > 0) {
    logger.error('publishing failed, records returned to the stream', {
      error: report.error,
      failures: report.failures.length,
    });
  }
  logger.info('batch relayed', {
    records: parsed.data.Records.length,
    published: report.published,
    skipped: report.skipped,
    dropped: report.dropped.length,
  });
  return { batchItemFailures: report.failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

export const handler = middy(relay).use(injectLambdaContext(logger, { clearState: true }));

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { LIFECYCLE_DETAIL_TYPES } from '../../../functions/core/lifecycle/events.ts';
import { type StreamBatch, StreamBatchSchema } from '../../../functions/core/lifecycle/relay.ts';
import { REPO_ROOT } from '../../support/fixtures.ts';

/** The stream batch fixture (outbox inserts, a forged `contained`, a case-log insert), fresh per test. */
function loadBatch(): StreamBatch {
  const text = readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'streams', 'outbox-batch.json'), 'utf8');
  return StreamBatchSchema.parse(JSON.parse(text));
}

const CONTEXT: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'Riposte-LifecycleRelayFunction',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:Riposte-LifecycleRelayFunction',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/Riposte-LifecycleRelayFunction',
  logStreamName: '2026/06/01/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

const events = mockClient(EventBridgeClient);
let handler: (
  event: unknown,
  context: Context,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

beforeAll(async () => {
  vi.stubEnv('LIFECYCLE_BUS_NAME', 'riposte-lifecycle');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  ({ handler } = await import('../../../functions/lifecycle-relay/handler.ts'));
});
beforeEach(() => {
  events.reset();
});

/** The entries of every PutEvents call, in order. */
const entries = () =>
  events.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);

describe('lifecycle relay handler', () => {
  it('publishes the operator kinds of the outbox inserts on the bus, and nothing else', async () => {
    // Prepare
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });

    // Act
    const response = await handler(loadBatch(), CONTEXT);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(entries().map((entry) => [entry.EventBusName, entry.Source, entry.DetailType])).toEqual([
      ['riposte-lifecycle', 'riposte', LIFECYCLE_DETAIL_TYPES.assigned],
      ['riposte-lifecycle', 'riposte', LIFECYCLE_DETAIL_TYPES.closed],
      ['riposte-lifecycle', 'riposte', LIFECYCLE_DETAIL_TYPES.suppressionCreated],
    ]);
    expect(JSON.parse(entries()[0]?.Detail ?? '{}')).toMatchObject({ incidentId: 'inc-0001', owner: 'bob' });
  });

  it.each(['contained', 'released', 'opened', 'escalated', 'failed'])(
    'drops an outbox item claiming %s: only Riposte functions publish response events',
    async (kind) => {
      // Prepare
      events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
      const batch = loadBatch();
      const forged = batch.Records.map((record) => ({
        ...record,
        dynamodb: { ...record.dynamodb, NewImage: { ...record.dynamodb.NewImage, kind: { S: kind } } },
      }));

      // Act
      const response = await handler({ Records: forged }, CONTEXT);

      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
    },
  );

  it('reports the sequence numbers from the failed publish on when EventBridge refuses entries', async () => {
    // Prepare
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'e-1' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }, {}],
    });

    // Act
    const response = await handler(loadBatch(), CONTEXT);

    // Assess: the three relayed records (the forged one and the case-log entry are not retried)
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual([
      '100000000000000000001',
      '100000000000000000003',
      '100000000000000000005',
    ]);
  });

  it('reports every relayed record when PutEvents itself fails', async () => {
    // Prepare
    events
      .on(PutEventsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    // Act
    const response = await handler(loadBatch(), CONTEXT);

    // Assess
    expect(response.batchItemFailures).toHaveLength(3);
  });

  it('fails the whole invocation on an event that is not a stream batch', async () => {
    // Act
    const attempt = handler({ Records: [{ eventID: 'x' }] }, CONTEXT);

    // Assess
    await expect(attempt).rejects.toThrow('the lifecycle relay expects a DynamoDB stream batch');
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EventBridgePublisher } from '../../../functions/core/lifecycle/events.ts';
import { relayOutbox, StreamBatchSchema } from '../../../functions/core/lifecycle/relay.ts';
import { REPO_ROOT } from '../../support/fixtures.ts';
import type { Deployment } from './deployment.ts';
import { SECURITY } from './deployment.ts';
import type { AuthRequest } from './evaluate.ts';
import { clients } from './functions.ts';
import type { PolicyDocument } from './policies.ts';
import { keyOf, type Roles } from './requests.ts';
import { runAs } from './tap.ts';

/**
 * The lifecycle relay's calls: its code publishing an outbox batch (run with a tapped
 * EventBridge client, as `relay`), and what its event source mapping does with its role (read
 * the table's stream, send what keeps failing to its queue), which no code of Riposte sends.
 */

/** Thrown when the relay did not publish the fixture batch: the gathering would miss its calls. */
export class RelayGatheringError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'RelayGatheringError';
  }
}

/** Runs the relay's code on the stream fixture as the principal `relay`; its calls are tapped. */
export async function runRelay(): Promise<void> {
  const file = path.join(REPO_ROOT, 'test', 'fixtures', 'streams', 'outbox-batch.json');
  const batch = StreamBatchSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  await runAs('relay', 'lifecycle relay', async () => {
    const report = await relayOutbox(batch.Records, {
      publisher: new EventBridgePublisher(clients.events, 'riposte-lifecycle'),
    });
    if (report.published === 0 || report.failures.length > 0) {
      throw new RelayGatheringError(
        `the relay published ${report.published}: ${report.error ?? 'nothing to relay'}`,
      );
    }
  });
}

/** The event source mapping's requests with the relay's role: the stream, the key, the failure queue. */
export function relayMappingRequests(
  deployment: Deployment,
  roles: Pick<Roles, 'roleOf'> = deployment,
): AuthRequest[] {
  const { security, stack } = deployment;
  const principal = roles.roleOf('relay');
  const key = keyOf(deployment);
  const streamArn = String(security.resolve(stack.resolve(stack.store.table.tableStreamArn)));
  const queueArn = String(security.resolve(stack.resolve(stack.relay.failureQueue.queueArn)));
  const request = (call: string, action: string, resource: string, context: Record<string, string> = {}) => ({
    call: `lifecycle relay mapping: ${call}`,
    principal,
    action,
    resource,
    resourceAccount: SECURITY.account,
    context,
    ...(deployment.resourcePolicies.has(resource)
      ? { resourcePolicy: deployment.resourcePolicies.get(resource) as PolicyDocument }
      : {}),
  });
  const via = (service: string) => ({
    'kms:ViaService': `${service}.${SECURITY.region}.amazonaws.com`,
    'kms:CallerAccount': SECURITY.account,
  });
  return [
    ...['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'].map((action) =>
      request('reads the table stream', action, streamArn),
    ),
    request('lists the streams', 'dynamodb:ListStreams', '*'),
    request(
      'reads the table stream (the table key, through dynamodb)',
      'kms:Decrypt',
      key.arn,
      via('dynamodb'),
    ),
    request('sends a failed batch to its queue', 'sqs:SendMessage', queueArn, {
      'aws:SecureTransport': 'true',
    }),
    ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action) =>
      request('sends a failed batch to its queue (the key, through sqs)', action, key.arn, via('sqs')),
    ),
  ];
}

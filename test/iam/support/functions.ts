import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { memberCredentials } from '../../../functions/core/actions/member-role.ts';
import type { RunnerDeps, runAction } from '../../../functions/core/actions/runner.ts';
import { killSwitchEngaged } from '../../../functions/core/actions/safety.ts';
import type { ActionRequest, ActionResponse } from '../../../functions/core/actions/types.ts';
import { EventBridgePublisher } from '../../../functions/core/lifecycle/events.ts';
import { EXTERNAL_ID, SECURITY } from './accounts.ts';
import { record, recordActionCalls, runAs, tapClient } from './tap.ts';

/**
 * The deployed functions' bookkeeping, run locally: the same code the action Lambda runs
 * (`functions/core/actions/lambda.ts`) with SDK clients whose transport records the call
 * instead of sending it. The local runtime leaves these out (no kill switch, no member account,
 * no bus): here each request runs as its family's function, reads the kill switch, assumes the
 * member role in another account and publishes its lifecycle events.
 */

const offline = {
  region: SECURITY.region,
  credentials: { accessKeyId: 'AKIDEVAL', secretAccessKey: 'eval' },
};

export const clients = {
  ssm: tapClient(new SSMClient(offline), 'ssm', () => ({
    Parameter: { Name: '/riposte/kill-switch', Value: 'off' },
  })),
  sts: tapClient(new STSClient(offline), 'sts', () => ({
    Credentials: {
      AccessKeyId: 'ASIAMEMBER',
      SecretAccessKey: 'member',
      SessionToken: 'token',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  })),
  events: tapClient(new EventBridgeClient(offline), 'events', () => ({ FailedEntryCount: 0, Entries: [] })),
  sfn: tapClient(new SFNClient(offline), 'sfn', (api, input) =>
    api === 'StartExecution'
      ? { executionArn: `${String(input.stateMachineArn)}:exec`, startDate: new Date() }
      : {},
  ),
  /** Step Functions answering a task response as for a decision already applied, its answer lost. */
  sfnAfterLostAnswer: tapClient(new SFNClient(offline), 'sfn', (api) => {
    if (api.startsWith('SendTask')) {
      throw Object.assign(new Error('Provided task token is no longer valid'), { name: 'InvalidToken' });
    }
    return api === 'DescribeExecution' ? { status: 'RUNNING', startDate: new Date() } : {};
  }),
  secrets: tapClient(new SecretsManagerClient(offline), 'secretsmanager', () => ({
    SecretString: 'k'.repeat(64),
  })),
};

const RESOURCE_FAMILIES = new Set(['enrich', 'contain', 'release']);

/** `runAction` as the deployed function of the request's family runs it. */
export async function runAsDeployed(
  run: typeof runAction,
  raw: unknown,
  deps: RunnerDeps,
): Promise<ActionResponse> {
  // The registry imports the runner: read it once the mocked runner module is complete.
  const { ACTIONS } = await import('../../../functions/core/actions/registry.ts');
  const id = String((raw as { action?: unknown }).action);
  const family =
    id === 'load-context' || id === 'record-outcome' ? 'context' : ACTIONS.find((a) => a.id === id)?.family;
  if (family === undefined) throw new Error(`no family runs ${id}`);
  const action = String((raw as { action?: unknown }).action);
  return runAs(family, action, async () => {
    if (RESOURCE_FAMILIES.has(family)) {
      await runAs(family, 'runner: kill switch', () =>
        killSwitchEngaged(clients.ssm, '/riposte/kill-switch', { cacheMs: 0 }),
      );
    }
    const deployed: RunnerDeps = {
      ...deps,
      lifecycle: new EventBridgePublisher(clients.events, 'riposte-lifecycle'),
      credentialsFor: (facts) =>
        runAs(family, 'runner: member role', () =>
          memberCredentials(facts.account, {
            roleName: 'RiposteMemberResponse',
            externalId: EXTERNAL_ID,
            sts: clients.sts,
            ownAccount: SECURITY.account,
          }),
        ),
      onResponse: (request: ActionRequest, response: ActionResponse) => {
        recordActionCalls(family, `${family}: ${response.action}`, response.calls);
        deps.onResponse?.(request, response);
      },
    };
    return run(raw, deployed);
  });
}

let documentClientTapped = false;

/** Records every lib-dynamodb command (`Get`, `Put`, `Update`, `Query`...) of any document client. */
export function tapDocumentClients(): void {
  if (documentClientTapped) return;
  documentClientTapped = true;
  const prototype = DynamoDBDocumentClient.prototype as unknown as { send: (...args: unknown[]) => unknown };
  const original = prototype.send;
  prototype.send = function send(this: unknown, ...args: unknown[]) {
    const command = args[0] as { constructor: { name: string }; input: Record<string, unknown> };
    record('dynamodb', command.constructor.name.replace(/Command$/, ''), command.input, 'unattributed');
    return original.apply(this, args);
  };
}

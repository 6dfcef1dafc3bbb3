import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type LocalExecutionResult, runPlaybookLocally } from '../../../cli/local/engine.ts';
import { LocalPipeline } from '../../../cli/local/pipeline.ts';
import { localRunnerDeps } from '../../../cli/local/response.ts';
import type { LocalStore } from '../../../cli/local/store.ts';
import { exampleWorld } from '../../../cli/local/testkit.ts';
import type { AwsClients, ServiceName, WorldBackend } from '../../../functions/core/actions/clients.ts';
import type { ActionDefinition } from '../../../functions/core/actions/types.ts';
import { LocalWorld, type WorldData } from '../../../functions/core/actions/world/index.ts';
import { parseConfig } from '../../../functions/core/config/schema.ts';
import { RecordingDispatcher } from '../../../functions/core/intake/dispatch.ts';
import type { Playbook } from '../../../functions/core/playbooks/sdk.ts';
import { type IncidentItem, IncidentItemSchema, keys } from '../../../functions/core/store/table.ts';
import { TEST_CREDENTIALS, wireMocks } from '../../support/action-env.ts';
import { clientHook } from './client-hook.ts';
import { freshTable } from './store.ts';

/**
 * Playbooks run on the local engine against AWS as the example world answers it, with faults
 * injected into chosen calls:
 * - `live`: the action runner's real live-mode clients (recording, access-denied translation,
 *   the SDK's retry strategy, serialization and signing all run); aws-sdk-client-mock stubs
 *   behind them ({@link wireMocks}) answer from the world, or with the injected fault;
 * - `world`: world mode, where no SDK retry exists: an injected fault reaches the action as the
 *   error it is, as when the SDK has used up its attempts.
 */

export interface Fault {
  readonly service: ServiceName;
  readonly api: string;
  /** Which calls of the API fail. @default every call */
  readonly when?: (params: Readonly<Record<string, unknown>>) => boolean;
  /** How many matching calls fail, from the first. @default all of them */
  readonly times?: number;
  readonly error: () => Error;
}

export interface WireCall {
  readonly service: ServiceName;
  readonly api: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** The injected error's name, when this call failed. */
  readonly failed?: string;
}

/** An AWS error as the SDK raises it: name, fault and HTTP status. */
export function awsError(name: string, status: number, message = `${name} (injected)`): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

const SERVICES = ['ec2', 'iam', 'autoScaling', 'elbv2', 's3'] as const satisfies readonly ServiceName[];

type Command = {
  readonly input: Readonly<Record<string, unknown>>;
  readonly constructor: { readonly name: string };
};
type FakeableSend = { callsFake(fn: (command: Command) => Promise<unknown>): unknown };

/** The example world behind faulty AWS: answers calls, fails the ones the faults name. */
export class FaultyAws implements WorldBackend {
  public readonly calls: WireCall[] = [];
  private readonly left: number[];

  public constructor(
    public readonly world: LocalWorld,
    private readonly faults: readonly Fault[],
  ) {
    this.left = faults.map((f) => f.times ?? Number.POSITIVE_INFINITY);
  }

  public async handle(
    service: ServiceName,
    api: string,
    params: Readonly<Record<string, unknown>>,
  ): Promise<Record<string, unknown>> {
    const index = this.faults.findIndex(
      (f, i) =>
        f.service === service && f.api === api && (f.when?.(params) ?? true) && (this.left[i] ?? 0) > 0,
    );
    const fault = this.faults[index];
    if (fault !== undefined) {
      this.left[index] = (this.left[index] ?? 0) - 1;
      const error = fault.error();
      this.calls.push({ service, api, params, failed: error.name });
      throw error;
    }
    this.calls.push({ service, api, params });
    return this.world.handle(service, api, params);
  }

  /** Puts stubs answering from this world behind a set of live-mode clients. */
  public wire(clients: AwsClients): void {
    const wire = wireMocks(clients);
    for (const service of SERVICES) {
      (wire[service].send as unknown as FakeableSend).callsFake((command) =>
        this.handle(service, command.constructor.name.replace(/Command$/, ''), command.input),
      );
    }
  }

  /** Calls sent to `api` (optionally only those `when` selects). */
  public sent(
    api: string,
    when: (params: Readonly<Record<string, unknown>>) => boolean = () => true,
  ): WireCall[] {
    return this.calls.filter((c) => c.api === api && when(c.params));
  }
}

export interface LiveRunOptions {
  readonly playbook: Playbook;
  readonly event: unknown;
  readonly mode: 'live' | 'world';
  readonly world?: WorldData;
  readonly faults?: readonly Fault[];
  /** Actions the runner hosts beyond the shipped ones. */
  readonly extraActions?: readonly ActionDefinition[];
  readonly approve?: boolean;
}

export interface LiveRun {
  readonly result: LocalExecutionResult;
  readonly aws: FaultyAws;
  readonly incident: IncidentItem & { readonly failure?: unknown };
  readonly ms: number;
}

/**
 * Replays `event` through the local pipeline on a fresh table, then runs the execution it
 * dispatched with the faults injected.
 *
 * @example
 * const run = await runLive(store, { playbook, event, mode: 'live', faults: [{ service: 'ec2', api: 'CreateSnapshot', times: 2, error: () => awsError('InternalError', 500) }] });
 */
export async function runLive(store: LocalStore, options: LiveRunOptions): Promise<LiveRun> {
  const view = await freshTable(store, 'live');
  const config = parseConfig({});
  const dispatcher = new RecordingDispatcher();
  const route = {
    id: options.playbook.id,
    version: options.playbook.version,
    target: options.playbook.id,
    trigger: {},
  };
  await new LocalPipeline({ store: view, config, dispatcher, routes: [route] }).replay([
    { input: 'event', body: JSON.stringify(options.event) },
  ]);
  const request = dispatcher.started[0];
  if (request === undefined) throw new Error('runLive: the event started no execution');
  const aws = new FaultyAws(new LocalWorld(options.world ?? exampleWorld()), options.faults ?? []);
  const approve = async (): Promise<boolean> => options.approve ?? true;
  const base = localRunnerDeps({ store: view, config, world: aws.world, approve });
  const runner = {
    ...base,
    actions: new Map([...base.actions, ...(options.extraActions ?? []).map((a) => [a.id, a] as const)]),
    ...(options.mode === 'live'
      ? { baseMode: { kind: 'live' } as const, credentialsFor: async () => TEST_CREDENTIALS }
      : { baseMode: { kind: 'world', world: aws } as const }),
  };
  clientHook.current = options.mode === 'live' ? (clients) => aws.wire(clients as AwsClients) : undefined;
  const started = performance.now();
  try {
    const result = await runPlaybookLocally(options.playbook, request.input, { runner, approve });
    const out = await view.db.send(
      new GetCommand({
        TableName: view.tableName,
        Key: keys.incident(request.input.incidentId),
        ConsistentRead: true,
      }),
    );
    const incident = { ...IncidentItemSchema.parse(out.Item), failure: out.Item?.failure };
    return { result, aws, incident, ms: performance.now() - started };
  } finally {
    clientHook.current = undefined;
  }
}

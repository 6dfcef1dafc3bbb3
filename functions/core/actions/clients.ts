import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { S3Client } from '@aws-sdk/client-s3';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeHandlerOutput,
  MetadataBearer,
  MiddlewareStack,
} from '@smithy/types';
import { RiposteError } from '../errors.ts';
import { AwsAccessDeniedError } from './errors.ts';
import { type CallRecorder, isMutating } from './recorder.ts';

/**
 * The AWS clients an action uses. Action code is the same in every mode: it sends real SDK v3
 * commands. The mode is a middleware on each client:
 *
 * - `live`: calls go to AWS, each recorded with its request id;
 * - `dry-run`: reads go to AWS, state-changing calls are recorded and not sent (the kill switch
 *   and sample alerts use this);
 * - `world`: nothing reaches AWS; a {@link WorldBackend} (the local world file) answers reads
 *   and applies writes to its in-memory state, and every call is recorded.
 *
 * A client is built on first use, from the {@link ServiceFactories} given to
 * {@link createClients}: a function bundles and builds only the SDK clients its actions declare.
 */
export interface AwsClients {
  readonly ec2: EC2Client;
  readonly iam: IAMClient;
  readonly autoScaling: AutoScalingClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  /** Regional S3 (bucket-level calls: Block Public Access, tags, policy status). */
  readonly s3: S3Client;
  /** AWS KMS keys of the incident's account and Region. */
  readonly kms: KMSClient;
  /** CloudTrail of the incident's Region (trails, event selectors, `LookupEvents` history). */
  readonly cloudtrail: CloudTrailClient;
  /** Lambda functions of the incident's account (not Riposte's own: those are invoked by the state machines). */
  readonly lambda: LambdaClient;
  /** Amazon RDS (DB instances and their snapshots). */
  readonly rds: RDSClient;
}

export type ServiceName = keyof AwsClients;

/** Answers AWS calls from local state (see `world.ts`). */
export interface WorldBackend {
  /**
   * The output of `api` on `service` with `params`, applying any change to the world. Throws an
   * error whose `name` is the AWS error code (e.g. `InvalidInstanceID.NotFound`) like AWS would.
   */
  handle(
    service: ServiceName,
    api: string,
    params: Readonly<Record<string, unknown>>,
  ): Promise<Record<string, unknown>>;
}

export type ClientMode =
  | { readonly kind: 'live' }
  | { readonly kind: 'dry-run' }
  | { readonly kind: 'world'; readonly world: WorldBackend };

/** What every client of one invocation is built with. */
export interface ClientConfig {
  readonly region: string;
  readonly maxAttempts: number;
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/**
 * How to build the client of each service, by name (see `services/`). Actions declare the ones
 * they use; only those SDK packages end up in a function's bundle.
 *
 * @example
 * const services: ServiceFactories = { ...ec2Service, ...iamService };
 */
export type ServiceFactories = {
  readonly [S in ServiceName]?: (config: ClientConfig) => AwsClients[S];
};

export interface ClientOptions {
  readonly mode: ClientMode;
  readonly recorder: CallRecorder;
  readonly region: string;
  /** The services these clients may use; using another throws {@link ServiceNotDeclaredError}. */
  readonly services: ServiceFactories;
  /** Credentials for the target account (the assumed member role); the default chain when absent. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** SDK retry attempts for throttling and 5xx. @default 4 */
  readonly maxAttempts?: number;
}

/** Thrown when code uses the client of a service that no action of the function declares. */
export class ServiceNotDeclaredError extends RiposteError {
  public constructor(service: ServiceName) {
    super(`no ${service} client: no action of this function declares the ${service} service`);
    this.name = 'ServiceNotDeclaredError';
  }
}

const OFFLINE_CREDENTIALS: AwsCredentialIdentity = {
  accessKeyId: 'riposte-offline',
  secretAccessKey: 'riposte-offline',
};

const SERVICE_NAMES: readonly ServiceName[] = [
  'ec2',
  'iam',
  'autoScaling',
  'elbv2',
  's3',
  'lambda',
  'rds',
  'kms',
  'cloudtrail',
];

/**
 * Builds the clients for one action invocation. Each client is created, with the mode's
 * middleware, the first time it is used, and reused after that.
 *
 * @example
 * const recorder = new CallRecorder();
 * const clients = createClients({ mode: { kind: 'dry-run' }, recorder, region: 'eu-west-1', services: ALL_SERVICES });
 * await isolateInstance({ instanceId }, { clients, recorder, ... });
 * recorder.mutations // the calls it would have made
 */
export function createClients(options: ClientOptions): AwsClients {
  const offline = options.mode.kind === 'world';
  const config: ClientConfig = {
    region: options.region,
    maxAttempts: options.maxAttempts ?? 4,
    ...(options.credentials !== undefined
      ? { credentials: options.credentials }
      : offline
        ? { credentials: OFFLINE_CREDENTIALS }
        : {}),
  };
  const built: Partial<Record<ServiceName, AwsClients[ServiceName]>> = {};
  const client = <S extends ServiceName>(service: S): AwsClients[S] => {
    const existing = built[service] as AwsClients[S] | undefined;
    if (existing !== undefined) return existing;
    const factory = options.services[service] as ((config: ClientConfig) => AwsClients[S]) | undefined;
    if (factory === undefined) throw new ServiceNotDeclaredError(service);
    const created = factory(config);
    attachMode(service, created.middlewareStack as MiddlewareStack<object, MetadataBearer>, options);
    built[service] = created;
    return created;
  };
  const clients = {} as AwsClients;
  for (const service of SERVICE_NAMES) {
    Object.defineProperty(clients, service, { enumerable: true, get: () => client(service) });
  }
  return clients;
}

function attachMode<I extends object, O extends MetadataBearer>(
  service: ServiceName,
  stack: MiddlewareStack<I, O>,
  options: ClientOptions,
): void {
  const { mode, recorder } = options;
  stack.add(
    (next: InitializeHandler<I, O>, context) =>
      async function riposteMode(args: InitializeHandlerArguments<I>): Promise<InitializeHandlerOutput<O>> {
        const api = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        const params: Record<string, unknown> = Object.fromEntries(Object.entries(args.input));
        const mutating = isMutating(api);
        if (mode.kind === 'world') {
          recorder.record({ service, api, params, dryRun: true, mutating });
          try {
            const output = await mode.world.handle(service, api, params);
            // The world answers with the operation's output shape.
            return { output: { $metadata: {}, ...output } as unknown as O, response: {} };
          } catch (error) {
            // The world fails as AWS does, so an action sees the same errors locally and live.
            throw translate(error, service, api);
          }
        }
        if (mode.kind === 'dry-run' && mutating) {
          recorder.record({ service, api, params, dryRun: true, mutating });
          return { output: { $metadata: {} } as O, response: {} };
        }
        try {
          const result = await next(args);
          const meta = result.output.$metadata;
          recorder.record({
            service,
            api,
            params: { ...params },
            dryRun: false,
            mutating,
            ...(meta?.requestId === undefined ? {} : { requestId: meta.requestId }),
          });
          return result;
        } catch (error) {
          recorder.record({ service, api, params, dryRun: false, mutating });
          throw translate(error, service, api);
        }
      },
    { step: 'initialize', name: 'riposteMode', priority: 'high' },
  );
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthFailure',
]);

/** AWS permission errors become {@link AwsAccessDeniedError} (not retried); others pass unchanged. */
function translate(error: unknown, service: string, api: string): unknown {
  if (error instanceof Error && ACCESS_DENIED.has(error.name)) {
    return new AwsAccessDeniedError(`${service}:${api} was denied: ${error.message}`, { cause: error });
  }
  return error;
}

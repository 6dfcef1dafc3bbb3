import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeHandlerOutput,
  MetadataBearer,
  MiddlewareStack,
} from '@smithy/types';
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
 */
export interface AwsClients {
  readonly ec2: EC2Client;
  readonly iam: IAMClient;
  readonly autoScaling: AutoScalingClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  /** Regional S3 (bucket-level calls: Block Public Access, tags, policy status). */
  readonly s3: S3Client;
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

export interface ClientOptions {
  readonly mode: ClientMode;
  readonly recorder: CallRecorder;
  readonly region: string;
  /** Credentials for the target account (the assumed member role); the default chain when absent. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** SDK retry attempts for throttling and 5xx. @default 4 */
  readonly maxAttempts?: number;
}

const OFFLINE_CREDENTIALS: AwsCredentialIdentity = {
  accessKeyId: 'riposte-offline',
  secretAccessKey: 'riposte-offline',
};

/**
 * Builds the clients for one action invocation.
 *
 * @example
 * const recorder = new CallRecorder();
 * const clients = createClients({ mode: { kind: 'dry-run' }, recorder, region: 'eu-west-1' });
 * await isolateInstance({ instanceId }, { clients, recorder, ... });
 * recorder.mutations // the calls it would have made
 */
export function createClients(options: ClientOptions): AwsClients {
  const offline = options.mode.kind === 'world';
  const config = {
    region: options.region,
    maxAttempts: options.maxAttempts ?? 4,
    ...(options.credentials !== undefined
      ? { credentials: options.credentials }
      : offline
        ? { credentials: OFFLINE_CREDENTIALS }
        : {}),
  };
  const clients: AwsClients = {
    ec2: new EC2Client(config),
    iam: new IAMClient({ ...config, region: options.region.startsWith('cn-') ? 'cn-north-1' : 'us-east-1' }),
    autoScaling: new AutoScalingClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    // Regional like the others; a bucket of another region answers with a redirect, which the
    // client follows (once) instead of failing the action.
    s3: new S3Client({ ...config, followRegionRedirects: true }),
  };
  attachMode('ec2', clients.ec2.middlewareStack, options);
  attachMode('iam', clients.iam.middlewareStack, options);
  attachMode('autoScaling', clients.autoScaling.middlewareStack, options);
  attachMode('elbv2', clients.elbv2.middlewareStack, options);
  attachMode('s3', clients.s3.middlewareStack, options);
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

import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity, MetadataBearer, MiddlewareStack } from '@smithy/types';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { type AwsClients, type ClientMode, createClients } from '../../functions/core/actions/clients.ts';
import { ApprovalRequiredError } from '../../functions/core/actions/errors.ts';
import { CallRecorder } from '../../functions/core/actions/recorder.ts';
import { assertStaticRails } from '../../functions/core/actions/safety.ts';
import { ALL_SERVICES } from '../../functions/core/actions/services/all.ts';
import { MemoryContainmentState } from '../../functions/core/actions/state.ts';
import { type ResourceStanding, standing } from '../../functions/core/actions/tags.ts';
import {
  type ActionEnv,
  type ContainmentTarget,
  type ExecutionFacts,
  type SafetyPolicy,
  SafetyPolicySchema,
  type SafetyRails,
} from '../../functions/core/actions/types.ts';

/** The fixed clock of action tests. */
export const TEST_NOW = Date.parse('2025-06-01T12:00:00.000Z');
export const TEST_ACCOUNT = '111122223333';
export const TEST_REGION = 'eu-west-1';
/** Static credentials: live-mode clients sign requests offline with them. */
export const TEST_CREDENTIALS: AwsCredentialIdentity = {
  accessKeyId: 'AKIDRIPOSTETEST00001',
  secretAccessKey: 'riposte-test-secret',
};

/**
 * Execution facts of a live (not sample) incident in the test account and region.
 *
 * @example
 * const facts = executionFacts({ incidentId: 'inc-2' });
 */
export function executionFacts(overrides: Partial<ExecutionFacts> = {}): ExecutionFacts {
  return {
    incidentId: 'inc-test-1',
    alertId: 'alert-test-1',
    mode: 'live',
    sample: false,
    account: TEST_ACCOUNT,
    region: TEST_REGION,
    playbookId: 'test-playbook',
    playbookVersion: '1.0.0',
    executionId: `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:execution:test:run-1`,
    ...overrides,
  };
}

/**
 * Real {@link SafetyRails} without a store: the static rails of `safety.ts` (sample alert,
 * account and region lists, the protected tag) under a policy, and no blast-radius limit.
 * The default policy refuses `riposte:protected=true`. The environment approval counts as
 * given unless `productionApproved` is false. Every target checked is kept in `checked`,
 * refused or not.
 *
 * @example
 * const safety = new StaticSafetyRails(executionFacts());
 * await safety.assertContainable({ resource: 'i-0abc', tags: { 'riposte:protected': 'true' } }); // throws ProtectedResourceError
 */
export class StaticSafetyRails implements SafetyRails {
  public readonly checked: { resource: string; tags: Readonly<Record<string, string>> }[] = [];
  private readonly execution: ExecutionFacts;
  private readonly policy: SafetyPolicy;
  private readonly productionApproved: boolean;

  public constructor(
    execution: ExecutionFacts,
    policy: Partial<SafetyPolicy> = {},
    options: { readonly productionApproved?: boolean } = {},
  ) {
    this.execution = execution;
    this.policy = SafetyPolicySchema.parse(policy);
    this.productionApproved = options.productionApproved ?? true;
  }

  public async assertContainable(target: ContainmentTarget): Promise<void> {
    this.checked.push({ resource: target.resource, tags: { ...target.tags } });
    assertStaticRails(this.execution, this.policy, target);
    if (
      target.environmentApproval === true &&
      !this.productionApproved &&
      this.standing(target.tags).approvalRequired
    ) {
      throw new ApprovalRequiredError(`containment of ${target.resource} refused: no approval recorded`);
    }
  }

  public standing(tags: Readonly<Record<string, string>>): ResourceStanding {
    return standing(tags, this.policy);
  }
}

/**
 * Rails that let everything through (and keep what they were asked).
 *
 * @example
 * const safety = new PermissiveSafetyRails();
 * await isolateInstanceAction.run(input, { ...env, safety });
 * safety.checked; // [{ resource: 'i-0abc', tags: { ... } }]
 */
export class PermissiveSafetyRails implements SafetyRails {
  public readonly checked: { resource: string; tags: Readonly<Record<string, string>> }[] = [];

  public async assertContainable(target: ContainmentTarget): Promise<void> {
    this.checked.push({ resource: target.resource, tags: { ...target.tags } });
  }

  public standing(tags: Readonly<Record<string, string>>): ResourceStanding {
    return standing(tags, SafetyPolicySchema.parse({}));
  }
}

export interface ActionEnvOverrides {
  /** @default live */
  readonly mode?: ClientMode;
  readonly execution?: Partial<ExecutionFacts>;
  /** Clients to use instead of building them from `mode`. */
  readonly clients?: AwsClients;
  readonly recorder?: CallRecorder;
  /** @default true unless `mode` is live */
  readonly dryRun?: boolean;
  /** @default {@link StaticSafetyRails} with the default policy (refuses riposte:protected=true) */
  readonly safety?: SafetyRails;
  readonly state?: MemoryContainmentState;
  /** @default () => TEST_NOW */
  readonly now?: () => number;
  /** SDK attempts of the clients built here. @default 4 */
  readonly maxAttempts?: number;
}

/** An {@link ActionEnv} whose recorder and in-memory state tests can inspect. */
export type TestActionEnv = ActionEnv & {
  readonly recorder: CallRecorder;
  readonly state: MemoryContainmentState;
};

/**
 * An action environment for tests: clients in the given mode (live by default, signing with
 * {@link TEST_CREDENTIALS}), a recorder, an in-memory containment state, real static safety
 * rails refusing `riposte:protected=true`, a fixed clock and the facts of a live incident.
 *
 * @example
 * const env = actionEnv({ mode: { kind: 'world', world: LocalWorld.fromFile('examples/world.json') } });
 * await isolateInstanceAction.run({ instanceId: 'i-0a1b2c3d4e5f60718', revokeRoleSessions: true }, env);
 * env.recorder.mutations; // what it changed
 */
export function actionEnv(overrides: ActionEnvOverrides = {}): TestActionEnv {
  const mode = overrides.mode ?? { kind: 'live' };
  const execution = executionFacts(overrides.execution);
  const recorder = overrides.recorder ?? new CallRecorder();
  const clients =
    overrides.clients ??
    createClients({
      mode,
      recorder,
      region: execution.region ?? TEST_REGION,
      credentials: TEST_CREDENTIALS,
      services: ALL_SERVICES,
      ...(overrides.maxAttempts === undefined ? {} : { maxAttempts: overrides.maxAttempts }),
    });
  return {
    execution,
    clients,
    recorder,
    dryRun: overrides.dryRun ?? mode.kind !== 'live',
    changesApplied: mode.kind !== 'dry-run',
    safety: overrides.safety ?? new StaticSafetyRails(execution),
    state: overrides.state ?? new MemoryContainmentState(),
    now: overrides.now ?? (() => TEST_NOW),
  };
}

/** aws-sdk-client-mock stubs standing in for AWS behind {@link wireMocks}. */
export interface WireMocks {
  readonly ec2: AwsClientStub<EC2Client>;
  readonly iam: AwsClientStub<IAMClient>;
  readonly autoScaling: AwsClientStub<AutoScalingClient>;
  readonly elbv2: AwsClientStub<ElasticLoadBalancingV2Client>;
  readonly s3: AwsClientStub<S3Client>;
}

/**
 * Puts aws-sdk-client-mock stubs *behind* the clients' middleware instead of in place of
 * `send`: the Riposte mode middleware (recording, dry-run, access-denied translation), the
 * SDK's retry strategy, serialisation and signing all run, and the stubs answer where the
 * HTTP call would be made. `mockClient(env.clients.ec2)` alone replaces `send` and bypasses
 * all of that.
 *
 * The stubs see a command only when it reaches the wire: in dry-run the mutating calls never
 * get there. A stub error with a throttling name (`RequestLimitExceeded`...) is retried by the
 * SDK like a real one.
 *
 * @example
 * const env = actionEnv();
 * const wire = wireMocks(env.clients);
 * wire.ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
 */
export function wireMocks(clients: AwsClients): WireMocks {
  const wire: WireMocks = {
    ec2: mockClient(new EC2Client({ region: TEST_REGION })),
    iam: mockClient(new IAMClient({ region: 'us-east-1' })),
    autoScaling: mockClient(new AutoScalingClient({ region: TEST_REGION })),
    elbv2: mockClient(new ElasticLoadBalancingV2Client({ region: TEST_REGION })),
    s3: mockClient(new S3Client({ region: TEST_REGION })),
  };
  bridge(clients.ec2.middlewareStack, wire.ec2);
  bridge(clients.iam.middlewareStack, wire.iam);
  bridge(clients.autoScaling.middlewareStack, wire.autoScaling);
  bridge(clients.elbv2.middlewareStack, wire.elbv2);
  bridge(clients.s3.middlewareStack, wire.s3);
  return wire;
}

type Send = (command: object) => Promise<Record<string, unknown> | undefined>;

function bridge<I extends object, O extends MetadataBearer>(
  stack: MiddlewareStack<I, O>,
  stub: { send: unknown },
): void {
  // The stub's `send` is the sinon stub of its own (unused) client instance.
  const send = stub.send as Send;
  // `Client.send` passes the command itself as the initialize arguments: remember it by its
  // input (the same object travels through every step) to hand it to the stub at the wire.
  // High priority (after `riposteMode`, added first, which passes the command on as is): some
  // SDK initialize middlewares (S3's bucket-name validation, region redirects) pass a copy of
  // the arguments on, which is no longer the command.
  const commands = new WeakMap<object, object>();
  stack.add(
    (next) => async (args) => {
      commands.set(args.input, args);
      return next(args);
    },
    { step: 'initialize', priority: 'high', name: 'riposteTestCommand' },
  );
  stack.add(
    () => async (args) => {
      const command = commands.get(args.input);
      if (command === undefined) throw new Error('wireMocks: no command recorded for this request');
      const output = await send(command);
      return { output: { $metadata: {}, ...(output ?? {}) } as unknown as O, response: {} };
    },
    { step: 'deserialize', priority: 'high', name: 'riposteTestWire' },
  );
}

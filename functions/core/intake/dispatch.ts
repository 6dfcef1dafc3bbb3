import { createHash } from 'node:crypto';
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { declares } from '../permissions.ts';
import { TriggerSchema } from '../playbooks/trigger.ts';
import * as z from '../zod.ts';

/** {@link StepFunctionsDispatcher}: StartExecution through a playbook's `live` alias. */
export const DISPATCH_CALLS = declares({
  service: 'states',
  actions: ['states:StartExecution'],
  resource: 'playbook-aliases',
  why: 'starts the playbooks an alert matches, through their live alias',
});

/**
 * A deployed playbook as the dispatcher sees it: its id and version, the trigger, and where to
 * start it (the state machine's `live` alias ARN on AWS, the playbook id locally).
 */
export const PlaybookRouteSchema = z.object({
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]*$/)),
  version: z.string().check(z.regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/)),
  target: z.string().check(z.minLength(1)),
  trigger: TriggerSchema,
  /** Ids of playbooks this one takes precedence over when both match an alert. */
  supersedes: z.optional(z.array(z.string().check(z.minLength(1)))),
});
export type PlaybookRoute = z.infer<typeof PlaybookRouteSchema>;
export const PlaybookRoutesSchema = z.array(PlaybookRouteSchema);

/** What a playbook execution receives. */
export interface ExecutionInput {
  readonly incidentId: string;
  readonly alertId: string;
  readonly playbook: { readonly id: string; readonly version: string };
  /** `dry-run` for sample alerts: the playbook records what it would do and changes nothing. */
  readonly mode: 'live' | 'dry-run';
}

export interface StartRequest {
  /** Deterministic execution name: the same incident and playbook version always give the same name. */
  readonly name: string;
  readonly route: PlaybookRoute;
  readonly input: ExecutionInput;
}

export type StartResult =
  | { readonly status: 'started'; readonly executionArn: string }
  | { readonly status: 'already-started'; readonly executionArn?: string };

/** Starts playbook executions. Implementations must be idempotent on `name`. */
export interface Dispatcher {
  start(request: StartRequest): Promise<StartResult>;
}

const NAME_LIMIT = 80;

/**
 * Step Functions execution name for an incident and playbook version: only `[A-Za-z0-9_-]`, at
 * most 80 characters (a hash replaces the tail when longer), identical on every retry.
 *
 * @example
 * executionName('inc-3f2a…', 'ec2-instance-compromise', '1.2.0') // 'inc-3f2a…-ec2-instance-compromise-1_2_0'
 */
export function executionName(incidentId: string, playbookId: string, version: string): string {
  const name = `${incidentId}-${playbookId}-${version}`.replace(/[^A-Za-z0-9_-]/g, '_');
  if (name.length <= NAME_LIMIT) return name;
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 16);
  return `${name.slice(0, NAME_LIMIT - 17)}-${digest}`;
}

/**
 * Starts executions with `StartExecution` on each playbook's `live` alias. A retried start with
 * the same name is reported as already started: Step Functions refuses a second execution with
 * the same name on a Standard state machine for 90 days.
 */
export class StepFunctionsDispatcher implements Dispatcher {
  public constructor(private readonly client: SFNClient) {}

  public async start(request: StartRequest): Promise<StartResult> {
    try {
      const out = await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: request.route.target,
          name: request.name,
          input: JSON.stringify(request.input),
        }),
      );
      return { status: 'started', executionArn: out.executionArn ?? '' };
    } catch (error) {
      if (
        error instanceof ExecutionAlreadyExists ||
        (error instanceof Error && error.name === 'ExecutionAlreadyExists')
      ) {
        return { status: 'already-started' };
      }
      throw error;
    }
  }
}

/**
 * Records starts in memory: the local runtime's stand-in until playbooks run on the local
 * state-machine engine, and the test double for unit tests.
 */
export class RecordingDispatcher implements Dispatcher {
  public readonly started: StartRequest[] = [];
  private readonly names = new Set<string>();

  public async start(request: StartRequest): Promise<StartResult> {
    if (this.names.has(request.name)) return { status: 'already-started' };
    this.names.add(request.name);
    this.started.push(request);
    return { status: 'started', executionArn: `local:${request.route.id}:${request.name}` };
  }
}

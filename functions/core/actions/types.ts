import { z } from 'zod';
import type { CallDeclaration } from '../permissions.ts';
import type { AwsClients, ServiceFactories } from './clients.ts';
import type { ApiCall, CallRecorder } from './recorder.ts';
import type { ResourceStanding } from './tags.ts';
import type { Verification } from './verify/check.ts';

/**
 * The contract between playbooks, the action Lambdas and the local engine.
 *
 * A playbook step invokes an action with an {@link ActionRequest}: the action id, its input
 * (static values from the playbook plus values taken from the execution's context) and the
 * execution facts the safety rails need. The action runs with an {@link ActionEnv} and returns
 * an {@link ActionResponse}; its `output` lands in the playbook context under the step's id.
 */

/** Which Lambda hosts an action; one role per family, scoped to what its actions call. */
export const ACTION_FAMILIES = ['context', 'enrich', 'contain', 'release', 'notify', 'approve'] as const;
export type ActionFamily = (typeof ACTION_FAMILIES)[number];

/** Facts about the running execution, filled from the context by the compiled state machine. */
export const ExecutionFactsSchema = z.object({
  incidentId: z.string().min(1),
  alertId: z.string().min(1),
  /** `dry-run` for sample alerts and when dispatched as such; actions then change nothing. */
  mode: z.enum(['live', 'dry-run']),
  /** Whether the alert is a provider sample: containment refuses it whatever the mode. */
  sample: z.boolean(),
  /** The account and region of the incident's resource: where the action acts. */
  account: z.string().optional(),
  region: z.string().optional(),
  playbookId: z.string(),
  playbookVersion: z.string(),
  /** The Step Functions execution id (`$$.Execution.Id`), for links and the audit trail. */
  executionId: z.string().optional(),
});
export type ExecutionFacts = z.infer<typeof ExecutionFactsSchema>;

/** What a Lambda task sends to an action. */
export const ActionRequestSchema = z.object({
  action: z.string().min(1),
  input: z.record(z.string(), z.unknown()).default({}),
  execution: ExecutionFactsSchema,
});
export type ActionRequest = z.infer<typeof ActionRequestSchema>;

/** What an action returns to the state machine (`$.steps.<stepId>`). */
export interface ActionResponse<O = unknown> {
  readonly action: string;
  /** The resource acted on (instance id, user name, bucket...). */
  readonly target: string;
  /** True when no state-changing call was sent (dry-run, world, kill switch). */
  readonly dryRun: boolean;
  /** Every AWS call made or, in dry-run, that would have been made, in order. */
  readonly calls: readonly ApiCall[];
  readonly output: O;
}

/** Safety configuration shared by every containment action (from cdk.json context). */
export const SafetyPolicySchema = z.object({
  /** Tag that exempts a resource from containment. @default riposte:protected=true */
  protectedTag: z
    .object({ key: z.string(), value: z.string() })
    .default({ key: 'riposte:protected', value: 'true' }),
  /** Accounts containment may act in (all when absent) and never acts in. */
  accounts: z
    .object({ allow: z.array(z.string()).optional(), deny: z.array(z.string()).default([]) })
    .default({ deny: [] }),
  /** Regions containment may act in (all when absent) and never acts in. */
  regions: z
    .object({ allow: z.array(z.string()).optional(), deny: z.array(z.string()).default([]) })
    .default({ deny: [] }),
  /** Containments allowed per rolling hour across the deployment before approval is required. @default 10 */
  blastRadiusPerHour: z.number().int().min(0).default(10),
  /**
   * Which instances isolate without asking. The environment is read from the first of `tagKeys`
   * the resource carries; keys and values are compared trimmed and case-insensitively. Only a
   * value listed in `nonProduction` skips the approval: production, any other value and a
   * missing tag ask a human first (fails closed).
   * @default tagKeys environment, env; nonProduction development, dev, test, testing, qa, staging, stage, sandbox
   */
  environments: z
    .object({
      tagKeys: z.array(z.string().min(1)).min(1).default(['environment', 'env']),
      nonProduction: z
        .array(z.string().min(1))
        .default(['development', 'dev', 'test', 'testing', 'qa', 'staging', 'stage', 'sandbox']),
    })
    .prefault({}),
});
export type SafetyPolicy = z.infer<typeof SafetyPolicySchema>;

/** A containment target as the rails see it. */
export interface ContainmentTarget {
  /** The resource changed (instance id, user or role name, bucket). */
  readonly resource: string;
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Ask for the environment approval: unless the tags name a non-production environment, a
   * human approval of this execution must be recorded (`request-approval` with purpose
   * `production` or `blast-radius`). @default false
   */
  readonly environmentApproval?: boolean;
}

/** The rails every containment action passes through before its first state-changing call. */
export interface SafetyRails {
  /**
   * Refuses containment of a sample alert, outside the allowed accounts/regions, of a resource
   * carrying the protected tag, or past the blast-radius limit without an approval recorded for
   * this incident. Throws the matching named error; records nothing on refusal.
   */
  assertContainable(target: ContainmentTarget): Promise<void>;
  /** What the policy makes of a resource's tags (protected tag, environment), for enrichment. */
  standing(tags: Readonly<Record<string, string>>): ResourceStanding;
}

/** Pre-containment state, saved before touching anything so that release can restore it. */
export interface ContainmentState {
  /** Saves (overwrites) the state captured for `key` (e.g. `ec2:i-0abc`) in this incident. */
  save(key: string, state: Readonly<Record<string, unknown>>): Promise<void>;
  /** The state saved for `key` in this incident, if any. */
  load(key: string): Promise<Record<string, unknown> | undefined>;
}

/** The incident's audit trail: one entry per action run. */
export interface Timeline {
  append(entry: {
    readonly action: string;
    readonly target: string;
    readonly dryRun: boolean;
    /** `nothing-to-release`: a release found no containment to undo (nothing was changed). */
    readonly outcome: 'succeeded' | 'failed' | 'refused' | 'nothing-to-release';
    readonly calls: readonly ApiCall[];
    readonly before?: Readonly<Record<string, unknown>>;
    readonly after?: Readonly<Record<string, unknown>>;
    readonly error?: string;
    /** The action's read-back of its effect, when it makes one (`output.verification`). */
    readonly verification?: Verification;
  }): Promise<void>;
}

/** Everything an action runs with. */
export interface ActionEnv {
  readonly execution: ExecutionFacts;
  readonly clients: AwsClients;
  readonly recorder: CallRecorder;
  /** True when state-changing calls are recorded, not sent. */
  readonly dryRun: boolean;
  /**
   * Whether the state-changing calls take effect where the reads look: live, and against the
   * local world (which applies them); not in a dry-run against AWS, where they are recorded and
   * not sent, so a read-back shows the resource unchanged. @default !dryRun
   */
  readonly changesApplied?: boolean;
  readonly safety: SafetyRails;
  readonly state: ContainmentState;
  readonly now: () => number;
}

/**
 * One action: typed input and output, and the code. Containment actions call
 * `env.safety.assertContainable` before their first state-changing call.
 *
 * @example
 * export const revokeRoleSessions = defineAction({
 *   id: 'revoke-role-sessions', family: 'contain', description: '…',
 *   input: z.object({ roleName: z.string() }), output: z.object({ policyName: z.string() }),
 *   async run(input, env) { … },
 * });
 */
export interface ActionDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly id: string;
  readonly family: ActionFamily;
  readonly description: string;
  readonly input: I;
  readonly output: O;
  /**
   * The IAM actions the action sends to the incident's resources (instances, users, buckets), in
   * this account and through the member role: the family's role is derived from these.
   */
  readonly iamActions: readonly string[];
  /**
   * The calls the action's code sends to Riposte's own resources (the table, the alert topic,
   * secrets), declared beside that code (see `permissions.ts`). @default none
   */
  readonly calls?: readonly CallDeclaration[];
  /**
   * The AWS services the action's code uses through `env.clients` (see `services/`); the
   * function hosting it builds those clients only. @default none
   */
  readonly services?: ServiceFactories;
  /**
   * For a release action: the ids of the contain actions whose changes it undoes. `riposte
   * release` and the console list, before a release, only the recorded steps of those actions.
   * @default none (a release action that declares none undoes nothing the confirmation lists)
   */
  readonly undoes?: readonly string[];
  /** What the action acts on, from its input, for the response and the timeline. */
  target(input: z.infer<I>): string;
  run(input: z.infer<I>, env: ActionEnv): Promise<z.infer<O>>;
}

/** Identity helper that keeps the input and output types. */
export function defineAction<I extends z.ZodType, O extends z.ZodType>(
  definition: ActionDefinition<I, O>,
): ActionDefinition<I, O> {
  return definition;
}

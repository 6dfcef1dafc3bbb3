import type { WorldData } from '../../../functions/core/actions/world/index.ts';

/**
 * What the safety suite needs to know of a kind of target to put its playbooks under every
 * condition: the finding that starts them, how to tag the target (and every resource its actions
 * touch indirectly) protected, and, for a release, the containment that comes before it.
 */

export const CONDITIONS = ['protected', 'sample', 'over-limit'] as const;
export type Condition = (typeof CONDITIONS)[number];

export interface Pick {
  readonly playbook: string;
  readonly condition: Condition;
  /** Which resource of the kind (index, modulo the choices). */
  readonly variant: number;
  /** How the protected tag's value is spelled (the rail compares case-insensitively). */
  readonly tagValue: string;
  /** For IAM: a user's key or an assumed role's (a CloudTrail event's caller, likewise). */
  readonly principal: 'user' | 'role';
  /** Outside production, containment asks no first approval. */
  readonly staging: boolean;
}

/** The resources a pick names, with the world edits and event that go with them. */
export interface ModelCase {
  /** The event that starts the playbook (a provider sample when the condition is `sample`). */
  readonly event: unknown;
  /** Puts the picked environment on the target (before anything runs). */
  readonly prepare: (world: WorldData) => void;
  /** Tags the target and every resource its actions touch indirectly protected. */
  readonly protect: (world: WorldData) => void;
  /** Tags only the resources touched indirectly (an execution role, an instance role, a caller). */
  readonly protectIndirect?: (world: WorldData) => void;
  /** Whether a call's parameters name one of those indirect resources. */
  readonly touchesIndirect?: (params: Readonly<Record<string, unknown>>) => boolean;
}

export interface TargetModel {
  /** The playbooks this model starts; a release names the containment it undoes. */
  readonly playbooks: Readonly<Record<string, { readonly containedBy?: string }>>;
  /** Extra deployment configuration (a GuardDuty floor that lets a Low finding through). */
  readonly config?: Readonly<Record<string, unknown>>;
  /**
   * The case for a pick; undefined for the `sample` condition when no source of the trigger
   * sends provider samples (CloudTrail records never are: the condition cannot arise).
   */
  readonly build: (pick: Pick) => ModelCase | undefined;
}

export const at = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;

/** Sets the protected tag on a tag map (spelled as the pick says). */
export function protectTags(tags: Record<string, string>, value: string): void {
  tags['riposte:protected'] = value;
}

/** Tags an IAM role protected, when the world has it. */
export function protectRole(world: WorldData, roleName: string, value: string): void {
  const role = world.iam.roles[roleName];
  if (role !== undefined) protectTags(role.tags, value);
}

/** Tags an IAM user protected, when the world has it. */
export function protectUser(world: WorldData, userName: string, value: string): void {
  const user = world.iam.users[userName];
  if (user !== undefined) protectTags(user.tags, value);
}

/** Tags an EC2 instance (protected, or with an environment). */
export function tagInstance(world: WorldData, instanceId: string, key: string, value: string): void {
  const instance = world.ec2.instances.find((i) => i.instanceId === instanceId);
  if (instance !== undefined) instance.tags[key] = value;
}

/** A role's name from its ARN (`arn:aws:iam::1:role/service-role/name` → `name`). */
export const roleNameOf = (arn: string): string => arn.split('/').at(-1) ?? arn;

/** Whether a call names this IAM role or user. */
export function namesPrincipal(
  params: Readonly<Record<string, unknown>>,
  principal: { readonly kind: 'user' | 'role'; readonly name: string },
): boolean {
  return (principal.kind === 'role' ? params.RoleName : params.UserName) === principal.name;
}

import { ProtectedResourceError } from '../../errors.ts';
import type { ActionEnv } from '../../types.ts';
import type { GroupFacts, GroupUsers } from '../shared/security-group.ts';

/**
 * Step "rails" of revoke-world-open-ingress, before its first state-changing call. Revoking a
 * rule changes what reaches every instance using the group, so the rails hold for them too:
 *
 * 1. an instance using the group that carries the protected tag refuses the change
 *    ({@link ProtectedResourceError}: the group is left as it is);
 * 2. `safety.assertContainable` on the group (sample, accounts, regions, the group's protected
 *    tag, blast radius) with the environment approval. The environment decided on is the
 *    group's when the group is not named non-production; else that of the first instance using
 *    it that is not named non-production (production, another value, or no tag): a staging
 *    group on a production instance is a production change and waits for the approval.
 *
 * @example
 * await passIngressRails(env, group, users); // throws ApprovalRequiredError without this execution's approval
 */
export async function passIngressRails(env: ActionEnv, group: GroupFacts, users: GroupUsers): Promise<void> {
  const guarded = users.instances.find((i) => env.safety.standing(i.tags).protected);
  if (guarded !== undefined && !env.execution.sample) {
    throw new ProtectedResourceError(
      `containment of ${group.groupId} refused: instance ${guarded.instanceId} uses the group and carries the protected tag`,
    );
  }
  await env.safety.assertContainable({
    resource: group.groupId,
    tags: decidingTags(env, group, users),
    environmentApproval: true,
  });
}

/** The tags the environment rail decides on (see {@link passIngressRails}). */
function decidingTags(env: ActionEnv, group: GroupFacts, users: GroupUsers): Record<string, string> {
  if (env.safety.standing(group.tags).approvalRequired) return group.tags;
  const production = users.instances.find((i) => env.safety.standing(i.tags).approvalRequired);
  if (production === undefined) return group.tags;
  // The group's own tags (its protected tag among them) with the instance's environment tags
  // instead of its own (none when the instance has none: unknown environment).
  const isEnvironmentTag = ([key, value]: [string, string]): boolean =>
    env.safety.standing({ [key]: value }).environment !== null;
  return {
    ...Object.fromEntries(Object.entries(group.tags).filter((entry) => !isEnvironmentTag(entry))),
    ...Object.fromEntries(Object.entries(production.tags).filter(isEnvironmentTag)),
  };
}

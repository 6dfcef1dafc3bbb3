import { GetRoleCommand, GetUserCommand, type IAMClient } from '@aws-sdk/client-iam';
import { z } from 'zod';
import { hasErrorCode } from '../errors.ts';
import { iamService } from '../services/iam.ts';
import { type ActionEnv, defineAction } from '../types.ts';

/**
 * The rails on the principal behind a call (`alert.actor`), before a playbook asks to contain
 * it. A caller is containable only when it is an IAM user or an assumed role of the incident's
 * account that Riposte may change. Never:
 *
 * - a call an AWS service made on the principal's behalf (`invokedBy`), or an `AWSService`
 *   identity: the service acted, not a person with credentials;
 * - the root user (no automation can contain it: the root runbook applies), federated users,
 *   Identity Center users and other identity types IAM cannot change;
 * - a principal of another account than the incident's (Riposte acts in the incident's account);
 * - Riposte's own roles (names starting with `Riposte`: the action roles
 *   `Riposte-Action-<Family>-<region>`, the member role `RiposteMemberResponse` and the stack's
 *   roles): containing them would switch the response off;
 * - a service-linked role (path `/aws-service-role/`) or an IAM Identity Center role
 *   (`AWSReservedSSO_*`): IAM does not let anyone change them;
 * - a principal carrying the protected tag (compared trimmed and case-insensitively), or one
 *   that no longer exists.
 *
 * The containment actions keep their own rails (protected tag, service-linked roles, accounts,
 * blast radius): this is the first fence, which lets a playbook skip the approval it would ask
 * for nothing.
 */

export const AssessActorInputSchema = z.object({
  type: z.string(),
  name: z.string(),
  arn: z.string(),
  account: z.string(),
  invokedBy: z.string(),
});
export type AssessActorInput = z.infer<typeof AssessActorInputSchema>;

export const AssessActorOutputSchema = z.object({
  /** `user` (contain-iam-user), `role` (revoke-role-sessions) or `none`. */
  kind: z.enum(['user', 'role', 'none']),
  name: z.string(),
  containable: z.boolean(),
  /** Why the principal is not containable; empty when it is. */
  reason: z.string(),
});
export type AssessActorOutput = z.infer<typeof AssessActorOutputSchema>;

const RIPOSTE_ROLE = /^riposte/i;

/** The refusal that needs no AWS call, or null. */
function identityRefusal(input: AssessActorInput, account: string | undefined): string | null {
  if (input.invokedBy !== '') return `the call was made by ${input.invokedBy} on the principal’s behalf`;
  if (input.type === 'AWSService') return 'the caller is an AWS service';
  if (input.type === 'Root') return 'the caller is the root user: follow the root-compromise runbook by hand';
  if (input.type !== 'IAMUser' && input.type !== 'AssumedRole') {
    return `the caller is a ${input.type === '' ? 'principal of unknown type' : input.type}: IAM cannot contain it`;
  }
  if (input.name === '') return 'the caller’s name is unknown';
  if (account !== undefined && input.account !== '' && input.account !== account) {
    return `the caller belongs to account ${input.account}, not the incident's (${account})`;
  }
  if (RIPOSTE_ROLE.test(input.name)) return `${input.name} is one of Riposte's own principals`;
  return null;
}

async function principalRefusal(
  iam: IAMClient,
  input: AssessActorInput,
  env: ActionEnv,
): Promise<string | null> {
  try {
    if (input.type === 'IAMUser') {
      const out = await iam.send(new GetUserCommand({ UserName: input.name }));
      return env.safety.standing(tagsOf(out.User?.Tags)).protected ? `user ${input.name} is protected` : null;
    }
    const out = await iam.send(new GetRoleCommand({ RoleName: input.name }));
    const path = out.Role?.Path ?? '/';
    if (path.startsWith('/aws-service-role/')) return `${input.name} is a service-linked role`;
    if (input.name.startsWith('AWSReservedSSO_')) {
      return `${input.name} is an IAM Identity Center role: revoke the permission set's sessions in Identity Center`;
    }
    return env.safety.standing(tagsOf(out.Role?.Tags)).protected ? `role ${input.name} is protected` : null;
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchEntity')) return `${input.name} no longer exists`;
    throw error;
  }
}

function tagsOf(tags: readonly { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  return Object.fromEntries(
    (tags ?? []).flatMap((t) => (t.Key === undefined ? [] : [[t.Key, t.Value ?? '']])),
  );
}

/**
 * Decides whether the caller of the reported call may be contained (see the module's rails).
 * Calls `GetUser` or `GetRole` (tags, path) only for a caller that passes the identity checks.
 *
 * @example
 * const { output } = await runAction(assessActorAction, { type: 'AssumedRole', name: 'ci-deployer', arn: 'arn:aws:iam::111122223333:role/ci-deployer', account: '111122223333', invokedBy: '' }, env);
 * output; // { kind: 'role', name: 'ci-deployer', containable: true, reason: '' }
 */
export const assessActorAction = defineAction({
  id: 'assess-actor',
  family: 'enrich',
  services: iamService,
  description:
    'Decides whether the principal behind a call may be contained (user or role of the account, not AWS, not Riposte, not protected).',
  input: AssessActorInputSchema,
  output: AssessActorOutputSchema,
  iamActions: ['iam:GetUser', 'iam:GetRole'],
  target: (input) => input.arn || input.name || 'unknown caller',
  async run(input, env): Promise<AssessActorOutput> {
    const kind = input.type === 'IAMUser' ? 'user' : input.type === 'AssumedRole' ? 'role' : 'none';
    const refusal =
      identityRefusal(input, env.execution.account) ?? (await principalRefusal(env.clients.iam, input, env));
    return {
      kind,
      name: input.name,
      containable: refusal === null,
      reason: refusal ?? '',
    };
  },
});

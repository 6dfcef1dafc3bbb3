import {
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { hasErrorCode, NotAllowedError, ResourceNotFoundError } from '../../errors.ts';
import { collect, decodePolicyDocument, iso, markerParam, next, tagRecord } from './items.ts';

/** Reading an IAM role, and which roles Riposte may revoke the sessions of. */

export interface RoleSnapshot {
  readonly roleName: string;
  readonly arn: string;
  readonly roleId: string;
  readonly path: string;
  readonly createDate: string | null;
  readonly maxSessionDuration: number | null;
  readonly lastUsed: { readonly date: string | null; readonly region: string | null } | null;
  readonly tags: Record<string, string>;
  readonly serviceLinked: boolean;
  readonly identityCenter: boolean;
}

/** GetRole; a missing role is a {@link ResourceNotFoundError}. */
export async function readRole(iam: IAMClient, roleName: string): Promise<RoleSnapshot> {
  try {
    const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
    const path = role?.Path ?? '/';
    const lastUsed = role?.RoleLastUsed;
    return {
      roleName,
      arn: role?.Arn ?? '',
      roleId: role?.RoleId ?? '',
      path,
      createDate: iso(role?.CreateDate),
      maxSessionDuration: role?.MaxSessionDuration ?? null,
      lastUsed:
        lastUsed?.LastUsedDate === undefined
          ? null
          : { date: iso(lastUsed.LastUsedDate), region: lastUsed.Region ?? null },
      tags: tagRecord(role?.Tags),
      // Service-linked roles live under /aws-service-role/; Identity Center roles under
      // /aws-reserved/sso.amazonaws.com/ and are named AWSReservedSSO_<permission set>_<id>.
      serviceLinked: path.startsWith('/aws-service-role/'),
      identityCenter:
        roleName.startsWith('AWSReservedSSO_') || path.startsWith('/aws-reserved/sso.amazonaws.com/'),
    };
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchEntity')) {
      throw new ResourceNotFoundError(`IAM role ${roleName} does not exist`, { cause: error });
    }
    throw error;
  }
}

export async function listRolePolicies(iam: IAMClient, roleName: string): Promise<string[]> {
  return collect(async (m) => {
    const out = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName, ...markerParam(m) }));
    return { items: out.PolicyNames, next: next(out) };
  });
}

export async function listAttachedRolePolicies(
  iam: IAMClient,
  roleName: string,
): Promise<{ name: string; arn: string }[]> {
  const attached = await collect(async (m) => {
    const out = await iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: roleName, ...markerParam(m) }),
    );
    return { items: out.AttachedPolicies, next: next(out) };
  });
  return attached.map((p) => ({ name: p.PolicyName ?? '', arn: p.PolicyArn ?? '' }));
}

export async function getRolePolicy(iam: IAMClient, roleName: string, policyName: string): Promise<unknown> {
  const out = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
  return decodePolicyDocument(out.PolicyDocument);
}
export function assertRevocable(role: RoleSnapshot): void {
  if (role.serviceLinked) {
    throw new NotAllowedError(
      `${role.roleName} is a service-linked role: IAM does not allow revoking its sessions (its policies are managed by AWS)`,
    );
  }
  if (role.identityCenter) {
    throw new NotAllowedError(
      `${role.roleName} is an IAM Identity Center role: IAM cannot change it; revoke the permission set's active sessions in IAM Identity Center`,
    );
  }
}

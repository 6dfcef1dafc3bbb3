import {
  GetLoginProfileCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListMFADevicesCommand,
  ListUserPoliciesCommand,
  type User,
} from '@aws-sdk/client-iam';
import { z } from 'zod';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.ts';
import { collect, decodePolicyDocument, iso, markerParam, next, tagRecord } from './items.ts';

/** Reading an IAM user: keys, policies, console access, MFA devices. */

export const AccessKeyStateSchema = z.object({
  accessKeyId: z.string(),
  status: z.enum(['Active', 'Inactive']),
  createDate: z.string().nullable(),
});
export const AttachedPolicySchema = z.object({ name: z.string(), arn: z.string() });
export const MfaDeviceSchema = z.object({ serialNumber: z.string(), enableDate: z.string().nullable() });
export const LoginProfileStateSchema = z.object({
  createDate: z.string().nullable(),
  passwordResetRequired: z.boolean(),
});

export interface UserSnapshot {
  readonly userName: string;
  readonly arn: string;
  readonly userId: string;
  readonly path: string;
  readonly createDate: string | null;
  readonly passwordLastUsed: string | null;
  readonly tags: Record<string, string>;
  readonly accessKeys: z.infer<typeof AccessKeyStateSchema>[];
  readonly inlinePolicies: string[];
  readonly attachedPolicies: z.infer<typeof AttachedPolicySchema>[];
  readonly loginProfile: z.infer<typeof LoginProfileStateSchema> | null;
  readonly mfaDevices: z.infer<typeof MfaDeviceSchema>[];
}

export async function listAccessKeys(iam: IAMClient, userName: string): Promise<UserSnapshot['accessKeys']> {
  const keys = await collect(async (m) => {
    const out = await iam.send(new ListAccessKeysCommand({ UserName: userName, ...markerParam(m) }));
    return { items: out.AccessKeyMetadata, next: next(out) };
  });
  return keys.flatMap((k) =>
    k.AccessKeyId === undefined
      ? []
      : [
          {
            accessKeyId: k.AccessKeyId,
            status: k.Status === 'Active' ? 'Active' : 'Inactive',
            createDate: iso(k.CreateDate),
          },
        ],
  );
}

export async function listUserPolicies(iam: IAMClient, userName: string): Promise<string[]> {
  return collect(async (m) => {
    const out = await iam.send(new ListUserPoliciesCommand({ UserName: userName, ...markerParam(m) }));
    return { items: out.PolicyNames, next: next(out) };
  });
}

export async function getLoginProfile(
  iam: IAMClient,
  userName: string,
): Promise<UserSnapshot['loginProfile']> {
  try {
    const out = await iam.send(new GetLoginProfileCommand({ UserName: userName }));
    return {
      createDate: iso(out.LoginProfile?.CreateDate),
      passwordResetRequired: out.LoginProfile?.PasswordResetRequired === true,
    };
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchEntity')) return null;
    throw error;
  }
}

/**
 * Reads a user: GetUser, ListAccessKeys, ListUserPolicies, ListAttachedUserPolicies,
 * GetLoginProfile, ListMFADevices (in this order, every page).
 */
export async function readUser(iam: IAMClient, userName: string): Promise<UserSnapshot> {
  let user: User | undefined;
  try {
    user = (await iam.send(new GetUserCommand({ UserName: userName }))).User;
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchEntity')) {
      throw new ResourceNotFoundError(`IAM user ${userName} does not exist`, { cause: error });
    }
    throw error;
  }
  const accessKeys = await listAccessKeys(iam, userName);
  const inlinePolicies = await listUserPolicies(iam, userName);
  const attached = await collect(async (m) => {
    const out = await iam.send(
      new ListAttachedUserPoliciesCommand({ UserName: userName, ...markerParam(m) }),
    );
    return { items: out.AttachedPolicies, next: next(out) };
  });
  const loginProfile = await getLoginProfile(iam, userName);
  const mfa = await collect(async (m) => {
    const out = await iam.send(new ListMFADevicesCommand({ UserName: userName, ...markerParam(m) }));
    return { items: out.MFADevices, next: next(out) };
  });
  return {
    userName,
    arn: user?.Arn ?? '',
    userId: user?.UserId ?? '',
    path: user?.Path ?? '/',
    createDate: iso(user?.CreateDate),
    passwordLastUsed: iso(user?.PasswordLastUsed),
    tags: tagRecord(user?.Tags),
    accessKeys,
    inlinePolicies,
    attachedPolicies: attached.map((p) => ({ name: p.PolicyName ?? '', arn: p.PolicyArn ?? '' })),
    loginProfile,
    mfaDevices: mfa.map((d) => ({ serialNumber: d.SerialNumber ?? '', enableDate: iso(d.EnableDate) })),
  };
}

export async function getUserPolicy(iam: IAMClient, userName: string, policyName: string): Promise<unknown> {
  const out = await iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: policyName }));
  return decodePolicyDocument(out.PolicyDocument);
}

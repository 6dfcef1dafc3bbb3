import { z } from 'zod';

/** The IAM resources of a world file: users, roles, instance profiles. */

export const IsoDate = z.iso.datetime({ offset: true });
export const Tags = z.record(z.string(), z.string()).default({});
/** A policy document, as JSON text or as the parsed object. */
export const PolicyDocument = z.union([z.string(), z.record(z.string(), z.unknown())]);
export const AttachedPolicy = z.strictObject({ policyName: z.string().min(1), policyArn: z.string().min(1) });

export const AccessKey = z.strictObject({
  accessKeyId: z.string().min(16).max(128),
  status: z.enum(['Active', 'Inactive']).default('Active'),
  createDate: IsoDate,
  /** Absent when the key was never used (IAM then answers `N/A`). */
  lastUsed: z.strictObject({ date: IsoDate, serviceName: z.string(), region: z.string() }).optional(),
});

export const User = z.strictObject({
  /** `AIDA…`; derived from the name when absent. */
  userId: z.string().optional(),
  /** Derived from the account, path and name when absent. */
  arn: z.string().optional(),
  path: z.string().default('/'),
  createDate: IsoDate,
  passwordLastUsed: IsoDate.optional(),
  tags: Tags,
  /** IAM allows at most two access keys per user. */
  accessKeys: z.array(AccessKey).max(2).default([]),
  inlinePolicies: z.record(z.string(), PolicyDocument).default({}),
  attachedPolicies: z.array(AttachedPolicy).default([]),
  /** The console password; absent when the user cannot sign in to the console. */
  loginProfile: z
    .strictObject({ createDate: IsoDate, passwordResetRequired: z.boolean().default(false) })
    .optional(),
  mfaDevices: z.array(z.strictObject({ serialNumber: z.string().min(1), enableDate: IsoDate })).default([]),
});

export const Role = z.strictObject({
  /** `AROA…`; derived from the name when absent. */
  roleId: z.string().optional(),
  arn: z.string().optional(),
  /**
   * `/aws-service-role/<service>/` marks a service-linked role and
   * `/aws-reserved/sso.amazonaws.com/` an IAM Identity Center role, as on AWS: both are
   * protected and answer `UnmodifiableEntity` to policy changes.
   */
  path: z.string().default('/'),
  createDate: IsoDate,
  description: z.string().optional(),
  maxSessionDuration: z.number().int().min(3600).max(43_200).default(3600),
  assumeRolePolicyDocument: PolicyDocument.optional(),
  tags: Tags,
  inlinePolicies: z.record(z.string(), PolicyDocument).default({}),
  attachedPolicies: z.array(AttachedPolicy).default([]),
  lastUsed: z.strictObject({ date: IsoDate, region: z.string() }).optional(),
});

export const InstanceProfile = z.strictObject({
  instanceProfileId: z.string().optional(),
  arn: z.string().optional(),
  path: z.string().default('/'),
  createDate: IsoDate,
  /** Role names; an instance profile holds at most one role. */
  roles: z.array(z.string()).max(1).default([]),
  tags: Tags,
});

/**
 * The IAM world section. `IamWorldSchema.parse({})` is an empty account.
 *
 * @example
 * const iam = IamWorldSchema.parse({
 *   users: { alice: { createDate: '2025-01-01T00:00:00Z', accessKeys: [{ accessKeyId: 'AKIAEXAMPLE000000001', createDate: '2025-01-01T00:00:00Z' }] } },
 * });
 * handleIam(iam, 'ListAccessKeys', { UserName: 'alice' }).AccessKeyMetadata; // one Active key
 */
export const IamWorldSchema = z.strictObject({
  accountId: z
    .string()
    .regex(/^\d{12}$/)
    .default('111122223333'),
  partition: z.string().default('aws'),
  users: z.record(z.string(), User).default({}),
  roles: z.record(z.string(), Role).default({}),
  instanceProfiles: z.record(z.string(), InstanceProfile).default({}),
});
export type IamWorld = z.infer<typeof IamWorldSchema>;
export type IamUser = z.infer<typeof User>;
export type IamRole = z.infer<typeof Role>;
export type IamInstanceProfile = z.infer<typeof InstanceProfile>;
export type Params = Readonly<Record<string, unknown>>;
export type Handler = (state: IamWorld, params: Params) => Record<string, unknown>;

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UnsupportedWorldCallError, WorldApiError } from './errors.ts';

/**
 * The IAM part of the local world: users (access keys, inline and managed policies, console
 * login profile, MFA devices, tags), roles (inline and managed policies, tags, service-linked
 * or Identity Center by path) and instance profiles.
 *
 * The world file is written in camelCase and keyed by name; {@link handleIam} answers with the
 * shapes the SDK v3 IAM client returns: `Date` objects for timestamps, URL-encoded (RFC 3986)
 * policy documents, `Tags` as `{ Key, Value }` lists omitted when empty, and errors named as
 * the SDK names them (`NoSuchEntityException`, with the wire code in `Code`).
 */

const IsoDate = z.iso.datetime({ offset: true });
const Tags = z.record(z.string(), z.string()).default({});
/** A policy document, as JSON text or as the parsed object. */
const PolicyDocument = z.union([z.string(), z.record(z.string(), z.unknown())]);
const AttachedPolicy = z.strictObject({ policyName: z.string().min(1), policyArn: z.string().min(1) });

const AccessKey = z.strictObject({
  accessKeyId: z.string().min(16).max(128),
  status: z.enum(['Active', 'Inactive']).default('Active'),
  createDate: IsoDate,
  /** Absent when the key was never used (IAM then answers `N/A`). */
  lastUsed: z.strictObject({ date: IsoDate, serviceName: z.string(), region: z.string() }).optional(),
});

const User = z.strictObject({
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

const Role = z.strictObject({
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

const InstanceProfile = z.strictObject({
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
type IamUser = z.infer<typeof User>;
type IamRole = z.infer<typeof Role>;
type IamInstanceProfile = z.infer<typeof InstanceProfile>;
type Params = Readonly<Record<string, unknown>>;

/** An IAM error as the SDK v3 throws it: `name` is the modelled exception, `Code` the wire code. */
function iamError(code: string, message: string, modelled = true): WorldApiError {
  const error = new WorldApiError(modelled ? `${code}Exception` : code, message);
  Object.assign(error, { Code: code });
  return error;
}

function requireString(params: Params, key: string): string {
  const value = params[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw iamError(
      'ValidationError',
      `1 validation error detected: Value at '${lower(key)}' failed to satisfy constraint: Member must not be null`,
      false,
    );
  }
  return value;
}

function lower(key: string): string {
  return key.charAt(0).toLowerCase() + key.slice(1);
}

/** A stable IAM-style unique id (`AIDA…`, `AROA…`, `AIPA…`) for an entity without one in the file. */
function uniqueId(prefix: string, seed: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const digest = createHash('sha256').update(seed).digest();
  let id = prefix;
  for (let i = 0; i < 17; i += 1) id += alphabet[(digest[i] ?? 0) % alphabet.length];
  return id;
}

function arnOf(state: IamWorld, kind: string, path: string, name: string): string {
  return `arn:${state.partition}:iam::${state.accountId}:${kind}${path}${name}`;
}

function tagList(tags: Readonly<Record<string, string>>): { Tags?: { Key: string; Value: string }[] } {
  const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  return list.length === 0 ? {} : { Tags: list };
}

function documentText(document: string | Record<string, unknown>): string {
  return typeof document === 'string' ? document : JSON.stringify(document);
}

/** IAM returns policy documents URL-encoded (RFC 3986); the JavaScript SDK does not decode them. */
function encodeDocument(document: string | Record<string, unknown>): string {
  return encodeURIComponent(documentText(document));
}

function parsePolicyDocument(params: Params): string {
  const text = requireString(params, 'PolicyDocument');
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || !('Statement' in parsed)) {
      throw new Error('no Statement');
    }
  } catch {
    throw iamError('MalformedPolicyDocument', 'Syntax errors in policy.');
  }
  return text;
}

/** One page of a list answer, with IAM's `MaxItems` / `Marker` / `IsTruncated` pagination. */
function page<T>(items: readonly T[], key: string, params: Params): Record<string, unknown> {
  const start = typeof params.Marker === 'string' ? Number.parseInt(params.Marker, 10) : 0;
  const max = typeof params.MaxItems === 'number' ? params.MaxItems : 100;
  const slice = items.slice(start, start + max);
  const next = start + slice.length;
  return next < items.length
    ? { [key]: slice, IsTruncated: true, Marker: String(next) }
    : { [key]: slice, IsTruncated: false };
}

function user(state: IamWorld, name: string): IamUser {
  const found = state.users[name];
  if (found === undefined) throw iamError('NoSuchEntity', `The user with name ${name} cannot be found.`);
  return found;
}

function role(state: IamWorld, name: string): IamRole {
  const found = state.roles[name];
  if (found === undefined) throw iamError('NoSuchEntity', `The role with name ${name} cannot be found.`);
  return found;
}

function instanceProfile(state: IamWorld, name: string): IamInstanceProfile {
  const found = state.instanceProfiles[name];
  if (found === undefined) {
    throw iamError('NoSuchEntity', `Instance Profile ${name} cannot be found.`);
  }
  return found;
}

/** Whether a role is protected from changes by IAM (service-linked or Identity Center). */
function isProtectedRole(entry: IamRole): boolean {
  return entry.path.startsWith('/aws-service-role/') || entry.path.startsWith('/aws-reserved/');
}

function assertModifiable(name: string, entry: IamRole): void {
  if (isProtectedRole(entry)) {
    throw iamError(
      'UnmodifiableEntity',
      `Cannot perform the operation on the protected role '${name}' - this role is only modifiable by AWS`,
    );
  }
}

function userShape(state: IamWorld, name: string, entry: IamUser): Record<string, unknown> {
  return {
    Path: entry.path,
    UserName: name,
    UserId: entry.userId ?? uniqueId('AIDA', `${state.accountId}:user:${name}`),
    Arn: entry.arn ?? arnOf(state, 'user', entry.path, name),
    CreateDate: new Date(entry.createDate),
    ...(entry.passwordLastUsed === undefined ? {} : { PasswordLastUsed: new Date(entry.passwordLastUsed) }),
  };
}

function roleShape(state: IamWorld, name: string, entry: IamRole): Record<string, unknown> {
  return {
    Path: entry.path,
    RoleName: name,
    RoleId: entry.roleId ?? uniqueId('AROA', `${state.accountId}:role:${name}`),
    Arn: entry.arn ?? arnOf(state, 'role', entry.path, name),
    CreateDate: new Date(entry.createDate),
    ...(entry.assumeRolePolicyDocument === undefined
      ? {}
      : { AssumeRolePolicyDocument: encodeDocument(entry.assumeRolePolicyDocument) }),
  };
}

function instanceProfileShape(
  state: IamWorld,
  name: string,
  entry: IamInstanceProfile,
): Record<string, unknown> {
  return {
    Path: entry.path,
    InstanceProfileName: name,
    InstanceProfileId:
      entry.instanceProfileId ?? uniqueId('AIPA', `${state.accountId}:instance-profile:${name}`),
    Arn: entry.arn ?? arnOf(state, 'instance-profile', entry.path, name),
    CreateDate: new Date(entry.createDate),
    Roles: entry.roles.map((roleName) => roleShape(state, roleName, role(state, roleName))),
    ...tagList(entry.tags),
  };
}

function findKey(
  state: IamWorld,
  accessKeyId: string,
): { userName: string; key: IamUser['accessKeys'][number] } {
  for (const [userName, entry] of Object.entries(state.users)) {
    const key = entry.accessKeys.find((k) => k.accessKeyId === accessKeyId);
    if (key !== undefined) return { userName, key };
  }
  throw iamError('NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`);
}

type Handler = (state: IamWorld, params: Params) => Record<string, unknown>;

const HANDLERS: Readonly<Record<string, Handler>> = {
  GetUser(state, params) {
    const name = requireString(params, 'UserName');
    const entry = user(state, name);
    return { User: { ...userShape(state, name, entry), ...tagList(entry.tags) } };
  },
  ListUserTags(state, params) {
    const entry = user(state, requireString(params, 'UserName'));
    return page(tagList(entry.tags).Tags ?? [], 'Tags', params);
  },
  ListAccessKeys(state, params) {
    const name = requireString(params, 'UserName');
    const keys = user(state, name).accessKeys.map((k) => ({
      UserName: name,
      AccessKeyId: k.accessKeyId,
      Status: k.status,
      CreateDate: new Date(k.createDate),
    }));
    return page(keys, 'AccessKeyMetadata', params);
  },
  GetAccessKeyLastUsed(state, params) {
    const { userName, key } = findKey(state, requireString(params, 'AccessKeyId'));
    return {
      UserName: userName,
      AccessKeyLastUsed:
        key.lastUsed === undefined
          ? { ServiceName: 'N/A', Region: 'N/A' }
          : {
              LastUsedDate: new Date(key.lastUsed.date),
              ServiceName: key.lastUsed.serviceName,
              Region: key.lastUsed.region,
            },
    };
  },
  UpdateAccessKey(state, params) {
    const accessKeyId = requireString(params, 'AccessKeyId');
    const status = requireString(params, 'Status');
    if (status !== 'Active' && status !== 'Inactive') {
      throw iamError('ValidationError', `Value '${status}' at 'status' failed to satisfy constraint`, false);
    }
    // Without UserName, IAM acts on the caller's own keys; the world resolves the key's owner.
    const owner =
      typeof params.UserName === 'string' ? params.UserName : findKey(state, accessKeyId).userName;
    const key = user(state, owner).accessKeys.find((k) => k.accessKeyId === accessKeyId);
    if (key === undefined) {
      throw iamError('NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`);
    }
    key.status = status;
    return {};
  },
  ListUserPolicies(state, params) {
    return page(
      Object.keys(user(state, requireString(params, 'UserName')).inlinePolicies),
      'PolicyNames',
      params,
    );
  },
  GetUserPolicy(state, params) {
    const name = requireString(params, 'UserName');
    const policyName = requireString(params, 'PolicyName');
    const document = user(state, name).inlinePolicies[policyName];
    if (document === undefined) {
      throw iamError('NoSuchEntity', `The user policy with name ${policyName} cannot be found.`);
    }
    return { UserName: name, PolicyName: policyName, PolicyDocument: encodeDocument(document) };
  },
  PutUserPolicy(state, params) {
    const entry = user(state, requireString(params, 'UserName'));
    const policyName = requireString(params, 'PolicyName');
    entry.inlinePolicies[policyName] = parsePolicyDocument(params);
    return {};
  },
  DeleteUserPolicy(state, params) {
    const entry = user(state, requireString(params, 'UserName'));
    const policyName = requireString(params, 'PolicyName');
    if (entry.inlinePolicies[policyName] === undefined) {
      throw iamError('NoSuchEntity', `The user policy with name ${policyName} cannot be found.`);
    }
    delete entry.inlinePolicies[policyName];
    return {};
  },
  ListAttachedUserPolicies(state, params) {
    const entry = user(state, requireString(params, 'UserName'));
    const policies = entry.attachedPolicies.map((p) => ({
      PolicyName: p.policyName,
      PolicyArn: p.policyArn,
    }));
    return page(policies, 'AttachedPolicies', params);
  },
  GetLoginProfile(state, params) {
    const name = requireString(params, 'UserName');
    const profile = user(state, name).loginProfile;
    if (profile === undefined)
      throw iamError('NoSuchEntity', `Login Profile for User ${name} cannot be found.`);
    return {
      LoginProfile: {
        UserName: name,
        CreateDate: new Date(profile.createDate),
        PasswordResetRequired: profile.passwordResetRequired,
      },
    };
  },
  DeleteLoginProfile(state, params) {
    const name = requireString(params, 'UserName');
    const entry = user(state, name);
    if (entry.loginProfile === undefined) {
      throw iamError('NoSuchEntity', `Login Profile for User ${name} cannot be found.`);
    }
    delete entry.loginProfile;
    return {};
  },
  CreateLoginProfile(state, params) {
    const name = requireString(params, 'UserName');
    const entry = user(state, name);
    // The world keeps no password: only that one exists.
    requireString(params, 'Password');
    if (entry.loginProfile !== undefined) {
      throw iamError('EntityAlreadyExists', `Login Profile for user ${name} already exists.`);
    }
    const createDate = new Date().toISOString();
    const passwordResetRequired = params.PasswordResetRequired === true;
    entry.loginProfile = { createDate, passwordResetRequired };
    return {
      LoginProfile: {
        UserName: name,
        CreateDate: new Date(createDate),
        PasswordResetRequired: passwordResetRequired,
      },
    };
  },
  ListMFADevices(state, params) {
    const name = requireString(params, 'UserName');
    const devices = user(state, name).mfaDevices.map((d) => ({
      UserName: name,
      SerialNumber: d.serialNumber,
      EnableDate: new Date(d.enableDate),
    }));
    return page(devices, 'MFADevices', params);
  },
  GetRole(state, params) {
    const name = requireString(params, 'RoleName');
    const entry = role(state, name);
    return {
      Role: {
        ...roleShape(state, name, entry),
        ...(entry.description === undefined ? {} : { Description: entry.description }),
        MaxSessionDuration: entry.maxSessionDuration,
        ...tagList(entry.tags),
        RoleLastUsed:
          entry.lastUsed === undefined
            ? {}
            : { LastUsedDate: new Date(entry.lastUsed.date), Region: entry.lastUsed.region },
      },
    };
  },
  ListRoleTags(state, params) {
    const entry = role(state, requireString(params, 'RoleName'));
    return page(tagList(entry.tags).Tags ?? [], 'Tags', params);
  },
  ListRolePolicies(state, params) {
    return page(
      Object.keys(role(state, requireString(params, 'RoleName')).inlinePolicies),
      'PolicyNames',
      params,
    );
  },
  GetRolePolicy(state, params) {
    const name = requireString(params, 'RoleName');
    const policyName = requireString(params, 'PolicyName');
    const document = role(state, name).inlinePolicies[policyName];
    if (document === undefined) {
      throw iamError('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`);
    }
    return { RoleName: name, PolicyName: policyName, PolicyDocument: encodeDocument(document) };
  },
  PutRolePolicy(state, params) {
    const name = requireString(params, 'RoleName');
    const entry = role(state, name);
    const policyName = requireString(params, 'PolicyName');
    const document = parsePolicyDocument(params);
    assertModifiable(name, entry);
    entry.inlinePolicies[policyName] = document;
    return {};
  },
  DeleteRolePolicy(state, params) {
    const name = requireString(params, 'RoleName');
    const entry = role(state, name);
    const policyName = requireString(params, 'PolicyName');
    assertModifiable(name, entry);
    if (entry.inlinePolicies[policyName] === undefined) {
      throw iamError('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`);
    }
    delete entry.inlinePolicies[policyName];
    return {};
  },
  ListAttachedRolePolicies(state, params) {
    const entry = role(state, requireString(params, 'RoleName'));
    const policies = entry.attachedPolicies.map((p) => ({
      PolicyName: p.policyName,
      PolicyArn: p.policyArn,
    }));
    return page(policies, 'AttachedPolicies', params);
  },
  GetInstanceProfile(state, params) {
    const name = requireString(params, 'InstanceProfileName');
    return { InstanceProfile: instanceProfileShape(state, name, instanceProfile(state, name)) };
  },
  ListInstanceProfilesForRole(state, params) {
    const roleName = requireString(params, 'RoleName');
    role(state, roleName);
    const profiles = Object.entries(state.instanceProfiles)
      .filter(([, entry]) => entry.roles.includes(roleName))
      .map(([name, entry]) => instanceProfileShape(state, name, entry));
    return page(profiles, 'InstanceProfiles', params);
  },
};

/**
 * Answers one IAM call from the world, applying writes to `state` in place.
 *
 * Modelled: GetUser, ListUserTags, ListAccessKeys, GetAccessKeyLastUsed, UpdateAccessKey,
 * List/Get/Put/DeleteUserPolicy, ListAttachedUserPolicies, Get/Delete/CreateLoginProfile,
 * ListMFADevices, GetRole, ListRoleTags, List/Get/Put/DeleteRolePolicy,
 * ListAttachedRolePolicies, GetInstanceProfile, ListInstanceProfilesForRole. Anything else
 * throws {@link UnsupportedWorldCallError}.
 *
 * @example
 * const iam = IamWorldSchema.parse(worldFile.iam);
 * handleIam(iam, 'UpdateAccessKey', { UserName: 'alice', AccessKeyId: 'AKIA…', Status: 'Inactive' });
 * handleIam(iam, 'GetUser', { UserName: 'nobody' }); // throws NoSuchEntityException (Code NoSuchEntity)
 */
export function handleIam(state: IamWorld, api: string, params: Params): Record<string, unknown> {
  const handler = Object.hasOwn(HANDLERS, api) ? HANDLERS[api] : undefined;
  if (handler === undefined) throw new UnsupportedWorldCallError('iam', api);
  return handler(state, params);
}

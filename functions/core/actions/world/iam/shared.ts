import { createHash } from 'node:crypto';
import { WorldApiError } from '../errors.ts';
import type { IamInstanceProfile, IamRole, IamUser, IamWorld, Params } from './schema.ts';

/** Helpers the IAM world handlers share: errors, ids, ARNs, policy documents, pages, lookups, shapes. */

/** An IAM error as the SDK v3 throws it: `name` is the modelled exception, `Code` the wire code. */
export function iamError(code: string, message: string, modelled = true): WorldApiError {
  const error = new WorldApiError(modelled ? `${code}Exception` : code, message);
  Object.assign(error, { Code: code });
  return error;
}

export function requireString(params: Params, key: string): string {
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

export function lower(key: string): string {
  return key.charAt(0).toLowerCase() + key.slice(1);
}

/** A stable IAM-style unique id (`AIDA…`, `AROA…`, `AIPA…`) for an entity without one in the file. */
export function uniqueId(prefix: string, seed: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const digest = createHash('sha256').update(seed).digest();
  let id = prefix;
  for (let i = 0; i < 17; i += 1) id += alphabet[(digest[i] ?? 0) % alphabet.length];
  return id;
}

export function arnOf(state: IamWorld, kind: string, path: string, name: string): string {
  return `arn:${state.partition}:iam::${state.accountId}:${kind}${path}${name}`;
}

export function tagList(tags: Readonly<Record<string, string>>): { Tags?: { Key: string; Value: string }[] } {
  const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  return list.length === 0 ? {} : { Tags: list };
}

export function documentText(document: string | Record<string, unknown>): string {
  return typeof document === 'string' ? document : JSON.stringify(document);
}

/** IAM returns policy documents URL-encoded (RFC 3986); the JavaScript SDK does not decode them. */
export function encodeDocument(document: string | Record<string, unknown>): string {
  return encodeURIComponent(documentText(document));
}

export function parsePolicyDocument(params: Params): string {
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
export function page<T>(items: readonly T[], key: string, params: Params): Record<string, unknown> {
  const start = typeof params.Marker === 'string' ? Number.parseInt(params.Marker, 10) : 0;
  const max = typeof params.MaxItems === 'number' ? params.MaxItems : 100;
  const slice = items.slice(start, start + max);
  const next = start + slice.length;
  return next < items.length
    ? { [key]: slice, IsTruncated: true, Marker: String(next) }
    : { [key]: slice, IsTruncated: false };
}

export function user(state: IamWorld, name: string): IamUser {
  const found = state.users[name];
  if (found === undefined) throw iamError('NoSuchEntity', `The user with name ${name} cannot be found.`);
  return found;
}

export function role(state: IamWorld, name: string): IamRole {
  const found = state.roles[name];
  if (found === undefined) throw iamError('NoSuchEntity', `The role with name ${name} cannot be found.`);
  return found;
}

export function instanceProfile(state: IamWorld, name: string): IamInstanceProfile {
  const found = state.instanceProfiles[name];
  if (found === undefined) {
    throw iamError('NoSuchEntity', `Instance Profile ${name} cannot be found.`);
  }
  return found;
}

/** Whether a role is protected from changes by IAM (service-linked or Identity Center). */
export function isProtectedRole(entry: IamRole): boolean {
  return entry.path.startsWith('/aws-service-role/') || entry.path.startsWith('/aws-reserved/');
}

export function assertModifiable(name: string, entry: IamRole): void {
  if (isProtectedRole(entry)) {
    throw iamError(
      'UnmodifiableEntity',
      `Cannot perform the operation on the protected role '${name}' - this role is only modifiable by AWS`,
    );
  }
}

export function userShape(state: IamWorld, name: string, entry: IamUser): Record<string, unknown> {
  return {
    Path: entry.path,
    UserName: name,
    UserId: entry.userId ?? uniqueId('AIDA', `${state.accountId}:user:${name}`),
    Arn: entry.arn ?? arnOf(state, 'user', entry.path, name),
    CreateDate: new Date(entry.createDate),
    ...(entry.passwordLastUsed === undefined ? {} : { PasswordLastUsed: new Date(entry.passwordLastUsed) }),
  };
}

export function roleShape(state: IamWorld, name: string, entry: IamRole): Record<string, unknown> {
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

export function instanceProfileShape(
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

export function findKey(
  state: IamWorld,
  accessKeyId: string,
): { userName: string; key: IamUser['accessKeys'][number] } {
  for (const [userName, entry] of Object.entries(state.users)) {
    const key = entry.accessKeys.find((k) => k.accessKeyId === accessKeyId);
    if (key !== undefined) return { userName, key };
  }
  throw iamError('NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`);
}

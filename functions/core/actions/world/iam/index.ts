import { UnsupportedWorldCallError } from '../errors.ts';
import { ROLE_HANDLERS } from './roles.ts';
import type { Handler, IamWorld, Params } from './schema.ts';
import { USER_HANDLERS } from './users.ts';

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

const HANDLERS: Readonly<Record<string, Handler>> = { ...USER_HANDLERS, ...ROLE_HANDLERS };

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
